"""Team comparison and correlations across agents in one revision, aggregated in SQL."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection

from performance.services.reports.distribution import _q
from performance.services.reports.metrics import Sql, metric_rows


def team_comparison(*, tenant_id: int, codes: list[str], scope: Sql) -> list[dict]:
    """Per team of the scoped score rows (the team when computed; null for agents without one): head count (agents
    listed), scored count (agents with a total), and per metric n, mean, median and p90. Two aggregates, one query;
    the statistics are MATERIALIZED so that PostgreSQL computes them once, not once per team (a CTE referenced once
    is otherwise inlined into the join, i.e. re-run for every team: 30× slower at 20 teams)."""
    rows = metric_rows(tenant_id=tenant_id, codes=codes, scope=scope)
    sql = f"""
        WITH heads AS (
            SELECT o.team_id, count(*) AS head_count, count(o.total) AS scored
            FROM ({scope.sql}) o GROUP BY o.team_id),
        m AS ({rows.sql}),
        stats AS MATERIALIZED (
            SELECT team_id, json_agg(json_build_array(metric, n, mean::text, median::text, p90::text)
                                     ORDER BY metric) AS metrics
            FROM (SELECT team_id, metric, count(*) AS n, avg(value) AS mean,
                         percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
                         percentile_cont(0.9) WITHIN GROUP (ORDER BY value) AS p90
                  FROM m GROUP BY team_id, metric) per_metric
            GROUP BY team_id)
        SELECT h.team_id, h.head_count, h.scored, coalesce(s.metrics, '[]')
        FROM heads h LEFT JOIN stats s ON s.team_id IS NOT DISTINCT FROM h.team_id
        ORDER BY h.team_id NULLS LAST"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*scope.params, *rows.params])
        result = cursor.fetchall()
    teams = []
    for team_id, head_count, scored, stats in result:
        metrics = {metric: {"n": n, "mean": _q(mean), "median": _q(median), "p90": _q(p90)}
                   for metric, n, mean, median, p90 in stats}
        empty = {"n": 0, "mean": None, "median": None, "p90": None}
        teams.append({"team": team_id, "head_count": head_count, "scored": scored,
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
