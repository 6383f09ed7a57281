"""How one remote ticket becomes one interaction row (the table in README "Connectors", field by field).

| interaction field        | from the ticket                                                                   |
| ------------------------ | --------------------------------------------------------------------------------- |
| source / external_id     | "<kind>:<account>" / the ticket id                                                 |
| agent                    | the assignee, through the connection's agent mapping (unmapped: the ticket waits) |
| channel                  | `via` through the channel mapping, else DEFAULT_CHANNELS, else "ticket"           |
| scenario                 | first scenario mapping matching the type, group or a tag (by position), else none |
| started_at               | created_at                                                                        |
| answered                 | at least one agent reply, or resolved                                             |
| first_response_seconds   | the remote's first reply time (calendar seconds), else null                       |
| resolved                 | resolved_at is set (Zendesk: solved or closed now; Freshdesk: status 4/5)         |
| first_contact_resolved   | resolved, never reopened, and at most one agent reply                             |
| csat                     | satisfaction through the csat mapping (defaults: good → 5, bad → 1; Freshdesk     |
|                          | 103 → 5, 102/101 → 4, 100 → 3, -101/-102 → 2, -103 → 1), else null               |
| customer_ref             | the requester id                                                                  |
| metadata                 | status, via, tags, group, type, reopens, replies, resolution seconds, updated_at  |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from performance.connectors.remote import RemoteTicket

DEFAULT_CHANNELS = {
    # Zendesk via.channel
    "email": "email", "web": "ticket", "api": "ticket", "voice": "phone", "chat": "chat",
    "native_messaging": "chat", "sms": "sms", "facebook": "social", "twitter": "social", "instagram_dm": "social",
    "whatsapp": "chat", "mobile_sdk": "chat", "rule": "ticket", "side_conversation": "ticket",
    # Freshdesk source (performance/connectors/freshdesk.py SOURCES; "email" and "chat" as above)
    "portal": "ticket", "phone": "phone", "forum": "social", "mobihelp": "chat", "feedback_widget": "ticket",
    "outbound_email": "email", "ecommerce": "ticket", "bot": "chat",
}
# Zendesk good/bad; Freshdesk's classic survey scale (3, 5 or 7 points: 103 extremely happy … -103 extremely unhappy)
DEFAULT_CSAT = {"good": 5, "bad": 1,
                "103": 5, "102": 4, "101": 4, "100": 3, "-101": 2, "-102": 2, "-103": 1}
PG_INT_MAX = 2_147_483_647


@dataclass
class Mappings:
    """A connection's mappings, loaded once per run (three queries)."""

    agents: dict[str, str] = field(default_factory=dict)  # remote agent id -> employee code
    channels: dict[str, str] = field(default_factory=dict)
    scenarios: list[tuple[str, str, str]] = field(default_factory=list)  # (match, remote value, scenario code)
    csat: dict[str, int] = field(default_factory=dict)

    def channel(self, via: str) -> str:
        return self.channels.get(via) or DEFAULT_CHANNELS.get(via) or "ticket"

    def scenario(self, ticket: RemoteTicket) -> str | None:
        values = {"type": {ticket.ticket_type}, "group": {ticket.group_id}, "tag": set(ticket.tags)}
        for match, remote_value, code in self.scenarios:
            if remote_value in values[match]:
                return code
        return None

    def csat_of(self, satisfaction: str | None) -> int | None:
        if satisfaction is None:
            return None
        return ({**DEFAULT_CSAT, **self.csat}).get(satisfaction.lower())


def _bounded(seconds: int | None) -> int | None:
    return None if seconds is None else min(seconds, PG_INT_MAX)


def ticket_row(ticket: RemoteTicket, *, source: str, mappings: Mappings) -> dict[str, Any]:
    """The interaction row of `ticket` without its agent (the caller adds it); validated by ingestion."""
    resolved = ticket.resolved_at is not None
    return {
        "channel": mappings.channel(ticket.via),
        "scenario": mappings.scenario(ticket),
        "source": source,
        "external_id": ticket.external_id,
        "started_at": ticket.created_at.isoformat(),
        "answered": ticket.replies > 0 or resolved,
        "first_response_seconds": _bounded(ticket.first_response_seconds),
        "resolved": resolved,
        "first_contact_resolved": resolved and ticket.reopens == 0 and ticket.replies <= 1,
        "csat": mappings.csat_of(ticket.satisfaction),
        "customer_ref": (ticket.requester_id or "")[:128],
        "metadata": {
            "status": ticket.status, "via": ticket.via, "tags": list(ticket.tags), "group": ticket.group_id,
            "type": ticket.ticket_type, "reopens": ticket.reopens, "replies": ticket.replies,
            "full_resolution_seconds": ticket.full_resolution_seconds,
            "remote_updated_at": ticket.updated_at.isoformat(),
        },
    }
