"""What members and webhooks hear about alerts (event types in common/events.py)."""

from __future__ import annotations

from django.db.models import Q
from django.utils.translation import gettext_noop

from accounts.models import Membership, Role, TeamGrant
from accounts.querysets import GRANTS_FOR
from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from performance.models import Alert, AlertDelivery, AlertRule, AlertScope, AlertStatus

MESSAGES = {
    "alert.raised": gettext_noop("Alert on %(rule)s: %(kpi)s is %(value)s (%(comparison)s %(threshold)s, "
                                 "%(sample)s samples)."),
    "alert.resolved": gettext_noop("The alert on %(rule)s was resolved: %(kpi)s is %(value)s."),
}
SYMBOLS = {"gt": ">", "gte": "≥", "lt": "<", "lte": "≤"}


def alert_payload(alert: Alert, rule: AlertRule) -> dict:
    return {"alert": {
        "id": alert.pk, "rule": rule.pk, "rule_name": rule.name, "status": alert.status, "kpi": alert.kpi,
        "scope": rule.scope, "team": rule.team_id, "agent": rule.agent_id, "channel": rule.channel or None,
        "comparison": alert.comparison, "threshold": str(alert.threshold), "value": str(alert.value),
        "sample": alert.sample, "last_value": None if alert.last_value is None else str(alert.last_value),
        "window_start": alert.window_start, "window_end": alert.window_end, "raised_at": alert.raised_at,
        "resolved_at": alert.resolved_at, "resolution": alert.resolution or None,
    }}


def recipient_ids(rule: AlertRule) -> list[int]:
    """The rule's users, and the active members of its roles who may see the alert: admins, and supervisors with
    a grant on the rule's team (the agent's team for an agent-scoped rule). Two queries at most."""
    users = list(rule.recipient_users)
    roles = set(rule.recipient_roles)
    if not roles:
        return users
    members = Membership.objects.active().filter(tenant_id=rule.tenant_id)
    wanted = Q(role=Role.ADMIN) if Role.ADMIN in roles else Q(pk__in=[])
    team_id = rule.team_id if rule.scope == AlertScope.TEAM else (
        rule.agent.team_id if rule.scope == AlertScope.AGENT and rule.agent_id else None)
    if Role.SUPERVISOR in roles and team_id is not None:
        granted = TeamGrant.objects.filter(tenant_id=rule.tenant_id, content_object_id=team_id,
                                           permission__codename__in=GRANTS_FOR[("supervisor", "view")])
        wanted |= Q(role=Role.SUPERVISOR, user_id__in=granted.values("user_id"))
    return list(dict.fromkeys(users + list(members.filter(wanted).values_list("user_id", flat=True))))


def alert_announce(*, alert: Alert, rule: AlertRule, event: str, actor_user_id: int | None = None) -> None:
    """Notify the rule's recipients (not the person who acted) and, when the rule delivers to webhooks, emit the
    event and link its deliveries to the alert (its delivery log). Inside the caller's transaction: nothing is
    sent unless it commits, and no evaluation waits for a receiver."""
    value = alert.last_value if event == "alert.resolved" and alert.last_value is not None else alert.value
    params = {"rule": rule.name, "kpi": alert.kpi, "value": str(value), "comparison": SYMBOLS[alert.comparison],
              "threshold": str(alert.threshold), "sample": alert.sample}
    users = [user for user in recipient_ids(rule) if user != actor_user_id]
    notify(tenant=rule.tenant, recipients=users, event=event, obj=alert, message=MESSAGES[event], params=params)
    if not rule.deliver_webhooks:
        return
    deliveries = webhook_emit(tenant=rule.tenant, event=event, payload=alert_payload(alert, rule))
    AlertDelivery.objects.bulk_create([AlertDelivery(tenant_id=rule.tenant_id, alert=alert, delivery=delivery,
                                                     event=event) for delivery in deliveries])


def open_alert_count(*, actor) -> int:
    """Unresolved alerts the actor may see (the dashboard's open_alerts)."""
    return Alert.objects.for_actor(actor, "view").exclude(status=AlertStatus.RESOLVED).count()
