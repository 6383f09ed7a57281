"""Tenant KPI definitions: create, change, delete (admins).

Rules: the code is lowercase letters, digits and underscores, unique in the tenant, never a built-in KPI's code,
and never changes (scores and scheme versions refer to it). The combine method may change only while the KPI has
no values (it decides what the stored values mean). A KPI that a scheme version uses cannot be deleted.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.kpis import CATALOG
from performance.models import SchemeKpi, TenantKpiDefinition

FIELDS = ["code", "name", "unit", "direction", "combine_method", "description"]
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,31}$")
# Prefixes kept for KPIs jixiao computes itself (present and future built-ins such as the assessment KPIs).
RESERVED_PREFIXES = ("assessment_", "qa_", "coaching_")

CODE_FORMAT = _("Use 2 to 32 lowercase letters, digits and underscores, starting with a letter.")
CODE_BUILT_IN = _('"%(code)s" is a built-in KPI; choose another code.')
CODE_RESERVED = _('Codes starting with "%(prefix)s" are reserved for built-in KPIs.')
CODE_TAKEN = _('This tenant already has a KPI with the code "%(code)s".')


def _check_code(tenant_id: int, code: str) -> None:
    if not CODE_PATTERN.match(code):
        raise ValidationError({"code": [CODE_FORMAT]})
    if code in CATALOG:
        raise ValidationError({"code": [CODE_BUILT_IN % {"code": code}]})
    for prefix in RESERVED_PREFIXES:
        if code.startswith(prefix):
            raise ValidationError({"code": [CODE_RESERVED % {"prefix": prefix}]})
    if TenantKpiDefinition.objects.filter(tenant_id=tenant_id, code=code).exists():
        raise ValidationError({"code": [CODE_TAKEN % {"code": code}]})


@transaction.atomic
def tenant_kpi_definition_create(*, actor: Actor, code: str, name: str, unit: str, combine_method: str,
                                 direction: str = "higher", description: str = "") -> TenantKpiDefinition:
    _check_code(actor.tenant.pk, code)
    definition = TenantKpiDefinition(tenant=actor.tenant, code=code, name=name, unit=unit, direction=direction,
                                     combine_method=combine_method, description=description, created_by=actor.user)
    definition.full_clean()
    definition.save()
    audit_record(actor=actor, action="kpi_definition.created", obj=definition, after=snapshot(definition, FIELDS))
    return definition


@transaction.atomic
def tenant_kpi_definition_update(*, actor: Actor, definition: TenantKpiDefinition,
                                 **changes: Any) -> TenantKpiDefinition:
    definition = TenantKpiDefinition.objects.select_for_update().get(pk=definition.pk)
    method = changes.get("combine_method")
    if method is not None and method != definition.combine_method and definition.values.exists():
        raise Conflict(_("This KPI has values; its combine method cannot change. Define a new KPI instead."),
                       code="kpi_definition_has_values")
    before = snapshot(definition, FIELDS)
    for name, value in changes.items():
        setattr(definition, name, value)
    definition.full_clean()
    definition.save()
    audit_record(actor=actor, action="kpi_definition.updated", obj=definition, before=before,
                 after=snapshot(definition, FIELDS))
    return definition


@transaction.atomic
def tenant_kpi_definition_delete(*, actor: Actor, definition: TenantKpiDefinition) -> None:
    """Delete a KPI no scheme version uses, with its values."""
    if SchemeKpi.objects.filter(tenant_id=definition.tenant_id, kpi_code=definition.code).exists():
        raise Conflict(_("A scoring scheme version uses this KPI; it cannot be deleted."),
                       code="kpi_definition_in_use")
    audit_record(actor=actor, action="kpi_definition.deleted", obj=definition,
                 before={**snapshot(definition, FIELDS), "values": definition.values.count()})
    definition.delete()
