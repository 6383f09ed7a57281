"""The landing screen in one call: a period's headline figures for the tenant and per team."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Avg, Count, Q

from accounts.models import Team
from common.actor import Actor
from performance.kpis import INTERACTION_FIELDS, kpi_value
from performance.models import AgentPeriodScore, KpiPeriod
from performance.selectors import _interaction_aggregations
from performance.services.reports.distribution import _q

HEADLINE_KPIS = ("handled", "answer_rate", "aht", "fcr", "csat")
HEADLINE_FIELDS = ("offered", "handled", "handle_sum", "fcr_count", "csat_count", "csat_good")


def _figures(inputs: dict, qa: dict | None, scored: int) -> dict:
    qa = qa or {"reviews": 0, "mean": None}
    return {"volume": int(inputs.get("offered", 0)), **{code: kpi_value(code, inputs)[0] for code in HEADLINE_KPIS},
            "qa_score": _q(qa["mean"]), "qa_reviews": qa["reviews"], "scored_agents": scored}


def period_dashboard(*, actor: Actor, period: KpiPeriod, interactions, reviews, bounds: tuple[datetime, datetime],
                     open_counts: dict[str, int]) -> dict:
    """Volume, answer rate, AHT, FCR, CSAT (interactions by the team at ingestion), QA score (published reviews of
    the period's interactions), scored agents (the current revision), for the tenant and each visible team; plus
    `open_counts` (open appeals, open alerts). Three grouped queries; the tenant's figures are the teams' sums, as
    every interaction input is additive."""
    aggregations = {k: v for k, v in _interaction_aggregations().items() if k in HEADLINE_FIELDS}
    per_team = {row.pop("team_id"): {k: v or 0 for k, v in row.items()} for row in (
        interactions.filter(started_at__gte=bounds[0], started_at__lt=bounds[1]).order_by().values("team_id")
        .annotate(**aggregations))}
    qa_rows = reviews.filter(interaction__started_at__gte=bounds[0], interaction__started_at__lt=bounds[1]) \
        .order_by().values("interaction__team_id").annotate(reviews=Count("pk"), mean=Avg("total"))
    qa = {row["interaction__team_id"]: row for row in qa_rows}
    scored: dict = {}
    if period.current_revision_id:
        scored = dict(AgentPeriodScore.objects.for_actor(actor, "view").filter(
            revision_id=period.current_revision_id).order_by().values("team_id")
            .annotate(n=Count("pk", filter=Q(total__isnull=False))).values_list("team_id", "n"))
    names = dict(Team.objects.for_actor(actor, "view").values_list("pk", "name"))
    tenant_inputs = {name: sum(team.get(name, 0) for team in per_team.values()) for name in INTERACTION_FIELDS
                     if name in HEADLINE_FIELDS}
    reviews_total = sum(row["reviews"] for row in qa.values())
    qa_total = {"reviews": reviews_total, "mean": (
        sum(row["mean"] * row["reviews"] for row in qa.values()) / reviews_total if reviews_total else None)}
    team_ids = sorted(set(names) | {t for t in per_team if t is not None}, key=lambda t: (names.get(t, ""), t))
    teams = [{"team": team_id, "name": names.get(team_id, ""),
              **_figures(per_team.get(team_id, {}), qa.get(team_id), scored.get(team_id, 0))}
             for team_id in team_ids if team_id in names]
    return {"tenant": {**_figures(tenant_inputs, qa_total, sum(scored.values())), **open_counts}, "teams": teams}
