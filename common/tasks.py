"""Celery entry points of the common app (found by autodiscovery), defined next to their services."""

from common.notifications.tasks import send_notification_emails
from common.webhooks.tasks import send_due_webhook_deliveries, send_webhook_delivery

__all__ = ["send_due_webhook_deliveries", "send_notification_emails", "send_webhook_delivery"]
