"""Helpers for 360 assessment tests: a two-question template, a campaign over the north team with peers who have
logins, and answering requests through the services."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from feedback.models import AssessmentQuestion, AssessmentRequest
from feedback.services import assessments as services
from tests.factories import AgentFactory, MembershipFactory
from tests.feedback.factories import actor_for
from tests.performance.conftest import admin_actor, make_period

QUESTIONS = [
    {"competency": "professional_knowledge", "text": "Knows the products", "scale": "1-5"},
    {"competency": "communication", "text": "Explains clearly", "scale": "0-10", "allows_comment": True},
]


def peers_with_logins(cast, count: int) -> list:
    """Agents of the north team, each linked to an agent member of their own."""
    out = []
    for i in range(count):
        user = MembershipFactory(tenant=cast.tenant, role="agent", user__email=f"peer{i}@acme.test").user
        out.append(AgentFactory(team=cast.north, user=user, employee_code=f"P{i:03d}"))
    return out


def template_version(tenant, questions=QUESTIONS, name=None):
    from feedback.models import AssessmentTemplate

    name = name or f"Quarterly 360 #{AssessmentTemplate.objects.filter(tenant=tenant).count() + 1}"
    template = services.assessment_template_create(actor=admin_actor(tenant), name=name, questions=questions)
    return template.versions.get()


def campaign_for(cast, peers, *, period=None, agents=None):
    """A campaign assessing the agent user's agent (N000), with `peers` as its peers."""
    version = template_version(cast.tenant)
    return services.assessment_campaign_create(
        actor=admin_actor(cast.tenant), name="Q4 360", period=period or make_period(cast.tenant),
        template_version=version, deadline=timezone.now() + timedelta(days=7),
        agents=agents or [cast.own_agent],
        raters=[{"agent": cast.own_agent, "peers": peers}] if agents is None or cast.own_agent in agents else [])


def answers(campaign, ratings, comments=()):
    questions = list(AssessmentQuestion.objects.filter(version=campaign.template_version).order_by("position"))
    comments = list(comments) + [""] * (len(questions) - len(comments))
    return [{"question": q.pk, "rating": r, "comment": c} for q, r, c in zip(questions, ratings, comments,
                                                                              strict=True)]


def answer_as(user, campaign, agent, kind, ratings, comments=()):
    request = AssessmentRequest.objects.get(campaign=campaign, agent=agent, rater_kind=kind, rater=user)
    services.assessment_request_answer(actor=actor_for(user, campaign.tenant), request=request,
                                       answers=answers(campaign, ratings, comments))
