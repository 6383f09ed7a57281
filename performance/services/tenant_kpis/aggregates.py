"""Per-agent values of tenant KPIs over a period: one SQL aggregate for every tenant KPI at once.

How values combine (exact decimals, the result rounded half-up to 4 places, like built-in KPIs):
- sum: Σ value; mean: Σ value / number of values; last: the value of the latest date (ties: the last ingested);
- ratio: Σ numerator / Σ denominator (× 100 when the unit is percent); no value when Σ denominator is 0.
The sample size is the number of value rows (days, or period values) of the agent in the period.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection

from performance.kpis import RAW_PLACES, tenant_kpi_inputs
from performance.models import TenantKpiDefinition, TenantKpiValue


def combine(method: str, unit: str, *, count: int, total: Decimal | None, last: Decimal | None,
            numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    """The period value of one agent's rows, by the KPI's combine method."""
    if method == "ratio":
        if not denominator:
            return None
        value = Decimal(numerator or 0) / Decimal(denominator) * (100 if unit == "percent" else 1)
    elif method == "sum":
        value = Decimal(total or 0)
    elif method == "mean":
        if not count:
            return None
        value = Decimal(total or 0) / count
    else:
        value = last
    return None if value is None else value.quantize(RAW_PLACES, ROUND_HALF_UP)


def _sql() -> str:
    """Sums and counts grouped by agent and KPI (hash aggregation, no sort), and the latest value only of the KPIs
    that combine by `last` (DISTINCT ON over their rows alone): an ordered aggregate over every row would force a
    sort of all the period's values, whatever the KPIs' methods."""
    values, definitions = TenantKpiValue._meta.db_table, TenantKpiDefinition._meta.db_table
    rows = f"""
        FROM {values} v JOIN {definitions} d ON d.id = v.definition_id
        WHERE v.tenant_id = %(tenant)s AND d.tenant_id = %(tenant)s AND v.date >= %(start)s AND v.date < %(end)s
          AND d.code = ANY(%(codes)s)"""
    return f"""
        SELECT a.agent_id, a.code, a.combine_method, a.unit, a.n, a.total, l.value, a.numerator, a.denominator
        FROM (SELECT v.agent_id, d.code, d.combine_method, d.unit, count(*) AS n, sum(v.value) AS total,
                     sum(v.numerator) AS numerator, sum(v.denominator) AS denominator {rows}
              GROUP BY v.agent_id, d.code, d.combine_method, d.unit) a
        LEFT JOIN (SELECT DISTINCT ON (v.agent_id, d.code) v.agent_id, d.code, v.value {rows}
                     AND d.combine_method = 'last'
                   ORDER BY v.agent_id, d.code, v.date DESC, v.updated_at DESC, v.id DESC) l
               ON l.agent_id = a.agent_id AND l.code = a.code
    """


def tenant_kpi_aggregates(*, tenant_id: int, start: date, end: date,
                          codes: Iterable[str]) -> dict[int, dict[str, Decimal | int | None]]:
    """Per agent id: the KPI inputs (performance.kpis.tenant_kpi_inputs) of the tenant KPIs `codes` over the days
    [start, end). Agents without values are absent (their KPIs are insufficient data)."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    out: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(_sql(), {"tenant": tenant_id, "start": start, "end": end, "codes": codes})
        for agent_id, code, method, unit, count, total, last, numerator, denominator in cursor.fetchall():
            value = combine(method, unit, count=count, total=total, last=last, numerator=numerator,
                            denominator=denominator)
            out.setdefault(agent_id, {}).update(tenant_kpi_inputs(code, value, count))
    return out
