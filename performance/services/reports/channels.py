"""The interaction KPIs of a period broken down by channel, by scenario and by direction (多渠道)."""

from __future__ import annotations

from datetime import datetime

from performance.kpis import kpi_value
from performance.selectors import _interaction_aggregations

CHANNEL_KPIS = ("offered", "handled", "answer_rate", "asa", "abandon_rate", "aht", "acw", "fcr", "csat", "frt",
                "outbound_calls", "connect_rate")
DIMENSIONS = {"channel": "channel", "scenario": "scenario__code", "direction": "direction"}


def kpi_breakdown(inputs: dict) -> dict:
    return {code: kpi_value(code, inputs)[0] for code in CHANNEL_KPIS}


def channel_breakdown(*, interactions, bounds: tuple[datetime, datetime]) -> list[dict]:
    """Rows {dimension, key, <KPI>: value…}, each dimension's keys in code order (no scenario last).

    One scan of the period: a GROUP BY over the three dimensions together, whose groups (a few per channel,
    scenario and direction, not per interaction) are then summed per dimension; every input is a count or a sum.
    """
    aggregations = _interaction_aggregations()
    groups = list(interactions.filter(started_at__gte=bounds[0], started_at__lt=bounds[1]).order_by()
                  .values(*DIMENSIONS.values()).annotate(**aggregations))
    result = []
    for dimension, field in DIMENSIONS.items():
        totals: dict = {}
        for group in groups:
            sums = totals.setdefault(group[field], dict.fromkeys(aggregations, 0))
            for name in aggregations:
                sums[name] += group[name] or 0
        for key in sorted(totals, key=lambda k: (k is None, k or "")):
            result.append({"dimension": dimension, "key": key, **kpi_breakdown(totals[key])})
    return result
