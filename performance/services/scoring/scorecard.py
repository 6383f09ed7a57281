"""The scoring arithmetic, free of the database: points, totals, the overall mean and ranks.

- Points: floor → 0, target → 100, linear, clamped to 0–100 (so lower-is-better works with floor > target),
  Decimal rounded half-up to 2 places, computed from the raw value as shown (4 places).
- A KPI with no value or fewer samples than its minimum is insufficient: per the version's policy its weight is
  dropped from both sums (redistribute) or it scores 0 points (zero). All insufficient → unscored.
- Total = Σ(weight × points) / Σ(weights used), 2 places. Contributions are weight × points / Σ(weights used),
  each rounded to 2 places for display (their sum may differ from the total by a cent).
- Overall = mean of the agent's scheme totals weighted by handled contacts in each scheme's scope
  (plain mean when all of them handled nothing).
- Rank: standard competition ranking (1, 2, 2, 4) by total, highest first. Percentile: the share of the ranked
  population scoring strictly below, × 100.
"""

from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.utils.translation import gettext_noop

from performance.kpis import Inputs, kpi_measure
from performance.models import MissingDataPolicy
from performance.selectors import KpiSpec, VersionSpec

CENTS = Decimal("0.01")
ZERO = Decimal(0)
ZERO_POINTS = Decimal("0.00")
HUNDRED = Decimal(100)

# Stored in English with the result and translated when read (common.fields.StoredMessageField).
INSUFFICIENT_DATA = gettext_noop("insufficient data")
NO_SCHEME = gettext_noop("no scoring scheme applies to this agent's team")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENTS, ROUND_HALF_UP)


def normalize(value: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """Points for a raw value: floor → 0, target → 100, linear in between, clamped to 0–100."""
    points = (value - floor) / (target - floor) * HUNDRED
    return _cents(min(max(points, ZERO), HUNDRED))


@dataclass
class SchemeResult:
    """One agent under one scheme version."""

    total: Decimal | None
    handled: int
    kpis_json: str  # the breakdown lines as JSON, as the result write stores them (see version_scorer)
    unscored_reason: str = ""
    rank: int | None = None
    percentile: Decimal | None = None

    @property
    def kpis(self) -> list[dict]:
        """The breakdown lines (parsed on each access: the computation itself only writes the JSON)."""
        return json.loads(self.kpis_json)


@dataclass
class OverallResult:
    """One agent's overall result across the scheme versions that apply to them."""

    agent_id: int
    team_id: int | None
    schemes: dict[int | None, SchemeResult] = field(default_factory=dict)  # by version id
    total: Decimal | None = None
    handled: int = 0
    unscored_reason: str = ""
    rank: int | None = None
    percentile: Decimal | None = None


def score_version(version: VersionSpec, inputs: Inputs) -> SchemeResult:
    """Score one agent's inputs with one version; see the module docstring for the rules."""
    return version_scorer(version)(inputs)


@dataclass(frozen=True)
class _KpiLine:
    """One KPI of a version with what every agent's breakdown line repeats, computed once per version."""

    kpi: KpiSpec
    measure: Callable[[Inputs], tuple[Decimal | None, int]]
    settings: dict  # the KPI's settings as stored in every breakdown line
    weight_text: str
    json_prefix: str  # the settings as the start of the line's JSON object: '{"kpi_code":"aht",…,"min_sample":20,'


def _line(kpi: KpiSpec) -> _KpiLine:
    settings = {"kpi_code": kpi.kpi_code, "weight": str(kpi.weight), "floor": str(kpi.floor),
                "target": str(kpi.target), "min_sample": kpi.min_sample}
    return _KpiLine(kpi, kpi_measure(kpi.kpi_code), settings, str(kpi.weight),
                    json.dumps(settings, separators=(",", ":"))[:-1] + ",")


def _json(value: Decimal | None) -> str:
    """A breakdown number as the JSON string of its text, or null: a decimal's text (digits, sign, point,
    exponent) needs no escaping."""
    return "null" if value is None else f'"{value}"'


def version_scorer(version: VersionSpec) -> Callable[[Inputs], SchemeResult]:
    """`score_version` for one version, to be applied to each agent of its population: the KPIs' formulas, settings
    and their text are prepared once, not per agent. The arithmetic is the module docstring's, step for step.

    The breakdown is written directly as the JSON the result write stores (`kpis_json`; each line's constant
    settings encoded once per version, which json.dumps of per-agent dicts re-encoded for every agent and KPI), the
    same text json.dumps gives for the lines' dicts: settings, then raw_value, sample_size, status, points,
    weight_used and contribution, numbers as strings. It holds numbers only; names and units come from the catalog
    when served."""
    lines = [_line(kpi) for kpi in version.kpis]
    zero_policy = version.missing_data_policy == MissingDataPolicy.ZERO
    zero_text = str(ZERO)

    def score(inputs: Inputs) -> SchemeResult:
        measured, weighted, weights_used, any_sufficient = [], ZERO, ZERO, False
        for line in lines:
            value, sample = line.measure(inputs)
            kpi = line.kpi
            if value is not None and sample >= kpi.min_sample:
                any_sufficient = True
                points, status = normalize(value, kpi.floor, kpi.target), "scored"
            else:
                points, status = (ZERO_POINTS if zero_policy else None), "insufficient"
            if points is not None:  # the weight is used: scored, or insufficient under the zero policy
                weighted += kpi.weight * points
                weights_used += kpi.weight
            measured.append((line, value, sample, status, points))
        handled = int(inputs.get("handled") or 0)
        total = _cents(weighted / weights_used) if any_sufficient else None
        encoded = []
        for line, value, sample, status, points in measured:
            contribution = (None if total is None or points is None
                            else _cents(line.kpi.weight * points / weights_used))
            used = zero_text if points is None else line.weight_text
            encoded.append(f'{line.json_prefix}"raw_value":{_json(value)},"sample_size":{sample},"status":"{status}",'
                           f'"points":{_json(points)},"weight_used":"{used}","contribution":{_json(contribution)}}}')
        return SchemeResult(total, handled, f"[{','.join(encoded)}]", "" if any_sufficient else INSUFFICIENT_DATA)

    return score


def overall_total(results: list[SchemeResult]) -> Decimal | None:
    """Handled-weighted mean of the scored totals (plain mean if none handled anything); None if none scored."""
    scored = [r for r in results if r.total is not None]
    if not scored:
        return None
    volume = sum(r.handled for r in scored)
    if volume:
        return _cents(sum(r.total * r.handled for r in scored) / volume)
    return _cents(sum(r.total for r in scored) / len(scored))


def competition_ranks(totals: Mapping[Hashable, Decimal]) -> dict[Hashable, tuple[int, Decimal]]:
    """Key → (rank, percentile): rank 1 + how many scored strictly higher; percentile the share strictly below."""
    ascending = sorted(totals.values())
    population = len(ascending)
    by_total: dict[Decimal, tuple[int, Decimal]] = {}  # ties share rank and percentile: computed once per total
    out = {}
    for key, total in totals.items():
        ranked = by_total.get(total)
        if ranked is None:
            higher = population - bisect_right(ascending, total)
            lower = bisect_left(ascending, total)
            ranked = by_total[total] = (higher + 1, _cents(Decimal(lower) * HUNDRED / population))
        out[key] = ranked
    return out


def rank_in_place(results: Mapping[Hashable, SchemeResult | OverallResult]) -> None:
    ranks = competition_ranks({key: r.total for key, r in results.items() if r.total is not None})
    for key, (rank, percentile) in ranks.items():
        results[key].rank, results[key].percentile = rank, percentile
