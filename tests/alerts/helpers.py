"""Alert rules and interactions for the alert tests."""

from __future__ import annotations

from decimal import Decimal

from common.actor import Actor
from performance.services.alerts import alert_rule_create
from tests.factories import InteractionFactory


def admin(cast) -> Actor:
    return Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])


def rule(cast, name: str = "Slow handling", **fields):
    """An AHT rule (> 300 s over the last hour, tenant-wide, at least 2 samples) unless fields say otherwise."""
    data = {"kpi": "aht", "comparison": "gt", "threshold": Decimal(300), "window": "hours", "window_size": 1,
            "min_sample": 2, "cooldown_minutes": 30, "recipient_roles": ["admin"], **fields}
    return alert_rule_create(actor=admin(cast), name=name, **data)


def contacts(agent, when, n: int = 1, handle: int = 400, **fields):
    """n answered contacts of `handle` seconds (talk only) started at `when`."""
    return [InteractionFactory(agent=agent, started_at=when, talk_seconds=handle, hold_seconds=0, acw_seconds=0,
                               **fields) for _ in range(n)]
