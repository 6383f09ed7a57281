"""Alert rule writes: create, change, delete, with the validation of scope, KPI and recipients."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Membership, Role
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.kpis import CATALOG
from performance.models import AlertRule, AlertScope, AlertWindow

# Interaction KPIs only: alerts read raw interactions of a recent window, not shifts or QA reviews.
ALERT_KPIS = [code for code, kpi in CATALOG.items() if kpi.source == "interactions"]
ALERT_KPI_CHOICES = [(code, CATALOG[code].name) for code in ALERT_KPIS]
RECIPIENT_ROLES = [Role.ADMIN, Role.SUPERVISOR]
FIELDS = ["name", "description", "kpi", "scope", "team", "agent", "channel", "comparison", "threshold", "window",
          "window_size", "min_sample", "cooldown_minutes", "recipient_roles", "recipient_users", "deliver_webhooks",
          "is_enabled"]
SCOPE_TARGET = {AlertScope.TEAM: "team", AlertScope.AGENT: "agent", AlertScope.CHANNEL: "channel"}
MAX_WINDOW = {AlertWindow.HOURS: 24 * 31, AlertWindow.DAYS: 92, AlertWindow.TODAY: 1}


def _validate(rule: AlertRule) -> None:
    errors: dict[str, list] = {}
    if rule.kpi not in ALERT_KPIS:
        errors["kpi"] = [_("Alerts read interaction KPIs: one of %(codes)s.") % {"codes": ", ".join(ALERT_KPIS)}]
    target = SCOPE_TARGET.get(rule.scope)
    for name in SCOPE_TARGET.values():
        given = bool(getattr(rule, f"{name}_id" if name != "channel" else name))
        if name == target and not given:
            errors[name] = [_("A %(scope)s-scoped rule names its %(scope)s.") % {"scope": rule.scope}]
        elif name != target and given:
            errors[name] = [_("Only a %(name)s-scoped rule names a %(name)s.") % {"name": name}]
    if rule.window == AlertWindow.TODAY:
        rule.window_size = 1
    elif not 1 <= rule.window_size <= MAX_WINDOW[rule.window]:
        errors["window_size"] = [_("Between 1 and %(max)s for this window.") % {"max": MAX_WINDOW[rule.window]}]
    unknown_roles = sorted(set(rule.recipient_roles) - set(RECIPIENT_ROLES))
    if unknown_roles:
        errors["recipient_roles"] = [_("Recipient roles are admin and supervisor.")]
    rule.recipient_roles = sorted(set(rule.recipient_roles))
    rule.recipient_users = sorted(set(rule.recipient_users))
    members = set(Membership.objects.active().filter(tenant_id=rule.tenant_id, user_id__in=rule.recipient_users)
                  .values_list("user_id", flat=True)) if rule.recipient_users else set()
    strangers = [user for user in rule.recipient_users if user not in members]
    if strangers:
        errors["recipient_users"] = [_("Not active members of this tenant: %(ids)s.") % {
            "ids": ", ".join(map(str, strangers))}]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def alert_rule_create(*, actor: Actor, **data: Any) -> AlertRule:
    rule = AlertRule(tenant=actor.tenant, created_by=actor.user, **data)
    _validate(rule)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="alert_rule.created", obj=rule, after=snapshot(rule, FIELDS))
    return rule


@transaction.atomic
def alert_rule_update(*, actor: Actor, rule: AlertRule, **changes: Any) -> AlertRule:
    """Change the given fields. A new scope clears the targets the old one named; the rule's open alert stays
    and is judged by the changed rule from its next evaluation on."""
    rule = AlertRule.objects.select_for_update().get(pk=rule.pk)
    before = snapshot(rule, FIELDS)
    if "scope" in changes:
        for name in SCOPE_TARGET.values():
            changes.setdefault(name, "" if name == "channel" else None)
    for name, value in changes.items():
        setattr(rule, name, value)
    _validate(rule)
    rule.full_clean()
    rule.save()
    audit_record(actor=actor, action="alert_rule.updated", obj=rule, before=before, after=snapshot(rule, FIELDS))
    return rule


@transaction.atomic
def alert_rule_delete(*, actor: Actor, rule: AlertRule) -> None:
    """Delete a rule that never raised an alert; one with alerts keeps its history: disable it instead (409)."""
    if rule.alerts.exists():
        raise Conflict(_("This rule raised alerts; disable it (is_enabled: false) to keep their history."),
                       code="alert_rule_has_alerts")
    audit_record(actor=actor, action="alert_rule.deleted", obj=rule, before=snapshot(rule, FIELDS))
    rule.delete()
