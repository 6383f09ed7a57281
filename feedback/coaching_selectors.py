"""The coaching effect: for the criterion or KPI a session targeted, the agent's values in the N reviews (criterion)
or N periods (KPI) nearest before and after the session, per session and summarized per coach — all in SQL.

- Criterion: the criterion's normalized rating × 100 in the agent's published, current, non-calibration reviews,
  by the reviewed interaction's start: before = started before held_at, after = at or after it.
- KPI: the KPI's raw value in the agent's score of each period's current revision (the first scheme that measured
  it): before = periods that ended on or before the session's local day, after = periods starting on or after it
  (a period spanning the session counts on neither side).
- change = mean after − mean before, when both sides have values.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q

from feedback.models import CoachingSession

CENTS = Decimal("0.01")


def _effects_sql() -> str:
    """Rows (session_id, after, nearness, value, ref_id, ref_day) for the sessions in %(ids)s."""
    return """
        WITH s AS (
            SELECT id, agent_id, held_at, criterion_id, kpi_code, (held_at AT TIME ZONE %(zone)s)::date AS held_day
            FROM feedback_coachingsession WHERE tenant_id = %(tenant)s AND id = ANY(%(ids)s)
        ),
        crit AS (
            SELECT s.id AS session_id, ix.started_at >= s.held_at AS after, a.normalized * 100 AS value,
                   r.id AS ref_id, (ix.started_at AT TIME ZONE %(zone)s)::date AS ref_day,
                   row_number() OVER (PARTITION BY s.id, ix.started_at >= s.held_at
                                      ORDER BY abs(extract(epoch FROM ix.started_at - s.held_at)), r.id) AS nearness
            FROM s
            JOIN feedback_qareviewanswer a ON a.tenant_id = %(tenant)s AND a.criterion_id = s.criterion_id
                 AND a.normalized IS NOT NULL
            JOIN feedback_qareview r ON r.id = a.review_id AND r.status = 'published' AND r.is_current
                 AND r.calibration_id IS NULL
            JOIN performance_interaction ix ON ix.id = r.interaction_id AND ix.agent_id = s.agent_id
        ),
        kpi_lines AS (
            SELECT DISTINCT ON (s.id, p.id) s.id AS session_id, p.start >= s.held_day AS after, p.id AS ref_id,
                   p.start AS ref_day, abs(p.start - s.held_day) AS distance, (line ->> 'raw_value')::numeric AS value
            FROM s
            JOIN performance_agentschemescore ss ON ss.tenant_id = %(tenant)s AND ss.agent_id = s.agent_id
            JOIN performance_kpiperiod p ON p.tenant_id = %(tenant)s AND p.current_revision_id = ss.revision_id
            CROSS JOIN LATERAL jsonb_array_elements(ss.kpis) AS line
            WHERE s.kpi_code <> '' AND line ->> 'kpi_code' = s.kpi_code AND line ->> 'raw_value' IS NOT NULL
                  AND (p."end" <= s.held_day OR p.start >= s.held_day)
            ORDER BY s.id, p.id, ss.scheme_version_id
        ),
        kpi AS (
            SELECT session_id, after, value, ref_id, ref_day,
                   row_number() OVER (PARTITION BY session_id, after ORDER BY distance, ref_id) AS nearness
            FROM kpi_lines
        ),
        effects AS (
            SELECT * FROM (SELECT session_id, after, nearness, value, ref_id, ref_day FROM crit
                           UNION ALL SELECT session_id, after, nearness, value, ref_id, ref_day FROM kpi) AS both_kinds
            WHERE nearness <= %(n)s
        )
    """


def _params(session_ids: list[int], tenant, n: int) -> dict:
    return {"tenant": tenant.pk, "zone": tenant.time_zone, "ids": session_ids, "n": n}


def _cents(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENTS, ROUND_HALF_UP)


@dataclass(frozen=True)
class EffectPoint:
    ref_id: int  # a review id (criterion) or a period id (KPI)
    day: date
    value: Decimal


@dataclass(frozen=True)
class CoachingEffect:
    target: str  # criterion, kpi or none
    n: int
    before: list[EffectPoint]
    after: list[EffectPoint]

    @staticmethod
    def _mean(points: list[EffectPoint]) -> Decimal | None:
        return _cents(sum(p.value for p in points) / len(points)) if points else None

    @property
    def before_mean(self) -> Decimal | None:
        return self._mean(self.before)

    @property
    def after_mean(self) -> Decimal | None:
        return self._mean(self.after)

    @property
    def change(self) -> Decimal | None:
        if self.before_mean is None or self.after_mean is None:
            return None
        return self.after_mean - self.before_mean


def coaching_effect(*, session: CoachingSession, n: int) -> CoachingEffect:
    """The session's effect report: the values nearest the session on each side, oldest first."""
    target = "criterion" if session.criterion_id else "kpi" if session.kpi_code else "none"
    sides: dict[bool, list[EffectPoint]] = {False: [], True: []}
    if target != "none":
        with connection.cursor() as cursor:
            cursor.execute(_effects_sql() + " SELECT after, value, ref_id, ref_day FROM effects ORDER BY ref_day, "
                           "ref_id", _params([session.pk], session.tenant, n))
            for after, value, ref_id, day in cursor.fetchall():
                sides[after].append(EffectPoint(ref_id, day, _cents(value)))
    return CoachingEffect(target, n, sides[False], sides[True])


@dataclass(frozen=True)
class CoachSummary:
    coach_id: int
    sessions: int
    acknowledged: int
    follow_ups_done: int
    goals: int
    goals_met: int
    measured: int  # sessions with values on both sides
    improved: int
    mean_change: Decimal | None


def coaching_summary(*, sessions, tenant, n: int) -> list[CoachSummary]:
    """Per coach, over `sessions` (a queryset already scoped to the reader): counts, and the mean change of the
    sessions measured on both sides. Two queries."""
    counts = sessions.order_by().values("coach_id").annotate(
        sessions=Count("pk", distinct=True),
        acknowledged=Count("pk", filter=Q(acknowledged_at__isnull=False), distinct=True),
        follow_ups_done=Count("pk", filter=Q(follow_up_status="done"), distinct=True),
        goal_count=Count("goals", distinct=True),
        goal_met_count=Count("goals", filter=Q(goals__status="met"), distinct=True),
    )
    rows = {row["coach_id"]: row for row in counts}
    effects: dict[int, tuple] = {}
    if rows:
        ids = list(sessions.values_list("pk", flat=True))
        with connection.cursor() as cursor:
            cursor.execute(_effects_sql() + """,
                per_session AS (
                    SELECT session_id, avg(value) FILTER (WHERE after) - avg(value) FILTER (WHERE NOT after) AS change
                    FROM effects GROUP BY session_id
                    HAVING count(*) FILTER (WHERE after) > 0 AND count(*) FILTER (WHERE NOT after) > 0
                )
                SELECT c.coach_id, count(*), count(*) FILTER (WHERE ps.change > 0), avg(ps.change)
                FROM per_session ps JOIN feedback_coachingsession c ON c.id = ps.session_id
                GROUP BY c.coach_id
            """, _params(ids, tenant, n))
            effects = {coach: (measured, improved, change) for coach, measured, improved, change in cursor.fetchall()}
    return [
        CoachSummary(coach_id=coach, sessions=row["sessions"], acknowledged=row["acknowledged"],
                     follow_ups_done=row["follow_ups_done"], goals=row["goal_count"], goals_met=row["goal_met_count"],
                     measured=effects.get(coach, (0,))[0], improved=effects.get(coach, (0, 0))[1],
                     mean_change=_cents(effects.get(coach, (0, 0, None))[2]))
        for coach, row in sorted(rows.items())
    ]
