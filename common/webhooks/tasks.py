"""Celery entry points of webhooks: they take ids and call a service."""

from __future__ import annotations

from celery import shared_task

from common.webhooks.delivery import webhook_deliveries_due, webhook_delivery_attempt


@shared_task(acks_late=True, ignore_result=True)
def send_webhook_delivery(delivery_id: int, tenant_id: int) -> None:
    """Make the delivery's next attempt; schedule the one after when it failed and attempts are left.

    Safe to deliver twice: the attempt claims the delivery first (see common.webhooks.delivery)."""
    delay = webhook_delivery_attempt(delivery_id=delivery_id, tenant_id=tenant_id)
    if delay is not None:
        send_webhook_delivery.apply_async(kwargs={"delivery_id": delivery_id, "tenant_id": tenant_id},
                                          countdown=delay)


@shared_task(ignore_result=True)
def send_due_webhook_deliveries() -> int:
    """Periodic (Celery beat): send again the deliveries whose scheduled attempt never ran."""
    due = webhook_deliveries_due()
    for delivery_id, tenant_id in due:
        send_webhook_delivery.delay(delivery_id=delivery_id, tenant_id=tenant_id)
    return len(due)
