"""The report endpoints over the bench tenant (2,000 agents, 1,000,000 interactions in October 2026) with 12
computed periods, each next to the one hand-written SQL query it needs.

Periods: October is computed by the real computation (bench.computation); the 11 months before it (November 2025
to September 2026) get a revision made by copying October's score rows in SQL, in the shape the computation
writes them (one overall row and one per-scheme row with its KPI breakdown per agent), with every total and raw
KPI value scaled by a factor between 0.85 and 1.15 that depends on the agent and the month, so that periods
differ. Running the computation 11 more times would need 11 more months of interactions (11M rows) for the same
rows in the end; the reports read only the score rows, which is what is copied. Ranks are copied as they are (no
report reads them).

jixiao's side: each endpoint through the test client (middleware, authentication, the membership check, query
validation, serialisation), as the tenant's admin, as the application role under row-level security. The
baseline: the one SQL statement each report needs, as the owner role (a superuser by default: no row-level
security), fetched to the client. Best of `runs`, alternating; the query counts of one call are printed too, and
the request floor: the time of a one-row list endpoint (authentication, tenant, membership, one query), which every
report pays on top of its own SQL.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.reports
"""

from __future__ import annotations

import time
from datetime import date

from bench.generate import TIME_ZONE, as_owner, setup_django

MONTHS_BEFORE = 11
APS, ASS = "performance_agentperiodscore", "performance_agentschemescore"
INTERACTIONS = "performance_interaction"

COPY_OVERALL = f"""
INSERT INTO {APS} (tenant_id, period_id, revision_id, job_id, agent_id, team_id, total, rank, percentile, handled,
                   unscored_reason)
SELECT tenant_id, %(period)s, %(revision)s, %(job)s, agent_id, team_id,
       round(least(100, total * (0.85 + ((agent_id * 37 + %(k)s * 101) %% 31) / 100.0)), 2),
       rank, percentile, handled, unscored_reason
  FROM {APS} WHERE tenant_id = %(tenant)s AND revision_id = %(source)s"""
COPY_SCHEME = f"""
INSERT INTO {ASS} (tenant_id, overall_id, revision_id, agent_id, scheme_version_id, total, rank, percentile,
                   handled, unscored_reason, kpis)
SELECT s.tenant_id, o.id, %(revision)s, s.agent_id, s.scheme_version_id, o.total, s.rank, s.percentile, s.handled,
       s.unscored_reason,
       (SELECT jsonb_agg(CASE WHEN e->>'raw_value' IS NULL THEN e ELSE jsonb_set(e, '{{raw_value}}', to_jsonb(
                   round((e->>'raw_value')::numeric * (0.85 + ((s.agent_id * 37 + %(k)s * 101) %% 31) / 100.0),
                         4)::text)) END ORDER BY n)
          FROM jsonb_array_elements(s.kpis) WITH ORDINALITY AS x(e, n))
  FROM {ASS} s JOIN {APS} o ON o.tenant_id = s.tenant_id AND o.revision_id = %(revision)s AND o.agent_id = s.agent_id
 WHERE s.tenant_id = %(tenant)s AND s.revision_id = %(source)s"""

_TREND = f"""SELECT revision_id, avg(total), count(*), sum(handled) FROM {APS}
             WHERE tenant_id = %(tenant)s AND revision_id = ANY(%(revisions)s) AND total IS NOT NULL {{extra}}
             GROUP BY revision_id"""
_KPI_VALUES = f"""SELECT o.team_id, s.agent_id, e->>'kpi_code' AS metric, (e->>'raw_value')::numeric AS value
                  FROM {ASS} s JOIN {APS} o ON o.id = s.overall_id CROSS JOIN LATERAL jsonb_array_elements(s.kpis) e
                  WHERE s.tenant_id = %(tenant)s AND s.revision_id = %(revision)s AND e->>'raw_value' IS NOT NULL"""
_IN_MONTH = "tenant_id = %(tenant)s AND started_at >= %(start)s AND started_at < %(end)s"
BASELINES = {
    "trends: tenant, 12 periods": _TREND.format(extra=""),
    "trends: team, 12 periods": _TREND.format(extra="AND team_id = %(team)s"),
    "trends: agent, 12 periods": _TREND.format(extra="AND agent_id = %(agent)s"),
    "trends: daily AHT in October (raw)": f"""
        SELECT date_trunc('day', started_at AT TIME ZONE '{TIME_ZONE}') AS day, count(*),
               count(*) FILTER (WHERE answered),
               sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered)
          FROM {INTERACTIONS} WHERE {_IN_MONTH} GROUP BY 1""",
    "distribution of totals": f"""
        WITH m AS (SELECT total AS value FROM {APS}
                   WHERE tenant_id = %(tenant)s AND revision_id = %(revision)s AND total IS NOT NULL),
        s AS (SELECT count(*) AS n, avg(value) AS mean, min(value) AS lo, max(value) AS hi,
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
                     percentile_cont(0.1) WITHIN GROUP (ORDER BY value) AS p10,
                     percentile_cont(0.9) WITHIN GROUP (ORDER BY value) AS p90 FROM m)
        SELECT s.*, (SELECT json_agg(json_build_array(b, c)) FROM (
                        SELECT least(width_bucket(m.value, s.lo, s.hi, 10), 10) AS b, count(*) AS c
                        FROM m GROUP BY 1) x) FROM s""",
    "teams: total and 5 KPIs per team": f"""
        WITH m AS (SELECT team_id, 'total' AS metric, total AS value FROM {APS}
                   WHERE tenant_id = %(tenant)s AND revision_id = %(revision)s AND total IS NOT NULL
                   UNION ALL SELECT team_id, metric, value FROM ({_KPI_VALUES}) k)
        SELECT team_id, metric, count(*), avg(value), percentile_cont(0.5) WITHIN GROUP (ORDER BY value),
               percentile_cont(0.9) WITHIN GROUP (ORDER BY value)
          FROM m GROUP BY team_id, metric""",
    "correlations: aht against csat": f"""
        WITH p AS (SELECT agent_id, max(value) FILTER (WHERE metric = 'aht') AS x,
                          max(value) FILTER (WHERE metric = 'csat') AS y FROM ({_KPI_VALUES}) k GROUP BY agent_id),
        q AS (SELECT agent_id, x, y, rank() OVER (ORDER BY x) AS rx, rank() OVER (ORDER BY y) AS ry
              FROM p WHERE x IS NOT NULL AND y IS NOT NULL)
        SELECT count(*), corr(x, y), corr(rx, ry), json_agg(json_build_array(agent_id, x, y)) FROM q""",
    "channels: by channel, scenario, direction": f"""
        SELECT channel, scenario_id, direction, count(*), count(*) FILTER (WHERE answered),
               sum(queue_seconds) FILTER (WHERE answered), sum(ring_count), sum(first_response_seconds),
               count(first_response_seconds), sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered),
               sum(acw_seconds) FILTER (WHERE answered),
               count(*) FILTER (WHERE answered AND first_contact_resolved), count(csat),
               count(*) FILTER (WHERE csat >= 4), count(*) FILTER (WHERE direction = 'outbound'),
               count(*) FILTER (WHERE direction = 'outbound' AND answered)
          FROM {INTERACTIONS} WHERE {_IN_MONTH}
         GROUP BY GROUPING SETS ((channel), (scenario_id), (direction))""",
    "dashboard: headline figures per team": f"""
        SELECT team_id, count(*), count(*) FILTER (WHERE answered),
               sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered),
               count(*) FILTER (WHERE answered AND first_contact_resolved), count(csat),
               count(*) FILTER (WHERE csat >= 4)
          FROM {INTERACTIONS} WHERE {_IN_MONTH} GROUP BY team_id""",
}


def _month_before(day: date, k: int) -> date:
    months = day.year * 12 + day.month - 1 - k
    return date(months // 12, months % 12 + 1, 1)


def ensure_periods(tenant) -> list:
    """October computed by the real computation, and the 11 months before it with copied revisions (made once)."""
    from django.db import connection

    from bench.computation import PERIOD_END, PERIOD_START, ensure_scheme, run_service
    from performance.models import ComputationJob, KpiPeriod, ScoreRevision

    def computed_october():
        return KpiPeriod.objects.filter(tenant=tenant, kind="custom", start=PERIOD_START, end=PERIOD_END,
                                        current_revision__isnull=False).first()

    october = computed_october()
    if october is None:
        ensure_scheme(tenant)
        run_service(tenant)
        october = computed_october()
    periods = [october]
    for k in range(1, MONTHS_BEFORE + 1):
        start = _month_before(PERIOD_START, k)
        end = _month_before(PERIOD_START, k - 1)
        period, _ = KpiPeriod.objects.get_or_create(tenant=tenant, kind="monthly", start=start, end=end,
                                                    defaults={"name": f"Bench {start:%Y-%m}", "status": "computed"})
        source = october.current_revision
        if period.current_revision_id and period.current_revision.fingerprint == f"copy-{source.pk}":
            periods.append(period)
            continue
        period.current_revision = None
        period.save(update_fields=["current_revision"])
        ScoreRevision.objects.filter(period=period).delete()
        ComputationJob.objects.filter(period=period).delete()
        job = ComputationJob.objects.create(tenant=tenant, period=period, status="succeeded",
                                            previous_period_status="open")
        revision = ScoreRevision.objects.create(tenant=tenant, period=period, number=1, job=job,
                                                fingerprint=f"copy-{source.pk}", is_complete=True,
                                                completed_at=source.completed_at)
        params = {"tenant": tenant.pk, "period": period.pk, "revision": revision.pk, "job": job.pk, "k": k,
                  "source": source.pk}
        with connection.cursor() as cursor:
            cursor.execute(COPY_OVERALL, params)
            cursor.execute(COPY_SCHEME, params)
        period.current_revision, period.status = revision, "computed"
        period.save(update_fields=["current_revision", "status"])
        periods.append(period)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {APS}")
        cursor.execute(f"ANALYZE {ASS}")
    return periods[::-1]


def _requests(tenant, october, team_id: int, agent_id: int) -> dict[str, dict]:
    base = {"period": october.pk}
    return {
        "trends: tenant, 12 periods": ("trends", {"metric": "total"}),
        "trends: team, 12 periods": ("trends", {"metric": "total", "level": "team", "team": team_id}),
        "trends: agent, 12 periods": ("trends", {"metric": "total", "level": "agent", "agent": agent_id}),
        "trends: daily AHT in October (raw)": ("trends", {**base, "metric": "aht", "interval": "day"}),
        "distribution of totals": ("distribution", base),
        "teams: total and 5 KPIs per team": ("teams", base),
        "correlations: aht against csat": ("correlations", {**base, "x": "aht", "y": "csat"}),
        "channels: by channel, scenario, direction": ("channels", base),
        "dashboard: headline figures per team": ("dashboard", base),
    }


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def measure_reports(*, runs: int = 5) -> list[dict]:
    """Per report: best endpoint seconds (application role, under RLS) and best baseline seconds (owner), the
    ratio, and the endpoint's query count."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from rest_framework.test import APIClient

    from accounts.models import Agent, Team, User
    from bench.computation import ensure_data
    from performance.selectors import period_bounds

    with as_owner():
        tenant = ensure_data()
        periods = ensure_periods(tenant)
        october = periods[-1]
        team_id = Team.objects.filter(tenant=tenant).order_by("name").values_list("pk", flat=True)[0]
        agent_id = Agent.objects.filter(tenant=tenant, team_id=team_id).order_by("pk").values_list("pk", flat=True)[0]
        admin = User.objects.get(email="admin@bench.test")
        start, end = period_bounds(october)
    params = {"tenant": tenant.pk, "revisions": [p.current_revision_id for p in periods], "team": team_id,
              "agent": agent_id, "revision": october.current_revision_id, "start": start, "end": end}
    settings.ALLOWED_HOSTS = ["*"]
    client = APIClient()
    client.force_authenticate(admin)
    requests = _requests(tenant, october, team_id, agent_id)

    def call(name):
        report, query = requests[name]
        response = client.get(f"/api/v1/tenants/{tenant.slug}/reports/{report}/", query)
        if response.status_code != 200:
            raise RuntimeError(f"{name}: {response.status_code} {response.content[:300]!r}")
        return response

    def baseline(name):
        with connection.cursor() as cursor:
            cursor.execute(BASELINES[name], params)
            cursor.fetchall()

    results = {name: {"report": name, "endpoint": [], "sql": []} for name in requests}
    for name in requests:  # warm-up (and a check that both run)
        call(name)
        with as_owner():
            baseline(name)
    for _ in range(runs):
        for name in requests:
            results[name]["endpoint"].append(_timed(lambda name=name: call(name)))
        with as_owner():
            for name in requests:
                results[name]["sql"].append(_timed(lambda name=name: baseline(name)))
    floor_url = f"/api/v1/tenants/{tenant.slug}/teams/"
    client.get(floor_url, {"page_size": 1})
    floor = min(_timed(lambda: client.get(floor_url, {"page_size": 1})) for _ in range(runs))
    rows = [{"report": "request floor: GET teams/?page_size=1", "endpoint_ms": round(floor * 1000, 1), "sql_ms": "",
             "ratio": "", "queries": "", "items": 1}]
    for name in requests:
        with CaptureQueriesContext(connection) as queries:
            body = call(name).json()
        endpoint, sql = min(results[name]["endpoint"]), min(results[name]["sql"])
        points = body.get("points") or body.get("teams") or body.get("rows") or body.get("bins") or []
        rows.append({"report": name, "endpoint_ms": round(endpoint * 1000, 1), "sql_ms": round(sql * 1000, 1),
                     "ratio": round(endpoint / sql, 2), "queries": len(queries), "items": len(points)})
    return rows


def print_reports(rows: list[dict]) -> None:
    print(f"  {'report':<44} {'endpoint ms':>12} {'one SQL ms':>11} {'ratio':>6} {'queries':>8} {'items':>6}")
    for row in rows:
        print(f"  {row['report']:<44} {row['endpoint_ms']:>12} {row['sql_ms']:>11} {row['ratio']:>6} "
              f"{row['queries']:>8} {row['items']:>6}")


def main() -> None:
    setup_django()
    print_reports(measure_reports())


if __name__ == "__main__":
    main()
