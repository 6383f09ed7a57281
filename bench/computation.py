"""How long a period's score computation takes, next to the lower bound: one hand-written SQL statement.

On the bench tenant of bench.generate (2,000 agents, 1,000,000 interactions and 60,000 shifts in October 2026,
loaded when missing), plus 30,000 published QA reviews (of the answered interactions whose id is a multiple of
31) and one tenant KPI (repeat-purchase rate, a ratio, one value per agent and day: 62,000 values), with one
tenant-wide scheme version of seven KPIs (answer rate, AHT, FCR, CSAT, attendance, QA score, repeat-purchase rate):
- service: the real computation job (claim, SQL aggregates, scoring, ranking, fingerprint, writing a new revision
  of 2,000 overall and 2,000 per-scheme rows, finishing), run synchronously in this process on a fresh period, as
  the application role in the tenant's scope (under row-level security, like a worker);
- bound: one SQL statement computing the same raw KPI values per agent (interactions, shifts, QA reviews and
  tenant KPI values, each grouped by agent, joined), fetched to the client, as the owner role (a superuser by
  default: outside row-level security), with JIT compilation off like the service's gather: its estimated cost
  crosses the JIT thresholds or not depending on the tables' statistics, and compiled it took twice as long (the
  compilation alone 0.2-0.3 s per process in EXPLAIN ANALYZE), which a lower bound must not include.
Each side runs `runs` times, alternating, after a warm-up; the best times are compared (on a shared machine the
best run is the one least disturbed by other work).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.computation
"""

from __future__ import annotations

import argparse
import time
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from unittest import mock

from bench.generate import INTERACTIONS, MONTH_START, SHIFTS, as_owner, setup_django

PERIOD_START, PERIOD_END = MONTH_START, date(2026, 11, 1)
SCHEME_NAME = "Bench standard"
KPIS = [  # code, weight, floor, target, min_sample
    ("answer_rate", 20, 80, 98, 20),
    ("aht", 20, 600, 300, 20),
    ("fcr", 20, 50, 85, 20),
    ("csat", 25, 50, 90, 5),
    ("attendance", 15, 85, 100, 10),
    ("qa_score", 15, 60, 95, 3),
    ("repeat_rate", 10, 5, 25, 10),
]
QA_EVERY = 31  # one published QA review per answered interaction whose id is a multiple of 31: ~30,000 of 1M
TENANT_KPI = "repeat_rate"

BOUND_SQL = """
WITH i AS (
    SELECT agent_id,
           count(*) AS offered,
           count(*) FILTER (WHERE answered) AS handled,
           sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered) AS handle_sum,
           count(*) FILTER (WHERE answered AND first_contact_resolved) AS fcr_count,
           count(csat) AS csat_count,
           count(*) FILTER (WHERE csat >= 4) AS csat_good
      FROM performance_interaction
     WHERE tenant_id = %(tenant)s AND started_at >= %(start)s AND started_at < %(end)s
     GROUP BY agent_id
), s AS (
    SELECT agent_id, sum(worked_minutes) AS worked, sum(scheduled_minutes) AS scheduled
      FROM performance_shift
     WHERE tenant_id = %(tenant)s AND date >= %(start_date)s AND date < %(end_date)s
     GROUP BY agent_id
), q AS (
    SELECT x.agent_id, count(*) AS reviews, avg(r.total) AS qa_mean
      FROM feedback_qareview r JOIN performance_interaction x ON x.id = r.interaction_id
     WHERE r.tenant_id = %(tenant)s AND r.status = 'published' AND r.is_current AND r.calibration_id IS NULL
       AND x.started_at >= %(start)s AND x.started_at < %(end)s
     GROUP BY x.agent_id
), t AS (
    SELECT v.agent_id, count(*) AS days, sum(v.numerator) AS num, sum(v.denominator) AS den
      FROM performance_tenantkpivalue v JOIN performance_tenantkpidefinition d ON d.id = v.definition_id
     WHERE v.tenant_id = %(tenant)s AND d.code = %(tenant_kpi)s AND v.date >= %(start_date)s
       AND v.date < %(end_date)s
     GROUP BY v.agent_id
)
SELECT coalesce(i.agent_id, s.agent_id, q.agent_id, t.agent_id) AS agent_id,
       round(100.0 * i.handled / nullif(i.offered, 0), 4) AS answer_rate,
       round(1.0 * i.handle_sum / nullif(i.handled, 0), 4) AS aht,
       round(100.0 * i.fcr_count / nullif(i.handled, 0), 4) AS fcr,
       round(100.0 * i.csat_good / nullif(i.csat_count, 0), 4) AS csat,
       round(100.0 * s.worked / nullif(s.scheduled, 0), 4) AS attendance,
       round(q.qa_mean, 2) AS qa_score,
       round(100.0 * t.num / nullif(t.den, 0), 4) AS repeat_rate
  FROM i FULL JOIN s ON s.agent_id = i.agent_id
         FULL JOIN q ON q.agent_id = coalesce(i.agent_id, s.agent_id)
         FULL JOIN t ON t.agent_id = coalesce(i.agent_id, s.agent_id, q.agent_id)
"""

QA_SQL = """
INSERT INTO feedback_qareview (tenant_id, chain, revision, is_current, interaction_id, rubric_version_id,
                               inspector_id, status, overall_comment, total, auto_failed, created_at, updated_at,
                               submitted_at, published_at, amend_reason)
SELECT x.tenant_id, gen_random_uuid(), 1, true, x.id, %(version)s, %(inspector)s, 'published', '',
       60 + (x.id * 37) %% 41, false, now(), now(), now(), now(), ''
  FROM performance_interaction x
 WHERE x.tenant_id = %(tenant)s AND x.answered AND x.id %% %(every)s = 0
"""

TENANT_KPI_SQL = """
INSERT INTO performance_tenantkpivalue (tenant_id, definition_id, agent_id, team_id, source, external_id, date,
                                        numerator, denominator, created_at, updated_at)
SELECT a.tenant_id, %(definition)s, a.id, a.team_id, 'bench', 'bench-' || a.id || '-' || d::date, d::date,
       (a.id * 7 + extract(day FROM d)::int) %% 9, 40, now(), now()
  FROM accounts_agent a CROSS JOIN generate_series(%(start)s::date, %(last)s::date, interval '1 day') d
 WHERE a.tenant_id = %(tenant)s
"""


def ensure_data(*, interactions: int = INTERACTIONS, shifts: int = SHIFTS, reload: bool = False):
    """The bench tenant with its October data (loaded by bench.generate when missing or on request)."""
    from bench import generate
    from performance.models import Interaction

    tenant = generate.ensure_tenant()
    present = Interaction.objects.filter(tenant=tenant, source="bench").count()
    if reload or present != interactions:
        generate.load(interactions=interactions, shifts=shifts)
    return tenant


def ensure_qa_and_tenant_kpis(tenant) -> dict[str, int]:
    """The bench's published QA reviews (~30,000) and repeat-purchase values (62,000), made in SQL when missing.
    As the owner (bench loading): INSERT … SELECT, no COPY, so row-level security would not refuse it either."""
    from django.db import connection, transaction
    from django.db.models import F

    from accounts.models import User
    from feedback.models import QAReview, Rubric, RubricVersion
    from performance.models import Interaction, TenantKpiDefinition, TenantKpiValue

    with transaction.atomic():
        reviews = QAReview.objects.filter(tenant=tenant)
        expected = Interaction.objects.filter(tenant=tenant, answered=True).alias(
            every=F("id") % QA_EVERY).filter(every=0).count()
        if reviews.count() != expected:  # missing, or made by an earlier version of this bench
            reviews.delete()
            inspector = User.objects.get(email="admin@bench.test")
            rubric, _ = Rubric.objects.get_or_create(tenant=tenant, name="Bench rubric")
            version, _ = RubricVersion.objects.get_or_create(
                tenant=tenant, rubric=rubric, number=1, defaults={"status": "published", "published_at": now()})
            with connection.cursor() as cursor:
                cursor.execute(QA_SQL, {"tenant": tenant.pk, "version": version.pk, "inspector": inspector.pk,
                                        "every": QA_EVERY})
                cursor.execute("ANALYZE feedback_qareview")
        definition, _ = TenantKpiDefinition.objects.get_or_create(
            tenant=tenant, code=TENANT_KPI,
            defaults={"name": "Repeat-purchase rate", "unit": "percent", "direction": "higher",
                      "combine_method": "ratio"})
        if not TenantKpiValue.objects.filter(tenant=tenant, definition=definition).exists():
            with connection.cursor() as cursor:
                cursor.execute(TENANT_KPI_SQL, {"tenant": tenant.pk, "definition": definition.pk,
                                                "start": PERIOD_START, "last": PERIOD_END - timedelta(days=1)})
                cursor.execute("ANALYZE performance_tenantkpivalue")
    return {"qa_reviews": QAReview.objects.filter(tenant=tenant).kpi_countable().count(),
            "tenant_kpi_values": TenantKpiValue.objects.filter(tenant=tenant).count()}


def now():
    from django.utils import timezone

    return timezone.now()


def ensure_scheme(tenant, kpis=KPIS):
    from performance.models import KpiPeriod, SchemeKpi, SchemeVersion, ScoringScheme

    scheme, _ = ScoringScheme.objects.get_or_create(tenant=tenant, name=SCHEME_NAME)
    version = scheme.versions.first()
    if version is not None and sorted(version.kpis.values_list("kpi_code", flat=True)) != sorted(k[0] for k in kpis):
        # A bench database made by an earlier version of this bench: its results go with the old scheme.
        KpiPeriod.objects.filter(tenant=tenant, kind="custom", start=PERIOD_START, end=PERIOD_END).delete()
        scheme.delete()
        scheme, version = ScoringScheme.objects.create(tenant=tenant, name=SCHEME_NAME), None
    if version is None:
        version = SchemeVersion.objects.create(tenant=tenant, scheme=scheme, number=1,
                                               effective_from=date(2026, 1, 1))
        SchemeKpi.objects.bulk_create([
            SchemeKpi(tenant=tenant, version=version, position=i, kpi_code=code, weight=Decimal(weight),
                      floor=Decimal(floor), target=Decimal(target), min_sample=min_sample)
            for i, (code, weight, floor, target, min_sample) in enumerate(kpis)
        ])
    return version


def fresh_period(tenant):
    """October as a new custom period: any earlier bench period and its results are deleted first."""
    from performance.models import KpiPeriod

    KpiPeriod.objects.filter(tenant=tenant, kind="custom", start=PERIOD_START, end=PERIOD_END).delete()
    return KpiPeriod.objects.create(tenant=tenant, name="Bench October", kind="custom", start=PERIOD_START,
                                    end=PERIOD_END)


def run_service(tenant) -> tuple[float, dict[str, Any]]:
    """Seconds of one full computation job, run in-process (the Celery message is not sent)."""
    from common.actor import Actor
    from performance import tasks
    from performance.models import ComputationJob
    from performance.services.scoring import computation_job_run, period_compute

    period = fresh_period(tenant)
    with mock.patch.object(tasks.compute_period_scores, "delay"):
        job = period_compute(actor=Actor(tenant=tenant, role="admin"), period=period)
    started = time.perf_counter()
    outcome = computation_job_run(job_id=job.pk, tenant_id=tenant.pk)
    seconds = time.perf_counter() - started
    job = ComputationJob.objects.get(pk=job.pk)
    if outcome != "done" or job.status != "succeeded":
        raise RuntimeError(f"The computation did not succeed: {outcome}, {job.errors}")
    return seconds, {"counts": job.counts, "timings": job.timings}


def run_bound(tenant, sql: str = BOUND_SQL) -> tuple[float, int]:
    from django.db import connection, transaction

    from performance.models import KpiPeriod
    from performance.selectors import period_bounds

    start, end = period_bounds(KpiPeriod(tenant=tenant, start=PERIOD_START, end=PERIOD_END))
    params = {"tenant": tenant.pk, "start": start, "end": end, "start_date": PERIOD_START, "end_date": PERIOD_END,
              "tenant_kpi": TENANT_KPI}
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")  # like the service's gather (see gather_inputs)
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def measure_computation(*, runs: int = 5, interactions: int = INTERACTIONS, reload: bool = False) -> dict[str, Any]:
    """Best-of-`runs` seconds of the real period computation and of the SQL lower bound, and their ratio."""
    setup_django()
    from common import rls

    with as_owner():  # loading, and the bound: the owner (a superuser by default; row-level security skips it)
        tenant = ensure_data(interactions=interactions, reload=reload)
        extra = ensure_qa_and_tenant_kpis(tenant)
        run_bound(tenant)  # warm-up: the month's rows in the buffer cache for both sides
    service_runs, bound_runs, details = [], [], {}
    for _ in range(runs):
        with rls.tenant_scope(tenant.pk):  # the service: the application role, in the tenant's scope, like a worker
            ensure_scheme(tenant)
            seconds, details = run_service(tenant)
        service_runs.append(seconds)
        with as_owner():
            bound_seconds, agents = run_bound(tenant)
        bound_runs.append(bound_seconds)
    service, bound = min(service_runs), min(bound_runs)
    return {
        "agents": details["counts"]["agents"],
        "interactions": details["counts"]["scoped_interactions"],
        **extra,
        "kpis": len(KPIS),
        "runs": runs,
        "service_seconds": round(service, 3),
        "bound_seconds": round(bound, 3),
        "ratio": round(service / bound, 2),
        "service_runs": [round(s, 3) for s in service_runs],
        "bound_runs": [round(s, 3) for s in bound_runs],
        "bound_rows": agents,
        "job_timings": details["timings"],
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--interactions", type=int, default=INTERACTIONS)
    parser.add_argument("--reload", action="store_true", help="Regenerate the bench data first.")
    args = parser.parse_args(argv)
    result = measure_computation(runs=args.runs, interactions=args.interactions, reload=args.reload)
    for key, value in result.items():
        print(f"{key:>16}: {value}")


if __name__ == "__main__":
    main()
