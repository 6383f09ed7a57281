"""The alert life cycle: raised by an evaluation, acknowledged and resolved by people, or resolved automatically.

| from | action | to |
| --- | --- | --- |
| — | an evaluation finds a breach (outside the rule's cooldown) | open |
| open | acknowledge | acknowledged |
| open, acknowledged | resolve (by hand), or back within the threshold for a full window | resolved |

Any other action is a 409 `alert_wrong_state`. A resolution starts the rule's cooldown: no new alert for
`cooldown_minutes`. Every transition is audited and announced (alert.raised, alert.resolved).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from performance.models import Alert, AlertResolution, AlertRule, AlertStatus
from performance.services.alerts.events import alert_announce

RESOLVABLE = (AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED)


def _facts(alert: Alert) -> dict:
    return {"status": alert.status, "value": str(alert.value), "threshold": str(alert.threshold),
            "sample": alert.sample, "last_value": None if alert.last_value is None else str(alert.last_value)}


def alert_raise(*, rule: AlertRule, value, sample: int, start: datetime, end: datetime, now: datetime,
                actor: Actor | None = None) -> Alert:
    """A new open alert with the figures that raised it (inside the evaluation's transaction)."""
    alert = Alert.objects.create(tenant_id=rule.tenant_id, rule=rule, kpi=rule.kpi, comparison=rule.comparison,
                                 threshold=rule.threshold, value=value, sample=sample, window_start=start,
                                 window_end=end, raised_at=now, last_value=value, last_sample=sample,
                                 last_evaluated_at=now)
    audit_record(actor=actor, tenant=rule.tenant, action="alert.raised", obj=alert, after=_facts(alert))
    alert_announce(alert=alert, rule=rule, event="alert.raised")
    return alert


def _resolve(alert: Alert, *, rule: AlertRule, now: datetime, resolution: str, actor: Actor | None,
             note: str = "") -> Alert:
    before = _facts(alert)
    alert.status, alert.resolved_at, alert.resolution = AlertStatus.RESOLVED, now, resolution
    alert.resolved_by = actor.user if actor else None
    if note:
        alert.note = note
    alert.save()
    AlertRule.objects.filter(pk=rule.pk).update(cooldown_until=now + timedelta(minutes=rule.cooldown_minutes))
    audit_record(actor=actor, tenant=rule.tenant, action="alert.resolved", obj=alert, before=before,
                 after={**_facts(alert), "resolution": resolution})
    alert_announce(alert=alert, rule=rule, event="alert.resolved", actor_user_id=actor.user.pk if actor and actor.user
                   else None)
    return alert


def alert_auto_resolve(*, alert: Alert, rule: AlertRule, now: datetime) -> Alert:
    return _resolve(alert, rule=rule, now=now, resolution=AlertResolution.AUTO, actor=None)


def _locked(alert: Alert, allowed: tuple[str, ...]) -> Alert:
    alert = Alert.objects.select_for_update().select_related("rule__tenant").get(pk=alert.pk)
    if alert.status not in allowed:
        raise Conflict(_("The alert is %(status)s; this action is not possible now.") % {"status": alert.status},
                       code="alert_wrong_state")
    return alert


@transaction.atomic
def alert_acknowledge(*, actor: Actor, alert: Alert, note: str = "") -> Alert:
    """Someone is on it: the alert stays until it is resolved (by hand or automatically)."""
    alert = _locked(alert, (AlertStatus.OPEN,))
    before = _facts(alert)
    alert.status, alert.acknowledged_at, alert.acknowledged_by = AlertStatus.ACKNOWLEDGED, timezone.now(), actor.user
    if note:
        alert.note = note
    alert.save()
    audit_record(actor=actor, action="alert.acknowledged", obj=alert, before=before, after=_facts(alert))
    return alert


@transaction.atomic
def alert_resolve(*, actor: Actor, alert: Alert, note: str = "") -> Alert:
    """Resolve by hand (open or acknowledged); the rule's cooldown starts now."""
    alert = _locked(alert, RESOLVABLE)
    return _resolve(alert, rule=alert.rule, now=timezone.now(), resolution=AlertResolution.MANUAL, actor=actor,
                    note=note)
