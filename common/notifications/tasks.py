"""Celery entry points of notifications: they take ids and call a service."""

from __future__ import annotations

from smtplib import SMTPException

from celery import shared_task

from common.notifications.emails import notification_emails_send


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(SMTPException, OSError), max_retries=5,
             retry_backoff=30, retry_backoff_max=1800)
def send_notification_emails(notification_ids: list[int], tenant_id: int) -> int:
    """Email notifications to the members who opted in. Safe to deliver twice: each is claimed before sending."""
    return notification_emails_send(notification_ids=notification_ids, tenant_id=tenant_id)
