"""Calibration: several inspectors score the same interactions blind; the lead's reviews are the reference."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from feedback.querysets import CalibrationSessionQuerySet


class CalibrationStatus(models.TextChoices):
    OPEN = "open", _("Open (inspectors score blind)")
    CLOSED = "closed", _("Closed (answers and results visible)")


class CalibrationSession(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    rubric_version = models.ForeignKey("feedback.RubricVersion", on_delete=models.PROTECT, related_name="+")
    lead = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="+",
        help_text="The QA lead whose reviews are the reference.",
    )
    status = models.CharField(max_length=16, choices=CalibrationStatus.choices, default=CalibrationStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = CalibrationSessionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == CalibrationStatus.OPEN


class CalibrationItem(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="items")
    interaction = models.ForeignKey("performance.Interaction", on_delete=models.PROTECT, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["tenant_id", "session_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "session", "interaction"], name="calibrationitem_unique"),
        ]


class CalibrationParticipant(TenantOwnedModel):
    """An inspector asked to score the session's interactions (the lead is not listed here)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="participants")
    user = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["tenant_id", "session_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "session", "user"], name="calibrationparticipant_unique"),
        ]
        indexes = [models.Index(fields=["tenant", "user"], name="calibrationpart_tenant_user")]
