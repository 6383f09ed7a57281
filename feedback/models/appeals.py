"""Appeals: an agent disputes one of their published QA reviews or their score in a period.

The workflow (states, who may do what, what a decision applies) lives in feedback/services/appeals.py.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from feedback.querysets import AppealChildQuerySet, AppealQuerySet


class AppealKind(models.TextChoices):
    QA_REVIEW = "qa_review", _("QA review")
    PERIOD_SCORE = "period_score", _("Period score")


class AppealStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    UPHELD = "upheld", _("Upheld")
    OVERTURNED = "overturned", _("Overturned")
    PARTIALLY_OVERTURNED = "partially_overturned", _("Partially overturned")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    ESCALATED = "escalated", _("Escalated")


# Waiting for a decision: counted against the one-open-appeal rule, the SLA and the period-close check.
OPEN_STATUSES = (AppealStatus.SUBMITTED, AppealStatus.IN_REVIEW, AppealStatus.ESCALATED)
DECIDED_STATUSES = (AppealStatus.UPHELD, AppealStatus.OVERTURNED, AppealStatus.PARTIALLY_OVERTURNED)
OUTCOME_CHOICES = [(status.value, status.label) for status in DECIDED_STATUSES]


class Appeal(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=AppealKind.choices)
    status = models.CharField(max_length=24, choices=AppealStatus.choices, default=AppealStatus.SUBMITTED)
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    review = models.ForeignKey("feedback.QAReview", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="appeals", help_text="The review revision appealed.")
    review_chain = models.UUIDField(null=True, blank=True, help_text="The appealed review's chain (all revisions).")
    period = models.ForeignKey(
        "performance.KpiPeriod", on_delete=models.PROTECT, null=True, blank=True, related_name="appeals",
        help_text="The period whose score is appealed, or for a review the period its interaction falls in.",
    )
    kpi_code = models.CharField(max_length=32, blank=True, help_text="For a period score: the KPI, blank = total.")
    reason = models.TextField()
    level = models.PositiveSmallIntegerField(default=1, help_text="1: first decision; 2: escalation (final).")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="+")
    assigned_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(help_text="The decision is due by then (the tenant's SLA days).")
    overdue_at = models.DateTimeField(null=True, blank=True, help_text="When the SLA sweep found it overdue.")
    first_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                         blank=True, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    computation_job = models.ForeignKey("performance.ComputationJob", on_delete=models.SET_NULL, null=True,
                                        blank=True, related_name="+",
                                        help_text="The recomputation of the period that the decision started.")
    score_before = models.DecimalField(max_digits=6, decimal_places=2, null=True, blank=True,
                                       help_text="The agent's period total when the decision was applied.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AppealQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "review_chain"], condition=Q(status__in=OPEN_STATUSES),
                                    name="appeal_one_open_per_review"),
            models.UniqueConstraint(fields=["tenant", "period", "agent"],
                                    condition=Q(kind="period_score", status__in=OPEN_STATUSES),
                                    name="appeal_one_open_per_period_score"),
            models.CheckConstraint(
                condition=Q(kind="qa_review", review__isnull=False) | Q(kind="period_score", period__isnull=False),
                name="appeal_has_subject"),
            models.CheckConstraint(condition=Q(level__in=[1, 2]), name="appeal_level_1_or_2"),
        ]
        indexes = [
            models.Index(fields=["tenant", "status", "due_at"], name="appeal_tenant_status_due"),
            models.Index(fields=["tenant", "reviewer", "status"], name="appeal_tenant_reviewer"),
            models.Index(fields=["tenant", "agent"], name="appeal_tenant_agent"),
            models.Index(fields=["tenant", "period"], name="appeal_tenant_period"),
        ]

    def __str__(self) -> str:
        return f"appeal {self.pk} ({self.kind}, {self.status})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class AppealItem(TenantOwnedModel):
    """One disputed criterion (QA review) or the total / one KPI (period score), with the agent's proposal and
    the decision on it. Values: a criterion's rating, a KPI's raw value, or the total."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    criterion = models.ForeignKey("feedback.RubricCriterion", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    kpi_code = models.CharField(max_length=32, blank=True, help_text="Blank with no criterion: the total.")
    original_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    proposed_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    accepted = models.BooleanField(null=True, blank=True, help_text="Null until decided.")
    decided_value = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True,
                                        help_text="The value applied when accepted.")

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "appeal_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "appeal", "criterion"], condition=Q(criterion__isnull=False),
                                    name="appealitem_unique_criterion"),
        ]
        indexes = [models.Index(fields=["tenant", "criterion"], name="appealitem_tenant_criterion")]


class AppealDecision(TenantOwnedModel):
    """One decision on an appeal: the first (level 1) and, after an escalation, the final one (level 2)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="decisions")
    level = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=24, choices=AppealStatus.choices)
    rationale = models.TextField()
    items = models.JSONField(default=list, help_text="[{item, accepted, value}] as decided.")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    review_revision = models.ForeignKey("feedback.QAReview", on_delete=models.PROTECT, null=True, blank=True,
                                        related_name="+", help_text="The review revision this decision created.")

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "appeal_id", "level"]
        constraints = [models.UniqueConstraint(fields=["tenant", "appeal", "level"], name="appealdecision_level")]


class AppealComment(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "appeal_id", "created_at", "id"]
        indexes = [models.Index(fields=["tenant", "appeal", "created_at"], name="appealcomment_appeal")]


class AppealEvent(TenantOwnedModel):
    """The appeal's history: filing, every transition, comment, attachment and the SLA breach."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+", help_text="Null for the system (the SLA sweep).")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "appeal_id", "created_at", "id"]
        indexes = [models.Index(fields=["tenant", "appeal", "created_at"], name="appealevent_appeal")]


def attachment_path(instance: AppealAttachment, filename: str) -> str:
    # Never the uploaded name: it may hold anything; the original name is kept in `name`.
    return f"appeals/{instance.tenant_id}/{instance.appeal_id}/{uuid.uuid4().hex}"


class AppealAttachment(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=255)
    name = models.CharField(max_length=255, help_text="The uploaded file's name.")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AppealChildQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "appeal_id", "created_at", "id"]
