"""Reads of QA data used elsewhere (the KPI engine reads qa_score and qa_pass_rate inputs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Q

from feedback.models import QAReview

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
