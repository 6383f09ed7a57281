"""What members and webhooks hear about QA events (see common/events.py for the registry)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from performance.models import Interaction

QA_REVIEW_PUBLISHED = gettext_noop("A QA review of your interaction %(interaction)s was published: "
                                   "%(total)s points.")


def qa_review_published_announce(*, review) -> None:
    """Tell the reviewed agent (when a user is linked to them) and the subscribed webhooks. Called inside the
    publishing transaction, so nothing is sent unless it commits."""
    agent_id, user_id = Interaction.objects.filter(pk=review.interaction_id).values_list(
        "agent_id", "agent__user_id").get()
    if user_id is not None:
        notify(tenant=review.tenant, recipients=[user_id], event="qa_review.published", obj=review,
               message=QA_REVIEW_PUBLISHED, params={"interaction": review.interaction_id, "total": review.total})
    webhook_emit(tenant=review.tenant, event="qa_review.published", payload={"review": {
        "id": review.pk, "revision": review.revision, "interaction": review.interaction_id, "agent": agent_id,
        "inspector": review.inspector_id, "total": review.total, "auto_failed": review.auto_failed,
        "published_at": review.published_at, "appeal_deadline": review.appeal_deadline,
    }})


QA_REVIEW_AMENDED = gettext_noop("Your QA review of interaction %(interaction)s was amended (revision %(revision)s): "
                                 "%(total)s points.")


def qa_review_amended_announce(*, review, previous) -> None:
    """Tell the reviewed agent and the subscribed webhooks that a review has a new revision."""
    agent_id, user_id = Interaction.objects.filter(pk=review.interaction_id).values_list(
        "agent_id", "agent__user_id").get()
    if user_id is not None:
        notify(tenant=review.tenant, recipients=[user_id], event="qa_review.amended", obj=review,
               message=QA_REVIEW_AMENDED, params={"interaction": review.interaction_id, "revision": review.revision,
                                                  "total": review.total})
    webhook_emit(tenant=review.tenant, event="qa_review.amended", payload={"review": {
        "id": review.pk, "chain": review.chain, "revision": review.revision, "previous": previous.pk,
        "previous_total": previous.total, "interaction": review.interaction_id, "agent": agent_id,
        "inspector": review.inspector_id, "total": review.total, "reason": review.amend_reason,
    }})
