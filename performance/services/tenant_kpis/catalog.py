"""The KPI catalog as one tenant sees it: the built-in KPIs, then the tenant's own (by code)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from performance.kpis import CATALOG
from performance.models import TenantKpiDefinition, TenantKpiUnit

FORMULAS = {
    "sum": _("Σ value over the period"),
    "mean": _("mean(value) over the period"),
    "last": _("the latest value in the period"),
    "ratio": _("Σ numerator / Σ denominator"),
}
PERCENT_RATIO = _("Σ numerator / Σ denominator × 100")
SAMPLE = _("values sent for the period (one per day or per period)")


@dataclass(frozen=True)
class TenantKpiEntry:
    """A tenant KPI shaped like a built-in catalog entry (performance.kpis.KpiDefinition) for the API."""

    code: str
    name: str
    unit: str
    unit_label: str
    direction: str
    formula: str
    sample: str
    definition: int
    combine_method: str
    description: str
    source: str = "tenant"


def tenant_kpi_entry(definition: TenantKpiDefinition) -> TenantKpiEntry:
    if definition.unit == TenantKpiUnit.CURRENCY:
        unit_label = definition.tenant.currency
    else:
        unit_label = str(TenantKpiUnit(definition.unit).label)
    percent_ratio = definition.combine_method == "ratio" and definition.unit == TenantKpiUnit.PERCENT
    formula = PERCENT_RATIO if percent_ratio else FORMULAS[definition.combine_method]
    return TenantKpiEntry(code=definition.code, name=definition.name, unit=definition.unit, unit_label=unit_label,
                          direction=definition.direction, formula=str(formula), sample=str(SAMPLE),
                          definition=definition.pk, combine_method=definition.combine_method,
                          description=definition.description)


def tenant_kpi_entries(*, tenant_id: int) -> dict[str, TenantKpiEntry]:
    rows = TenantKpiDefinition.objects.filter(tenant_id=tenant_id).select_related("tenant").order_by("code")
    return {row.code: tenant_kpi_entry(row) for row in rows}


def kpi_catalog(*, tenant_id: int) -> list:
    """Built-in entries in catalog order, then the tenant's KPIs by code."""
    return [*CATALOG.values(), *tenant_kpi_entries(tenant_id=tenant_id).values()]


def unknown_kpi_codes(*, tenant_id: int, codes: Iterable[str]) -> set[str]:
    """Those of `codes` that are neither built in nor defined by the tenant (one query, only when needed)."""
    candidates = {code for code in codes if code not in CATALOG}
    if not candidates:
        return set()
    known = TenantKpiDefinition.objects.filter(tenant_id=tenant_id, code__in=candidates).values_list("code", flat=True)
    return candidates - set(known)


class KpiLookup:
    """Name, unit and direction of any KPI code of one tenant, loading the tenant's KPIs once, when first needed
    (a request serializing many score breakdowns asks once)."""

    def __init__(self, tenant_id: int | None):
        self.tenant_id = tenant_id
        self._tenant: dict[str, TenantKpiEntry] | None = None

    def __getitem__(self, code: str):
        if code in CATALOG:
            return CATALOG[code]
        if self._tenant is None:
            self._tenant = tenant_kpi_entries(tenant_id=self.tenant_id) if self.tenant_id else {}
        entry = self._tenant.get(code)
        if entry is None:  # a KPI whose definition was deleted since (only possible for unused ones)
            return TenantKpiEntry(code=code, name=code, unit="", unit_label="", direction="higher", formula="",
                                  sample="", definition=0, combine_method="", description="")
        return entry
