"""What members and webhooks hear about 360 assessment campaigns (event types in common/events.py).

Confidentiality holds here as in the results: no notification or webhook payload names a peer or a customer, nor
carries an answer. An answer is announced with counts only (how many of the agent's group answered); raters are
notified of what they are asked to give (how many assessments, by when) and nobody else learns who they are.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from feedback.models import AssessmentCampaign, AssessmentRequest, RaterKind
from feedback.services.assessment_raters import supervisors_of

KINDS = [RaterKind.SUPERVISOR, RaterKind.PEER, RaterKind.SELF, RaterKind.CUSTOMER]
MESSAGES = {
    "assessment.campaign_opened": gettext_noop(
        "Campaign %(campaign)s asks you for %(count)s 360 assessments before %(deadline)s (see your assessment "
        "requests)."),
    "assessment.raters_added": gettext_noop(
        "Campaign %(campaign)s asks you for %(count)s more 360 assessments before %(deadline)s."),
    "assessment.deadline_changed": gettext_noop(
        "The deadline of 360 assessment campaign %(campaign)s is now %(deadline)s."),
    "assessment.campaign_closed": gettext_noop("The results of 360 assessment campaign %(campaign)s are ready."),
    "assessment.campaign_cancelled": gettext_noop(
        "360 assessment campaign %(campaign)s was cancelled: your assessments there are no longer needed."),
}


def _deadline(campaign: AssessmentCampaign) -> str:
    return timezone.localtime(campaign.deadline, campaign.tenant.zone).strftime("%Y-%m-%d %H:%M")


def campaign_counts(campaign: AssessmentCampaign, agent_id: int | None = None) -> dict[str, dict[str, int]]:
    """Rater kind -> requested and answered requests, for the campaign or one assessed agent (one query)."""
    rows = AssessmentRequest.objects.filter(tenant_id=campaign.tenant_id, campaign_id=campaign.pk)
    if agent_id is not None:
        rows = rows.filter(agent_id=agent_id)
    totals = rows.aggregate(
        **{f"{kind}_requested": Count("id", filter=Q(rater_kind=kind)) for kind in KINDS},
        **{f"{kind}_answered": Count("id", filter=Q(rater_kind=kind, answered=True)) for kind in KINDS})
    return {kind: {"requested": totals[f"{kind}_requested"], "answered": totals[f"{kind}_answered"]}
            for kind in KINDS}


def campaign_payload(campaign: AssessmentCampaign) -> dict:
    """The campaign as webhooks see it: what it is and its counts per rater group, never who the raters are."""
    return {"campaign": {
        "id": campaign.pk, "name": campaign.name, "period": campaign.period_id,
        "template_version": campaign.template_version_id, "deadline": campaign.deadline, "status": campaign.status,
        "closed_at": campaign.closed_at, "cancelled_at": campaign.cancelled_at, "counts": campaign_counts(campaign),
    }}


def _notify_by_count(campaign: AssessmentCampaign, event: str, requests: Iterable[AssessmentRequest]) -> None:
    """One notification per rater with the number of assessments asked of them (one notify per distinct count)."""
    per_rater: dict[int, int] = {}
    for request in requests:
        if request.rater_id is not None:
            per_rater[request.rater_id] = per_rater.get(request.rater_id, 0) + 1
    by_count: dict[int, list[int]] = {}
    for user_id, count in per_rater.items():
        by_count.setdefault(count, []).append(user_id)
    for count, users in sorted(by_count.items()):
        notify(tenant=campaign.tenant, recipients=users, event=event, obj=campaign, message=MESSAGES[event],
               params={"campaign": campaign.name, "count": count, "deadline": _deadline(campaign)})


def campaign_opened(*, campaign: AssessmentCampaign, requests: list[AssessmentRequest]) -> None:
    """Raters hear how many assessments the new campaign asks of them; webhooks get the campaign with counts."""
    _notify_by_count(campaign, "assessment.campaign_opened", requests)
    webhook_emit(tenant=campaign.tenant, event="assessment.campaign_opened", payload=campaign_payload(campaign))


def raters_added(*, campaign: AssessmentCampaign, requests: list[AssessmentRequest]) -> None:
    _notify_by_count(campaign, "assessment.raters_added", requests)
    webhook_emit(tenant=campaign.tenant, event="assessment.raters_added",
                 payload=campaign_payload(campaign) | {"added": len(requests)})


def _unanswered_raters(campaign: AssessmentCampaign) -> list[int]:
    return list(AssessmentRequest.objects.filter(campaign_id=campaign.pk, answered=False, rater__isnull=False)
                .order_by("rater_id").values_list("rater_id", flat=True).distinct())


def deadline_changed(*, campaign: AssessmentCampaign, actor_user_id: int | None) -> None:
    """The raters who have not answered yet hear of the new deadline."""
    users = [user_id for user_id in _unanswered_raters(campaign) if user_id != actor_user_id]
    notify(tenant=campaign.tenant, recipients=users, event="assessment.deadline_changed", obj=campaign,
           message=MESSAGES["assessment.deadline_changed"],
           params={"campaign": campaign.name, "deadline": _deadline(campaign)})
    webhook_emit(tenant=campaign.tenant, event="assessment.deadline_changed", payload=campaign_payload(campaign))


def answered(*, campaign: AssessmentCampaign, agent_id: int, rater_kind: str) -> None:
    """An answer, as counts only: the agent's group so far. No rater, no answer, no notification (a notification
    per answer would tell its recipient when each peer answered)."""
    group = campaign_counts(campaign, agent_id)[rater_kind]
    webhook_emit(tenant=campaign.tenant, event="assessment.answered", payload={
        "campaign": {"id": campaign.pk, "name": campaign.name, "period": campaign.period_id},
        "agent": agent_id, "rater_kind": rater_kind, "requested": group["requested"],
        "answered": group["answered"]})


def campaign_closed(*, campaign: AssessmentCampaign, actor_user_id: int | None) -> None:
    """Results are ready: the assessed agents (with a login) and the supervisors of their teams are notified."""
    assessed = list(AssessmentRequest.objects.filter(campaign_id=campaign.pk).order_by("agent_id")
                    .values_list("agent_id", "agent__user_id", "agent__team_id").distinct())
    agents = [user_id for _a, user_id, _t in assessed if user_id is not None]
    teams = supervisors_of(campaign.tenant_id, {team_id for _a, _u, team_id in assessed if team_id is not None})
    supervisors = sorted({user_id for users in teams.values() for user_id in users})
    recipients = [user_id for user_id in dict.fromkeys(agents + supervisors) if user_id != actor_user_id]
    notify(tenant=campaign.tenant, recipients=recipients, event="assessment.campaign_closed", obj=campaign,
           message=MESSAGES["assessment.campaign_closed"], params={"campaign": campaign.name})
    webhook_emit(tenant=campaign.tenant, event="assessment.campaign_closed",
                 payload=campaign_payload(campaign) | {"assessed_agents": [a for a, _u, _t in assessed]})


def campaign_cancelled(*, campaign: AssessmentCampaign, actor_user_id: int | None) -> None:
    """The raters who had not answered yet are told they need not."""
    users = [user_id for user_id in _unanswered_raters(campaign) if user_id != actor_user_id]
    notify(tenant=campaign.tenant, recipients=users, event="assessment.campaign_cancelled", obj=campaign,
           message=MESSAGES["assessment.campaign_cancelled"], params={"campaign": campaign.name})
    webhook_emit(tenant=campaign.tenant, event="assessment.campaign_cancelled", payload=campaign_payload(campaign))
