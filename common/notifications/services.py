"""Writing notifications, marking them read, and members' email preference."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone

from common.actor import Actor
from common.audit import audit_record
from common.events import event_type
from common.models import Notification, NotificationPreference


def notify(*, tenant, recipients: Iterable[Any], event: str, obj=None, message: str,
           params: dict[str, Any] | None = None) -> list[Notification]:
    """Give each recipient (users or user ids) one notification about `obj`; two queries whatever their number.

    `message` is an English msgid marked with `gettext_noop` and `%(name)s` placeholders filled from `params`;
    it is translated when read. Recipients who turned email on also get it by email, sent by a Celery task
    after the surrounding transaction commits.
    """
    from common.notifications.tasks import send_notification_emails

    event_type(event)
    params = params or {}
    message % params  # a placeholder without a parameter fails here, not when someone reads it
    user_ids = list(dict.fromkeys(getattr(recipient, "pk", recipient) for recipient in recipients))
    if not user_ids:
        return []
    object_type, object_id = (obj._meta.model_name, str(obj.pk)) if obj is not None else ("", "")
    now = timezone.now()
    rows = Notification.objects.bulk_create([
        Notification(tenant=tenant, recipient_id=user_id, event=event, object_type=object_type, object_id=object_id,
                     message=message, params=params, created_at=now)
        for user_id in user_ids
    ])
    by_email = set(NotificationPreference.objects.filter(tenant=tenant, user_id__in=user_ids, email_enabled=True)
                   .values_list("user_id", flat=True))
    emailed = [row.pk for row in rows if row.recipient_id in by_email]
    if emailed:
        transaction.on_commit(partial(send_notification_emails.delay, notification_ids=emailed, tenant_id=tenant.pk))
    return rows


def notification_mark_read(*, actor: Actor, notification: Notification) -> Notification:
    """Mark one of the actor's notifications read; reading it again keeps the first time."""
    Notification.objects.for_actor(actor, "manage").filter(pk=notification.pk, read_at__isnull=True).update(
        read_at=timezone.now())
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notifications_mark_all_read(*, actor: Actor) -> int:
    """Mark all of the actor's unread notifications in this tenant read; returns how many there were."""
    return Notification.objects.for_actor(actor, "manage").filter(read_at__isnull=True).update(
        read_at=timezone.now())


@transaction.atomic
def notification_preference_update(*, actor: Actor, email_enabled: bool) -> NotificationPreference:
    preference, _ = NotificationPreference.objects.select_for_update().get_or_create(tenant=actor.tenant,
                                                                                      user=actor.user)
    before = {"email_enabled": preference.email_enabled}
    preference.email_enabled = email_enabled
    preference.save()
    audit_record(actor=actor, action="notification_preference.updated", obj=preference, before=before,
                 after={"email_enabled": email_enabled})
    return preference
