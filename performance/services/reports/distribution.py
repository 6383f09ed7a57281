"""The distribution of a metric across agents in one revision: histogram, mean, median, p10 and p90, in SQL."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from performance.services.reports.metrics import Sql, metric_rows

PLACES = Decimal("0.0001")
DEFAULT_BINS = 10


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(str(value)).quantize(PLACES, ROUND_HALF_UP)


def metric_distribution(*, tenant_id: int, metric: str, scope: Sql, edges: list[Decimal] | None = None,
                        bin_count: int = DEFAULT_BINS) -> dict:
    """Statistics and bins of the metric's values. With `edges` the bins are [e0, e1), …, [e(n-1), en] (the last
    one closed) and values outside them are counted as below/above; without, `bin_count` equal bins span
    [min, max] (the maximum falls in the last). One query (width_bucket, percentile_cont)."""
    rows = metric_rows(tenant_id=tenant_id, codes=[metric], scope=scope)
    if edges:
        bucket = ("CASE WHEN m.value = %s THEN %s ELSE width_bucket(m.value, %s::numeric[]) END", [
            edges[-1], len(edges) - 1, edges])
    else:
        bucket = ("CASE WHEN s.hi = s.lo THEN 1 ELSE LEAST(width_bucket(m.value, s.lo, s.hi, %s), %s) END",
                  [bin_count, bin_count])
    sql = f"""
        WITH m AS ({rows.sql}),
        s AS (SELECT count(*) AS n, avg(value) AS mean, min(value) AS lo, max(value) AS hi,
                     percentile_cont(0.5) WITHIN GROUP (ORDER BY value) AS median,
                     percentile_cont(0.1) WITHIN GROUP (ORDER BY value) AS p10,
                     percentile_cont(0.9) WITHIN GROUP (ORDER BY value) AS p90 FROM m),
        b AS (SELECT {bucket[0]} AS bucket, count(*) AS c FROM m CROSS JOIN s GROUP BY 1)
        SELECT s.n, s.mean, s.lo, s.hi, s.median, s.p10, s.p90,
               (SELECT coalesce(json_agg(json_build_array(bucket, c) ORDER BY bucket), '[]') FROM b)
        FROM s"""
    with connection.cursor() as cursor:
        cursor.execute(sql, [*rows.params, *bucket[1]])
        n, mean, lo, hi, median, p10, p90, buckets = cursor.fetchone()
    counts = {bucket: count for bucket, count in buckets}
    if edges:
        bounds = list(zip(edges, edges[1:], strict=False))
        below, above = counts.get(0, 0), counts.get(len(edges), 0)
    elif n:
        step = (Decimal(hi) - Decimal(lo)) / bin_count
        bounds = [(Decimal(lo) + step * i, Decimal(lo) + step * (i + 1)) for i in range(bin_count)]
        if hi == lo:
            bounds = [(Decimal(lo), Decimal(hi))]
        below = above = 0
    else:
        bounds, below, above = [], 0, 0
    bins = [{"lower": _q(low), "upper": _q(high), "count": counts.get(i, 0)}
            for i, (low, high) in enumerate(bounds, start=1)]
    return {"metric": metric, "n": n, "mean": _q(mean), "median": _q(median), "p10": _q(p10), "p90": _q(p90),
            "min": _q(lo), "max": _q(hi), "bins": bins, "below": below, "above": above}
