"""Reads of the rewards feature that are more than a filter: the leaderboard.

A leaderboard ranks the scored agents of a period's current revision, tenant-wide or within one team, by total
with adjustments, in SQL (RANK(): standard competition ranking, so ties are ties), next to the same ranking of the
previous period of the same kind (movement = previous rank − rank). Who sees which rows:
- admins and QA leads: every row; supervisors: rows of agents in teams granted to them (ranks stay those of the
  whole population);
- agents, per the tenant's `leaderboard_visibility`: `names` — every row; `own_position` — their own row and up to
  two neighbours on each side, anonymized (no agent).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F, Window
from django.db.models.functions import Rank

from accounts.models import LeaderboardVisibility
from accounts.querysets import granted_teams
from common.actor import Actor
from performance.models import AgentPeriodScore, Award, KpiPeriod
from performance.services.rewards.inputs import adjusted_total, previous_period

NEIGHBOURS = 2


@dataclass
class LeaderboardRow:
    rank: int
    agent: dict | None
    agent_id: int
    team: int | None
    total: Decimal
    tiers: list[str]
    titles: list[str]
    previous_rank: int | None
    movement: int | None
    is_self: bool


def _ranked(period: KpiPeriod, team_id: int | None) -> list[dict]:
    if period.current_revision_id is None:
        return []
    rows = AgentPeriodScore.objects.filter(revision_id=period.current_revision_id, total__isnull=False)
    if team_id is not None:
        rows = rows.filter(team_id=team_id)
    rows = rows.annotate(effective=adjusted_total()).annotate(
        place=Window(Rank(), order_by=F("effective").desc()))
    return list(rows.order_by("place", "agent__employee_code").values(
        "agent_id", "team_id", "effective", "place", "agent__employee_code", "agent__display_name"))


def _visible(actor: Actor, rows: list[dict]) -> list[dict]:
    if actor.role in ("admin", "qa_lead"):
        return rows
    if actor.role == "supervisor":
        teams = set(granted_teams(actor, "view").values_list("pk", flat=True))
        return [row for row in rows if row["team_id"] in teams]
    if actor.tenant.leaderboard_visibility == LeaderboardVisibility.NAMES:
        return rows
    own = next((i for i, row in enumerate(rows) if row["agent_id"] == actor.agent_id), None)
    if own is None:
        return []
    return rows[max(0, own - NEIGHBOURS):own + NEIGHBOURS + 1]


def leaderboard(*, period: KpiPeriod, fetched_by: Actor, team_id: int | None = None) -> list[LeaderboardRow]:
    """The rows the actor may see, in rank order; see the module docstring. Four queries whatever the size."""
    rows = _visible(fetched_by, _ranked(period, team_id))
    before = previous_period(period)
    previous = {row["agent_id"]: row["place"] for row in _ranked(before, team_id)} if before else {}
    awards: dict[int, tuple[list[str], list[str]]] = {}
    for agent_id, title, tier in Award.objects.filter(
            period=period, agent_id__in=[row["agent_id"] for row in rows]).exclude(status="rejected").order_by(
            "rule_version_id", "id").values_list("agent_id", "title", "explanation__tier"):
        tiers, titles = awards.setdefault(agent_id, ([], []))
        if tier and tier not in tiers:
            tiers.append(tier)
        if title and title not in titles:
            titles.append(title)
    anonymize = (fetched_by.role == "agent"
                 and fetched_by.tenant.leaderboard_visibility == LeaderboardVisibility.OWN_POSITION)
    out = []
    for row in rows:
        is_self = row["agent_id"] == fetched_by.agent_id
        hidden = anonymize and not is_self
        tiers, titles = awards.get(row["agent_id"], ([], []))
        was = previous.get(row["agent_id"])
        out.append(LeaderboardRow(
            rank=row["place"], agent_id=row["agent_id"], team=None if hidden else row["team_id"],
            agent=None if hidden else {"id": row["agent_id"], "employee_code": row["agent__employee_code"],
                                       "display_name": row["agent__display_name"]},
            total=row["effective"], tiers=tiers, titles=[] if hidden else titles, previous_rank=was,
            movement=None if was is None else was - row["place"], is_self=is_self))
    return out
