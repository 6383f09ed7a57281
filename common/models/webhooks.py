"""Tenant webhooks: where to send which events, and the record of every delivery and attempt."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.models.base import TenantOwnedModel


class Webhook(TenantOwnedModel):
    """An HTTPS (or HTTP) endpoint of the tenant that receives signed event deliveries.

    The signing secret is stored encrypted (common.crypto) and shown to the admin only when it is made.
    """

    url = models.URLField(max_length=2000)
    events = ArrayField(models.CharField(max_length=64), help_text="Subscribed event type codes.")
    description = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    secret_encrypted = models.TextField()
    consecutive_failures = models.PositiveIntegerField(
        default=0, help_text="Deliveries in a row that failed after all their attempts; reset by a success.")
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=200, blank=True)  # an English msgid, shown translated
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class WebhookDelivery(TenantOwnedModel):
    """One event sent to one webhook, with as many attempts as it takes (up to WEBHOOK_MAX_ATTEMPTS)."""

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=64)
    payload = models.JSONField(encoder=DjangoJSONEncoder,
                               help_text="The envelope: id, event, created_at, tenant, data.")
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempt_count = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True,
                                        help_text="A sending attempt owns the delivery until then.")
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "webhook", "-created_at", "-id"], name="delivery_webhook_newest"),
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.event} -> {self.webhook_id} ({self.status})"


class WebhookAttempt(TenantOwnedModel):
    """One HTTP request of a delivery and what came of it."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempts")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.TextField(blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["delivery_id", "number"]
        constraints = [models.UniqueConstraint(fields=["delivery", "number"], name="attempt_unique_number")]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}: {self.status_code or self.error}"

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300
