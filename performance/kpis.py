"""The built-in KPI catalog: the one place that names each KPI's code, unit, direction, formula and sample basis.

A KPI's raw value is derived from per-agent aggregates (see `AGGREGATE_FIELDS`) that the selectors compute in SQL:
interaction sums and counts over the period (optionally one scenario), shift sums, and QA review inputs.
Values are exact Decimals rounded to 4 places; a KPI whose denominator is zero has no value (None).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

RAW_PLACES = Decimal("0.0001")

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
    "outbound_offered",  # count(direction = outbound)
    "outbound_handled",  # count(outbound and answered)
    "inbound_handle_sum",  # Σ (talk + hold + acw) over handled inbound contacts
    "outbound_handle_sum",  # Σ (talk + hold + acw) over handled outbound contacts
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


def _ratio_value(numerator: int | Decimal, denominator: int | Decimal, scale: int = 1) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * scale / Decimal(denominator)).quantize(RAW_PLACES, ROUND_HALF_UP)


def _get(inputs: Inputs, name: str) -> int | Decimal:
    return inputs.get(name) or 0


Formula = tuple[tuple[str, ...], Callable[[Inputs], Decimal | None]]  # (aggregate fields read, value)


def count(field: str) -> Formula:
    return (field,), lambda i: Decimal(_get(i, field)).quantize(RAW_PLACES)


def ratio(numerator: str, denominator: str, *, scale: int = 1, denominator_factor: int = 1) -> Formula:
    return (numerator, denominator), lambda i: _ratio_value(
        _get(i, numerator), _get(i, denominator) * denominator_factor, scale)


def given_mean(mean: str, samples: str) -> Formula:
    """A mean computed upstream (e.g. QA review totals), defined only when there are samples."""
    return (mean, samples), lambda i: (Decimal(_get(i, mean)).quantize(RAW_PLACES, ROUND_HALF_UP)
                                       if _get(i, samples) else None)


def abandoned_share() -> Formula:
    return ("offered", "handled"), lambda i: _ratio_value(_get(i, "offered") - _get(i, "handled"),
                                                          _get(i, "offered"), 100)


@dataclass(frozen=True)
class KpiDefinition:
    code: str
    name: str  # names, formula and sample texts are translatable (lazy); codes never are
    unit: str  # count, percent, seconds, rings, points
    direction: str  # higher, lower, band (a target band: the scheme's floor/target decide), none
    formula: str
    sample: str  # what counts as one sample for the KPI's minimum sample size
    source: str  # interactions, shifts, qa, assessments (occupancy reads interactions and shifts)
    sample_field: str
    computation: Formula

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def inputs(self) -> frozenset[str]:
        """The aggregate fields the KPI reads (value and sample size)."""
        return frozenset(self.computation[0]) | {self.sample_field}

    def value(self, inputs: Inputs) -> Decimal | None:
        return self.computation[1](inputs)

    def sample_size(self, inputs: Inputs) -> int:
        return int(_get(inputs, self.sample_field))


UNIT_LABELS = {
    "count": pgettext_lazy("KPI unit", "count"),
    "percent": pgettext_lazy("KPI unit", "%"),
    "seconds": pgettext_lazy("KPI unit", "seconds"),
    "rings": pgettext_lazy("KPI unit", "rings"),
    "points": pgettext_lazy("KPI unit", "points"),
}

CATALOG: dict[str, KpiDefinition] = {k.code: k for k in [
    KpiDefinition("offered", _("Contacts offered"), "count", "none", _("count(all)"), _("offered contacts"),
                  "interactions", "offered", count("offered")),
    KpiDefinition("handled", _("Contacts handled"), "count", "higher", _("count(answered)"), _("offered contacts"),
                  "interactions", "offered", count("handled")),
    KpiDefinition("resolved", _("Tickets resolved"), "count", "higher", _("count(resolved)"), _("offered contacts"),
                  "interactions", "offered", count("resolved")),
    KpiDefinition("answer_rate", _("Answer rate"), "percent", "higher", _("handled / offered × 100"),
                  _("offered contacts"), "interactions", "offered", ratio("handled", "offered", scale=100)),
    KpiDefinition("asa", _("Average speed of answer"), "seconds", "lower", _("mean(queue_seconds) over handled"),
                  _("handled contacts"), "interactions", "handled", ratio("queue_sum", "handled")),
    KpiDefinition("abandon_rate", _("Abandon rate"), "percent", "lower", _("(offered − handled) / offered × 100"),
                  _("offered contacts"), "interactions", "offered", abandoned_share()),
    KpiDefinition("avg_rings", _("Average rings"), "rings", "lower", _("mean(ring_count) over offered"),
                  _("offered contacts"), "interactions", "offered", ratio("ring_sum", "offered")),
    KpiDefinition("frt", _("First response time"), "seconds", "lower",
                  _("mean(first_response_seconds) where present"), _("contacts with a first response time"),
                  "interactions", "frt_count", ratio("frt_sum", "frt_count")),
    KpiDefinition("aht", _("Average handle time"), "seconds", "lower", _("Σ(talk + hold + acw) / handled"),
                  _("handled contacts"), "interactions", "handled", ratio("handle_sum", "handled")),
    KpiDefinition("acw", _("Average after-call work"), "seconds", "lower", _("mean(acw_seconds) over handled"),
                  _("handled contacts"), "interactions", "handled", ratio("acw_sum", "handled")),
    KpiDefinition("fcr", _("First-contact resolution"), "percent", "higher",
                  _("count(first_contact_resolved) / handled × 100"), _("handled contacts"), "interactions", "handled",
                  ratio("fcr_count", "handled", scale=100)),
    KpiDefinition("csat", _("Customer satisfaction"), "percent", "higher",
                  _("count(csat ≥ 4) / count(csat present) × 100"), _("contacts with a CSAT rating"), "interactions",
                  "csat_count", ratio("csat_good", "csat_count", scale=100)),
    KpiDefinition("qa_score", _("QA score"), "points", "higher", _("mean(published QA review totals)"),
                  _("published QA reviews"), "qa", "qa_reviews", given_mean("qa_mean", "qa_reviews")),
    KpiDefinition("qa_pass_rate", _("QA pass rate"), "percent", "higher",
                  _("count(review total ≥ tenant pass mark) / count(published reviews) × 100"),
                  _("published QA reviews"), "qa", "qa_reviews", ratio("qa_passed", "qa_reviews", scale=100)),
    KpiDefinition("attendance", _("Attendance"), "percent", "higher",
                  _("Σ worked_minutes / Σ scheduled_minutes × 100"), _("scheduled shifts"), "shifts", "scheduled_days",
                  ratio("worked_minutes", "scheduled_minutes", scale=100)),
    KpiDefinition("occupancy", _("Occupancy"), "percent", "band", _("Σ handle seconds / Σ logged-in seconds × 100"),
                  _("shifts with logged-in time"), "shifts", "logged_in_days",
                  ratio("handle_sum", "logged_in_minutes", scale=100, denominator_factor=60)),
    KpiDefinition("outbound_calls", _("Outbound calls"), "count", "higher", _("count(outbound)"),
                  _("outbound contacts"), "interactions", "outbound_offered", count("outbound_offered")),
    KpiDefinition("connect_rate", _("Outbound connect rate"), "percent", "higher",
                  _("answered outbound / outbound × 100"), _("outbound contacts"), "interactions", "outbound_offered",
                  ratio("outbound_handled", "outbound_offered", scale=100)),
    KpiDefinition("occupancy_inbound", _("Inbound occupancy"), "percent", "band",
                  _("Σ inbound handle seconds / Σ logged-in seconds × 100"), _("shifts with logged-in time"),
                  "shifts", "logged_in_days",
                  ratio("inbound_handle_sum", "logged_in_minutes", scale=100, denominator_factor=60)),
    KpiDefinition("occupancy_outbound", _("Outbound occupancy"), "percent", "band",
                  _("Σ outbound handle seconds / Σ logged-in seconds × 100"), _("shifts with logged-in time"),
                  "shifts", "logged_in_days",
                  ratio("outbound_handle_sum", "logged_in_minutes", scale=100, denominator_factor=60)),
    *(KpiDefinition(f"assessment_{group}", name, "points", "higher", formula, sample, "assessments",
                    f"assessment_{group}_responses", given_mean(f"assessment_{group}_mean",
                                                                f"assessment_{group}_responses"))
      for group, name, formula, sample in (
          ("supervisor", _("360 assessment: supervisors"), _("mean rating of the supervisors' answers, 0–100"),
           _("supervisor responses")),
          ("peer", _("360 assessment: peers"), _("mean rating of the peers' answers, 0–100 (only from the tenant's "
                                                 "minimum number of responses on)"), _("peer responses")),
          ("self", _("360 assessment: self"), _("mean rating of the agent's own answers, 0–100"),
           _("self responses")),
          ("customer", _("360 assessment: customers"), _("mean rating of the customers' answers, 0–100 (only from "
                                                         "the tenant's minimum number of responses on)"),
           _("customer responses")),
          ("overall", _("360 assessment: overall"), _("mean of the rater groups' results, 0–100"),
           _("responses of the groups shown")),
      )),
]}

KPI_CHOICES = [(k.code, k.name) for k in CATALOG.values()]
SHIFT_KPIS = frozenset({"attendance", "occupancy", "occupancy_inbound", "occupancy_outbound"})
QA_KPIS = frozenset({"qa_score", "qa_pass_rate"})
ASSESSMENT_KPIS = frozenset(code for code, kpi in CATALOG.items() if kpi.source == "assessments")


def kpi_value(code: str, inputs: Inputs) -> tuple[Decimal | None, int]:
    """The raw value (None when undefined, e.g. no contacts) and the sample size of one KPI."""
    return kpi_measure(code)(inputs)


def kpi_measure(code: str) -> Callable[[Inputs], tuple[Decimal | None, int]]:
    """`kpi_value` for one code, looked up once: the scorer measures the same KPIs for every agent."""
    definition = CATALOG.get(code)
    if definition is None:
        value_key, samples_key = f"{TENANT_KPI_PREFIX}{code}", f"{TENANT_KPI_PREFIX}{code}:samples"
        return lambda inputs: (inputs.get(value_key), int(inputs.get(samples_key) or 0))
    value, sample_field = definition.computation[1], definition.sample_field
    return lambda inputs: (value(inputs), int(inputs.get(sample_field) or 0))


# Tenant-defined KPIs (performance/models/tenant_kpis.py): their period values are combined in SQL and arrive
# in the inputs under these names, already as the KPI's value and sample size.
TENANT_KPI_PREFIX = "tenant_kpi:"


def tenant_kpi_inputs(code: str, value: Decimal | None, samples: int) -> dict[str, Decimal | int | None]:
    return {f"{TENANT_KPI_PREFIX}{code}": value, f"{TENANT_KPI_PREFIX}{code}:samples": samples}


def tenant_kpi_value(code: str, inputs: Inputs) -> tuple[Decimal | None, int]:
    return inputs.get(f"{TENANT_KPI_PREFIX}{code}"), int(inputs.get(f"{TENANT_KPI_PREFIX}{code}:samples") or 0)
