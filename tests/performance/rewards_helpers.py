"""Helpers for the reward tests: rule versions through the service, periods whose totals are set by hand
(the scheme scores `offered` with floor 0 and target 10, so each interaction is worth 10 points), and pure
evaluation inputs."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from common.actor import Actor
from performance.services.rewards import reward_rule_create, reward_rule_version_create
from performance.services.rewards.evaluation import AgentInput, RewardInputs
from performance.services.rewards.rules import rule_spec
from tests.factories import InteractionFactory
from tests.performance.conftest import compute_now, make_period, make_version


def admin(tenant, user=None) -> Actor:
    return Actor(tenant=tenant, role="admin", user=user)


def rule_version(tenant, name="Rule", *, effective_from=date(2026, 1, 1), **data):
    from performance.models import RewardRule

    actor = admin(tenant)
    rule = RewardRule.objects.filter(tenant=tenant, name=name).first() or reward_rule_create(actor=actor, name=name)
    version, warnings = reward_rule_version_create(actor=actor, rule=rule,
                                                   data={"effective_from": effective_from, **data})
    return version


def tiers(*bands, metric="total", amount_type="fixed", **extra) -> dict:
    """bands: (name, lower, lower_inclusive, upper, upper_inclusive, amount)."""
    return {"kind": "tiers", "amount_type": amount_type, "params": {"metric": metric, "tiers": [
        {"name": n, "lower": None if lo is None else Decimal(str(lo)), "lower_inclusive": li,
         "upper": None if up is None else Decimal(str(up)), "upper_inclusive": ui,
         "amount": None if amt is None else Decimal(str(amt)), "title": f"Tier {n}"}
        for n, lo, li, up, ui, amt in bands]}, **extra}


def give_totals(agents_totals: dict, *, start=date(2026, 10, 1)) -> None:
    """Interactions so that each agent's total is the given multiple of 10 (0–100)."""
    for agent, total in agents_totals.items():
        for i in range(total // 10):
            InteractionFactory(agent=agent, started_at=datetime(start.year, start.month, 2 + i % 20, 9, tzinfo=UTC))


def scored_period(tenant, agents_totals: dict, *, start=date(2026, 10, 1), end=date(2026, 11, 1), version=True):
    if version:
        make_version(tenant, name="Volume", kpis=[("offered", 1, 0, 10, 0)])
    give_totals(agents_totals, start=start)
    period = make_period(tenant, start=start, end=end)
    compute_now(period)
    return period


def agent(agent_id, total, *, team=1, code=None, handled=100, **extra) -> AgentInput:
    return AgentInput(agent_id=agent_id, team_id=team, employee_code=code or f"E{agent_id:03d}",
                      total=None if total is None else Decimal(str(total)), handled=handled, kpis={1: {}},
                      hired_on=extra.pop("hired_on", date(2020, 1, 1)), base_amount=extra.pop("base_amount", None),
                      **extra)


def inputs(*agents, currency="CNY", period_end=date(2026, 11, 1)) -> RewardInputs:
    return RewardInputs(period_end=period_end, currency=currency, agents={a.agent_id: a for a in agents})


def spec(data: dict, **kwargs):
    return rule_spec({"amount_type": "fixed", **data}, id=kwargs.pop("id", 1), **kwargs)
