"""360 assessments: templates and their versions, campaigns and their requests, and answering them.

| step                     | who                         | rule                                                        |
| ------------------------ | --------------------------- | ----------------------------------------------------------- |
| template / version       | admins                      | 1–50 questions; a version never changes (a new one instead) |
| campaign create          | admins                      | period not closed; deadline in the future; per agent: the   |
|                          |                             | supervisors granted `manage` on the agent's team, the       |
|                          |                             | chosen peers (agents of the same team with a login), the    |
|                          |                             | agent itself (when linked to a login)                       |
| customer link            | admins                      | open campaign; random token shown once, stored as SHA-256,  |
|                          |                             | expires (at the latest at the deadline), single use         |
| answer                   | the rater / the link holder | open campaign, before the deadline, once; one rating per    |
|                          |                             | question within its scale; comments only where allowed      |
| close                    | admins                      | open → closed; nothing more can be answered                 |
| edit, raters, cancel,    | admins                      | see feedback/services/assessment_campaign_edits.py          |
| delete                   |                             |                                                             |

A peer's or a customer's response is stored without its request and without a time, so nobody can tell later who
gave it (see feedback/models/assessments.py).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound, ValidationError

from accounts.authentication import hash_secret
from accounts.models import Agent
from common import rls
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import (
    SCALE_BOUNDS,
    AssessmentAnswer,
    AssessmentCampaign,
    AssessmentQuestion,
    AssessmentRequest,
    AssessmentResponse,
    AssessmentTemplate,
    AssessmentTemplateVersion,
    CampaignStatus,
    RaterKind,
)
from feedback.services import assessment_events
from feedback.services.assessment_raters import check_peers, requests_for
from performance.models import KpiPeriod, PeriodStatus

MAX_QUESTIONS = 50
LINK_MAX_DAYS = 60
CLOSED = _("The campaign is closed.")
PAST_DEADLINE = _("The campaign's deadline has passed.")
CANCELLED = _("The campaign was cancelled.")


class AssessmentLinkUnavailable(NotFound):
    default_detail = _("This assessment link is not valid (unknown, expired or already used).")


def _questions_create(actor: Actor, version: AssessmentTemplateVersion, questions: list[dict]) -> None:
    if not 1 <= len(questions) <= MAX_QUESTIONS:
        raise ValidationError({"questions": [_("A template version has 1 to %(max)s questions.") % {
            "max": MAX_QUESTIONS}]})
    rows = []
    for position, question in enumerate(questions):
        low, high = SCALE_BOUNDS[question["scale"]]
        rows.append(AssessmentQuestion(tenant=actor.tenant, version=version, position=position,
                                       competency=question["competency"], text=question["text"],
                                       scale=question["scale"], scale_min=low, scale_max=high,
                                       allows_comment=question.get("allows_comment", False)))
    AssessmentQuestion.objects.bulk_create(rows)


@transaction.atomic
def assessment_template_create(*, actor: Actor, name: str, description: str = "",
                               questions: list[dict]) -> AssessmentTemplate:
    """A template with its first version."""
    if AssessmentTemplate.objects.filter(tenant=actor.tenant, name=name).exists():
        raise ValidationError({"name": [_("An assessment template with this name already exists.")]})
    template = AssessmentTemplate.objects.create(tenant=actor.tenant, name=name, description=description)
    audit_record(actor=actor, action="assessment_template.created", obj=template, after={"name": name})
    assessment_template_version_create(actor=actor, template=template, questions=questions)
    return template


@transaction.atomic
def assessment_template_version_create(*, actor: Actor, template: AssessmentTemplate, questions: list[dict],
                                       note: str = "") -> AssessmentTemplateVersion:
    """The next version of a template, with its questions (earlier versions stay as campaigns used them)."""
    template = AssessmentTemplate.objects.select_for_update().get(pk=template.pk)
    number = (template.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = AssessmentTemplateVersion.objects.create(tenant=actor.tenant, template=template, number=number,
                                                       note=note, created_by=actor.user)
    _questions_create(actor, version, questions)
    audit_record(actor=actor, action="assessment_template_version.created", obj=version,
                 after={"number": number, "questions": len(questions)})
    return version


@transaction.atomic
def assessment_campaign_create(*, actor: Actor, name: str, period: KpiPeriod,
                               template_version: AssessmentTemplateVersion, deadline: datetime,
                               agents: list[Agent], raters: list[dict], description: str = "") -> AssessmentCampaign:
    """A campaign for `agents` (every active agent when none is given) and its requests (see the rules table)."""
    if period.status == PeriodStatus.CLOSED:
        raise Conflict(_("The period is closed."), code="period_closed")
    if deadline <= timezone.now():
        raise ValidationError({"deadline": [_("The deadline must be in the future.")]})
    if not agents:
        agents = list(Agent.objects.filter(tenant=actor.tenant, is_active=True).order_by("pk"))
    peers = check_peers({a.pk: a for a in agents}, raters)
    campaign = AssessmentCampaign.objects.create(tenant=actor.tenant, name=name, description=description, period=period,
                                                 template_version=template_version, deadline=deadline,
                                                 created_by=actor.user)
    requests = AssessmentRequest.objects.bulk_create(requests_for(campaign, agents, peers))
    audit_record(actor=actor, action="assessment_campaign.created", obj=campaign, after={
        "name": name, "period": period.pk, "template_version": template_version.pk, "agents": len(agents),
        "requests": len(requests)})
    assessment_events.campaign_opened(campaign=campaign, requests=requests)
    return campaign


def _ensure_open(campaign: AssessmentCampaign) -> None:
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(CANCELLED, code="assessment_campaign_cancelled")
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(CLOSED, code="assessment_campaign_closed")
    if timezone.now() >= campaign.deadline:
        raise Conflict(PAST_DEADLINE, code="assessment_deadline_passed")


@transaction.atomic
def assessment_customer_link_create(*, actor: Actor, campaign: AssessmentCampaign, agent: Agent,
                                    expires_in_days: int = 14) -> tuple[AssessmentRequest, str]:
    """A one-time link for one customer to assess `agent`; the token is returned once and stored hashed."""
    _ensure_open(campaign)
    if not 1 <= expires_in_days <= LINK_MAX_DAYS:
        raise ValidationError({"expires_in_days": [_("A link is valid for 1 to %(max)s days.") % {
            "max": LINK_MAX_DAYS}]})
    if not campaign.requests.filter(agent=agent).exists():
        raise ValidationError({"agent": [_("This agent is not assessed in the campaign.")]})
    token = secrets.token_urlsafe(32)
    expires_at = min(timezone.now() + timedelta(days=expires_in_days), campaign.deadline)
    request = AssessmentRequest.objects.create(tenant=actor.tenant, campaign=campaign, agent=agent,
                                               rater_kind=RaterKind.CUSTOMER, hashed_token=hash_secret(token),
                                               expires_at=expires_at)
    audit_record(actor=actor, action="assessment_customer_link.created", obj=request,
                 after={"campaign": campaign.pk, "agent": agent.pk, "expires_at": expires_at})
    return request, token


def _answers_clean(campaign: AssessmentCampaign, answers: list[dict]) -> list[tuple[AssessmentQuestion, dict]]:
    questions = {q.pk: q for q in AssessmentQuestion.objects.filter(version_id=campaign.template_version_id)}
    errors: dict[str, Any] = {}
    seen: dict[int, dict] = {}
    for index, answer in enumerate(answers):
        question = questions.get(answer["question"])
        if question is None:
            errors[f"answers.{index}.question"] = [_("Not a question of this campaign's template.")]
            continue
        if question.pk in seen:
            errors[f"answers.{index}.question"] = [_("Each question is answered once.")]
        if not question.scale_min <= answer["rating"] <= question.scale_max:
            errors[f"answers.{index}.rating"] = [_("The rating is from %(low)s to %(high)s.") % {
                "low": question.scale_min, "high": question.scale_max}]
        if answer.get("comment") and not question.allows_comment:
            errors[f"answers.{index}.comment"] = [_("This question takes no comment.")]
        seen[question.pk] = answer
    missing = [q for pk, q in questions.items() if pk not in seen]
    if missing and not errors:
        errors["answers"] = [_("Answer every question (missing: %(positions)s).") % {
            "positions": ", ".join(str(q.position + 1) for q in sorted(missing, key=lambda q: q.position))}]
    if errors:
        raise ValidationError(errors)
    return [(questions[pk], answer) for pk, answer in seen.items()]


def _response_write(request: AssessmentRequest, answers: list[dict]) -> AssessmentResponse:
    campaign = request.campaign
    _ensure_open(campaign)
    if request.answered:
        raise Conflict(_("This assessment was already submitted."), code="assessment_already_submitted")
    clean = _answers_clean(campaign, answers)
    anonymous = request.rater_kind in (RaterKind.PEER, RaterKind.CUSTOMER)
    response = AssessmentResponse.objects.create(tenant_id=request.tenant_id, campaign=campaign,
                                                 agent_id=request.agent_id, rater_kind=request.rater_kind,
                                                 request=None if anonymous else request)
    AssessmentAnswer.objects.bulk_create([
        AssessmentAnswer(tenant_id=request.tenant_id, response=response, question=question, rating=answer["rating"],
                         comment=answer.get("comment") or "") for question, answer in clean])
    AssessmentRequest.objects.filter(pk=request.pk).update(answered=True)
    assessment_events.answered(campaign=campaign, agent_id=request.agent_id, rater_kind=request.rater_kind)
    return response


@transaction.atomic
def assessment_request_answer(*, actor: Actor, request: AssessmentRequest, answers: list[dict]) -> None:
    """The rater answers their request, once. Peer answers are recorded, and audited, without the rater."""
    request = AssessmentRequest.objects.select_for_update(of=("self",)).select_related("campaign").get(pk=request.pk)
    _response_write(request, answers)
    anonymous = request.rater_kind in (RaterKind.PEER, RaterKind.CUSTOMER)
    # A peer's answer is audited without the peer: the audit log's who and when would otherwise tell, next to the
    # results before and after, what they answered.
    audit_record(actor=None if anonymous else actor, tenant=actor.tenant, action="assessment_request.answered",
                 obj=request.campaign, after={"campaign": request.campaign_id, "rater_kind": request.rater_kind})


def assessment_link_get(token: str, *, lock: bool = False) -> AssessmentRequest:
    """The unanswered, unexpired customer request of an active tenant with this token, or AssessmentLinkUnavailable
    (one answer for unknown, expired and used links)."""
    requests = AssessmentRequest.objects.select_related("campaign", "agent", "tenant").filter(
        hashed_token=hash_secret(token), rater_kind=RaterKind.CUSTOMER, tenant__is_active=True)
    if lock:
        requests = requests.select_for_update(of=("self",))
    with rls.all_tenants():  # the token names the request, whatever its tenant
        request = requests.first()
    if (request is None or request.answered or request.expires_at <= timezone.now()
            or request.campaign.status != CampaignStatus.OPEN):
        raise AssessmentLinkUnavailable()
    return request


@transaction.atomic
def assessment_link_answer(*, token: str, answers: list[dict]) -> None:
    """A customer answers through their link (no account); the link is used up."""
    request = assessment_link_get(token, lock=True)
    with rls.tenant_scope(request.tenant_id):
        if request.campaign.status != CampaignStatus.OPEN or timezone.now() >= request.campaign.deadline:
            raise AssessmentLinkUnavailable()
        _response_write(request, answers)
        audit_record(actor=None, tenant=request.tenant, action="assessment_customer_link.answered",
                     obj=request.campaign, after={"campaign": request.campaign_id})


@transaction.atomic
def assessment_campaign_close(*, actor: Actor, campaign: AssessmentCampaign) -> AssessmentCampaign:
    """open → closed: nothing more can be answered and the results are announced (assessment.campaign_closed)."""
    campaign = AssessmentCampaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status == CampaignStatus.CANCELLED:
        raise Conflict(CANCELLED, code="assessment_campaign_cancelled")
    if campaign.status != CampaignStatus.OPEN:
        raise Conflict(CLOSED, code="assessment_campaign_closed")
    campaign.status, campaign.closed_at = CampaignStatus.CLOSED, timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    audit_record(actor=actor, action="assessment_campaign.closed", obj=campaign, before={"status": "open"},
                 after={"status": "closed"})
    assessment_events.campaign_closed(campaign=campaign, actor_user_id=actor.user.pk if actor.user else None)
    return campaign
