"""What-if for rewards: what given rule versions (stored or inline) would award on a period's current results,
with totals per rule and per team, written nowhere. The evaluation is the computation's own (awards.py)."""

from __future__ import annotations

from decimal import Decimal

from performance.models import KpiPeriod
from performance.services.rewards.awards import evaluate_period
from performance.services.rewards.evaluation import RuleResult, RuleSpec


def rewards_simulate(*, period: KpiPeriod, rules: list[RuleSpec]) -> list[RuleResult]:
    """Evaluate `rules` on the period's current revision (nothing is saved); [] when it has no results yet."""
    if period.current_revision_id is None:
        return []
    return evaluate_period(period=period, revision=period.current_revision, versions=rules)


def totals_per_team(results: list[RuleResult]) -> dict[int | None, Decimal]:
    totals: dict[int | None, Decimal] = {}
    for result in results:
        for award in result.awards:
            totals[award.team_id] = totals.get(award.team_id, Decimal(0)) + award.amount
    return totals
