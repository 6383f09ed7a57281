"""Webhook writes: create, change, rotate the secret, delete; and emitting an event to the subscribed webhooks."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from common import crypto
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from common.events import SUBSCRIBABLE, event_type
from common.models import Webhook, WebhookDelivery
from common.webhooks.urls import UnsafeURL, check_webhook_url

FIELDS = ["url", "events", "description", "is_active"]
SECRET_PREFIX = "whsec_"


def _new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _checked_url(url: str, *, resolve: bool = True) -> str:
    try:
        check_webhook_url(url, resolve=resolve)
    except UnsafeURL as exc:
        raise ValidationError({"url": [str(exc)]}) from None
    return url


def _checked_events(events: Sequence[str]) -> list[str]:
    unknown = sorted(set(events) - set(SUBSCRIBABLE))
    if unknown or not events:
        raise ValidationError({"events": [_("Subscribe to at least one of: %(known)s.") % {
            "known": ", ".join(SUBSCRIBABLE)}]})
    return sorted(set(events))


@transaction.atomic
def webhook_create(*, actor: Actor, url: str, events: Sequence[str], description: str = "",
                   is_active: bool = True, resolve_url: bool = True) -> tuple[Webhook, str]:
    """A new webhook and its signing secret in plain text (stored encrypted; the caller shows it once).

    `resolve_url=False` skips the DNS part of the URL check (the demo seed, offline); every attempt checks it."""
    secret = _new_secret()
    webhook = Webhook.objects.create(tenant=actor.tenant, url=_checked_url(url, resolve=resolve_url),
                                     events=_checked_events(events),
                                     description=description, is_active=is_active,
                                     secret_encrypted=crypto.encrypt(secret), created_by=actor.user)
    audit_record(actor=actor, action="webhook.created", obj=webhook, after=snapshot(webhook, FIELDS))
    return webhook, secret


@transaction.atomic
def webhook_update(*, actor: Actor, webhook: Webhook, **changes: Any) -> Webhook:
    """Change the given fields. Turning a webhook (back) on clears its failure count and disabled state."""
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    before = snapshot(webhook, FIELDS)
    if "url" in changes:
        changes["url"] = _checked_url(changes["url"])
    if "events" in changes:
        changes["events"] = _checked_events(changes["events"])
    if changes.get("is_active") and not webhook.is_active:
        webhook.consecutive_failures, webhook.disabled_at, webhook.disabled_reason = 0, None, ""
    for name, value in changes.items():
        setattr(webhook, name, value)
    webhook.save()
    audit_record(actor=actor, action="webhook.updated", obj=webhook, before=before, after=snapshot(webhook, FIELDS))
    return webhook


@transaction.atomic
def webhook_rotate_secret(*, actor: Actor, webhook: Webhook) -> tuple[Webhook, str]:
    """Replace the signing secret at once; deliveries from now on are signed with the new one."""
    secret = _new_secret()
    webhook.secret_encrypted = crypto.encrypt(secret)
    webhook.save(update_fields=["secret_encrypted", "updated_at"])
    audit_record(actor=actor, action="webhook.secret_rotated", obj=webhook)
    return webhook, secret


@transaction.atomic
def webhook_delete(*, actor: Actor, webhook: Webhook) -> None:
    audit_record(actor=actor, action="webhook.deleted", obj=webhook, before=snapshot(webhook, FIELDS))
    webhook.delete()


def _envelope(*, tenant, event: str, data: dict[str, Any]) -> dict[str, Any]:
    return {"id": str(uuid.uuid4()), "event": event, "created_at": timezone.now().isoformat(),
            "tenant": tenant.slug, "data": data}


def _enqueue(deliveries: list[WebhookDelivery]) -> None:
    from common.webhooks.tasks import send_webhook_delivery

    for delivery in deliveries:
        transaction.on_commit(partial(send_webhook_delivery.delay, delivery_id=delivery.pk,
                                      tenant_id=delivery.tenant_id))


def webhook_emit(*, tenant, event: str, payload: dict[str, Any]) -> list[WebhookDelivery]:
    """Queue `event` for every active webhook of the tenant subscribed to it; sent after the transaction commits.

    One envelope {id, event, created_at, tenant, data: payload} for all of them (its id lets receivers drop
    duplicates). Two queries, whatever the number of webhooks; nothing is sent inside the caller's transaction.
    """
    event_type(event)
    webhooks = list(Webhook.objects.filter(tenant=tenant, is_active=True, events__contains=[event])
                    .values_list("pk", flat=True))
    if not webhooks:
        return []
    envelope = _envelope(tenant=tenant, event=event, data=payload)
    deliveries = WebhookDelivery.objects.bulk_create([
        WebhookDelivery(tenant=tenant, webhook_id=webhook_id, event=event, payload=envelope)
        for webhook_id in webhooks
    ])
    _enqueue(deliveries)
    return deliveries


@transaction.atomic
def webhook_send_test(*, actor: Actor, webhook: Webhook) -> WebhookDelivery:
    """Queue a `webhook.test` delivery to this webhook, subscribed or not. Refused (409) when it is inactive."""
    if not webhook.is_active:
        raise Conflict(_("The webhook is inactive; activate it before sending a test."), code="webhook_inactive")
    data = {"message": "This is a test delivery from jixiao.", "webhook": webhook.pk}
    envelope = _envelope(tenant=actor.tenant, event="webhook.test", data=data)
    delivery = WebhookDelivery.objects.create(tenant=actor.tenant, webhook=webhook, event="webhook.test",
                                              payload=envelope)
    audit_record(actor=actor, action="webhook.test_sent", obj=webhook, after={"delivery": delivery.pk})
    _enqueue([delivery])
    return delivery
