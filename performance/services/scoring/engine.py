"""From a period and scheme versions to per-agent results: gather the inputs in SQL, then score them in one pass.

Which version scores whom: every version in effect at the period's start whose teams include the agent's current
team (no teams = every agent); a scenario-scoped version only counts that scenario's interactions. Active agents
matched by no version are listed as unscored; inactive agents appear only where they have interactions.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from django.db import connection, transaction

from performance.models import KpiPeriod
from performance.selectors import (
    RosterAgent,
    VersionSpec,
    agent_roster,
    interaction_aggregates_by_scope,
    period_bounds,
    qa_aggregates,
    shift_aggregates,
)
from performance.services.scoring.scorecard import (
    INSUFFICIENT_DATA,
    NO_SCHEME,
    OverallResult,
    overall_total,
    rank_in_place,
    version_scorer,
)


@dataclass
class PeriodInputs:
    versions: list[VersionSpec]
    roster: dict[int, RosterAgent]
    populations: dict[int | None, dict[int, dict]]  # version id -> agent id -> KPI inputs


def gather_inputs(*, period: KpiPeriod, versions: list[VersionSpec]) -> PeriodInputs:
    """One interaction aggregate for every version (grouped by scenario scope), one shift aggregate, QA inputs per
    scenario scope, one tenant KPI aggregate, one 360 assessment aggregate.

    A team-scoped version needs no aggregate of its own: an agent's interactions are all in or all out of it by the
    agent's current team, which is what `applies_to` decides for its members (the roster's team).

    The statements run in one transaction with JIT compilation off (SET LOCAL): PostgreSQL decides to compile from a
    statement's estimated cost, not its size, and compiling costs these aggregates more than it saves. The QA
    probes' estimate (a random page per review) crosses jit_optimize_above_cost from ~60,000 reviews in the period,
    and the interaction aggregate's from a few million interactions; compiled, the bench's take 0.42 s instead of
    0.17 s and 0.48-0.56 s instead of 0.24-0.28 s (thresholds lowered to reach it)."""
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")
        return _gather(period, versions)


def _gather(period: KpiPeriod, versions: list[VersionSpec]) -> PeriodInputs:
    tenant_id = period.tenant_id
    start, end = period_bounds(period)
    roster = agent_roster(tenant_id=tenant_id)
    shifts = {}
    if any(v.needs_shifts for v in versions):
        shifts = shift_aggregates(tenant_id=tenant_id, start=period.start, end=period.end)
    tenant_kpis = _tenant_kpi_aggregates(period, versions)
    assessments = _assessment_aggregates(period, versions)
    by_scope = interaction_aggregates_by_scope(
        tenant_id=tenant_id, start=start, end=end, scopes={v.scenario_id for v in versions},
        fields=frozenset().union(*(v.interaction_fields for v in versions)))
    qa_by_scenario: dict[int | None, dict] = {}
    populations = {}
    for version in versions:
        interactions = by_scope[version.scenario_id]
        wanted = version.interaction_fields | {"offered", "handled"}  # a version's inputs are only its own fields
        qa = {}
        if version.needs_qa:
            if version.scenario_id not in qa_by_scenario:
                qa_by_scenario[version.scenario_id] = qa_aggregates(tenant_id=tenant_id, start=start, end=end,
                                                                    scenario_id=version.scenario_id)
            qa = qa_by_scenario[version.scenario_id]
        members = {}
        for agent in roster.values():
            data = interactions.get(agent.id)
            if not version.applies_to(agent.team_id) or (data is None and not agent.is_active):
                continue
            if data is not None and len(data) > len(wanted):
                data = {name: data[name] for name in wanted}
            members[agent.id] = {**(data or {}), **shifts.get(agent.id, {}), **qa.get(agent.id, {}),
                                 **tenant_kpis.get(agent.id, {}), **assessments.get(agent.id, {})}
        populations[version.id] = members
    return PeriodInputs(versions, roster, populations)


def _tenant_kpi_aggregates(period: KpiPeriod, versions: list[VersionSpec]) -> dict[int, dict]:
    """One aggregate over the values of every tenant-defined KPI the versions use (performance/services/tenant_kpis)."""
    from performance.services.tenant_kpis.aggregates import tenant_kpi_aggregates

    codes = frozenset().union(*(v.tenant_kpi_codes for v in versions))
    return tenant_kpi_aggregates(tenant_id=period.tenant_id, start=period.start, end=period.end, codes=codes)


def _assessment_aggregates(period: KpiPeriod, versions: list[VersionSpec]) -> dict[int, dict]:
    """The 360 assessment KPIs of the period's campaigns (feedback/assessment_selectors.py), one query, only when a
    version uses them."""
    if not any(v.needs_assessments for v in versions):
        return {}
    from feedback.assessment_selectors import assessment_kpi_inputs

    return assessment_kpi_inputs(period=period)


def score_period(inputs: PeriodInputs) -> dict[int, OverallResult]:
    """Per agent id: the overall result with one scheme result per applicable version, all ranked."""
    overall: dict[int, OverallResult] = {}
    for version in inputs.versions:
        score = version_scorer(version)
        results = {agent_id: score(data) for agent_id, data in inputs.populations[version.id].items()}
        rank_in_place(results)
        for agent_id, result in results.items():
            entry = overall.setdefault(agent_id, OverallResult(agent_id, inputs.roster[agent_id].team_id))
            entry.schemes[version.id] = result
    for agent in inputs.roster.values():
        if agent.is_active and agent.id not in overall:
            overall[agent.id] = OverallResult(agent.id, agent.team_id, unscored_reason=NO_SCHEME)
    for entry in overall.values():
        if entry.schemes:
            results = list(entry.schemes.values())
            entry.total = overall_total(results)
            entry.handled = sum(r.handled for r in results)
            entry.unscored_reason = "" if entry.total is not None else INSUFFICIENT_DATA
    rank_in_place(overall)
    return overall


def input_fingerprint(inputs: PeriodInputs, results: dict[int, OverallResult]) -> str:
    """SHA-256 over the versions used (ids and content), who was listed in which team, and every raw input."""
    digest = hashlib.sha256(json.dumps([v.content() for v in inputs.versions], sort_keys=True).encode())
    for agent_id in sorted(results):
        digest.update(f"a{agent_id}:{inputs.roster[agent_id].team_id};".encode())
    for version in inputs.versions:
        members = inputs.populations[version.id]
        digest.update(f"v{version.id};".encode())
        for agent_id in sorted(members):
            data = members[agent_id]
            digest.update(f"{agent_id}:{','.join(f'{k}={data[k]}' for k in sorted(data))};".encode())
    return digest.hexdigest()
