"""What an agent's total would be with one KPI measured differently: how an accepted KPI appeal is applied.

The stored breakdown of each scheme score (scorecard.score_version) holds every line's points and weight used,
so the scheme's total is recomputed from it with the KPI's line re-scored from the new raw value (floor → 0,
target → 100, clamped), in every scheme version that scores that KPI; the overall total is then the same
handled-weighted mean as the computation's.
"""

from __future__ import annotations

from decimal import Decimal

from performance.models import AgentPeriodScore
from performance.services.scoring.scorecard import SchemeResult, _cents, normalize, overall_total


def _scheme_total(lines: list[dict], kpi_code: str, raw_value: Decimal) -> Decimal | None:
    weighted, used = Decimal(0), Decimal(0)
    for line in lines:
        if line["kpi_code"] == kpi_code:
            points = normalize(raw_value, Decimal(line["floor"]), Decimal(line["target"]))
            weight = Decimal(line["weight"])
        elif line["points"] is None:
            continue
        else:
            points, weight = Decimal(line["points"]), Decimal(line["weight_used"])
        weighted += weight * points
        used += weight
    return _cents(weighted / used) if used else None


def total_with_kpi_value(score: AgentPeriodScore, kpi_code: str, raw_value: Decimal) -> Decimal | None:
    """The overall total `score` would have had if `kpi_code` had measured `raw_value`."""
    results = []
    for scheme in score.scheme_scores.all():
        total = scheme.total
        if any(line["kpi_code"] == kpi_code for line in scheme.kpis):
            total = _scheme_total(scheme.kpis, kpi_code, raw_value)
        results.append(SchemeResult(total=total, handled=scheme.handled, kpis_json="[]"))
    return overall_total(results)


def kpi_raw_value(score: AgentPeriodScore, kpi_code: str) -> tuple[bool, Decimal | None]:
    """(whether any scheme of the score has the KPI, its raw value in the first scheme that measured it)."""
    found, value = False, None
    for scheme in score.scheme_scores.all():
        for line in scheme.kpis:
            if line["kpi_code"] == kpi_code:
                found = True
                if value is None and line["raw_value"] is not None:
                    value = Decimal(line["raw_value"])
    return found, value
