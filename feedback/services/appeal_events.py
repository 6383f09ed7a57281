"""What members and webhooks hear about appeals (event types in common/events.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_noop

from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from feedback.models import Appeal

MESSAGES = {
    "appeal.filed": gettext_noop("Appeal %(appeal)s was filed against your QA review %(review)s."),
    "appeal.assigned": gettext_noop("Appeal %(appeal)s was assigned to you; a decision is due by %(due_at)s."),
    "appeal.commented": gettext_noop("%(author)s commented on appeal %(appeal)s."),
    "appeal.decided": gettext_noop("Appeal %(appeal)s was decided: %(outcome)s."),
    "appeal.escalated": gettext_noop("Appeal %(appeal)s was escalated to a second-level review."),
    "appeal.withdrawn": gettext_noop("Appeal %(appeal)s was withdrawn."),
    "appeal.overdue": gettext_noop("Appeal %(appeal)s is overdue: its decision was due by %(due_at)s."),
}


def appeal_payload(appeal: Appeal) -> dict:
    return {"appeal": {
        "id": appeal.pk, "kind": appeal.kind, "status": appeal.status, "level": appeal.level,
        "agent": appeal.agent_id, "review": appeal.review_id, "period": appeal.period_id,
        "kpi": appeal.kpi_code or None, "reviewer": appeal.reviewer_id, "due_at": appeal.due_at,
        "decided_at": appeal.decided_at, "computation_job": appeal.computation_job_id,
    }}


def appeal_announce(*, appeal: Appeal, event: str, recipients: Iterable[int | None], actor_user_id: int | None = None,
                    **params) -> None:
    """Notify the recipients (never the person who acted, nor nobody) and emit the webhook event; called inside
    the transaction that changed the appeal, so nothing goes out unless it commits."""
    users = [user_id for user_id in dict.fromkeys(recipients) if user_id is not None and user_id != actor_user_id]
    notify(tenant=appeal.tenant, recipients=users, event=event, obj=appeal, message=MESSAGES[event],
           params={"appeal": appeal.pk, **params})
    webhook_emit(tenant=appeal.tenant, event=event, payload=appeal_payload(appeal) | params)


def participants(appeal: Appeal) -> list[int | None]:
    """The people on an appeal's thread: the agent who filed it, its reviewer, the first decider, the inspector."""
    inspector = appeal.review.inspector_id if appeal.review_id else None
    return [appeal.filed_by_id, appeal.reviewer_id, appeal.first_decided_by_id, inspector]
