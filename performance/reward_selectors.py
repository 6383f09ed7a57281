"""Reads of the rewards feature that are more than a filter: the leaderboard.

A leaderboard ranks the scored agents of a period's current revision, tenant-wide or within one team, by total
with adjustments, in SQL (RANK(): standard competition ranking, so ties are ties), next to the same ranking of the
previous period of the same kind (movement = previous rank − rank). Who sees which rows:
- admins and QA leads: every row; supervisors: rows of agents in teams granted to them (ranks stay those of the
  whole population);
- agents, per the tenant's `leaderboard_visibility`: `names` — every row; `own_position` — their own row and up to
  two neighbours on each side, anonymized (no agent).

Ranking, visibility, order and the page's LIMIT/OFFSET all happen in one SQL statement, so a request costs one
count and one page query whatever the size of the period; only the page's rows reach Python, with their previous
rank and their awards. Raw SQL because the visibility filters apply after the ranking (the ORM puts a filter
next to a window function before it) and the previous ranking is joined by agent. The statement runs in the
request's tenant scope (row-level security) and pins the tenant itself too: every table it starts from is
filtered by tenant_id, and the agents are reached through their score rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from accounts.models import LeaderboardVisibility
from accounts.querysets import granted_team_ids
from common.actor import Actor
from performance.models import KpiPeriod
from performance.services.rewards.inputs import previous_periods

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


# One revision's scored rows with their adjustments' points, summed once per score in one grouped subquery
# (cheaper than a subquery per row; an adjustment is always of its score's period, see score_adjust).
SCORES = """
    SELECT s.agent_id, s.team_id, s.total + COALESCE(adjusted.points, 0) AS total
    FROM performance_agentperiodscore s
    LEFT JOIN (SELECT score_id, SUM(points) AS points FROM performance_scoreadjustment
               WHERE tenant_id = %s AND period_id = {period} GROUP BY score_id) adjusted ON adjusted.score_id = s.id
    WHERE s.tenant_id = %s AND s.revision_id = {revision} AND s.total IS NOT NULL{team}"""

# `me`: the actor's agent (Actor.agent_id; at most one per user and tenant). `position`: the row's place in the
# leaderboard's order (place, employee_code). The agent is joined by its key alone: it is the score row's, and a
# tenant condition on it too lets PostgreSQL without statistics scan the tenant's agents once per score.
# `visible`: the rows the actor may see, chosen after the ranking (so they never change a rank).
ROWS = """
WITH me AS (SELECT id FROM accounts_agent WHERE tenant_id = %s AND user_id = %s),
ranked AS (
    SELECT c.agent_id, c.team_id, c.total, a.employee_code, a.display_name,
           RANK() OVER (ORDER BY c.total DESC) AS place,
           ROW_NUMBER() OVER (ORDER BY c.total DESC, a.employee_code) AS position
    FROM ({scores}) c JOIN accounts_agent a ON a.id = c.agent_id),
visible AS ({visible})"""

SOME_ROWS = "SELECT * FROM ranked WHERE {condition}"
OWN_POSITION_ROWS = f"""
    SELECT * FROM ranked
    WHERE abs(position - (SELECT position FROM ranked WHERE agent_id IN (SELECT id FROM me))) <= {NEIGHBOURS}"""

COUNT_OWN_POSITION = "\nSELECT COUNT(*) FROM visible"
# The same count when the rows are chosen by team: from the score rows alone, as no rank is needed.
COUNT_SOME = "SELECT COUNT(*) FROM ({scores}) c WHERE {condition}"

# A page of ROWS with each row's rank in the previous period (ranked whole, then kept for the page's agents only)
# and the tier names and titles of its awards of the period (rejected ones aside) in rule version order. Each CTE
# is computed once and the page's agents are one array (an InitPlan) whatever PostgreSQL estimates: without
# statistics it would otherwise rank the previous period again for every row of the page.
PAGE = """,
page AS MATERIALIZED (SELECT * FROM visible ORDER BY position LIMIT %s OFFSET %s),
previous_period (id, revision_id) AS ({previous_period}),
previous AS MATERIALIZED (
    SELECT agent_id, place FROM (SELECT p.agent_id, RANK() OVER (ORDER BY p.total DESC) AS place
                                 FROM ({previous_scores}) p) previous_ranked
    WHERE agent_id = ANY(ARRAY(SELECT agent_id FROM page))),
awards AS MATERIALIZED (
    SELECT agent_id, array_agg(explanation ->> 'tier' ORDER BY rule_version_id, id) AS tiers,
           array_agg(title ORDER BY rule_version_id, id) AS titles
    FROM performance_award
    WHERE tenant_id = %s AND period_id = %s AND agent_id = ANY(ARRAY(SELECT agent_id FROM page))
      AND status <> 'rejected'
    GROUP BY agent_id)
SELECT page.place, page.agent_id, page.team_id, page.employee_code, page.display_name, page.total,
       previous.place, page.agent_id IN (SELECT id FROM me), awards.tiers, awards.titles
FROM page
LEFT JOIN previous ON previous.agent_id = page.agent_id
LEFT JOIN awards ON awards.agent_id = page.agent_id
ORDER BY page.position"""


def _scores_sql(*, tenant_id: int, period: tuple[str, list], revision: tuple[str, list],
                team_id: int | None) -> tuple[str, list]:
    """SCORES of the period and revision given as SQL with their parameters."""
    team = "" if team_id is None else " AND s.team_id = %s"
    sql = SCORES.format(period=period[0], revision=revision[0], team=team)
    return sql, [tenant_id, *period[1], tenant_id, *revision[1], *([] if team_id is None else [team_id])]


def _condition(actor: Actor) -> tuple[str, list] | None:
    """Which ranked rows the actor sees, as a condition on the row's team; None for the agent's own position."""
    if actor.role in ("admin", "qa_lead"):
        return "true", []
    if actor.role == "supervisor":
        team_ids = granted_team_ids(actor, "view")
        if team_ids is None:
            return "false", []
        sql, params = team_ids.query.sql_with_params()
        return f"team_id = ANY(ARRAY({sql}))", list(params)
    if actor.tenant.leaderboard_visibility == LeaderboardVisibility.NAMES:
        return "true", []
    return None


class Leaderboard:
    """The rows the actor may see, in leaderboard order, as Django's Paginator reads them: `count()` and a slice,
    each one query."""

    def __init__(self, *, period: KpiPeriod, fetched_by: Actor, team_id: int | None = None):
        self.period, self.actor, self.team_id = period, fetched_by, team_id
        self.condition = _condition(fetched_by)
        self.anonymize = (fetched_by.role == "agent"
                          and fetched_by.tenant.leaderboard_visibility == LeaderboardVisibility.OWN_POSITION)

    def _current_scores(self) -> tuple[str, list]:
        period = self.period
        return _scores_sql(tenant_id=period.tenant_id, period=("%s", [period.pk]),
                       revision=("%s", [period.current_revision_id]), team_id=self.team_id)

    def _rows(self) -> tuple[str, list]:
        period, user, scores = self.period, self.actor.user, self._current_scores()
        visible = (OWN_POSITION_ROWS, []) if self.condition is None else (
            SOME_ROWS.format(condition=self.condition[0]), self.condition[1])
        return (ROWS.format(scores=scores[0], visible=visible[0]),
                [period.tenant_id, user.pk if user else None, *scores[1], *visible[1]])

    def _page(self, limit: int | None, offset: int) -> tuple[str, list]:
        period = self.period
        before, before_params = previous_periods(period).values("id", "current_revision_id")[:1].query \
            .sql_with_params()
        scores = _scores_sql(tenant_id=period.tenant_id, period=("(SELECT id FROM previous_period)", []),
                         revision=("(SELECT revision_id FROM previous_period)", []), team_id=self.team_id)
        return (PAGE.format(previous_period=before, previous_scores=scores[0]),
                [limit, offset, *before_params, *scores[1], period.tenant_id, period.pk])

    @staticmethod
    def _fetch(sql: str, params: list) -> list[tuple]:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    def count(self) -> int:
        if self.period.current_revision_id is None:
            return 0
        if self.condition is None:
            rows, params = self._rows()
            return self._fetch(rows + COUNT_OWN_POSITION, params)[0][0]
        scores, params = self._current_scores()
        return self._fetch(COUNT_SOME.format(scores=scores, condition=self.condition[0]),
                           [*params, *self.condition[1]])[0][0]

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[LeaderboardRow]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("A leaderboard is read by pages (slices).")
        start, stop = index.start or 0, index.stop
        if self.period.current_revision_id is None or (stop is not None and stop <= start):
            return []
        rows, params = self._rows()
        page, page_params = self._page(None if stop is None else stop - start, start)
        return [self._row(*row) for row in self._fetch(rows + page, [*params, *page_params])]

    def _row(self, place, agent_id, team_id, employee_code, display_name, total, was, is_self, tiers,
             titles) -> LeaderboardRow:
        hidden = self.anonymize and not is_self
        return LeaderboardRow(
            rank=place, agent_id=agent_id, team=None if hidden else team_id,
            agent=None if hidden else {"id": agent_id, "employee_code": employee_code, "display_name": display_name},
            total=total, tiers=_distinct(tiers), titles=[] if hidden else _distinct(titles), previous_rank=was,
            movement=None if was is None else was - place, is_self=is_self)


def _distinct(values: list[str | None] | None) -> list[str]:
    """The non-empty values in their first order, once each."""
    return list(dict.fromkeys(value for value in values or () if value))


def leaderboard(*, period: KpiPeriod, fetched_by: Actor, team_id: int | None = None) -> Leaderboard:
    """The rows the actor may see, in rank order (place, employee code), to be sliced by a paginator; see the
    module docstring. Two queries per page (its count and its rows) whatever the size of the period."""
    return Leaderboard(period=period, fetched_by=fetched_by, team_id=team_id)
