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


# Sums and counts grouped by agent and definition id over the value table alone (a hash aggregate of integer keys),
# joined to the latest value only of the KPIs that combine by `last` (DISTINCT ON over their rows alone). The
# definitions are read first (one small query) so that the aggregate can name their ids: grouped by the joined
# definition's code, method and unit instead, PostgreSQL misjudged the join's rows (443 of 62,000 in the bench) and
# sorted every value row for a group aggregate, spilling to disk at the default work_mem; an ordered aggregate over
# every row would force that sort whatever the KPIs' methods.
SUMS_SQL = """
SELECT agent_id, definition_id, count(*) AS n, sum(value) AS total, sum(numerator) AS numerator,
       sum(denominator) AS denominator
  FROM {values}
 WHERE tenant_id = %(tenant)s AND date >= %(start)s AND date < %(end)s AND definition_id = ANY(%(definitions)s)
 GROUP BY agent_id, definition_id
"""
LAST_SQL = """
SELECT DISTINCT ON (agent_id, definition_id) agent_id, definition_id, value
  FROM {values}
 WHERE tenant_id = %(tenant)s AND date >= %(start)s AND date < %(end)s AND definition_id = ANY(%(last)s)
 ORDER BY agent_id, definition_id, date DESC, updated_at DESC, id DESC
"""


def _sql(*, with_last: bool) -> str:
    values = TenantKpiValue._meta.db_table
    sums = SUMS_SQL.format(values=values)
    if not with_last:
        return f"SELECT a.*, NULL FROM ({sums}) a"
    return (f"SELECT a.*, l.value FROM ({sums}) a LEFT JOIN ({LAST_SQL.format(values=values)}) l "
            "ON l.agent_id = a.agent_id AND l.definition_id = a.definition_id")


def tenant_kpi_aggregates(*, tenant_id: int, start: date, end: date,
                          codes: Iterable[str]) -> dict[int, dict[str, Decimal | int | None]]:
    """Per agent id: the KPI inputs (performance.kpis.tenant_kpi_inputs) of the tenant KPIs `codes` over the days
    [start, end). Agents without values are absent (their KPIs are insufficient data)."""
    codes = sorted(set(codes))
    if not codes:
        return {}
    definitions = {pk: (code, method, unit) for pk, code, method, unit in TenantKpiDefinition.objects.filter(
        tenant_id=tenant_id, code__in=codes).values_list("pk", "code", "combine_method", "unit")}
    if not definitions:
        return {}
    last = sorted(pk for pk, (_code, method, _unit) in definitions.items() if method == "last")
    params = {"tenant": tenant_id, "start": start, "end": end, "definitions": sorted(definitions), "last": last}
    out: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(_sql(with_last=bool(last)), params)
        for agent_id, definition_id, count, total, numerator, denominator, latest in cursor.fetchall():
            code, method, unit = definitions[definition_id]
            value = combine(method, unit, count=count, total=total, last=latest, numerator=numerator,
                            denominator=denominator)
            out.setdefault(agent_id, {}).update(tenant_kpi_inputs(code, value, count))
    return out
