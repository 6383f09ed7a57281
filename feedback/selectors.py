"""Reads of QA data used elsewhere (the KPI engine reads qa_score and qa_pass_rate inputs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce

from accounts.models import Agent
from common.actor import Actor
from feedback.models import QAAssignment, QAReview
from performance.models import Interaction

CENT = Decimal("0.01")


@dataclass(frozen=True)
class QAKpiInputs:
    reviews: int  # published, non-calibration reviews (latest revision of each)
    mean_total: Decimal  # mean of their totals (0-100)
    passed: int  # how many have total >= the tenant's pass mark


def qa_kpi_inputs(
    *, tenant_id: int, start: datetime, end: datetime, scenario_id: int | None = None
) -> dict[int, QAKpiInputs]:
    """Per agent id: the QA inputs of interactions started in [start, end) (optionally of one scenario).

    Counts the latest revision of each published, non-calibration review; the agent is the interaction's.
    `mean_total` is rounded half up to 2 places. Agents without such reviews are absent. One SQL query.
    """
    reviews = QAReview.objects.filter(tenant_id=tenant_id).kpi_countable().filter(
        interaction__started_at__gte=start, interaction__started_at__lt=end
    )
    if scenario_id is not None:
        reviews = reviews.filter(interaction__scenario_id=scenario_id)
    rows = reviews.values("interaction__agent_id").order_by().annotate(
        reviews=Count("pk"),
        mean_total=Avg("total"),
        passed=Count("pk", filter=Q(total__gte=F("tenant__qa_pass_mark"))),
    )
    return {
        row["interaction__agent_id"]: QAKpiInputs(
            reviews=row["reviews"],
            mean_total=Decimal(row["mean_total"]).quantize(CENT, rounding=ROUND_HALF_UP),
            passed=row["passed"],
        )
        for row in rows
    }


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
