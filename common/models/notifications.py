"""In-app notifications and each member's choice to get them by email too."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.models.base import TenantOwnedModel, TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor


class OwnRowsQuerySet(TenantScopedQuerySet):
    """Rows that belong to one user: everybody sees and changes only their own (integration keys nothing)."""

    owner_field = "recipient"

    def restrict(self, actor: Actor, action: str):
        if actor.user is None:
            return self.none()
        return self.filter(**{f"{self.owner_field}_id": actor.user.pk})


class Notification(TenantOwnedModel):
    """Something that happened that one member should know about.

    The message is stored as an English msgid with its parameters and rendered in the reader's language when it
    is read, so a notification written today reads in Chinese to a reader who switches tomorrow.
    """

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=64, help_text="An event type code such as period.computed.")
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    message = models.CharField(max_length=255, help_text="English msgid, rendered with gettext at read time.")
    params = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "recipient", "-created_at", "-id"], name="notification_inbox"),
            models.Index(fields=["tenant", "recipient"], condition=Q(read_at__isnull=True),
                         name="notification_unread"),
        ]

    def __str__(self) -> str:
        return f"{self.event} for {self.recipient_id}"

    def render(self) -> str:
        """The message in the active language; the untranslated msgid if a translation's placeholders are wrong."""
        try:
            return gettext(self.message) % self.params
        except (KeyError, TypeError, ValueError):
            return self.message % self.params


class PreferenceQuerySet(OwnRowsQuerySet):
    owner_field = "user"


class NotificationPreference(TenantOwnedModel):
    """A member's delivery choices in one tenant. No row means the defaults (in-app only)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    email_enabled = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PreferenceQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "user"], name="notification_preference_unique_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.tenant_id}: email {'on' if self.email_enabled else 'off'}"
