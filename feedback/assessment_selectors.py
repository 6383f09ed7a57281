"""Reads of 360 assessments, all in SQL: an agent's results (the anonymity threshold applied), campaign progress
per agent, and the assessment KPIs of a period for the computation.

The threshold K is the tenant setting `assessment_min_responses` (default 3): peer and customer groups with fewer
than K responses show nothing at all (no mean, no comment, not even the count); from K on, only their aggregates
and their comments without author. Supervisor and self groups are shown as such, whatever their size.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from django.db import connection
from django.db.models import Count, Q

from feedback.models import (
    ANONYMOUS_KINDS,
    AssessmentAnswer,
    AssessmentCampaign,
    AssessmentQuestion,
    AssessmentRequest,
    AssessmentResponse,
    RaterKind,
)

PLACES = Decimal("0.01")
KIND_ORDER = [RaterKind.SUPERVISOR, RaterKind.PEER, RaterKind.SELF, RaterKind.CUSTOMER]


def _q(value) -> Decimal | None:
    return None if value is None else Decimal(value).quantize(PLACES, ROUND_HALF_UP)


def _normalized_sql() -> str:
    return "(a.rating - q.scale_min)::numeric * 100 / (q.scale_max - q.scale_min)"


def _group_rows(campaign: AssessmentCampaign, agent_id: int) -> list[tuple]:
    """(rater kind, question id, responses, mean rating, mean normalized) — one GROUP BY query."""
    answers, responses = AssessmentAnswer._meta.db_table, AssessmentResponse._meta.db_table
    questions = AssessmentQuestion._meta.db_table
    sql = f"""
        WITH g AS (
            SELECT r.rater_kind, count(*) AS n FROM {responses} r
            WHERE r.tenant_id = %s AND r.campaign_id = %s AND r.agent_id = %s GROUP BY r.rater_kind
        )
        SELECT r.rater_kind, q.id, g.n, avg(a.rating), avg({_normalized_sql()})
        FROM {answers} a JOIN {responses} r ON r.id = a.response_id JOIN {questions} q ON q.id = a.question_id
             JOIN g ON g.rater_kind = r.rater_kind
        WHERE a.tenant_id = %s AND r.tenant_id = %s AND r.campaign_id = %s AND r.agent_id = %s
        GROUP BY r.rater_kind, q.id, g.n
    """
    tenant_id = campaign.tenant_id
    with connection.cursor() as cursor:
        cursor.execute(sql, [tenant_id, campaign.pk, agent_id, tenant_id, tenant_id, campaign.pk, agent_id])
        return cursor.fetchall()


def assessment_results(*, campaign: AssessmentCampaign, agent_id: int) -> dict:
    """One agent's results in a campaign: per rater group its responses, mean (0–100), and per competency and per
    question the mean rating, with comments without author. Three queries."""
    k = campaign.tenant.assessment_min_responses
    questions = {q.pk: q for q in AssessmentQuestion.objects.filter(version_id=campaign.template_version_id)}
    by_kind: dict[str, dict] = {}
    for kind, question_id, responses, mean_rating, mean_points in _group_rows(campaign, agent_id):
        group = by_kind.setdefault(kind, {"responses": responses, "questions": {}})
        group["questions"][question_id] = (mean_rating, mean_points)
    shown_kinds = [kind for kind in by_kind if kind not in ANONYMOUS_KINDS or by_kind[kind]["responses"] >= k]
    comments = _comments(campaign, agent_id, shown_kinds)
    groups = []
    for kind in KIND_ORDER:
        group = by_kind.get(kind)
        shown = kind in shown_kinds
        entry = {"rater_kind": kind, "anonymous": kind in ANONYMOUS_KINDS, "shown": shown,
                 "responses": group["responses"] if group and shown else None, "mean": None, "competencies": [],
                 "questions": [], "comments": comments.get(kind, []) if shown else []}
        if group and shown:
            _fill(entry, group["questions"], questions)
        groups.append(entry)
    means = [g["mean"] for g in groups if g["mean"] is not None]
    overall = _q(sum(means) / len(means)) if means else None
    return {"campaign": campaign.pk, "agent": agent_id, "min_responses": k, "overall": overall, "groups": groups}


def _fill(entry: dict, rows: dict, questions: dict) -> None:
    points = [p for _r, p in rows.values()]
    entry["mean"] = _q(sum(points) / len(points))
    competencies: dict[str, list] = {}
    for question_id, (mean_rating, mean_points) in sorted(rows.items(), key=lambda r: questions[r[0]].position):
        question = questions[question_id]
        competencies.setdefault(question.competency, []).append(mean_points)
        entry["questions"].append({"question": question_id, "competency": question.competency,
                                   "mean_rating": _q(mean_rating), "mean": _q(mean_points)})
    entry["competencies"] = [{"competency": c, "mean": _q(sum(v) / len(v))} for c, v in competencies.items()]


def _comments(campaign: AssessmentCampaign, agent_id: int, kinds: list[str]) -> dict[str, list[dict]]:
    """Comments of the shown groups, without author or time, ordered by question then text (never by when or by
    whom they were written)."""
    rows = AssessmentAnswer.objects.filter(
        tenant_id=campaign.tenant_id, response__campaign_id=campaign.pk, response__agent_id=agent_id,
        response__rater_kind__in=kinds).exclude(comment="").order_by(
        "question__position", "comment").values_list("response__rater_kind", "question_id", "comment")
    out: dict[str, list[dict]] = {}
    for kind, question_id, comment in rows:
        out.setdefault(kind, []).append({"question": question_id, "comment": comment})
    return out


def assessment_progress(*, campaign: AssessmentCampaign, agent_ids=None) -> list[dict]:
    """Per assessed agent: requests and answered ones per rater group (one GROUP BY query)."""
    rows = AssessmentRequest.objects.filter(tenant_id=campaign.tenant_id, campaign_id=campaign.pk)
    if agent_ids is not None:
        rows = rows.filter(agent_id__in=agent_ids)
    rows = rows.values("agent_id", "agent__employee_code", "agent__display_name").annotate(
        **{f"{kind}_requested": Count("id", filter=Q(rater_kind=kind)) for kind in KIND_ORDER},
        **{f"{kind}_answered": Count("id", filter=Q(rater_kind=kind, answered=True)) for kind in KIND_ORDER},
    ).order_by("agent__employee_code", "agent_id")
    out = []
    for row in rows:
        groups = [{"rater_kind": kind, "requested": row[f"{kind}_requested"], "answered": row[f"{kind}_answered"]}
                  for kind in KIND_ORDER]
        requested, answered = sum(g["requested"] for g in groups), sum(g["answered"] for g in groups)
        out.append({"agent": row["agent_id"], "employee_code": row["agent__employee_code"],
                    "display_name": row["agent__display_name"], "requested": requested, "answered": answered,
                    "complete": requested == answered, "groups": groups})
    return out


def _kpi_sql() -> str:
    answers, responses = AssessmentAnswer._meta.db_table, AssessmentResponse._meta.db_table
    questions, campaigns = AssessmentQuestion._meta.db_table, AssessmentCampaign._meta.db_table
    return f"""
        WITH per_response AS (
            SELECT r.agent_id, r.rater_kind, r.id, avg({_normalized_sql()}) AS points
            FROM {answers} a JOIN {responses} r ON r.id = a.response_id JOIN {questions} q ON q.id = a.question_id
                 JOIN {campaigns} c ON c.id = r.campaign_id
            WHERE a.tenant_id = %(t)s AND r.tenant_id = %(t)s AND c.tenant_id = %(t)s AND c.period_id = %(p)s
                  AND c.status <> 'cancelled'
            GROUP BY r.agent_id, r.rater_kind, r.id
        ), groups AS (
            SELECT agent_id, rater_kind, count(*) AS n, avg(points) AS points FROM per_response
            GROUP BY agent_id, rater_kind
            HAVING rater_kind NOT IN ('peer', 'customer') OR count(*) >= %(k)s
        )
        SELECT agent_id, rater_kind, n, round(points, 4) FROM groups
        UNION ALL
        SELECT agent_id, 'overall', sum(n), round(avg(points), 4) FROM groups GROUP BY agent_id
    """


def assessment_kpi_inputs(*, period) -> dict[int, dict]:
    """Per agent id: `assessment_<group>_mean` and `assessment_<group>_responses` for the KPIs assessment_supervisor,
    _peer, _self, _customer and _overall (performance/kpis.py), from every campaign of the period. Peer and customer
    groups below the tenant's threshold are left out (insufficient data), and so is their share of the overall
    (the mean of the groups' means; its sample is their responses). One query."""
    out: dict[int, dict] = {}
    with connection.cursor() as cursor:
        cursor.execute(_kpi_sql(), {"t": period.tenant_id, "p": period.pk,
                                    "k": period.tenant.assessment_min_responses})
        for agent_id, group, responses, points in cursor.fetchall():
            out.setdefault(agent_id, {}).update({f"assessment_{group}_mean": points,
                                                 f"assessment_{group}_responses": int(responses)})
    return out
