"""The KPI catalog as one tenant sees it: the built-in KPIs, then the tenant's own (by code)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from common.caching import cache_forget
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


# The tenant's KPI definitions change rarely and are read by every catalog, breakdown and tenant KPI ingestion:
# their rows are cached (Django's cache: Redis in production) per tenant, and dropped whenever a definition is
# saved or deleted or the tenant changes (its currency labels currency KPIs): at once and again after the commit,
# so a reader that refilled the cache from the old rows before the commit cannot keep them.
CACHE_KEY = "tenant-kpi-definitions:v1:{tenant_id}"
CACHE_SECONDS = 24 * 3600
ROW_FIELDS = ("pk", "code", "name", "unit", "direction", "combine_method", "description", "tenant__currency")


def tenant_kpi_entry(definition: TenantKpiDefinition) -> TenantKpiEntry:
    return _entry({"pk": definition.pk, "code": definition.code, "name": definition.name, "unit": definition.unit,
                   "direction": definition.direction, "combine_method": definition.combine_method,
                   "description": definition.description, "tenant__currency": definition.tenant.currency})


def _entry(row: dict) -> TenantKpiEntry:
    """An entry from a definition's cached row (the labels are translated now, in the request's language)."""
    if row["unit"] == TenantKpiUnit.CURRENCY:
        unit_label = row["tenant__currency"]
    else:
        unit_label = str(TenantKpiUnit(row["unit"]).label)
    percent_ratio = row["combine_method"] == "ratio" and row["unit"] == TenantKpiUnit.PERCENT
    formula = PERCENT_RATIO if percent_ratio else FORMULAS[row["combine_method"]]
    return TenantKpiEntry(code=row["code"], name=row["name"], unit=row["unit"], unit_label=unit_label,
                          direction=row["direction"], formula=str(formula), sample=str(SAMPLE), definition=row["pk"],
                          combine_method=row["combine_method"], description=row["description"])


def tenant_kpi_definition_rows(*, tenant_id: int) -> list[dict]:
    """The tenant's KPI definitions as plain rows, by code: from the cache, or one query that fills it."""
    key = CACHE_KEY.format(tenant_id=int(tenant_id))
    rows = cache.get(key)
    if rows is None:
        rows = list(TenantKpiDefinition.objects.filter(tenant_id=tenant_id).order_by("code").values(*ROW_FIELDS))
        cache.set(key, rows, CACHE_SECONDS)
    return rows


def tenant_kpi_cache_forget(*, tenant_id: int) -> None:
    cache_forget(CACHE_KEY.format(tenant_id=int(tenant_id)))


def forget_on_definition_change(sender, instance, **kwargs) -> None:
    """post_save / post_delete of TenantKpiDefinition."""
    tenant_kpi_cache_forget(tenant_id=instance.tenant_id)


def forget_on_tenant_change(sender, instance, **kwargs) -> None:
    """post_save of Tenant (its currency is part of the cached rows)."""
    tenant_kpi_cache_forget(tenant_id=instance.pk)


def tenant_kpi_entries(*, tenant_id: int) -> dict[str, TenantKpiEntry]:
    return {row["code"]: _entry(row) for row in tenant_kpi_definition_rows(tenant_id=tenant_id)}


def kpi_catalog(*, tenant_id: int) -> list:
    """Built-in entries in catalog order, then the tenant's KPIs by code."""
    return [*CATALOG.values(), *tenant_kpi_entries(tenant_id=tenant_id).values()]


def unknown_kpi_codes(*, tenant_id: int, codes: Iterable[str]) -> set[str]:
    """Those of `codes` that are neither built in nor defined by the tenant (the cached definitions)."""
    candidates = {code for code in codes if code not in CATALOG}
    if not candidates:
        return set()
    return candidates - {row["code"] for row in tenant_kpi_definition_rows(tenant_id=tenant_id)}


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
