"""The built-in KPI catalog: the one place that names each KPI's code, unit, direction, formula and sample basis.

A KPI's raw value is derived from per-agent aggregates (see `AGGREGATE_FIELDS`) that the selectors compute in SQL:
interaction sums and counts over the period (optionally one scenario), shift sums, and QA review inputs.
Values are exact Decimals rounded to 4 places; a KPI whose denominator is zero has no value (None).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

RAW_PLACES = Decimal("0.0001")
HUNDRED = Decimal(100)

# Per-agent aggregate inputs, by source. Every KPI reads only these names.
INTERACTION_FIELDS = (
    "offered",  # count(all)
    "handled",  # count(answered)
    "resolved",  # count(resolved)
    "queue_sum",  # Σ queue_seconds over handled
    "ring_sum",  # Σ ring_count over offered
    "frt_sum",  # Σ first_response_seconds where present
    "frt_count",  # count(first_response_seconds present)
    "handle_sum",  # Σ (talk + hold + acw) over handled
    "acw_sum",  # Σ acw_seconds over handled
    "fcr_count",  # count(answered and first_contact_resolved)
    "csat_count",  # count(csat present)
    "csat_good",  # count(csat >= 4)
)
SHIFT_FIELDS = (
    "scheduled_days",  # shifts with scheduled_minutes > 0
    "scheduled_minutes",
    "worked_minutes",
    "logged_in_days",  # shifts with logged_in_minutes > 0
    "logged_in_minutes",
)
QA_FIELDS = ("qa_reviews", "qa_mean", "qa_passed")
AGGREGATE_FIELDS = INTERACTION_FIELDS + SHIFT_FIELDS + QA_FIELDS

Inputs = Mapping[str, int | Decimal]


def _ratio(numerator: int | Decimal, denominator: int | Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(RAW_PLACES, ROUND_HALF_UP)


def _count(value: int | Decimal) -> Decimal:
    return Decimal(value).quantize(RAW_PLACES)


def _get(inputs: Inputs, name: str) -> int | Decimal:
    return inputs.get(name) or 0


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    name: str
    unit: str  # count, percent, seconds, rings, points
    direction: str  # higher, lower, band (a target band: the scheme's floor/target decide), none
    formula: str
    sample: str  # what counts as one sample for the KPI's minimum sample size
    source: str  # interactions, shifts, qa (occupancy reads interactions and shifts)
    value: Callable[[Inputs], Decimal | None]
    sample_size: Callable[[Inputs], int]


def _kpi(code, name, unit, direction, formula, sample, source, value, sample_size) -> KpiDefinition:
    return KpiDefinition(code, name, unit, direction, formula, sample, source, value, sample_size)


CATALOG: dict[str, KpiDefinition] = {
    k.code: k
    for k in [
        _kpi("offered", "Contacts offered", "count", "none", "count(all)", "offered contacts", "interactions",
             lambda i: _count(_get(i, "offered")), lambda i: _get(i, "offered")),
        _kpi("handled", "Contacts handled", "count", "higher", "count(answered)", "offered contacts",
             "interactions", lambda i: _count(_get(i, "handled")), lambda i: _get(i, "offered")),
        _kpi("resolved", "Tickets resolved", "count", "higher", "count(resolved)", "offered contacts",
             "interactions", lambda i: _count(_get(i, "resolved")), lambda i: _get(i, "offered")),
        _kpi("answer_rate", "Answer rate", "percent", "higher", "handled / offered × 100", "offered contacts",
             "interactions", lambda i: _ratio(_get(i, "handled"), _get(i, "offered"), 100),
             lambda i: _get(i, "offered")),
        _kpi("asa", "Average speed of answer", "seconds", "lower", "mean(queue_seconds) over handled",
             "handled contacts", "interactions", lambda i: _ratio(_get(i, "queue_sum"), _get(i, "handled")),
             lambda i: _get(i, "handled")),
        _kpi("abandon_rate", "Abandon rate", "percent", "lower", "(offered − handled) / offered × 100",
             "offered contacts", "interactions",
             lambda i: _ratio(_get(i, "offered") - _get(i, "handled"), _get(i, "offered"), 100),
             lambda i: _get(i, "offered")),
        _kpi("avg_rings", "Average rings", "rings", "lower", "mean(ring_count) over offered", "offered contacts",
             "interactions", lambda i: _ratio(_get(i, "ring_sum"), _get(i, "offered")),
             lambda i: _get(i, "offered")),
        _kpi("frt", "First response time", "seconds", "lower", "mean(first_response_seconds) where present",
             "contacts with a first response time", "interactions",
             lambda i: _ratio(_get(i, "frt_sum"), _get(i, "frt_count")), lambda i: _get(i, "frt_count")),
        _kpi("aht", "Average handle time", "seconds", "lower", "Σ(talk + hold + acw) / handled", "handled contacts",
             "interactions", lambda i: _ratio(_get(i, "handle_sum"), _get(i, "handled")),
             lambda i: _get(i, "handled")),
        _kpi("acw", "Average after-call work", "seconds", "lower", "mean(acw_seconds) over handled",
             "handled contacts", "interactions", lambda i: _ratio(_get(i, "acw_sum"), _get(i, "handled")),
             lambda i: _get(i, "handled")),
        _kpi("fcr", "First-contact resolution", "percent", "higher",
             "count(first_contact_resolved) / handled × 100", "handled contacts", "interactions",
             lambda i: _ratio(_get(i, "fcr_count"), _get(i, "handled"), 100), lambda i: _get(i, "handled")),
        _kpi("csat", "Customer satisfaction", "percent", "higher", "count(csat ≥ 4) / count(csat present) × 100",
             "contacts with a CSAT rating", "interactions",
             lambda i: _ratio(_get(i, "csat_good"), _get(i, "csat_count"), 100), lambda i: _get(i, "csat_count")),
        _kpi("qa_score", "QA score", "points", "higher", "mean(published QA review totals)",
             "published QA reviews", "qa",
             lambda i: Decimal(_get(i, "qa_mean")).quantize(RAW_PLACES, ROUND_HALF_UP) if _get(i, "qa_reviews")
             else None,
             lambda i: _get(i, "qa_reviews")),
        _kpi("qa_pass_rate", "QA pass rate", "percent", "higher",
             "count(review total ≥ tenant pass mark) / count(published reviews) × 100", "published QA reviews",
             "qa", lambda i: _ratio(_get(i, "qa_passed"), _get(i, "qa_reviews"), 100),
             lambda i: _get(i, "qa_reviews")),
        _kpi("attendance", "Attendance", "percent", "higher", "Σ worked_minutes / Σ scheduled_minutes × 100",
             "scheduled shifts", "shifts",
             lambda i: _ratio(_get(i, "worked_minutes"), _get(i, "scheduled_minutes"), 100),
             lambda i: _get(i, "scheduled_days")),
        _kpi("occupancy", "Occupancy", "percent", "band", "Σ handle seconds / Σ logged-in seconds × 100",
             "shifts with logged-in time", "shifts",
             lambda i: _ratio(_get(i, "handle_sum"), _get(i, "logged_in_minutes") * 60, 100),
             lambda i: _get(i, "logged_in_days")),
    ]
}

KPI_CHOICES = [(k.code, k.name) for k in CATALOG.values()]
SHIFT_KPIS = frozenset({"attendance", "occupancy"})
QA_KPIS = frozenset({"qa_score", "qa_pass_rate"})


def kpi_value(code: str, inputs: Inputs) -> tuple[Decimal | None, int]:
    """The raw value (None when undefined, e.g. no contacts) and the sample size of one KPI."""
    definition = CATALOG[code]
    return definition.value(inputs), int(definition.sample_size(inputs))
