"""Coaching sessions: recorded by a supervisor (for agents of teams they manage) or a QA lead (any agent).

| action      | who                          | rule                                                              |
| ----------- | ---------------------------- | ----------------------------------------------------------------- |
| create      | supervisor, qa_lead (coach)  | links must be the agent's: a published review of theirs, one of    |
|             |                              | its rubric's criteria, a known KPI code (not with a criterion),    |
|             |                              | an appeal of theirs                                               |
| update      | the coach, admins            | topic, notes, follow-up status, goals (the list is replaced)      |
| acknowledge | the agent                    | once (409 coaching_already_acknowledged), with an optional comment |

The agent is notified of a new session (coaching.created), the coach of the acknowledgement
(coaching.acknowledged); both are webhook events too.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop
from rest_framework.exceptions import PermissionDenied, ValidationError

from accounts.models import Agent
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from feedback.models import Appeal, CoachingGoal, CoachingSession, QAReview, RubricCriterion
from performance.services.tenant_kpis.catalog import unknown_kpi_codes

COACH_ROLES = frozenset({"supervisor", "qa_lead"})
FIELDS = ["agent", "coach", "held_at", "topic", "notes", "review", "criterion", "kpi_code", "appeal",
          "follow_up_status", "acknowledged_at", "agent_comment"]
MESSAGES = {
    "coaching.created": gettext_noop("%(coach)s recorded a coaching session with you: %(topic)s."),
    "coaching.acknowledged": gettext_noop("%(agent)s acknowledged the coaching session %(session)s."),
}


def coaching_payload(session: CoachingSession) -> dict:
    return {"coaching": {
        "id": session.pk, "agent": session.agent_id, "coach": session.coach_id, "held_at": session.held_at,
        "review": session.review_id, "criterion": session.criterion_id, "kpi": session.kpi_code or None,
        "appeal": session.appeal_id, "follow_up_status": session.follow_up_status,
        "acknowledged_at": session.acknowledged_at,
    }}


def _announce(session: CoachingSession, event: str, recipients: list[int | None], **params) -> None:
    notify(tenant=session.tenant, recipients=[user for user in recipients if user is not None], event=event,
           obj=session, message=MESSAGES[event], params={"session": session.pk, **params})
    webhook_emit(tenant=session.tenant, event=event, payload=coaching_payload(session))


def _check_links(actor: Actor, agent: Agent, review: QAReview | None, criterion: RubricCriterion | None,
                 kpi_code: str, appeal: Appeal | None) -> None:
    errors: dict[str, list] = {}
    if review is not None and (review.interaction.agent_id != agent.pk or review.status != "published"):
        errors["review"] = [_("Link a published QA review of this agent.")]
    if criterion is not None and review is not None and criterion.version_id != review.rubric_version_id:
        errors["criterion"] = [_("The criterion must belong to the linked review's rubric version.")]
    if criterion is not None and kpi_code:
        errors["kpi"] = [_("A session targets either a criterion or a KPI, not both.")]
    if kpi_code and unknown_kpi_codes(tenant_id=actor.tenant.pk, codes=[kpi_code]):
        errors["kpi"] = [_("Unknown KPI '%(code)s'.") % {"code": kpi_code}]
    if appeal is not None and appeal.agent_id != agent.pk:
        errors["appeal"] = [_("Link an appeal of this agent.")]
    if errors:
        raise ValidationError(errors)


def _set_goals(session: CoachingSession, goals: list[dict[str, Any]]) -> None:
    CoachingGoal.objects.filter(session=session).delete()
    CoachingGoal.objects.bulk_create([
        CoachingGoal(tenant_id=session.tenant_id, session=session, position=index, description=goal["description"],
                     due_date=goal["due_date"], status=goal.get("status", "open"))
        for index, goal in enumerate(goals)
    ])


def _describe(session: CoachingSession) -> dict:
    out = snapshot(session, FIELDS)
    out["goals"] = [{"description": g.description, "due_date": g.due_date, "status": g.status}
                    for g in session.goals.all()]
    return out


@transaction.atomic
def coaching_session_create(*, actor: Actor, agent: Agent, held_at: datetime, topic: str, notes: str = "",
                            review: QAReview | None = None, criterion: RubricCriterion | None = None,
                            kpi: str = "", appeal: Appeal | None = None,
                            goals: list[dict[str, Any]] | tuple = ()) -> CoachingSession:
    if actor.role not in COACH_ROLES or actor.user is None:
        raise PermissionDenied(_("Only supervisors and QA leads record coaching sessions."))
    if actor.role == "supervisor" and not Agent.objects.for_actor(actor, "manage").filter(pk=agent.pk).exists():
        raise ValidationError({"agent": [_("You can coach only agents of teams you manage.")]})
    _check_links(actor, agent, review, criterion, kpi, appeal)
    session = CoachingSession(tenant=actor.tenant, agent=agent, coach=actor.user, held_at=held_at, topic=topic,
                              notes=notes, review=review, criterion=criterion, kpi_code=kpi, appeal=appeal)
    session.full_clean()
    session.save()
    _set_goals(session, list(goals))
    audit_record(actor=actor, action="coaching.created", obj=session, after=_describe(session))
    _announce(session, "coaching.created", [agent.user_id], coach=actor.user.full_name or actor.user.email,
              topic=topic)
    return session


@transaction.atomic
def coaching_session_update(*, actor: Actor, session: CoachingSession, **changes: Any) -> CoachingSession:
    session = CoachingSession.objects.select_for_update().get(pk=session.pk)
    before = _describe(session)
    goals = changes.pop("goals", None)
    for name, value in changes.items():
        setattr(session, name, value)
    session.full_clean()
    session.save()
    if goals is not None:
        _set_goals(session, goals)
    audit_record(actor=actor, action="coaching.updated", obj=session, before=before, after=_describe(session))
    return session


@transaction.atomic
def coaching_session_acknowledge(*, actor: Actor, session: CoachingSession, comment: str = "") -> CoachingSession:
    session = CoachingSession.objects.select_for_update().select_related("agent", "tenant").get(pk=session.pk)
    if session.acknowledged_at is not None:
        raise Conflict(_("You already acknowledged this coaching session."), code="coaching_already_acknowledged")
    session.acknowledged_at, session.agent_comment = timezone.now(), comment
    session.save(update_fields=["acknowledged_at", "agent_comment", "updated_at"])
    audit_record(actor=actor, action="coaching.acknowledged", obj=session,
                 after={"acknowledged_at": session.acknowledged_at, "agent_comment": comment})
    _announce(session, "coaching.acknowledged", [session.coach_id], agent=session.agent.display_name)
    return session
