"""QA reviews: one inspector's scoring of one interaction with one rubric version.

A review is a chain of revisions (`chain`, `revision` 1, 2, ...): amending a published review adds the
next revision and keeps the old one readable; `is_current` marks the latest revision of each chain.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from feedback.querysets import QAReviewAnswerQuerySet, QAReviewQuerySet


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    PUBLISHED = "published", _("Published (visible to the agent)")


class QAReview(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    chain = models.UUIDField(default=uuid.uuid4, editable=False, help_text="Shared by every revision of a review.")
    revision = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True, help_text="The latest revision of its chain.")
    interaction = models.ForeignKey("performance.Interaction", on_delete=models.PROTECT, related_name="qa_reviews")
    rubric_version = models.ForeignKey("feedback.RubricVersion", on_delete=models.PROTECT, related_name="reviews")
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    calibration = models.ForeignKey(
        "feedback.CalibrationSession", on_delete=models.PROTECT, null=True, blank=True, related_name="reviews",
        help_text="Set for calibration reviews, which never count in KPIs and are never published.",
    )
    status = models.CharField(max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT)
    overall_comment = models.TextField(blank=True)
    time_spent_seconds = models.PositiveIntegerField(null=True, blank=True)
    total = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        help_text="0-100; 0 when auto-failed; null while a draft is incomplete.",
    )
    would_be_total = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, help_text="The total without the critical auto-fail."
    )
    auto_failed = models.BooleanField(default=False)
    earned_points = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    possible_points = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    appeal_deadline = models.DateTimeField(
        null=True, blank=True, help_text="End of the appeal window, set when the review is first published."
    )
    amended_from = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="amended_by_revision"
    )
    amended_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    amend_reason = models.TextField(blank=True)

    objects = QAReviewQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "chain", "revision"], name="qareview_unique_revision"),
            models.UniqueConstraint(fields=["tenant", "chain"], condition=Q(is_current=True),
                                    name="qareview_one_current_revision"),
            models.UniqueConstraint(
                fields=["tenant", "interaction", "inspector"],
                condition=Q(is_current=True, calibration__isnull=True),
                name="qareview_one_per_interaction_inspector",
            ),
            models.UniqueConstraint(
                fields=["tenant", "calibration", "interaction", "inspector"],
                condition=Q(is_current=True, calibration__isnull=False),
                name="qareview_one_per_calibration_item",
            ),
            models.CheckConstraint(condition=Q(total__isnull=True) | Q(total__gte=0, total__lte=100),
                                   name="qareview_total_0_100"),
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False, total__isnull=False),
                name="qareview_published_has_total",
            ),
            models.CheckConstraint(condition=~Q(status="published") | Q(calibration__isnull=True),
                                   name="qareview_calibration_never_published"),
        ]
        indexes = [
            models.Index(fields=["tenant", "interaction"], name="qareview_tenant_interaction"),
            models.Index(fields=["tenant", "inspector", "status"], name="qareview_tenant_inspector"),
            models.Index(fields=["tenant", "interaction"], name="qareview_kpi",
                         condition=Q(status="published", is_current=True, calibration__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"review {self.pk} r{self.revision} of interaction {self.interaction_id}"

    @property
    def is_calibration(self) -> bool:
        return self.calibration_id is not None


class QAReviewAnswer(TenantOwnedModel):
    """The inspector's answer to one criterion, with the arithmetic that turned it into points."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    review = models.ForeignKey(QAReview, on_delete=models.CASCADE, related_name="answers")
    criterion = models.ForeignKey("feedback.RubricCriterion", on_delete=models.PROTECT, related_name="+")
    rating = models.SmallIntegerField(null=True, blank=True, help_text="Null when N/A.")
    is_na = models.BooleanField(default=False)
    comment = models.TextField(blank=True)
    normalized = models.DecimalField(
        max_digits=5, decimal_places=4, null=True, blank=True,
        help_text="(rating - scale min) / (scale max - scale min); null when N/A.",
    )
    earned = models.DecimalField(max_digits=11, decimal_places=4, null=True, blank=True,
                                 help_text="weight x normalized; null when N/A.")
    possible = models.DecimalField(max_digits=9, decimal_places=2, default=0, help_text="weight, or 0 when N/A.")
    critical_failed = models.BooleanField(default=False)

    objects = QAReviewAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "review_id", "criterion__section__position", "criterion__position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "review", "criterion"], name="qareviewanswer_unique_criterion"),
            models.CheckConstraint(
                condition=Q(is_na=True, rating__isnull=True) | Q(is_na=False, rating__isnull=False),
                name="qareviewanswer_rated_or_na",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "criterion"], name="qaanswer_tenant_criterion")]
