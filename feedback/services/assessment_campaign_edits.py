"""Changing a 360 assessment campaign after it started.

| action         | who    | rule                                                                                  |
| -------------- | ------ | ------------------------------------------------------------------------------------- |
| update         | admins | open campaign; name, description, deadline (in the future); a shorter deadline also   |
|                |        | shortens the customer links; a changed one re-arms reminders and notifies the raters  |
|                |        | who have not answered (assessment.deadline_changed)                                   |
| add raters     | admins | open campaign; new assessed agents (their supervisors and themselves) and chosen      |
|                |        | peers; requests that already exist are skipped, nothing new is a 400                  |
| remove a rater | admins | open campaign; only a request not answered yet (409 assessment_request_answered)      |
| cancel         | admins | open → cancelled: nothing more can be answered and its results do not count           |
| delete         | admins | only while it has no response (409 assessment_campaign_has_responses: cancel instead) |

Every change is audited. A removed peer is audited as a rater who had not answered: no answer is ever tied to them.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError

from accounts.models import Agent
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from feedback.models import AssessmentCampaign, AssessmentRequest, CampaignStatus
from feedback.services import assessment_events
from feedback.services.assessment_raters import check_peers, requests_for
from feedback.services.assessments import CANCELLED, CLOSED

FIELDS = ["name", "description", "deadline", "status"]


def _locked_open(campaign: AssessmentCampaign) -> AssessmentCampaign:
    campaign = AssessmentCampaign.objects.select_for_update().select_related("tenant").get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(CANCELLED, code="assessment_campaign_cancelled")
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(CLOSED, code="assessment_campaign_closed")
    return campaign


def _user_id(actor: Actor) -> int | None:
    return actor.user.pk if actor.user is not None else None


@transaction.atomic
def assessment_campaign_update(*, actor: Actor, campaign: AssessmentCampaign, name: str | None = None,
                               description: str | None = None, deadline: datetime | None = None) -> AssessmentCampaign:
    """Change the name, description or deadline of an open campaign (see the rules table)."""
    campaign = _locked_open(campaign)
    before = snapshot(campaign, FIELDS)
    if deadline is not None and deadline <= timezone.now():
        raise ValidationError({"deadline": [_("The deadline must be in the future.")]})
    moved = deadline is not None and deadline != campaign.deadline
    for field, value in (("name", name), ("description", description), ("deadline", deadline)):
        if value is not None:
            setattr(campaign, field, value)
    campaign.full_clean(exclude=["created_by"])  # set by the system (None) for seeded campaigns
    campaign.save(update_fields=["name", "description", "deadline"])
    if moved:
        unanswered = AssessmentRequest.objects.filter(campaign=campaign, answered=False)
        unanswered.filter(expires_at__isnull=False).update(expires_at=Least("expires_at", campaign.deadline))
        unanswered.update(reminded_at=None)  # reminded again before the new deadline
    after = snapshot(campaign, FIELDS)
    if after != before:
        audit_record(actor=actor, action="assessment_campaign.updated", obj=campaign, before=before, after=after)
    if moved:
        assessment_events.deadline_changed(campaign=campaign, actor_user_id=_user_id(actor))
    return campaign


@transaction.atomic
def assessment_raters_add(*, actor: Actor, campaign: AssessmentCampaign, agents: list[Agent],
                          raters: list[dict]) -> list[AssessmentRequest]:
    """New requests in an open campaign: `agents` become assessed (their supervisors and themselves rate them) and
    `raters` name chosen peers for agents assessed in it or added now. Returns the requests created."""
    campaign = _locked_open(campaign)
    assessed = set(campaign.requests.values_list("agent_id", flat=True).distinct())
    known = {a.pk: a for a in Agent.objects.filter(pk__in=assessed)} | {a.pk: a for a in agents}
    peers = check_peers(known, raters)
    existing = set(campaign.requests.filter(rater__isnull=False).values_list("agent_id", "rater_kind", "rater_id"))
    fresh, seen = [], set(existing)
    for request in requests_for(campaign, agents, peers):
        key = (request.agent_id, request.rater_kind, request.rater_id)
        if key not in seen:
            seen.add(key)
            fresh.append(request)
    if not fresh:
        raise ValidationError({"raters": [_("Nothing to add: every one of these raters is already asked.")]})
    created = AssessmentRequest.objects.bulk_create(fresh)
    audit_record(actor=actor, action="assessment_campaign.raters_added", obj=campaign, after={
        "agents": sorted({r.agent_id for r in created}), "requests": len(created),
        "by_kind": {kind: sum(r.rater_kind == kind for r in created) for kind in sorted({r.rater_kind
                                                                                        for r in created})}})
    assessment_events.raters_added(campaign=campaign, requests=created)
    return created


@transaction.atomic
def assessment_request_remove(*, actor: Actor, campaign: AssessmentCampaign, request_id: int) -> None:
    """Withdraw one request (a rater, or a customer's link) of an open campaign before it is answered."""
    campaign = _locked_open(campaign)
    request = AssessmentRequest.objects.select_for_update().filter(campaign=campaign, pk=request_id).first()
    if request is None:
        raise NotFound()
    if request.answered:
        raise Conflict(_("This rater already answered: an answered request cannot be removed."),
                       code="assessment_request_answered")
    audit_record(actor=actor, action="assessment_request.removed", obj=campaign, before={
        "request": request.pk, "agent": request.agent_id, "rater_kind": request.rater_kind,
        "rater": request.rater_id})
    request.delete()


@transaction.atomic
def assessment_campaign_cancel(*, actor: Actor, campaign: AssessmentCampaign) -> AssessmentCampaign:
    """open → cancelled: nothing more can be answered, its results leave the assessment KPIs; kept for the record."""
    campaign = _locked_open(campaign)
    campaign.status, campaign.cancelled_at = CampaignStatus.CANCELLED, timezone.now()
    campaign.save(update_fields=["status", "cancelled_at"])
    audit_record(actor=actor, action="assessment_campaign.cancelled", obj=campaign, before={"status": "open"},
                 after={"status": "cancelled"})
    assessment_events.campaign_cancelled(campaign=campaign, actor_user_id=_user_id(actor))
    return campaign


@transaction.atomic
def assessment_campaign_delete(*, actor: Actor, campaign: AssessmentCampaign) -> None:
    """Delete a campaign that has no response yet (with its requests and links); otherwise 409: cancel it."""
    campaign = AssessmentCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.responses.exists():
        raise Conflict(_("This campaign already has responses and cannot be deleted; cancel it instead."),
                       code="assessment_campaign_has_responses")
    audit_record(actor=actor, action="assessment_campaign.deleted", obj=campaign,
                 before=snapshot(campaign, FIELDS) | {"requests": campaign.requests.count()})
    campaign.delete()
