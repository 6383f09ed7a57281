"""Sending notifications by email, each in its recipient's language."""

from __future__ import annotations

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext

from common.locale import recipient_language
from common.models import Notification


def _message(notification: Notification) -> EmailMessage:
    tenant, user = notification.tenant, notification.recipient
    base = f"/api/v1/tenants/{tenant.slug}/notifications/"
    with translation.override(recipient_language(user, tenant)):
        text = notification.render()
        subject = gettext("[jixiao] %(tenant)s: %(message)s") % {"tenant": tenant.name, "message": text}
        body = gettext(
            "%(message)s\n\nYour notifications: %(inbox)s\n\nYou get these emails because you turned on email "
            "notifications in %(tenant)s. To turn them off, send PATCH %(preferences)s with "
            '{"email_enabled": false}.'
        ) % {"message": text, "inbox": base, "tenant": tenant.name, "preferences": f"{base}preferences/"}
    return EmailMessage(subject=subject[:200], body=body, to=[user.email])


def notification_emails_send(*, notification_ids: list[int], tenant_id: int) -> int:
    """Email the given notifications that were not emailed yet; returns how many were sent.

    Each is claimed (emailed_at set) before sending so a second delivery of the task sends nothing twice; when
    sending fails the claims are released and the error raised, for the task to retry.
    """
    with transaction.atomic():
        rows = list(Notification.objects.select_for_update(of=("self",), skip_locked=True)
                    .select_related("tenant", "recipient")
                    .filter(pk__in=notification_ids, tenant_id=tenant_id, emailed_at__isnull=True))
        claimed = [row.pk for row in rows]
        Notification.objects.filter(pk__in=claimed).update(emailed_at=timezone.now())
    if not rows:
        return 0
    try:
        return get_connection().send_messages([_message(row) for row in rows]) or 0
    except Exception:
        Notification.objects.filter(pk__in=claimed).update(emailed_at=None)
        raise
