"""Demo data for the QA side: a published rubric and published reviews by the inspector of the teams granted to
them. Goes through the services (validated, audited) and is deterministic; run by `manage.py seed_demo`."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from accounts.models import Agent, Membership
from accounts.querysets import granted_teams
from common.actor import Actor
from feedback.models import QAReview, Rubric, RubricCriterion, RubricVersion, RubricVersionStatus
from feedback.services import (
    qa_review_create,
    qa_review_publish,
    qa_review_submit,
    rubric_create,
    rubric_version_publish,
)
from feedback.services.scoring import answers_from_payload, score_answers
from performance.demo import SEED, SKILL, SOURCE
from performance.models import Interaction

RUBRIC = "Customer contact quality"
REVIEWS_PER_AGENT = 2
SECTIONS: list[dict[str, Any]] = [
    {"title": "Opening and compliance", "criteria": [
        {"label": "Greeting and introduction", "weight": Decimal(10), "scale": "1-5",
         "description": "Greets the customer, gives their name and the company's."},
        {"label": "Identity verified before account changes", "weight": Decimal(20), "scale": "binary",
         "is_critical": True, "description": "Critical: a miss fails the whole review."},
    ]},
    {"title": "Resolution", "criteria": [
        {"label": "Understood the customer's need", "weight": Decimal(15), "scale": "1-5"},
        {"label": "Correct and complete solution", "weight": Decimal(30), "scale": "0-10"},
        {"label": "Follow-up arranged", "weight": Decimal(10), "scale": "1-3", "allow_na": True,
         "description": "N/A when the contact was resolved at first contact."},
    ]},
    {"title": "Communication", "criteria": [
        {"label": "Tone and empathy", "weight": Decimal(15), "scale": "1-5"},
    ]},
]
COMMENTS = [(90, "Excellent contact, a model for the team."), (75, "Good work; see the notes per criterion."),
            (0, "Needs coaching: go through this contact with your supervisor.")]


@dataclass(frozen=True)
class DemoQA:
    rubric: Rubric
    version: RubricVersion
    created_reviews: int


def demo_qa_seed(*, lead: Actor, inspector: Actor, start: datetime, end: datetime) -> DemoQA:
    """The published rubric (created by the QA lead when missing) and, for every agent of the teams the inspector
    may review, REVIEWS_PER_AGENT published reviews of answered demo interactions started in [start, end).

    The interactions are drawn with a fixed seed, so a second run picks the same ones and skips those the
    inspector already reviewed."""
    version = _published_rubric(lead)
    criteria = list(RubricCriterion.objects.filter(version=version).order_by("section__position", "position"))
    agents = Agent.objects.filter(tenant=inspector.tenant, team__in=granted_teams(inspector, "review").values("pk"))
    reviewable = Interaction.objects.for_actor(inspector, "review").filter(
        source=SOURCE, answered=True, started_at__gte=start, started_at__lt=end)
    created = 0
    for agent in agents.order_by("employee_code"):
        candidates = list(reviewable.filter(agent=agent).order_by("started_at", "external_id"))
        rng = random.Random(f"{SEED}:qa:{agent.employee_code}:{start:%Y-%m}")
        picks = rng.sample(candidates, min(REVIEWS_PER_AGENT, len(candidates)))
        for number, interaction in enumerate(picks):
            if QAReview.objects.filter(interaction=interaction, inspector=inspector.user).exists():
                continue
            skill = SKILL.get(agent.employee_code, 0.0)
            answers = _answers(rng, criteria, interaction, skill, fail_critical=skill < -0.5 and number == 0)
            total = score_answers(criteria, answers_from_payload(answers)).total
            review = qa_review_create(actor=inspector, interaction=interaction, rubric_version=version,
                                      answers=answers, time_spent_seconds=rng.randint(300, 900),
                                      overall_comment=next(text for floor, text in COMMENTS if total >= floor))
            review = qa_review_submit(actor=inspector, review=review)
            qa_review_publish(actor=inspector, review=review)
            created += 1
    return DemoQA(version.rubric, version, created)


def _published_rubric(lead: Actor) -> RubricVersion:
    rubric = Rubric.objects.filter(tenant=lead.tenant, name=RUBRIC).first()
    if rubric is None:
        rubric = rubric_create(actor=lead, name=RUBRIC, sections=SECTIONS, notes="First version.",
                               description="Scores phone, chat, email and ticket contacts alike.")
    if rubric.published_version_id is not None:
        return rubric.published_version
    draft = rubric.versions.get(status=RubricVersionStatus.DRAFT)
    return rubric_version_publish(actor=lead, version=draft)


def _answers(rng: random.Random, criteria: list[RubricCriterion], interaction: Interaction, skill: float,
             *, fail_critical: bool) -> list[dict[str, Any]]:
    """Ratings that follow the agent's skill with some noise; the N/A criterion is N/A for contacts resolved at
    first contact."""
    answers = []
    for criterion in criteria:
        low, high = criterion.bounds
        if criterion.allow_na and interaction.first_contact_resolved:
            answers.append({"criterion": criterion.pk, "na": True})
            continue
        if criterion.is_critical:
            rating = low if fail_critical else high
        else:
            quality = min(1.0, max(0.0, rng.gauss(0.72 + 0.22 * skill, 0.1)))
            rating = low + round(quality * (high - low))
        answers.append({"criterion": criterion.pk, "rating": rating})
    return answers


def demo_appeals_seed(*, agent: Actor, period) -> int:
    """A few appeals by the demo agent, in different states: one upheld (with its decision), one in review with a
    comment, one withdrawn score appeal. Made once: a second run finds the agent's appeals and adds none."""
    from feedback.models import Appeal
    from feedback.services import appeals as appeal_services

    if agent.agent_id is None or Appeal.objects.filter(tenant=agent.tenant, filed_by=agent.user).exists():
        return 0
    reviews = list(QAReview.objects.filter(tenant=agent.tenant, interaction__agent_id=agent.agent_id,
                                           status="published", is_current=True).order_by("published_at", "pk")[:2])
    made = 0
    for number, review in enumerate(reviews):
        criterion = review.answers.order_by("criterion__section__position", "criterion__position").first()
        low, high = criterion.criterion.bounds
        appeal = appeal_services.appeal_file(
            actor=agent, review=review, reason="The customer interrupted the greeting; I completed it afterwards.",
            items=[{"criterion": criterion.criterion_id, "proposed_rating": high}])
        role = Membership.objects.get(tenant=agent.tenant, user=appeal.reviewer).role
        reviewer = Actor(tenant=agent.tenant, role=role, user=appeal.reviewer)
        if number == 0:
            appeal_services.appeal_decide(
                appeal=appeal, decided_by=reviewer, outcome="upheld",
                rationale="The recording starts without the company's name; the rating stands.",
                items=[{"item": appeal.items.get().pk, "accepted": False}])
        else:
            appeal_services.appeal_comment(appeal=appeal, author=agent, body="The greeting is at 0:04 in the call.")
        made += 1
    if period is not None and period.current_revision_id is not None:
        appeal = appeal_services.appeal_file(actor=agent, period=period, reason="Two surveys were filed late.")
        appeal_services.appeal_withdraw(appeal=appeal, withdrawn_by=agent)
        made += 1
    return made
