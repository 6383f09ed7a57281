"""Demo data for 360 assessments: a finished campaign on the computed month for the demo agent, answered by their
supervisor, themselves and three customers through one-time links, then closed. Made once."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from common.actor import Actor
from feedback.models import AssessmentCampaign, AssessmentQuestion, AssessmentRequest
from feedback.services import assessments as services

NAME = "360 assessment (demo)"
QUESTIONS = [
    {"competency": "professional_knowledge", "text": "熟悉产品与业务规则 (knows the products)", "scale": "1-5"},
    {"competency": "communication", "text": "表达清晰、耐心倾听 (explains clearly, listens)", "scale": "1-5",
     "allows_comment": True},
    {"competency": "service_attitude", "text": "热情主动、有同理心 (warm, proactive, empathetic)", "scale": "1-5"},
    {"competency": "teamwork", "text": "乐于协作与分享 (helps colleagues, shares knowledge)", "scale": "1-5"},
]
# (rater, ratings, comment on the communication question)
CUSTOMERS = [((5, 4, 5, 4), "解释得很清楚"), ((4, 4, 4, 3), ""), ((5, 5, 4, 4), "Very patient, thank you.")]


def _answers(questions, ratings, comment=""):
    return [{"question": q.pk, "rating": r, "comment": comment if q.allows_comment else ""}
            for q, r in zip(questions, ratings, strict=True)]


def demo_assessment_seed(*, admin: Actor, supervisor: Actor, agent: Actor, period) -> AssessmentCampaign | None:
    if agent.agent_id is None:
        return None
    existing = AssessmentCampaign.objects.filter(tenant=admin.tenant, name=NAME).first()
    if existing is not None:
        return existing
    from accounts.models import Agent

    assessed = Agent.objects.get(pk=agent.agent_id)
    template = services.assessment_template_create(actor=admin, name=NAME, questions=QUESTIONS)
    campaign = services.assessment_campaign_create(
        actor=admin, name=NAME, period=period, template_version=template.versions.get(),
        deadline=timezone.now() + timedelta(days=7), agents=[assessed], raters=[])
    questions = list(AssessmentQuestion.objects.filter(version=campaign.template_version).order_by("position"))
    for actor, ratings in ((supervisor, (4, 5, 5, 4)), (agent, (4, 4, 5, 5))):
        request = AssessmentRequest.objects.filter(campaign=campaign, rater=actor.user).first()
        if request is not None:
            services.assessment_request_answer(actor=actor, request=request, answers=_answers(questions, ratings))
    for ratings, comment in CUSTOMERS:
        _link, token = services.assessment_customer_link_create(actor=admin, campaign=campaign, agent=assessed)
        services.assessment_link_answer(token=token, answers=_answers(questions, ratings, comment))
    return services.assessment_campaign_close(actor=admin, campaign=campaign)
