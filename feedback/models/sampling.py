"""QA sampling: batches of interactions picked (seeded, reproducible) and assigned to inspectors."""

from __future__ import annotations

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from feedback.querysets import QAAssignmentBatchQuerySet, QAAssignmentQuerySet


class QAAssignmentBatch(TenantOwnedModel):
    """One run of the sampler: its parameters (incl. the seed, so it can be replayed) and what it picked."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    date_from = models.DateField(help_text="First day (tenant time zone), inclusive.")
    date_to = models.DateField(help_text="Day after the last one (tenant time zone), exclusive.")
    team_ids = ArrayField(models.BigIntegerField(), help_text="Teams whose interactions were sampled.")
    inspector_ids = ArrayField(models.BigIntegerField(), help_text="Users the picks were distributed over.")
    per_agent = models.PositiveIntegerField(null=True, blank=True, validators=[MinValueValidator(1)])
    percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    seed = models.BigIntegerField()
    candidates = models.PositiveIntegerField(default=0, help_text="Interactions eligible for sampling.")
    picked = models.PositiveIntegerField(default=0)
    unassigned = models.PositiveIntegerField(
        default=0, help_text="Picks no chosen inspector could take (all were the agent themselves)."
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = QAAssignmentBatchQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(per_agent__isnull=False, percent__isnull=True)
                | Q(per_agent__isnull=True, percent__isnull=False),
                name="qaassignmentbatch_k_or_percent",
            ),
            models.CheckConstraint(condition=Q(date_to__gt=models.F("date_from")),
                                   name="qaassignmentbatch_dates_ordered"),
        ]


class AssignmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    DONE = "done", _("Done (a review was submitted)")
    SKIPPED = "skipped", _("Skipped (with a reason)")


class QAAssignment(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    batch = models.ForeignKey(QAAssignmentBatch, on_delete=models.CASCADE, related_name="assignments")
    interaction = models.ForeignKey("performance.Interaction", on_delete=models.PROTECT, related_name="qa_assignments")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    inspector = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.PENDING)
    skip_reason = models.TextField(blank=True)
    review = models.ForeignKey("feedback.QAReview", on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="+")
    completed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = QAAssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "interaction"], condition=~Q(status="skipped"),
                                    name="qaassignment_one_active_per_interaction"),
            models.CheckConstraint(condition=~Q(status="skipped") | ~Q(skip_reason=""),
                                   name="qaassignment_skip_has_reason"),
        ]
        indexes = [
            models.Index(fields=["tenant", "inspector", "status"], name="qaassignment_tenant_inspector"),
            models.Index(fields=["tenant", "agent"], name="qaassignment_tenant_agent"),
            models.Index(fields=["tenant", "batch"], name="qaassignment_tenant_batch"),
        ]
