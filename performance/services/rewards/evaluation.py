"""Evaluating reward rules on a period's results, free of the database: who gets what, and why the others don't.

The inputs (performance/services/rewards/inputs.py) are the score rows already written by the computation (totals
with their adjustments, handled volume, KPI raw values from the breakdowns) plus a shift and a QA aggregate for
the gates; no interaction is read again. The same function serves the computation job and the simulation.

Rules, in order:
1. Scope: agents whose team (when computed) is one of the version's teams (none = all) and, when it names a scheme,
   who were scored by a version of that scheme. Unscored agents in scope get the outcome `unscored`.
2. Gates (all optional): min_handled, min_attendance (Σ worked / Σ scheduled shift minutes × 100 in the period;
   no scheduled shift = attendance unknown = the gate fails), no_auto_failed_qa (no published, current QA review
   of the period's interactions auto-failed), min_tenure_days (days from hired_on to the period's exclusive end;
   unknown hire date fails), excluded_agents. Every failed gate is listed with the required and actual numbers.
3. Kind: tiers (the band containing the total or one KPI's raw value; bounds inclusive or exclusive), rank (top N
   or top P% = ceil(P × eligible / 100) of the eligible agents by total, standard competition ranking: everyone
   tied at the cut-off is in), team (the best team by mean or median total of its scored members in scope, gates
   not applied to the statistic; tied best teams all win; per member: its eligible members, or one award for the
   team), improvement (largest gain of total against the previous period, among eligible agents with at least
   min_previous_handled contacts handled then; top N by gain, ties in, the gain must exceed min_gain).
4. Amount: fixed, or percent of the agent's base amount (none: no award, outcome `no_base_amount`), or none
   (title only); rounded half-up to the currency's minor unit.
5. Budget cap: awards are paid in rank order (tiers: total, highest first; rank: rank; team: team statistic then
   total; improvement: gain), then employee code; the award that reaches the cap gets the remainder, those after
   it get nothing (`budget_exhausted`; a title is still given).
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from performance.services.rewards.money import money_round
from performance.services.scoring.scorecard import competition_ranks

HUNDRED = Decimal(100)


@dataclass(frozen=True)
class Tier:
    name: str
    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    amount: Decimal | None
    title: str

    def contains(self, value: Decimal) -> bool:
        if self.lower is not None and (value < self.lower or (value == self.lower and not self.lower_inclusive)):
            return False
        return not (self.upper is not None
                    and (value > self.upper or (value == self.upper and not self.upper_inclusive)))

    def bounds(self) -> str:
        """E.g. "80 ≤ x < 90", "x ≥ 90", "x < 60"."""
        low = f"{self.lower} {'≤' if self.lower_inclusive else '<'} " if self.lower is not None else ""
        high = f" {'≤' if self.upper_inclusive else '<'} {self.upper}" if self.upper is not None else ""
        if self.upper is None and self.lower is not None:
            return f"x {'≥' if self.lower_inclusive else '>'} {self.lower}"
        return f"{low}x{high}"


@dataclass(frozen=True)
class Gates:
    min_handled: int | None = None
    min_attendance: Decimal | None = None
    no_auto_failed_qa: bool = False
    min_tenure_days: int | None = None
    excluded_agents: frozenset[int] = frozenset()

    @property
    def needs_attendance(self) -> bool:
        return self.min_attendance is not None

    @property
    def needs_qa(self) -> bool:
        return self.no_auto_failed_qa


@dataclass(frozen=True)
class RuleSpec:
    """A rule version as the evaluation uses it: saved (id set) or inline for a simulation (id None)."""

    id: int | None
    rule_id: int | None
    rule_name: str
    number: int | None
    kind: str
    scheme_id: int | None
    team_ids: frozenset[int]
    gates: Gates
    amount_type: str
    amount: Decimal | None
    title: str
    budget_cap: Decimal | None
    metric: str = "total"  # tiers
    tiers: tuple[Tier, ...] = ()
    top_n: int | None = None  # rank, improvement
    top_percent: Decimal | None = None  # rank
    statistic: str = "mean"  # team
    award_to: str = "member"  # team
    min_members: int = 1  # team
    min_previous_handled: int = 1  # improvement
    min_gain: Decimal = Decimal(0)  # improvement

    def in_scope(self, agent: AgentInput) -> bool:
        if self.team_ids and agent.team_id not in self.team_ids:
            return False
        return self.scheme_id is None or self.scheme_id in agent.kpis


@dataclass
class AgentInput:
    agent_id: int
    team_id: int | None
    employee_code: str
    total: Decimal | None  # with adjustments
    handled: int
    kpis: dict[int, dict[str, Decimal | None]]  # scheme id -> KPI code -> raw value
    hired_on: date | None
    base_amount: Decimal | None
    attendance: Decimal | None = None
    auto_failed_reviews: int = 0
    previous_total: Decimal | None = None
    previous_handled: int | None = None

    def kpi_value(self, code: str, scheme_id: int | None) -> Decimal | None:
        schemes = [scheme_id] if scheme_id is not None else sorted(self.kpis)
        for scheme in schemes:
            value = self.kpis.get(scheme, {}).get(code)
            if value is not None:
                return value
        return None


@dataclass
class RewardInputs:
    period_end: date
    currency: str
    agents: dict[int, AgentInput]
    previous_period: int | None = None


@dataclass
class AwardDraft:
    rule_version_id: int | None
    agent_id: int | None
    team_id: int | None
    amount: Decimal
    title: str
    explanation: dict
    position: int = 0


@dataclass
class OutcomeDraft:
    rule_version_id: int | None
    agent_id: int | None
    team_id: int | None
    code: str
    awarded: bool
    explanation: dict


@dataclass
class RuleResult:
    rule: RuleSpec
    awards: list[AwardDraft] = field(default_factory=list)
    outcomes: list[OutcomeDraft] = field(default_factory=list)

    @property
    def total_amount(self) -> Decimal:
        return sum((a.amount for a in self.awards), Decimal(0))


def _s(value) -> str | None:
    return None if value is None else str(value)


def _failed_gates(gates: Gates, agent: AgentInput, period_end: date) -> list[dict]:
    failed = []
    if gates.min_handled is not None and agent.handled < gates.min_handled:
        failed.append({"gate": "min_handled", "required": gates.min_handled, "actual": agent.handled})
    if gates.min_attendance is not None and (agent.attendance is None or agent.attendance < gates.min_attendance):
        failed.append({"gate": "min_attendance", "required": _s(gates.min_attendance),
                       "actual": _s(agent.attendance)})
    if gates.no_auto_failed_qa and agent.auto_failed_reviews:
        failed.append({"gate": "no_auto_failed_qa", "required": 0, "actual": agent.auto_failed_reviews})
    if gates.min_tenure_days is not None:
        tenure = (period_end - agent.hired_on).days if agent.hired_on else None
        if tenure is None or tenure < gates.min_tenure_days:
            failed.append({"gate": "min_tenure_days", "required": gates.min_tenure_days, "actual": tenure})
    if agent.agent_id in gates.excluded_agents:
        failed.append({"gate": "excluded_agents", "required": "not listed", "actual": "listed"})
    return failed


@dataclass
class _Candidate:
    agent: AgentInput | None
    team_id: int | None
    order: tuple
    amount_setting: Decimal | None
    title: str
    explanation: dict


def _base(rule: RuleSpec) -> dict:
    return {"rule": rule.rule_name, "rule_id": rule.rule_id, "version": rule.number, "kind": rule.kind}


def evaluate_rule(rule: RuleSpec, inputs: RewardInputs) -> RuleResult:
    """Awards and outcomes of one rule version; see the module docstring for the rules."""
    result = RuleResult(rule)
    scope = sorted((a for a in inputs.agents.values() if rule.in_scope(a)), key=lambda a: a.employee_code)
    eligible = []
    for agent in scope:
        if agent.total is None:
            _outcome(result, agent, "unscored", {})
            continue
        failed = _failed_gates(rule.gates, agent, inputs.period_end)
        if failed and not (rule.kind == "team" and rule.award_to == "team"):
            _outcome(result, agent, "gate_failed", {"total": _s(agent.total), "gates_failed": failed})
            continue
        eligible.append(agent)
    candidates = KIND_EVALUATORS[rule.kind](rule, scope, eligible, result)
    _pay(rule, inputs, candidates, result)
    return result


def _outcome(result: RuleResult, agent: AgentInput | None, code: str, numbers: dict, *, awarded: bool = False,
             team_id: int | None = None) -> None:
    result.outcomes.append(OutcomeDraft(
        result.rule.id, agent.agent_id if agent else None, agent.team_id if agent else team_id, code, awarded,
        {**_base(result.rule), **numbers}))


def _tiers(rule: RuleSpec, scope, eligible, result) -> list[_Candidate]:
    candidates = []
    ordered = sorted(rule.tiers, key=lambda t: (t.lower is None, t.lower or 0))
    for agent in eligible:
        value = agent.total if rule.metric == "total" else agent.kpi_value(rule.metric, rule.scheme_id)
        numbers = {"metric": rule.metric, "value": _s(value), "total": _s(agent.total)}
        if value is None:
            _outcome(result, agent, "no_value", numbers)
            continue
        tier = next((t for t in rule.tiers if t.contains(value)), None)
        if tier is None:
            above = [t for t in ordered if t.lower is not None and value <= t.lower]
            nearest = min(above, key=lambda t: t.lower - value) if above else None
            if nearest is not None:
                numbers["nearest_tier"] = {"tier": nearest.name, "bounds": nearest.bounds(),
                                           "gap": _s(nearest.lower - value)}
            _outcome(result, agent, "no_tier", numbers)
            continue
        candidates.append(_Candidate(agent, agent.team_id, (-agent.total, agent.employee_code), tier.amount,
                                     tier.title or rule.title, {**numbers, "tier": tier.name,
                                                                "bounds": tier.bounds()}))
    return candidates


def _top(rule: RuleSpec, count: int) -> int:
    if rule.top_n is not None:
        return rule.top_n
    return math.ceil(rule.top_percent * count / HUNDRED) if rule.top_percent is not None else 0


def _rank(rule: RuleSpec, scope, eligible, result) -> list[_Candidate]:
    ranks = competition_ranks({a.agent_id: a.total for a in eligible})
    cut_off = _top(rule, len(eligible))
    candidates = []
    for agent in eligible:
        rank = ranks[agent.agent_id][0]
        numbers = {"total": _s(agent.total), "rank": rank, "cut_off": cut_off, "eligible": len(eligible)}
        if rule.top_percent is not None:
            numbers["top_percent"] = _s(rule.top_percent)
        if rank > cut_off:
            _outcome(result, agent, "outside_cut_off", numbers)
            continue
        candidates.append(_Candidate(agent, agent.team_id, (rank, agent.employee_code), rule.amount, rule.title,
                                     numbers))
    return candidates


def _team_statistic(totals: list[Decimal], statistic: str) -> Decimal:
    value = statistics.median(totals) if statistic == "median" else sum(totals) / len(totals)
    return Decimal(value).quantize(Decimal("0.01"))


def _team(rule: RuleSpec, scope, eligible, result) -> list[_Candidate]:
    members: dict[int, list[AgentInput]] = {}
    for agent in scope:
        if agent.total is not None and agent.team_id is not None:
            members.setdefault(agent.team_id, []).append(agent)
    stats = {team: _team_statistic([a.total for a in agents], rule.statistic)
             for team, agents in members.items() if len(agents) >= rule.min_members}
    best = max(stats.values(), default=None)
    eligible_ids = {a.agent_id for a in eligible}
    candidates = []
    for team_id in sorted(members):
        numbers = {"statistic": rule.statistic, "team_value": _s(stats.get(team_id)), "best_value": _s(best),
                   "members": len(members[team_id]), "min_members": rule.min_members}
        won = team_id in stats and stats[team_id] == best
        if rule.award_to == "team":
            if won:
                candidates.append(_Candidate(None, team_id, (-best, str(team_id)), rule.amount, rule.title, numbers))
            else:
                _outcome(result, None, "team_not_best" if team_id in stats else "team_too_small", numbers,
                         team_id=team_id)
            continue
        for agent in members[team_id]:
            if agent.agent_id not in eligible_ids:
                continue  # its gate outcome is already recorded
            if won:
                candidates.append(_Candidate(agent, team_id, (-best, -agent.total, agent.employee_code), rule.amount,
                                             rule.title, {**numbers, "total": _s(agent.total)}))
            else:
                _outcome(result, agent, "team_not_best" if team_id in stats else "team_too_small",
                         {**numbers, "total": _s(agent.total)})
    return candidates


def _improvement(rule: RuleSpec, scope, eligible, result) -> list[_Candidate]:
    gains = {}
    for agent in eligible:
        numbers = {"total": _s(agent.total), "previous_total": _s(agent.previous_total),
                   "previous_handled": agent.previous_handled, "min_previous_handled": rule.min_previous_handled}
        if agent.previous_total is None or (agent.previous_handled or 0) < rule.min_previous_handled:
            _outcome(result, agent, "no_previous", numbers)
            continue
        gains[agent.agent_id] = (agent, agent.total - agent.previous_total, numbers)
    qualifying = {k: v for k, v in gains.items() if v[1] > rule.min_gain}
    ranks = competition_ranks({k: v[1] for k, v in qualifying.items()})
    cut_off = rule.top_n if rule.top_n is not None else 1
    candidates = []
    for agent_id, (agent, gain, numbers) in gains.items():
        numbers = {**numbers, "gain": _s(gain), "min_gain": _s(rule.min_gain), "cut_off": cut_off}
        rank = ranks.get(agent_id, (None,))[0]
        numbers["gain_rank"] = rank
        if rank is None:
            _outcome(result, agent, "gain_too_small", numbers)
        elif rank > cut_off:
            _outcome(result, agent, "outside_cut_off", numbers)
        else:
            candidates.append(_Candidate(agent, agent.team_id, (rank, agent.employee_code), rule.amount,
                                         rule.title, numbers))
    return candidates


KIND_EVALUATORS = {"tiers": _tiers, "rank": _rank, "team": _team, "improvement": _improvement}


def _amount(rule: RuleSpec, candidate: _Candidate, currency: str) -> tuple[Decimal | None, dict]:
    setting = candidate.amount_setting or Decimal(0)
    if rule.amount_type == "none":
        return Decimal(0), {"type": "none"}
    if rule.amount_type == "fixed":
        return money_round(setting, currency), {"type": "fixed", "amount": _s(setting)}
    base = candidate.agent.base_amount if candidate.agent else None
    if base is None:
        return None, {"type": "percent_of_base", "percent": _s(setting), "base": None}
    return money_round(base * setting / HUNDRED, currency), {"type": "percent_of_base", "percent": _s(setting),
                                                             "base": _s(base)}


def _pay(rule: RuleSpec, inputs: RewardInputs, candidates: list[_Candidate], result: RuleResult) -> None:
    remaining = rule.budget_cap
    for position, candidate in enumerate(sorted(candidates, key=lambda c: c.order), start=1):
        amount, how = _amount(rule, candidate, inputs.currency)
        numbers = {**candidate.explanation, "amount": how}
        if amount is None:
            _outcome(result, candidate.agent, "no_base_amount", numbers, team_id=candidate.team_id)
            continue
        if remaining is not None and rule.amount_type != "none":
            granted = min(amount, money_round(remaining, inputs.currency))
            numbers["budget"] = {"cap": _s(rule.budget_cap), "requested": _s(amount), "granted": _s(granted)}
            remaining -= granted
            amount = granted
            if amount <= 0 and not candidate.title:
                _outcome(result, candidate.agent, "budget_exhausted", numbers, team_id=candidate.team_id)
                continue
        numbers["awarded"] = str(amount)
        agent_id = candidate.agent.agent_id if candidate.agent else None
        result.awards.append(AwardDraft(rule.id, agent_id, candidate.team_id, amount, candidate.title, numbers,
                                        position))
        _outcome(result, candidate.agent, "awarded", numbers, awarded=True, team_id=candidate.team_id)


def evaluate_rules(rules: list[RuleSpec], inputs: RewardInputs) -> list[RuleResult]:
    return [evaluate_rule(rule, inputs) for rule in rules]
