"""Sending a webhook delivery: one signed POST per attempt, retried with exponential backoff, then given up.

Idempotent, because Celery delivers with `acks_late` at least once: an attempt first claims the delivery with a
conditional update (pending and due, or sending with an expired lease), so a duplicate message finds nothing to
do. A delivery that failed all its attempts counts against its webhook; after WEBHOOK_DISABLE_AFTER_FAILURES
such deliveries in a row the webhook is disabled and the tenant's admins are notified.
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import httpx
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from common import crypto, rls
from common.audit import audit_record
from common.models import DeliveryStatus, Webhook, WebhookAttempt, WebhookDelivery
from common.notifications.selectors import tenant_admin_ids
from common.notifications.services import notify
from common.webhooks.signing import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, sign
from common.webhooks.urls import UnsafeURL, check_webhook_url

DISABLED_MESSAGE = gettext_noop("The webhook %(url)s was disabled after %(failures)s deliveries in a row failed. "
                                "Fix the receiver, then turn the webhook on again.")
# Stored in English (attempt errors, the disabled reason) and shown in the reader's language.
DISABLED_REASON = gettext_noop("Turned off after too many deliveries in a row failed.")
NOT_SENT_INACTIVE = gettext_noop("Not sent: the webhook was turned off.")
NOT_SENT_SECRET = gettext_noop("Not sent: the signing secret could not be decrypted (was FIELD_ENCRYPTION_KEY "
                               "changed?).")
RECEIVER_ANSWERED = gettext_noop("The receiver answered HTTP %(status)s.")
SWEEP_LIMIT = 500


def retry_delay(attempt: int) -> float:
    """Seconds to wait after failed attempt number `attempt` (1, 2, ...): base * 2**(attempt - 1), capped."""
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempt - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


def _lease_seconds() -> float:
    return settings.WEBHOOK_TIMEOUT_SECONDS * 4 + 30


def _claim(delivery_id: int, tenant_id: int) -> WebhookDelivery | None:
    now = timezone.now()
    due = Q(status=DeliveryStatus.PENDING, next_attempt_at__lte=now) | Q(status=DeliveryStatus.SENDING,
                                                                          locked_until__lt=now)
    claimed = WebhookDelivery.objects.filter(due, pk=delivery_id, tenant_id=tenant_id).update(
        status=DeliveryStatus.SENDING, locked_until=now + timedelta(seconds=_lease_seconds()),
        attempt_count=F("attempt_count") + 1)
    if not claimed:
        return None
    return WebhookDelivery.objects.select_related("webhook").get(pk=delivery_id)


def _post(webhook: Webhook, delivery: WebhookDelivery) -> tuple[int | None, str]:
    """POST the envelope, signed; (status code, error). Redirects are not followed: a 3xx is a failure."""
    body = json.dumps(delivery.payload, separators=(",", ":"), ensure_ascii=False).encode()
    try:
        check_webhook_url(webhook.url)
        headers = {"Content-Type": "application/json", "User-Agent": "jixiao-webhooks/1",
                   SIGNATURE_HEADER: sign(secret=crypto.decrypt(webhook.secret_encrypted), body=body),
                   EVENT_HEADER: delivery.event, DELIVERY_HEADER: str(delivery.pk)}
        with httpx.Client(timeout=settings.WEBHOOK_TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            # Streamed and never read: the receiver's answer body is not needed and may be large.
            with client.stream("POST", webhook.url, content=body, headers=headers) as response:
                status = response.status_code
    except UnsafeURL as exc:
        return None, f"Not sent: {exc}"
    except crypto.InvalidToken:
        return None, NOT_SENT_SECRET
    except httpx.HTTPError as exc:
        return None, f"{type(exc).__name__}: {exc}"[:1000]
    return status, "" if 200 <= status < 300 else RECEIVER_ANSWERED % {"status": status}


def webhook_delivery_attempt(*, delivery_id: int, tenant_id: int) -> float | None:
    """Make the delivery's next attempt if it is due; the seconds until the next attempt, or None when there is
    nothing more to do (it succeeded, failed for good, or is not due or claimed by another run)."""
    delivery = _claim(delivery_id, tenant_id)
    if delivery is None:
        return None
    webhook = delivery.webhook
    if not webhook.is_active:
        _record(delivery, status_code=None, error=NOT_SENT_INACTIVE, duration_ms=0)
        _finish(delivery, DeliveryStatus.FAILED)
        return None
    started = time.perf_counter()
    status_code, error = _post(webhook, delivery)
    _record(delivery, status_code=status_code, error=error, duration_ms=round((time.perf_counter() - started) * 1000))
    if not error:
        _finish(delivery, DeliveryStatus.SUCCEEDED)
        Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        return None
    if delivery.attempt_count < settings.WEBHOOK_MAX_ATTEMPTS:
        delay = retry_delay(delivery.attempt_count)
        WebhookDelivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.PENDING, locked_until=None, next_attempt_at=timezone.now() + timedelta(seconds=delay))
        return delay
    _finish(delivery, DeliveryStatus.FAILED)
    _count_failure(webhook)
    return None


def _record(delivery: WebhookDelivery, *, status_code: int | None, error: str, duration_ms: int) -> None:
    WebhookAttempt.objects.create(tenant_id=delivery.tenant_id, delivery=delivery, number=delivery.attempt_count,
                                  status_code=status_code, error=error, duration_ms=duration_ms)


def _finish(delivery: WebhookDelivery, status: str) -> None:
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status=status, locked_until=None,
                                                          completed_at=timezone.now())


@transaction.atomic
def _count_failure(webhook: Webhook) -> None:
    webhook = Webhook.objects.select_for_update().select_related("tenant").get(pk=webhook.pk)
    webhook.consecutive_failures += 1
    fields = ["consecutive_failures"]
    if webhook.is_active and webhook.consecutive_failures >= settings.WEBHOOK_DISABLE_AFTER_FAILURES:
        webhook.is_active, webhook.disabled_at = False, timezone.now()
        webhook.disabled_reason = DISABLED_REASON
        fields += ["is_active", "disabled_at", "disabled_reason"]
        audit_record(actor=None, tenant=webhook.tenant, action="webhook.disabled", obj=webhook,
                     after={"consecutive_failures": webhook.consecutive_failures})
        notify(tenant=webhook.tenant, recipients=tenant_admin_ids(tenant=webhook.tenant), event="webhook.disabled",
               obj=webhook, message=DISABLED_MESSAGE,
               params={"url": webhook.url, "failures": webhook.consecutive_failures})
    webhook.save(update_fields=fields + ["updated_at"])


def webhook_deliveries_due(*, now=None) -> list[tuple[int, int]]:
    """(delivery id, tenant id) of deliveries whose next attempt is overdue (its message was lost or its run
    died), for the periodic sweep to send again; a minute's grace so scheduled retries go first."""
    now = now or timezone.now()
    late = Q(status=DeliveryStatus.PENDING, next_attempt_at__lt=now - timedelta(minutes=1)) | Q(
        status=DeliveryStatus.SENDING, locked_until__lt=now)
    with rls.all_tenants():  # the sweep's list crosses tenants; each delivery is then sent in its tenant's scope
        return list(WebhookDelivery.objects.filter(late).order_by("next_attempt_at")
                    .values_list("pk", "tenant_id")[:SWEEP_LIMIT])
