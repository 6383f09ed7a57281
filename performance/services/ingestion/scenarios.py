"""Tenant-defined scenario codes (inquiry, complaint, tech_support, ...) that interactions refer to."""

from __future__ import annotations

from django.db import transaction
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record, snapshot
from performance.models import Scenario

FIELDS = ["code", "name"]


def _check_code_free(scenario: Scenario) -> None:
    taken = Scenario.objects.filter(tenant_id=scenario.tenant_id, code=scenario.code).exclude(pk=scenario.pk)
    if taken.exists():
        raise ValidationError({"code": [f'A scenario with the code "{scenario.code}" already exists.']})


@transaction.atomic
def scenario_create(*, actor: Actor, code: str, name: str) -> Scenario:
    scenario = Scenario(tenant=actor.tenant, code=code, name=name)
    _check_code_free(scenario)
    scenario.full_clean()
    scenario.save()
    audit_record(actor=actor, action="scenario.created", obj=scenario, after=snapshot(scenario, FIELDS))
    return scenario


@transaction.atomic
def scenario_update(*, actor: Actor, scenario: Scenario, **changes: str) -> Scenario:
    """Rename a scenario or change its code; interactions keep pointing at it (they store its id)."""
    before = snapshot(scenario, FIELDS)
    for name, value in changes.items():
        setattr(scenario, name, value)
    _check_code_free(scenario)
    scenario.full_clean()
    scenario.save()
    audit_record(actor=actor, action="scenario.updated", obj=scenario, before=before,
                 after=snapshot(scenario, FIELDS))
    return scenario


@transaction.atomic
def scenario_delete(*, actor: Actor, scenario: Scenario) -> None:
    """Delete an unused scenario; one that interactions refer to is refused (409) by the PROTECT foreign key."""
    audit_record(actor=actor, action="scenario.deleted", obj=scenario, before=snapshot(scenario, FIELDS))
    scenario.delete()
