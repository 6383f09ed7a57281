"""How long a period's score computation takes, next to the lower bound: one hand-written SQL GROUP BY.

On the bench tenant of bench.generate (2,000 agents, 1,000,000 interactions and 60,000 shifts in October 2026,
loaded when missing), with one tenant-wide scheme version of five KPIs (answer rate, AHT, FCR, CSAT, attendance):
- service: the real computation job (claim, SQL aggregates, scoring, ranking, fingerprint, writing a new revision
  of 2,000 overall and 2,000 per-scheme rows, finishing), run synchronously in this process on a fresh period, as
  the application role in the tenant's scope (under row-level security, like a worker);
- bound: one SQL statement computing the same raw KPI values per agent (interactions and shifts grouped by agent,
  joined), fetched to the client, as the owner role (a superuser by default: outside row-level security).
Each side runs `runs` times, alternating, after a warm-up; the best times are compared (on a shared machine the
best run is the one least disturbed by other work).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.computation
"""

from __future__ import annotations

import argparse
import time
from datetime import date
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
]

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
)
SELECT coalesce(i.agent_id, s.agent_id) AS agent_id,
       round(100.0 * i.handled / nullif(i.offered, 0), 4) AS answer_rate,
       round(1.0 * i.handle_sum / nullif(i.handled, 0), 4) AS aht,
       round(100.0 * i.fcr_count / nullif(i.handled, 0), 4) AS fcr,
       round(100.0 * i.csat_good / nullif(i.csat_count, 0), 4) AS csat,
       round(100.0 * s.worked / nullif(s.scheduled, 0), 4) AS attendance
  FROM i FULL JOIN s ON s.agent_id = i.agent_id
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


def ensure_scheme(tenant):
    from performance.models import SchemeKpi, SchemeVersion, ScoringScheme

    scheme, _ = ScoringScheme.objects.get_or_create(tenant=tenant, name=SCHEME_NAME)
    version = scheme.versions.first()
    if version is None:
        version = SchemeVersion.objects.create(tenant=tenant, scheme=scheme, number=1,
                                               effective_from=date(2026, 1, 1))
        SchemeKpi.objects.bulk_create([
            SchemeKpi(tenant=tenant, version=version, position=i, kpi_code=code, weight=Decimal(weight),
                      floor=Decimal(floor), target=Decimal(target), min_sample=min_sample)
            for i, (code, weight, floor, target, min_sample) in enumerate(KPIS)
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


def run_bound(tenant) -> tuple[float, int]:
    from django.db import connection

    from performance.models import KpiPeriod
    from performance.selectors import period_bounds

    start, end = period_bounds(KpiPeriod(tenant=tenant, start=PERIOD_START, end=PERIOD_END))
    params = {"tenant": tenant.pk, "start": start, "end": end, "start_date": PERIOD_START, "end_date": PERIOD_END}
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(BOUND_SQL, params)
        rows = cursor.fetchall()
    return time.perf_counter() - started, len(rows)


def measure_computation(*, runs: int = 5, interactions: int = INTERACTIONS, reload: bool = False) -> dict[str, Any]:
    """Best-of-`runs` seconds of the real period computation and of the SQL lower bound, and their ratio."""
    setup_django()
    from common import rls

    with as_owner():  # loading, and the bound: the owner (a superuser by default; row-level security skips it)
        tenant = ensure_data(interactions=interactions, reload=reload)
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
