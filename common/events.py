"""The one registry of event types: what can happen in a tenant that members are notified of or webhooks receive.

A feature that emits a new event adds it here, with a description for the API's users (listed at
`GET /tenants/{t}/webhooks/event-types/`). `subscribable` events can be chosen by webhooks; the others are only
in-app notifications or, for `webhook.test`, sent to one webhook on request.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class EventType:
    code: str
    description: str | Promise
    subscribable: bool = True


EVENT_TYPES: dict[str, EventType] = {
    event.code: event
    for event in [
        EventType("period.computed", _("A computation job finished: the period's scores (and ranks) are ready. "
                                       "Also sent when a recomputation found nothing changed.")),
        EventType("qa_review.published", _("A QA review was published: the agent can read it and the appeal "
                                           "window starts.")),
        EventType("webhook.test", _("A test delivery asked for by an admin."), subscribable=False),
        EventType("webhook.disabled", _("A webhook kept failing and was disabled (in-app notification to the "
                                        "tenant's admins)."), subscribable=False),
    ]
}

SUBSCRIBABLE = sorted(code for code, event in EVENT_TYPES.items() if event.subscribable)


def event_type(code: str) -> EventType:
    """The registered event type; a KeyError names the code, since emitting an unknown event is a bug."""
    try:
        return EVENT_TYPES[code]
    except KeyError:
        raise KeyError(f"Unknown event type {code!r}: register it in common/events.py.") from None
