"""Team comparison and correlations across agents in one revision, aggregated in SQL."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from performance.services.reports.distribution import _q
from performance.services.reports.metrics import Sql, metric_rows


def team_comparison(*, tenant_id: int, codes: list[str], scope: Sql) -> list[dict]:
    """Per team of the scoped score rows (the team when computed; null for agents without one, listed last): head
    count (agents listed), scored count (agents with a total), and per metric n, mean, median and p90. One query:
    the heads (metric null) and the per-metric statistics are two GROUP BYs of one UNION ALL, put together here;
    joining them in SQL needs `team_id IS NOT DISTINCT FROM` (for the null team), which PostgreSQL can only run
    as a nested loop over every pair of teams."""
    rows = metric_rows(tenant_id=tenant_id, codes=codes, scope=scope)
    sql = f"""
        WITH m AS ({rows.sql})
        SELECT o.team_id, NULL AS metric, count(*), count(o.total), NULL, NULL, NULL
        FROM ({scope.sql}) o GROUP BY o.team_id
        UNION ALL
        SELECT team_id, metric, count(*), NULL, avg(value)::text,
               (percentile_cont(0.5) WITHIN GROUP (ORDER BY value))::text,
               (percentile_cont(0.9) WITHIN GROUP (ORDER BY value))::text
        FROM m GROUP BY team_id, metric"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows.params, *scope.params])
        result = cursor.fetchall()
    heads: dict[int | None, tuple[int, int]] = {}
    stats: dict[int | None, dict[str, dict]] = {}
    for team_id, metric, n, scored, mean, median, p90 in result:
        if metric is None:
            heads[team_id] = (n, scored)
        else:
            stats.setdefault(team_id, {})[metric] = {"n": n, "mean": _q(mean), "median": _q(median), "p90": _q(p90)}
    empty = {"n": 0, "mean": None, "median": None, "p90": None}
    teams = []
    for team_id in sorted(heads, key=lambda team: (team is None, team or 0)):
        metrics = stats.get(team_id, {})
        teams.append({"team": team_id, "head_count": heads[team_id][0], "scored": heads[team_id][1],
                      "metrics": [{"metric": code, **metrics.get(code, empty)} for code in codes]})
    return teams


def metric_correlation(*, tenant_id: int, x: str, y: str, scope: Sql) -> dict:
    """Pearson's r of the two metrics over agents having both, and Spearman's rho (Pearson's r of their average
    ranks, so ties share a rank), with n and the points. One query: corr() over rank() windows."""
    rows = metric_rows(tenant_id=tenant_id, codes=sorted({x, y}), scope=scope)
    sql = f"""
        WITH m AS ({rows.sql}),
        p AS (SELECT agent_id, max(value) FILTER (WHERE metric = %s) AS x, max(value) FILTER (WHERE metric = %s) AS y
              FROM m GROUP BY agent_id),
        q AS (SELECT agent_id, x, y,
                     rank() OVER (ORDER BY x) + (count(*) OVER (PARTITION BY x) - 1) / 2.0 AS rx,
                     rank() OVER (ORDER BY y) + (count(*) OVER (PARTITION BY y) - 1) / 2.0 AS ry
              FROM p WHERE x IS NOT NULL AND y IS NOT NULL)
        SELECT count(*), corr(x, y), corr(rx, ry),
               coalesce(json_agg(json_build_array(agent_id, x::text, y::text) ORDER BY agent_id), '[]')
        FROM q"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows.params, x, y])
        n, pearson, spearman, points = cursor.fetchone()
    return {"x": x, "y": y, "n": n, "pearson": _r(pearson), "spearman": _r(spearman),
            "points": [{"agent": agent, "x": _q(vx), "y": _q(vy)} for agent, vx, vy in points]}


def _r(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.000001"))
