"""Helpers for the appeal tests: a published review of the agent user's own interaction, and appeals on it."""

from __future__ import annotations

from feedback.models import Appeal
from feedback.services import appeals as services
from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, published_review

RATINGS = [4, 1, 8, 3]  # the standard rubric: 10×(4-1)/4 + 20 + 30×0.8 + 40 = 91.5


def own_review(cast, version, *, inspector="qa_inspector", interaction=None, ratings=RATINGS):
    interaction = interaction or InteractionFactory(agent=cast.own_agent)
    return published_review(inspector=cast.users[inspector], interaction=interaction, version=version,
                            ratings=ratings)


def criteria(version):
    return list(version.criteria.order_by("section__position", "position"))


def file_review_appeal(cast, review, *, proposals=None, reason="The customer hung up first.") -> Appeal:
    """An appeal by the agent user on `review`; proposals {criterion index: rating} (default: C1 → 5)."""
    version_criteria = criteria(review.rubric_version)
    proposals = {0: 5} if proposals is None else proposals
    items = [{"criterion": version_criteria[i].pk, "proposed_rating": rating} for i, rating in proposals.items()]
    return services.appeal_file(actor=actor_for(cast.users["agent"], cast.tenant), review=review, reason=reason,
                                items=items)


def decide_all(appeal: Appeal, user, *, accepted=True, outcome=None, rationale="Checked the recording."):
    tenant = appeal.tenant
    items = [{"item": item.pk, "accepted": accepted} for item in appeal.items.all()]
    outcome = outcome or ("overturned" if accepted else "upheld")
    return services.appeal_decide(appeal=appeal, decided_by=actor_for(user, tenant), outcome=outcome,
                                  rationale=rationale, items=items)
