"""Reads of QA data used elsewhere (the KPI engine reads qa_score and qa_pass_rate inputs here)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal


@dataclass(frozen=True)
class QAKpiInputs:
    reviews: int  # published, non-calibration reviews (latest revision of each)
    mean_total: Decimal  # mean of their totals (0-100)
    passed: int  # how many have total >= the tenant's pass mark


def qa_kpi_inputs(
    *, tenant_id: int, start: datetime, end: datetime, scenario_id: int | None = None
) -> dict[int, QAKpiInputs]:
    """Per agent id: the QA inputs of interactions started in [start, end) (optionally of one scenario).

    One SQL query. Until QA reviews exist (feedback issue), there are no inputs.
    """
    return {}
