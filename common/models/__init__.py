"""The models of the common app: the tenant-scoped base, idempotency records, notifications and webhooks."""

from common.models.base import IdempotencyRecord, TenantOwnedModel, TenantScopedQuerySet
from common.models.notifications import Notification, NotificationPreference
from common.models.webhooks import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery

__all__ = [
    "DeliveryStatus",
    "IdempotencyRecord",
    "Notification",
    "NotificationPreference",
    "TenantOwnedModel",
    "TenantScopedQuerySet",
    "Webhook",
    "WebhookAttempt",
    "WebhookDelivery",
]
