"""Trends: a metric across computed periods (from their score revisions), and daily or weekly series inside one
period from raw interactions (for live charts before the period is computed)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models.functions import TruncDay, TruncWeek

from performance.kpis import CATALOG, INTERACTION_FIELDS, kpi_value
from performance.models import KpiPeriod
from performance.selectors import _interaction_aggregations
from performance.services.reports.distribution import _q
from performance.services.reports.metrics import Sql, metric_rows
from performance.services.reports.revisions import revision_summary

INTERACTION_KPIS = [code for code, k in CATALOG.items() if k.inputs <= frozenset(INTERACTION_FIELDS)]


def period_trend(*, tenant_id: int, metric: str, periods: list[KpiPeriod], scope: Sql) -> list[dict]:
    """One point per period (oldest first): the mean of the scoped agents' values in the period's current
    revision (for one agent: their value), how many agents had one, and their summed sample size. One query."""
    rows = metric_rows(tenant_id=tenant_id, codes=[metric], scope=scope)
    sql = f"""WITH m AS ({rows.sql})
              SELECT revision_id, avg(value)::text, count(*), sum(sample) FROM m GROUP BY revision_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, rows.params)
        found = {revision: (value, agents, sample) for revision, value, agents, sample in cursor.fetchall()}
    points = []
    for period in periods:
        value, agents, sample = found.get(period.current_revision_id, (None, 0, 0))
        points.append({"period": period.pk, "name": period.name, "start": period.start, "end": period.end,
                       "revision": revision_summary(period.current_revision), "value": _q(value),
                       "agents": agents, "sample_size": int(sample or 0)})
    return points


def _buckets(interval: str, start: date, end: date) -> list[date]:
    day = start - timedelta(days=start.weekday()) if interval == "week" else start
    step = timedelta(days=7 if interval == "week" else 1)
    days = []
    while day < end:
        days.append(day)
        day += step
    return days


def interaction_series(*, interactions, metric: str, interval: str, zone, start: date, end: date,
                       bounds: tuple[datetime, datetime]) -> list[dict]:
    """One point per tenant-local day (or ISO week, from its Monday) of [start, end): the KPI computed from that
    bucket's interaction aggregate (one GROUP BY query), with its sample size; empty buckets have no value."""
    trunc = TruncWeek if interval == "week" else TruncDay
    wanted = set(CATALOG[metric].inputs) | {"offered", "handled"}
    aggregations = {k: v for k, v in _interaction_aggregations().items() if k in wanted}
    rows = (interactions.filter(started_at__gte=bounds[0], started_at__lt=bounds[1]).order_by()
            .annotate(bucket=trunc("started_at", tzinfo=zone)).values("bucket").annotate(**aggregations))
    found = {row.pop("bucket").date(): {k: v or 0 for k, v in row.items()} for row in rows}
    points = []
    for day in _buckets(interval, start, end):
        value, sample = kpi_value(metric, found.get(day, {}))
        points.append({"start": day, "value": value if sample else None, "sample_size": sample})
    return points
