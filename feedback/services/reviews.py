"""QA review writes: draft -> submitted -> published, and amendments as new revisions."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from rest_framework.exceptions import ValidationError
from rest_framework.relations import PrimaryKeyRelatedField

from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import (
    AssignmentStatus,
    CalibrationSession,
    QAAssignment,
    QAReview,
    QAReviewAnswer,
    ReviewStatus,
    RubricCriterion,
    RubricVersion,
    RubricVersionStatus,
)
from feedback.services.events import qa_review_amended_announce, qa_review_published_announce
from feedback.services.scoring import (
    AnswerInput,
    ScoredAnswer,
    answers_from_payload,
    score_answers,
    score_each,
    validate_answers,
)
from performance.models import Channel, Interaction

# The serializers' own words for an id the actor may not use, so a hidden row reads like a missing one.
NOT_FOUND = PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
# How a review's status reads at the end of a refusal ("...; this one is published.").
STATUS_WORDS = {
    ReviewStatus.DRAFT: pgettext_lazy("review status in a sentence", "a draft"),
    ReviewStatus.SUBMITTED: pgettext_lazy("review status in a sentence", "submitted"),
    ReviewStatus.PUBLISHED: pgettext_lazy("review status in a sentence", "published"),
}
# What each transition of `_locked` needs, one whole sentence per transition.
WRONG_STATUS = {
    "edited": gettext_lazy("Only a draft review can be edited; this one is %(status)s."),
    "submitted": gettext_lazy("Only a draft review can be submitted; this one is %(status)s."),
    "deleted": gettext_lazy("Only a draft review can be deleted; this one is %(status)s."),
    "published": gettext_lazy("Only a submitted review can be published; this one is %(status)s."),
    "amended": gettext_lazy("Only a published review can be amended; this one is %(status)s."),
}


def _describe(review: QAReview) -> dict[str, Any]:
    return {"status": review.status, "revision": review.revision, "total": review.total,
            "would_be_total": review.would_be_total, "auto_failed": review.auto_failed,
            "interaction": review.interaction_id, "rubric_version": review.rubric_version_id}


def _criteria(version: RubricVersion) -> list[RubricCriterion]:
    return list(RubricCriterion.objects.filter(version=version))


def check_rubric_scope(version: RubricVersion, interaction: Interaction, *, field: str = "interaction") -> None:
    """The interaction's channel and scenario must be within the rubric version's scope, when it has one."""
    if version.channels and interaction.channel not in version.channels:
        raise ValidationError({field: [
            _("This rubric version scores %(channels)s contacts, not %(channel)s (interaction %(interaction)s).")
            % {"channels": ", ".join(str(Channel(c).label) for c in version.channels),
               "channel": Channel(interaction.channel).label, "interaction": interaction.pk}]})
    scenario_ids = set(version.scenarios.values_list("pk", flat=True))
    if scenario_ids and interaction.scenario_id not in scenario_ids:
        raise ValidationError({field: [
            _("This rubric version does not score the scenario of interaction %(interaction)s.")
            % {"interaction": interaction.pk}]})


def _check_may_review(actor: Actor, interaction: Interaction, calibration: CalibrationSession | None) -> None:
    if calibration is not None:
        if not calibration.is_open:
            raise Conflict(_("This calibration session is closed."))
        taking_part = calibration.lead_id == actor.user.pk or calibration.participants.filter(user=actor.user).exists()
        if not taking_part:
            raise ValidationError({"calibration": [NOT_FOUND.format(pk_value=calibration.pk)]})
        if not calibration.items.filter(interaction=interaction).exists():
            raise ValidationError({"interaction": [_("This interaction is not part of the calibration session.")]})
    elif not Interaction.objects.for_actor(actor, "review").filter(pk=interaction.pk).exists():
        raise ValidationError({"interaction": [NOT_FOUND.format(pk_value=interaction.pk)]})
    if actor.agent_id is not None and interaction.agent_id == actor.agent_id:
        raise ValidationError({"interaction": [_("You cannot review an interaction you handled yourself.")]})


def _score(review: QAReview, criteria: list[RubricCriterion], answers: Sequence[AnswerInput]) -> list[ScoredAnswer]:
    """Set the review's totals from its answers (null until every criterion is answered) and return the
    per-criterion breakdown to store."""
    complete = {a.criterion for a in answers} == {c.id for c in criteria} and not all(a.na for a in answers)
    if not complete:
        review.total = review.would_be_total = review.earned_points = review.possible_points = None
        review.auto_failed = False
        return score_each(criteria, answers)
    result = score_answers(criteria, answers)
    review.total, review.would_be_total, review.auto_failed = result.total, result.would_be_total, result.auto_failed
    review.earned_points, review.possible_points = result.earned_points, result.possible_points
    return result.answers


def _write_answers(review: QAReview, rows: list[ScoredAnswer]) -> None:
    QAReviewAnswer.objects.filter(review=review).delete()
    QAReviewAnswer.objects.bulk_create(
        QAReviewAnswer(tenant_id=review.tenant_id, review=review, criterion_id=row.criterion, rating=row.rating,
                       is_na=row.is_na, comment=row.comment, normalized=row.normalized, earned=row.earned,
                       possible=row.possible, critical_failed=row.critical_failed)
        for row in rows
    )


def _locked(review: QAReview, *, status: str, verb: str) -> QAReview:
    review = QAReview.objects.select_for_update(of=("self",)).select_related("tenant", "calibration").get(pk=review.pk)
    if review.calibration is not None and not review.calibration.is_open:
        raise Conflict(_("The calibration session of this review is closed."))
    if not review.is_current:
        raise Conflict(_("This is an older revision of the review; only its latest revision can change."))
    if review.status != status:
        raise Conflict(WRONG_STATUS[verb] % {"status": STATUS_WORDS[review.status]})
    return review


@transaction.atomic
def qa_review_create(
    *, actor: Actor, interaction: Interaction, rubric_version: RubricVersion,
    calibration: CalibrationSession | None = None, answers: Sequence[dict[str, Any]] = (),
    overall_comment: str = "", time_spent_seconds: int | None = None,
) -> QAReview:
    """Start a draft review of `interaction` by the acting inspector (or lead).

    Refused (400) when the actor may not review the interaction, handled it themselves, the rubric version
    is not the one in use (or the calibration's) or does not cover the interaction's channel/scenario, or
    they already have a review of this interaction.
    """
    _check_may_review(actor, interaction, calibration)
    if calibration is not None:
        if rubric_version.pk != calibration.rubric_version_id:
            raise ValidationError({"rubric_version": [_("Calibration reviews use the session's rubric version.")]})
    elif rubric_version.status != RubricVersionStatus.PUBLISHED:
        raise ValidationError({"rubric_version": [_("Only the published version of a rubric can be used.")]})
    check_rubric_scope(rubric_version, interaction)
    existing = QAReview.objects.filter(tenant=actor.tenant, interaction=interaction, inspector=actor.user,
                                       is_current=True, calibration=calibration).first()
    if existing is not None:
        raise ValidationError({"interaction": [_("You already have a review of this interaction (%(review)s).")
                                               % {"review": existing.pk}]})
    criteria = _criteria(rubric_version)
    parsed = answers_from_payload(answers)
    validate_answers(criteria, parsed, require_complete=False)
    review = QAReview(tenant=actor.tenant, interaction=interaction, rubric_version=rubric_version,
                      inspector=actor.user, calibration=calibration, overall_comment=overall_comment,
                      time_spent_seconds=time_spent_seconds)
    rows = _score(review, criteria, parsed)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:  # a concurrent request created the same review first
        raise ValidationError({"interaction": [_("You already have a review of this interaction.")]}) from None
    _write_answers(review, rows)
    audit_record(actor=actor, action="qa_review.created", obj=review, after=_describe(review))
    return review


@transaction.atomic
def qa_review_update(
    *, actor: Actor, review: QAReview, answers: Sequence[dict[str, Any]] | None = None,
    overall_comment: str | None = None, time_spent_seconds: int | None = None,
) -> QAReview:
    """Change a draft. `answers`, when given, replace all of the draft's answers."""
    review = _locked(review, status=ReviewStatus.DRAFT, verb="edited")
    if answers is not None:
        criteria = _criteria(review.rubric_version)
        parsed = answers_from_payload(answers)
        validate_answers(criteria, parsed, require_complete=False)
        _write_answers(review, _score(review, criteria, parsed))
    if overall_comment is not None:
        review.overall_comment = overall_comment
    if time_spent_seconds is not None:
        review.time_spent_seconds = time_spent_seconds
    review.save()
    return review


def _current_answers(review: QAReview) -> list[AnswerInput]:
    return [AnswerInput(a.criterion_id, a.rating, a.is_na, a.comment) for a in review.answers.all()]


@transaction.atomic
def qa_review_submit(*, actor: Actor, review: QAReview) -> QAReview:
    """Hand in a complete draft: every criterion answered on its scale (N/A only where allowed), at least one
    rated. Marks the inspector's pending assignment of this interaction done."""
    review = _locked(review, status=ReviewStatus.DRAFT, verb="submitted")
    criteria = _criteria(review.rubric_version)
    answers = _current_answers(review)
    validate_answers(criteria, answers, require_complete=True)
    _score(review, criteria, answers)
    review.status = ReviewStatus.SUBMITTED
    review.submitted_at = timezone.now()
    review.save()
    if review.calibration_id is None:
        QAAssignment.objects.filter(
            tenant_id=review.tenant_id, interaction_id=review.interaction_id, inspector_id=review.inspector_id,
            status=AssignmentStatus.PENDING,
        ).update(status=AssignmentStatus.DONE, review=review, completed_at=review.submitted_at,
                 updated_at=review.submitted_at)
    audit_record(actor=actor, action="qa_review.submitted", obj=review, after=_describe(review))
    return review


@transaction.atomic
def qa_review_publish(*, actor: Actor, review: QAReview) -> QAReview:
    """Publish a submitted review: the agent (and their supervisor) now see it, and the appeal window starts."""
    review = _locked(review, status=ReviewStatus.SUBMITTED, verb="published")
    if review.calibration_id is not None:
        raise Conflict(_("Calibration reviews are never published."))
    before = _describe(review)
    review.status = ReviewStatus.PUBLISHED
    review.published_at = timezone.now()
    review.published_by = actor.user
    review.appeal_deadline = review.published_at + timedelta(days=review.tenant.appeal_window_days)
    review.save()
    audit_record(actor=actor, action="qa_review.published", obj=review, before=before, after=_describe(review))
    qa_review_published_announce(review=review)
    return review


@transaction.atomic
def qa_review_amend(
    *, review: QAReview, amended_by: Actor, answers: Sequence[dict[str, Any]], reason: str,
    overall_comment: str | None = None,
) -> QAReview:
    """Create the next revision of a published review and return it; the old revision stays readable.

    `answers` ([{criterion, rating, na, comment}]) replace the answers of the same criteria; criteria not
    mentioned keep their answers. The new revision is published at once, keeps the inspector and the
    original appeal deadline, and becomes the one the KPIs read. `amended_by` is the acting QA lead
    (or the appeal reviewer); audited as "qa_review.amended".
    """
    if not reason or not reason.strip():
        raise ValidationError({"reason": [_("Say why the review is amended.")]})
    old = _locked(review, status=ReviewStatus.PUBLISHED, verb="amended")
    criteria = _criteria(old.rubric_version)
    changes = answers_from_payload(answers)
    validate_answers(criteria, changes, require_complete=False)
    merged = {a.criterion: a for a in _current_answers(old)} | {a.criterion: a for a in changes}
    ordered = [merged[c.id] for c in criteria if c.id in merged]
    validate_answers(criteria, ordered, require_complete=True)
    QAReview.objects.filter(pk=old.pk).update(is_current=False, updated_at=timezone.now())
    now = timezone.now()
    new = QAReview(
        tenant_id=old.tenant_id, chain=old.chain, revision=old.revision + 1, interaction_id=old.interaction_id,
        rubric_version_id=old.rubric_version_id, inspector_id=old.inspector_id, status=ReviewStatus.PUBLISHED,
        overall_comment=old.overall_comment if overall_comment is None else overall_comment,
        time_spent_seconds=old.time_spent_seconds, submitted_at=old.submitted_at, published_at=now,
        published_by=amended_by.user, appeal_deadline=old.appeal_deadline, amended_from=old,
        amended_by=amended_by.user, amend_reason=reason.strip(),
    )
    rows = _score(new, criteria, ordered)
    new.save()
    _write_answers(new, rows)
    changed = [a.criterion for a in changes]
    audit_record(actor=amended_by, action="qa_review.amended", obj=new, before=_describe(old) | {"id": old.pk},
                 after=_describe(new) | {"reason": new.amend_reason, "changed_criteria": changed})
    new.tenant = old.tenant
    qa_review_amended_announce(review=new, previous=old)
    return new


@transaction.atomic
def qa_review_delete(*, actor: Actor, review: QAReview) -> None:
    review = _locked(review, status=ReviewStatus.DRAFT, verb="deleted")
    audit_record(actor=actor, action="qa_review.deleted", obj=review, before=_describe(review))
    review.delete()
