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
    """Rows {dimension, key, <KPI>: value…}: one GROUP BY query per dimension over the scoped interactions."""
    rows = interactions.filter(started_at__gte=bounds[0], started_at__lt=bounds[1]).order_by()
    aggregations = _interaction_aggregations()
    result = []
    for dimension, field in DIMENSIONS.items():
        for row in rows.values(field).annotate(**aggregations).order_by(field):
            key = row.pop(field)
            inputs = {k: v or 0 for k, v in row.items()}
            result.append({"dimension": dimension, "key": key, **kpi_breakdown(inputs)})
    return result
