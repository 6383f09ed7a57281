"""Calibration sessions: a QA lead picks interactions and inspectors; everybody scores blind; the lead's
reviews are the reference; closing the session reveals the answers and the agreement figures."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rest_framework.exceptions import ValidationError

from accounts.models import Agent, User
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import (
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    CalibrationStatus,
    QAReview,
    ReviewStatus,
    RubricVersion,
    RubricVersionStatus,
)
from feedback.services.reviews import check_rubric_scope
from performance.models import Interaction

MAX_ITEMS = 50
MAX_PARTICIPANTS = 50


@transaction.atomic
def calibration_create(
    *, actor: Actor, title: str, rubric_version: RubricVersion, interactions: Sequence[Interaction],
    inspectors: Sequence[User], notes: str = "",
) -> CalibrationSession:
    """Open a session in which `inspectors` and the acting lead (the reference) score `interactions`."""
    interactions = list({i.pk: i for i in interactions}.values())
    inspectors = list({u.pk: u for u in inspectors}.values())
    if rubric_version.status != RubricVersionStatus.PUBLISHED:
        raise ValidationError({"rubric_version": [_("Only the published version of a rubric can be used.")]})
    if not 1 <= len(interactions) <= MAX_ITEMS:
        raise ValidationError({"interactions": [_("Choose 1 to %(max)d interactions.") % {"max": MAX_ITEMS}]})
    if not 1 <= len(inspectors) <= MAX_PARTICIPANTS:
        raise ValidationError({"inspectors": [_("Choose 1 to %(max)d inspectors.") % {"max": MAX_PARTICIPANTS}]})
    if any(user.pk == actor.user.pk for user in inspectors):
        raise ValidationError({"inspectors": [_("You score as the reference; do not list yourself.")]})
    for interaction in interactions:
        check_rubric_scope(rubric_version, interaction, field="interactions")
    scorers = [actor.user.pk, *(u.pk for u in inspectors)]
    own = Agent.objects.filter(pk__in=[i.agent_id for i in interactions], user_id__in=scorers)
    if own.exists():
        raise ValidationError({"interactions": [_("An interaction was handled by one of the scorers.")]})
    session = CalibrationSession(tenant=actor.tenant, title=title, notes=notes, rubric_version=rubric_version,
                                 lead=actor.user)
    session.full_clean()
    session.save()
    CalibrationItem.objects.bulk_create(
        CalibrationItem(tenant=actor.tenant, session=session, interaction=interaction, position=position)
        for position, interaction in enumerate(interactions, start=1)
    )
    CalibrationParticipant.objects.bulk_create(
        CalibrationParticipant(tenant=actor.tenant, session=session, user=user) for user in inspectors
    )
    audit_record(actor=actor, action="calibration.created", obj=session, after={
        "title": title, "rubric_version": rubric_version.pk, "interactions": [i.pk for i in interactions],
        "inspectors": [u.pk for u in inspectors],
    })
    return session


@transaction.atomic
def calibration_close(*, actor: Actor, session: CalibrationSession) -> CalibrationSession:
    """Close an open session once the lead has submitted a reference review of every interaction.

    Inspectors' reviews still in draft are left out of the results.
    """
    session = CalibrationSession.objects.select_for_update().get(pk=session.pk)
    if session.status != CalibrationStatus.OPEN:
        raise Conflict(_("This calibration session is already closed."))
    submitted = QAReview.objects.filter(calibration=session, status=ReviewStatus.SUBMITTED, is_current=True)
    referenced = set(submitted.filter(inspector_id=session.lead_id).values_list("interaction_id", flat=True))
    missing = [pk for pk in session.items.values_list("interaction_id", flat=True) if pk not in referenced]
    if missing:
        raise Conflict(ngettext("The lead's reference review is not submitted for interaction %(interactions)s.",
                                "The lead's reference review is not submitted for interactions %(interactions)s.",
                                len(missing)) % {"interactions": ", ".join(map(str, missing))})
    session.status = CalibrationStatus.CLOSED
    session.closed_at = timezone.now()
    session.closed_by = actor.user
    session.save(update_fields=["status", "closed_at", "closed_by"])
    per_inspector = dict(submitted.exclude(inspector_id=session.lead_id).values("inspector_id").order_by()
                         .annotate(n=Count("pk")).values_list("inspector_id", "n"))
    audit_record(actor=actor, action="calibration.closed", obj=session,
                 after={"status": session.status, "submitted_per_inspector": per_inspector})
    return session
