"""Ingesting tenant KPI values: the same path as interactions and shifts (single rows, JSON batches, CSV files;
upsert by source and external_id; all rows or none, with every row's errors), plus the KPI code of each row.

A row carries `value` for sum, mean and last KPIs, `numerator` and `denominator` (≥ 0) for ratio KPIs, never both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied

from common.actor import Actor
from performance.models import TenantKpiDefinition, TenantKpiValue
from performance.services.ingestion.batches import INGEST_ROLES, IngestionResult, RowsInvalid, Target, _Batch
from performance.services.ingestion.rows import INVALID, FieldInvalid, RowField, RowSpec, iso_date, location, text

VALUE_LIMIT = Decimal("1e14")  # the columns hold 14 digits before the point and 4 after
PLACES = Decimal("0.0001")

UNKNOWN_KPI = _('No tenant KPI with the code "%(code)s"; define it under kpi-definitions/ first.')
RATIO_NEEDS = _("A ratio KPI takes numerator and denominator, not value.")
VALUE_NEEDS = _("This KPI takes value, not numerator and denominator.")
REQUIRED = _("This field is required.")


def decimal_value(raw: Any) -> Decimal:
    """A number (JSON number or text) as a Decimal rounded half-up to 4 places, below 10^14 in size."""
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise FieldInvalid(_("A valid number is required."))
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        raise FieldInvalid(_("A valid number is required.")) from None
    if not value.is_finite():
        raise FieldInvalid(_("A valid number is required."))
    if abs(value) >= VALUE_LIMIT:
        raise FieldInvalid(_("Ensure the number has no more than 14 digits before the decimal point."), "max_value")
    return value.quantize(PLACES, ROUND_HALF_UP)


def non_negative(raw: Any) -> Decimal:
    value = decimal_value(raw)
    if value < 0:
        raise FieldInvalid(_("Ensure this value is greater than or equal to %(minimum)s.") % {"minimum": 0},
                           "min_value")
    return value


TENANT_KPI_VALUE_ROW = RowSpec((
    RowField("agent", text(64), help_text="The agent's employee code."),
    RowField("kpi", text(32), help_text="The tenant KPI's code (kpi-definitions/)."),
    RowField("source", text(64), default="api", help_text="The sending system; (source, external_id) is the key."),
    RowField("external_id", text(128), help_text="The record's id in the sending system."),
    RowField("date", iso_date, help_text="The tenant-local day the value is for, YYYY-MM-DD."),
    RowField("value", decimal_value, default=None, nullable=True),
    RowField("numerator", decimal_value, default=None, nullable=True),
    RowField("denominator", non_negative, default=None, nullable=True),
))
KPI_IX, VALUE_IX, NUMERATOR_IX, DENOMINATOR_IX = (TENANT_KPI_VALUE_ROW.index(name) for name in
                                                  ("kpi", "value", "numerator", "denominator"))


@dataclass(frozen=True)
class _ValueTarget(Target):
    @property
    def columns(self) -> list[str]:
        names = ["agent_id", "team_id"]
        for field in self.spec.fields[1:]:
            names.append("definition_id" if field.name == "kpi" else field.name)
        return names


VALUES = _ValueTarget(TenantKpiValue, TENANT_KPI_VALUE_ROW, "kpi_values.ingested")


class _ValueBatch(_Batch):
    def resolve(self) -> None:
        super().resolve()
        codes = self._codes(KPI_IX)
        found = TenantKpiDefinition.objects.filter(tenant_id=self.actor.tenant.pk, code__in=codes)
        methods = {code: (pk, method) for code, pk, method in found.values_list("code", "pk", "combine_method")}
        for number, row in enumerate(self.values):
            if row is None or row[KPI_IX] is INVALID:
                continue
            prefix = self.prefixes[number]
            definition = methods.get(row[KPI_IX])
            if definition is None:
                self._fail(number, location(prefix, "kpi"), UNKNOWN_KPI % {"code": row[KPI_IX]}, "does_not_exist")
                continue
            row[KPI_IX] = definition[0]
            self._check_shape(number, prefix, row, is_ratio=definition[1] == "ratio")

    def _check_shape(self, number: int, prefix: str, row: list, *, is_ratio: bool) -> None:
        wanted, unwanted, message = ((NUMERATOR_IX, DENOMINATOR_IX), (VALUE_IX,), RATIO_NEEDS) if is_ratio else (
            (VALUE_IX,), (NUMERATOR_IX, DENOMINATOR_IX), VALUE_NEEDS)
        for index in unwanted:
            if row[index] is not None and row[index] is not INVALID:
                self._fail(number, location(prefix, self.spec.fields[index].name), message, "invalid")
        for index in wanted:
            if row[index] is None:
                self._fail(number, location(prefix, self.spec.fields[index].name), REQUIRED, "required")


def tenant_kpi_value_ingest(*, actor: Actor, rows: Iterable[tuple[str, Any]], via: str) -> IngestionResult:
    """Create or update (by tenant, source and external_id) every KPI value row, or none of them."""
    if actor.role not in INGEST_ROLES:
        raise PermissionDenied(_("Your role, %(label)s (%(role)s), may not ingest data.")
                               % {"label": actor.role_label, "role": actor.role})
    batch = _ValueBatch(VALUES, actor)
    batch.parse(rows)
    batch.resolve()
    if batch.errors:
        batch.errors.sort(key=lambda pair: pair[0])
        raise RowsInvalid([error for _, error in batch.errors], len({number for number, _ in batch.errors}))
    return batch.write(via=via)
