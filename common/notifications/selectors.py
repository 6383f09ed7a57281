"""Reads for notifications: the unread count, the caller's preference, who the tenant's admins are."""

from __future__ import annotations

from common.actor import Actor
from common.models import Notification, NotificationPreference


def notification_unread_count(*, actor: Actor) -> int:
    return Notification.objects.for_actor(actor).filter(read_at__isnull=True).count()


def notification_preference_get(*, actor: Actor) -> NotificationPreference:
    """The caller's preference in this tenant, or the defaults (unsaved) when they never changed it."""
    preference = NotificationPreference.objects.for_actor(actor).first()
    return preference or NotificationPreference(tenant=actor.tenant, user=actor.user)


def tenant_admin_ids(*, tenant) -> list[int]:
    """Users with an active admin membership of the tenant: who hears about tenant-wide events."""
    from accounts.models import Membership, Role

    return list(Membership.objects.active().filter(tenant=tenant, role=Role.ADMIN).values_list("user_id", flat=True))
