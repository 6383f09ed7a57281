"""Demo data for coaching: the QA lead coached the demo agent mid-way through the previous month on the first
criterion of one of their published reviews, with a goal; the agent acknowledged it. Made once."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from common.actor import Actor
from feedback.models import CoachingSession, QAReview
from feedback.services.coaching import coaching_session_acknowledge, coaching_session_create


def demo_coaching_seed(*, coach: Actor, agent: Actor, previous_start: date) -> CoachingSession | None:
    if agent.agent_id is None:
        return None
    existing = CoachingSession.objects.filter(tenant=coach.tenant, agent_id=agent.agent_id).first()
    if existing is not None:
        return existing
    review = (QAReview.objects.filter(tenant=coach.tenant, interaction__agent_id=agent.agent_id, status="published",
                                      is_current=True).select_related("interaction").order_by("published_at", "pk")
              .first())
    criterion = None
    if review is not None:
        criterion = review.answers.order_by("criterion__section__position", "criterion__position").first().criterion
    held_at = datetime.combine(previous_start + timedelta(days=14), time(15), tzinfo=coach.tenant.zone)
    session = coaching_session_create(
        actor=coach, agent=_agent(agent),
        held_at=held_at, topic="开场白与共情 (greeting and empathy)", notes="Walked through the review together.",
        review=review, criterion=criterion,
        goals=[{"description": "Greet by name and restate the problem in every call",
                "due_date": previous_start + timedelta(days=28)}])
    return coaching_session_acknowledge(actor=agent, session=session, comment="明白了，谢谢。")


def _agent(actor: Actor):
    from accounts.models import Agent

    return Agent.objects.get(pk=actor.agent_id)
