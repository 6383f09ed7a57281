"""What-if: the scores one scheme version would give in a period, computed on the real data and never saved."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from common.actor import Actor
from performance.models import KpiPeriod
from performance.selectors import VersionSpec
from performance.services.scoring.engine import gather_inputs
from performance.services.scoring.scorecard import SchemeResult, competition_ranks, rank_in_place, version_scorer


@dataclass
class SimulatedScore:
    agent_id: int
    team_id: int | None
    result: SchemeResult
    current_total: Decimal | None
    current_rank: int | None

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive) or lost (negative) against the current totals; None if either is missing."""
        if self.result.rank is None or self.current_rank is None:
            return None
        return self.current_rank - self.result.rank


def period_simulate(*, actor: Actor, period: KpiPeriod, version: VersionSpec) -> list[SimulatedScore]:
    """Score the version's population in the period, next to their current overall totals.

    `current_rank` ranks the current totals (latest revision) within this same population, so rank changes
    compare two formulas over the same agents. Nothing is written.
    """
    inputs = gather_inputs(period=period, versions=[version])
    members = inputs.populations[version.id]
    score = version_scorer(version)
    results = {agent_id: score(data) for agent_id, data in members.items()}
    rank_in_place(results)
    current: dict[int, Decimal | None] = {}
    if period.current_revision_id is not None:
        current = dict(period.current_revision.scores.filter(agent_id__in=list(results)).values_list(
            "agent_id", "total"))
    current_ranks = competition_ranks({a: t for a, t in current.items() if t is not None})
    return [
        SimulatedScore(agent_id, inputs.roster[agent_id].team_id, result, current.get(agent_id),
                       current_ranks.get(agent_id, (None, None))[0])
        for agent_id, result in sorted(results.items(),
                                       key=lambda item: (item[1].rank is None, item[1].rank or 0, item[0]))
    ]
