"""The demo tenant's example webhook: inactive, pointing at an example URL, ready to be pointed elsewhere."""

from __future__ import annotations

from common.actor import Actor
from common.events import SUBSCRIBABLE
from common.models import Webhook
from common.webhooks.services import webhook_create

DEMO_URL = "https://example.com/jixiao-webhook"


def demo_webhook_seed(*, actor: Actor) -> Webhook:
    """Create it once; a later run finds it and changes nothing (its secret stays)."""
    existing = Webhook.objects.filter(tenant=actor.tenant, url=DEMO_URL).first()
    if existing is not None:
        return existing
    webhook, _ = webhook_create(actor=actor, url=DEMO_URL, events=SUBSCRIBABLE, is_active=False, resolve_url=False,
                                description="Example receiver: set your own URL, rotate the secret, turn it on.")
    return webhook
