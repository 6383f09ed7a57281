"""Tenant-defined scenario codes (inquiry, complaint, tech_support, ...) that interactions refer to."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from common.actor import Actor
from common.audit import audit_record, snapshot
from performance.models import Scenario

FIELDS = ["code", "name"]

# Common scenarios with translated labels: a tenant's scenario with one of these codes and no name of its own
# shows the label in the reader's language. A name the tenant typed is shown as typed.
BUILT_IN_SCENARIOS = {
    "inquiry": _("Inquiry"),
    "complaint": _("Complaint"),
    "tech_support": _("Technical support"),
    "after_sales": _("After-sales service"),
    "order": _("Order status"),
    "refund": _("Refund or return"),
    "billing": _("Billing"),
}


def scenario_label(scenario: Scenario) -> str:
    return scenario.name or str(BUILT_IN_SCENARIOS.get(scenario.code, scenario.code))


def _check_name(scenario: Scenario) -> None:
    if not scenario.name and scenario.code not in BUILT_IN_SCENARIOS:
        raise ValidationError({"name": [_("A scenario with a code of your own needs a name.")]})


def _check_code_free(scenario: Scenario) -> None:
    taken = Scenario.objects.filter(tenant_id=scenario.tenant_id, code=scenario.code).exclude(pk=scenario.pk)
    if taken.exists():
        raise ValidationError({"code": [_('A scenario with the code "%(code)s" already exists.')
                                        % {"code": scenario.code}]})


@transaction.atomic
def scenario_create(*, actor: Actor, code: str, name: str = "") -> Scenario:
    """A scenario; `name` may stay blank for a built-in code (its label is then shown, translated)."""
    scenario = Scenario(tenant=actor.tenant, code=code, name=name)
    _check_name(scenario)
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
    _check_name(scenario)
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
