"""Reads of QA data used elsewhere (the KPI engine reads qa_score and qa_pass_rate inputs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Avg, Count, Exists, F, Max, Min, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Abs, Coalesce

from accounts.models import Agent, Tenant
from common.actor import Actor
from feedback.models import CalibrationSession, QAAssignment, QAReview, QAReviewAnswer, RubricCriterion
from performance.models import Interaction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class QAKpiInputs:
    reviews: int  # published, non-calibration reviews (latest revision of each)
    mean_total: Decimal  # mean of their totals (0-100)
    passed: int  # how many have total >= the tenant's pass mark


# The reviews' interactions are read by primary key, one probe per review (LATERAL … OFFSET 0 keeps PostgreSQL from
# turning it into a join): as a plain join it is planned as a hash join over a parallel scan of every interaction of
# the period — a second scan of the month, next to the interaction aggregate that already reads it — although the
# reviews are a sample of them (bench: 30,000 reviews of 1,000,000 interactions, 0.13 s by primary key against
# 0.36 s with the scan; a probe costs ~4 µs, so the scan would only win from ~10 % of the period's interactions
# reviewed). The tenant's pass mark is read in the same statement.
PER_AGENT_SQL = """
SELECT x.agent_id, {columns}
  FROM ({reviews}) r
  JOIN {tenants} t ON t.id = r.tenant_id
 CROSS JOIN LATERAL (
       SELECT i.agent_id FROM {interactions} i
        WHERE i.id = r.interaction_id AND i.tenant_id = %s AND i.started_at >= %s AND i.started_at < %s {scenario}
       OFFSET 0) x
 GROUP BY x.agent_id
"""


def _per_agent(reviews, columns: str, *, tenant_id: int, start: datetime, end: datetime,
               scenario_id: int | None = None) -> list[tuple]:
    """`columns` aggregated over `reviews` (a QAReview queryset; `r.total`, `t.qa_pass_mark` available) per agent of
    their interactions started in [start, end), optionally of one scenario: rows of (agent id, *columns)."""
    reviews_sql, params = reviews.order_by().values("tenant_id", "interaction_id", "total").query.sql_with_params()
    sql = PER_AGENT_SQL.format(columns=columns, reviews=reviews_sql, tenants=Tenant._meta.db_table,
                               interactions=Interaction._meta.db_table,
                               scenario="" if scenario_id is None else "AND i.scenario_id = %s")
    params = [*params, tenant_id, start, end, *([] if scenario_id is None else [scenario_id])]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def qa_kpi_inputs(
    *, tenant_id: int, start: datetime, end: datetime, scenario_id: int | None = None
) -> dict[int, QAKpiInputs]:
    """Per agent id: the QA inputs of interactions started in [start, end) (optionally of one scenario).

    Counts the latest revision of each published, non-calibration review; the agent is the interaction's.
    `mean_total` is rounded half up to 2 places. Agents without such reviews are absent. One SQL query.
    """
    rows = _per_agent(QAReview.objects.filter(tenant_id=tenant_id).kpi_countable(),
                      "count(*), avg(r.total), count(*) FILTER (WHERE r.total >= t.qa_pass_mark)",
                      tenant_id=tenant_id, start=start, end=end, scenario_id=scenario_id)
    return {
        agent_id: QAKpiInputs(reviews=count, mean_total=Decimal(mean).quantize(CENT, rounding=ROUND_HALF_UP),
                              passed=passed)
        for agent_id, count, mean, passed in rows
    }


def qa_auto_failed_counts(*, tenant_id: int, start: datetime, end: datetime) -> dict[int, int]:
    """Per agent id: how many of the reviews qa_kpi_inputs counts are auto-failed (a critical criterion), for
    interactions started in [start, end). Agents without any are absent. One SQL query."""
    reviews = QAReview.objects.filter(tenant_id=tenant_id).kpi_countable().filter(auto_failed=True)
    return dict(_per_agent(reviews, "count(*)", tenant_id=tenant_id, start=start, end=end))


def _count_per_agent(queryset, agent_path: str):
    """A correlated COUNT of `queryset` rows for the outer agent, 0 when none."""
    counted = queryset.filter(**{agent_path: OuterRef("pk")}).order_by().values(agent_path)
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")[:1]), 0)


def qa_coverage(*, fetched_by: Actor, start: datetime, end: datetime, team_ids: list[int] | None = None):
    """Agents the actor may see (of `team_ids`, if given), each annotated with, for interactions started in
    [start, end): `interaction_count` (all), `assigned_count` (sampled, not skipped) and `reviewed_count`
    (with a published, non-calibration review). One query (correlated counts), whatever the page size."""
    agents = Agent.objects.for_actor(fetched_by, "view").select_related("team")
    if team_ids:
        agents = agents.filter(team_id__in=team_ids)
    in_range = {"tenant_id": fetched_by.tenant.pk}
    interactions = Interaction.objects.filter(**in_range, started_at__gte=start, started_at__lt=end)
    assigned = QAAssignment.objects.filter(**in_range, interaction__started_at__gte=start,
                                           interaction__started_at__lt=end).exclude(status="skipped")
    reviewed = interactions.filter(Exists(QAReview.objects.kpi_countable().filter(interaction=OuterRef("pk"))))
    return agents.annotate(
        interaction_count=_count_per_agent(interactions, "agent_id"),
        assigned_count=_count_per_agent(assigned, "agent_id"),
        reviewed_count=_count_per_agent(reviewed, "agent_id"),
    )


def _r2(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def _share(part: int, whole: int) -> Decimal | None:
    return _r2(Decimal(part) * 100 / whole) if whole else None


def calibration_results(*, session: CalibrationSession) -> dict:
    """How each inspector's submitted reviews compare with the lead's reference reviews, per inspector, per
    criterion and per interaction. Deviations of totals are in score points (0-100), signed ones as
    inspector minus reference (negative: harsher); criterion deviations are in percent of the scale.
    Agreement = share of answers equal to the reference (same rating, or both N/A). Four SQL queries.
    """
    submitted = QAReview.objects.filter(calibration=session, status="submitted", is_current=True)
    reference = submitted.filter(inspector_id=session.lead_id, interaction_id=OuterRef("interaction_id"))
    others = submitted.exclude(inspector_id=session.lead_id).annotate(
        ref_total=Subquery(reference.values("total")[:1])
    ).filter(ref_total__isnull=False)
    gap = F("total") - F("ref_total")

    reference_answer = QAReviewAnswer.objects.filter(
        review__calibration=session, review__status="submitted", review__is_current=True,
        review__inspector_id=session.lead_id, review__interaction_id=OuterRef("review__interaction_id"),
        criterion_id=OuterRef("criterion_id"),
    )
    answers = QAReviewAnswer.objects.filter(review__in=others.values("pk")).annotate(
        ref_na=Subquery(reference_answer.values("is_na")[:1]),
        ref_rating=Subquery(reference_answer.values("rating")[:1]),
        ref_normalized=Subquery(reference_answer.values("normalized")[:1]),
    ).filter(ref_na__isnull=False)
    agree = Q(is_na=True, ref_na=True) | Q(is_na=False, ref_na=False, rating=F("ref_rating"))
    norm_gap = F("normalized") - F("ref_normalized")
    answer_rows = list(
        answers.values("review__inspector_id", "criterion_id").order_by().annotate(
            n=Count("pk"), agreed=Count("pk", filter=agree), abs_gap=Sum(Abs(norm_gap)), gap=Sum(norm_gap),
            rated=Count("pk", filter=Q(is_na=False, ref_na=False)),
        )
    )
    per_inspector_answers: dict[int, list[int]] = {}
    per_criterion: dict[int, dict] = {}
    for row in answer_rows:
        mine = per_inspector_answers.setdefault(row["review__inspector_id"], [0, 0])
        mine[0] += row["n"]
        mine[1] += row["agreed"]
        c = per_criterion.setdefault(row["criterion_id"], {"n": 0, "agreed": 0, "rated": 0, "abs": 0, "gap": 0})
        for key, source in (("n", "n"), ("agreed", "agreed"), ("rated", "rated"), ("abs", "abs_gap"), ("gap", "gap")):
            c[key] += row[source] or 0

    inspectors = [
        {
            "inspector": row["inspector_id"],
            "reviews": row["reviews"],
            "mean_total": _r2(row["mean_total"]),
            "mean_deviation": _r2(row["mean_deviation"]),
            "mean_absolute_deviation": _r2(row["mean_absolute_deviation"]),
            "criterion_agreement": _share(*per_inspector_answers.get(row["inspector_id"], [0, 0])[::-1]),
        }
        for row in others.values("inspector_id").order_by("inspector_id").annotate(
            reviews=Count("pk"), mean_total=Avg("total"), mean_deviation=Avg(gap), mean_absolute_deviation=Avg(Abs(gap))
        )
    ]
    criteria = [
        {
            "criterion": criterion.pk,
            "section": criterion.section.title,
            "label": criterion.label,
            "answers": per_criterion.get(criterion.pk, {}).get("n", 0),
            "agreement": _share(per_criterion.get(criterion.pk, {}).get("agreed", 0),
                                per_criterion.get(criterion.pk, {}).get("n", 0)),
            "mean_deviation": _mean_pct(per_criterion.get(criterion.pk), "gap"),
            "mean_absolute_deviation": _mean_pct(per_criterion.get(criterion.pk), "abs"),
        }
        for criterion in RubricCriterion.objects.filter(version_id=session.rubric_version_id)
        .select_related("section").order_by("section__position", "position")
    ]
    interactions = [
        {
            "interaction": row["interaction_id"],
            "reference_total": _r2(row["reference_total"]),
            "reviews": row["reviews"],
            "min_total": _r2(row["min_total"]),
            "max_total": _r2(row["max_total"]),
            "mean_absolute_deviation": _r2(row["mean_absolute_deviation"]),
        }
        for row in others.values("interaction_id").order_by("interaction_id").annotate(
            reference_total=Max("ref_total"), reviews=Count("pk"), min_total=Min("total"), max_total=Max("total"),
            mean_absolute_deviation=Avg(Abs(gap)),
        )
    ]
    return {"session": session.pk, "reference": session.lead_id, "inspectors": inspectors, "criteria": criteria,
            "interactions": interactions}


def _mean_pct(figures: dict | None, key: str) -> Decimal | None:
    if not figures or not figures["rated"]:
        return None
    return _r2(Decimal(figures[key]) * 100 / figures["rated"])
