"""Every KPI formula and the scoring arithmetic against hand-computed expectations."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from feedback.selectors import QAKpiInputs
from performance.kpis import CATALOG, kpi_value
from performance.selectors import KpiSpec, VersionSpec, interaction_aggregates, period_bounds, shift_aggregates
from performance.services.scoring.scorecard import (
    INSUFFICIENT_DATA,
    competition_ranks,
    normalize,
    overall_total,
    score_version,
)
from tests.factories import InteractionFactory, ShiftFactory
from tests.performance.conftest import compute_now, make_period, make_version

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=SHANGHAI)


def spec(*kpis, policy="redistribute", teams=(), scenario=None) -> VersionSpec:
    return VersionSpec(id=1, scheme_id=1, scheme_name="s", number=1, scenario_id=scenario,
                       team_ids=frozenset(teams), missing_data_policy=policy,
                       kpis=tuple(KpiSpec(c, D(str(w)), D(str(f)), D(str(t)), m) for c, w, f, t, m in kpis))


@pytest.fixture
def one_agent_month(cast):
    """Four contacts and three shifts of one agent in October 2026 (hand-computed values in the test)."""
    agent = cast.north_agents[1]
    rows = [
        # answered, ring, queue, talk, hold, acw, frt, resolved, fcr, csat
        (True, 2, 10, 100, 20, 30, 5, True, True, 5),
        (True, 4, 30, 200, 0, 60, None, False, False, 3),
        (False, 6, 50, 0, 0, 0, None, False, False, None),
        (True, 0, 20, 300, 40, 0, 15, True, False, 4),
    ]
    for day, (ans, ring, queue, talk, hold, acw, frt, res, fcr, csat) in enumerate(rows, start=2):
        InteractionFactory(agent=agent, started_at=at(day), answered=ans, ring_count=ring, queue_seconds=queue,
                           talk_seconds=talk, hold_seconds=hold, acw_seconds=acw, first_response_seconds=frt,
                           resolved=res, first_contact_resolved=fcr, csat=csat)
    for day, (scheduled, worked, logged_in) in enumerate([(480, 450, 420), (480, 480, 400), (0, 0, 0)], start=2):
        ShiftFactory(agent=agent, date=date(2026, 10, day), scheduled_minutes=scheduled, worked_minutes=worked,
                     logged_in_minutes=logged_in)
    period = make_period(cast.tenant)
    start, end = period_bounds(period)
    inputs = {
        **interaction_aggregates(tenant_id=cast.tenant.pk, start=start, end=end)[agent.pk],
        **shift_aggregates(tenant_id=cast.tenant.pk, start=period.start, end=period.end)[agent.pk],
    }
    return agent, inputs


EXPECTED = {
    # code: (raw value, sample size)
    "offered": (D("4"), 4),
    "handled": (D("3"), 4),
    "resolved": (D("2"), 4),
    "answer_rate": (D("75.0000"), 4),  # 3 / 4
    "asa": (D("20.0000"), 3),  # (10 + 30 + 20) / 3 handled
    "abandon_rate": (D("25.0000"), 4),  # (4 - 3) / 4
    "avg_rings": (D("3.0000"), 4),  # (2 + 4 + 6 + 0) / 4
    "frt": (D("10.0000"), 2),  # (5 + 15) / 2 present
    "aht": (D("250.0000"), 3),  # (150 + 260 + 340) / 3
    "acw": (D("30.0000"), 3),  # (30 + 60 + 0) / 3
    "fcr": (D("33.3333"), 3),  # 1 / 3
    "csat": (D("66.6667"), 3),  # ratings 5, 3, 4: two are >= 4
    "attendance": (D("96.8750"), 2),  # (450 + 480) / (480 + 480); the day off is not a scheduled shift
    "occupancy": (D("1.5244"), 2),  # 750 handle s / ((420 + 400) × 60 logged-in s) = 1.52439…%
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_kpi_raw_values_and_sample_sizes(one_agent_month, code):
    _, inputs = one_agent_month
    assert kpi_value(code, inputs) == EXPECTED[code]


def test_qa_kpis_read_the_qa_inputs():
    inputs = {"qa_reviews": 4, "qa_mean": D("82.5"), "qa_passed": 3}
    assert kpi_value("qa_score", inputs) == (D("82.5000"), 4)
    assert kpi_value("qa_pass_rate", inputs) == (D("75.0000"), 4)


def test_no_data_gives_no_value_and_zero_samples():
    for code in CATALOG:
        value, sample = kpi_value(code, {})
        assert sample == 0
        assert value == (D(0) if code in {"offered", "handled", "resolved", "outbound_calls"} else None), code


def test_catalog_is_complete():
    assert set(CATALOG) == {"offered", "handled", "resolved", "answer_rate", "asa", "abandon_rate", "avg_rings",
                            "frt", "aht", "acw", "fcr", "csat", "qa_score", "qa_pass_rate", "attendance",
                            "occupancy", "outbound_calls", "connect_rate", "occupancy_inbound",
                            "occupancy_outbound", "assessment_supervisor", "assessment_peer", "assessment_self",
                            "assessment_customer", "assessment_overall"}
    assert {k.direction for k in CATALOG.values()} <= {"higher", "lower", "band", "none"}
    assert CATALOG["aht"].direction == "lower" and CATALOG["csat"].direction == "higher"


@pytest.mark.parametrize(("value", "floor", "target", "points"), [
    ("70", "50", "90", "50.00"),  # halfway
    ("95", "50", "90", "100.00"),  # clamped above the target
    ("40", "50", "90", "0.00"),  # clamped below the floor
    ("66.6667", "50", "90", "41.67"),  # 16.6667 / 40 × 100 = 41.66675 → half-up
    ("450", "600", "300", "50.00"),  # lower is better: floor > target
    ("250", "600", "300", "100.00"),  # better than the target
    ("700", "600", "300", "0.00"),  # worse than the floor
    ("500", "600", "300", "33.33"),  # 100 / 300 × 100
])
def test_normalization(value, floor, target, points):
    assert normalize(D(value), D(floor), D(target)) == D(points)


CSAT_AHT = (("csat", 60, 50, 90, 3), ("aht", 40, 600, 300, 1))


def test_total_is_weighted_mean_of_points():
    # csat 5 of 6 good = 83.3333% → (33.3333 / 40) × 100 = 83.33 points; aht 450 s → 50.00 points
    inputs = {"csat_count": 6, "csat_good": 5, "handled": 10, "handle_sum": 4500}
    result = score_version(spec(*CSAT_AHT), inputs)
    assert [line["points"] for line in result.kpis] == ["83.33", "50.00"]
    assert result.total == D("70.00")  # (60 × 83.33 + 40 × 50) / 100 = 69.998 → 70.00
    assert [line["contribution"] for line in result.kpis] == ["50.00", "20.00"]  # 49.998, 20
    assert result.handled == 10


def test_kpi_below_minimum_sample_redistributes_its_weight():
    inputs = {"csat_count": 2, "csat_good": 2, "handled": 10, "handle_sum": 4500}  # csat: 2 < 3 samples
    result = score_version(spec(*CSAT_AHT), inputs)
    csat, aht = result.kpis
    assert csat["status"] == "insufficient" and csat["points"] is None and csat["weight_used"] == "0"
    assert csat["raw_value"] == "100.0000" and csat["sample_size"] == 2  # shown, but not scored
    assert aht["contribution"] == "50.00"
    assert result.total == D("50.00")  # only aht counts: 40 × 50 / 40


def test_kpi_below_minimum_sample_scores_zero_under_the_zero_policy():
    inputs = {"csat_count": 2, "csat_good": 2, "handled": 10, "handle_sum": 4500}
    result = score_version(spec(*CSAT_AHT, policy="zero"), inputs)
    assert result.kpis[0]["points"] == "0.00" and result.kpis[0]["weight_used"] == "60"
    assert result.total == D("20.00")  # (60 × 0 + 40 × 50) / 100


@pytest.mark.parametrize("policy", ["redistribute", "zero"])
def test_all_kpis_insufficient_leaves_the_agent_unscored(policy):
    result = score_version(spec(*CSAT_AHT, policy=policy), {})
    assert result.total is None
    assert result.unscored_reason == INSUFFICIENT_DATA
    assert all(line["contribution"] is None for line in result.kpis)


@pytest.mark.parametrize("policy", ["redistribute", "zero"])
@pytest.mark.parametrize("inputs", [
    {},  # nothing: every value None, unscored
    {"csat_count": 2, "csat_good": 2, "handled": 10, "handle_sum": 4500},  # csat below its minimum sample
    {"csat_count": 6, "csat_good": 5, "handled": 10, "handle_sum": 4500, "tenant_kpi:repeat_rate": D("12.3400"),
     "tenant_kpi:repeat_rate:samples": 31},
])
def test_the_breakdown_is_written_as_compact_json_of_its_lines(policy, inputs):
    """The scorer writes each line's JSON itself (its settings encoded once per version): valid, compact (the text
    json.dumps gives), every line with the KPI's settings and then its result, numbers as strings."""
    import json

    version = spec(*CSAT_AHT, ("repeat_rate", 10, 5, 25, 10), policy=policy)
    result = score_version(version, inputs)
    lines = json.loads(result.kpis_json)
    assert result.kpis_json == json.dumps(lines, separators=(",", ":"))
    assert [list(line) for line in lines] == [["kpi_code", "weight", "floor", "target", "min_sample", "raw_value",
                                               "sample_size", "status", "points", "weight_used", "contribution"]] * 3
    assert [(line["kpi_code"], line["weight"], line["floor"], line["target"], line["min_sample"]) for line in lines] \
        == [("csat", "60", "50", "90", 3), ("aht", "40", "600", "300", 1), ("repeat_rate", "10", "5", "25", 10)]
    for line in lines:
        assert all(isinstance(line[k], str | None) for k in ("raw_value", "points", "contribution"))
        assert isinstance(line["sample_size"], int) and line["status"] in ("scored", "insufficient")
        assert line["weight_used"] == (line["weight"] if line["points"] is not None else "0")
        assert (line["points"] is None) == (line["status"] == "insufficient" and policy == "redistribute")
    if "tenant_kpi:repeat_rate" in inputs:  # (12.34 − 5) / 20 × 100 = 36.70 points
        assert (lines[2]["raw_value"], lines[2]["sample_size"], lines[2]["points"]) == ("12.3400", 31, "36.70")


def test_competition_ranking_with_ties_and_percentiles():
    ranks = competition_ranks({"a": D("90"), "b": D("80"), "c": D("80"), "d": D("70")})
    assert ranks == {"a": (1, D("75.00")), "b": (2, D("25.00")), "c": (2, D("25.00")), "d": (4, D("0.00"))}


def test_overall_total_is_weighted_by_handled_volume():
    from performance.services.scoring.scorecard import SchemeResult

    # (80 × 30 + 50 × 10) / 40 = 72.5
    assert overall_total([SchemeResult(D("80"), 30, "[]"), SchemeResult(D("50"), 10, "[]")]) == D("72.50")
    assert overall_total([SchemeResult(D("80"), 0, "[]"), SchemeResult(D("50"), 0, "[]")]) == D("65.00")  # plain mean
    assert overall_total([SchemeResult(None, 5, "[]", INSUFFICIENT_DATA), SchemeResult(D("50"), 1, "[]")]) == D("50")
    assert overall_total([SchemeResult(None, 5, "[]", INSUFFICIENT_DATA)]) is None


def test_period_boundaries_follow_the_tenant_time_zone_across_dst(cast):
    """Europe/Berlin: October 2026 starts at 00:00 CEST (UTC+2) and ends at 00:00 CET (UTC+1) after the
    25 October change, i.e. [2026-09-30 22:00 UTC, 2026-10-31 23:00 UTC)."""
    from datetime import UTC

    cast.tenant.time_zone = "Europe/Berlin"
    cast.tenant.save()
    agent = cast.north_agents[1]
    inside = [datetime(2026, 9, 30, 22, 0, tzinfo=UTC),  # 1 Oct 00:00 CEST: first instant
              datetime(2026, 10, 31, 22, 59, tzinfo=UTC)]  # 31 Oct 23:59 CET
    outside = [datetime(2026, 9, 30, 21, 59, tzinfo=UTC),  # 30 Sep 23:59 CEST
               datetime(2026, 10, 31, 23, 0, tzinfo=UTC)]  # 1 Nov 00:00 CET: the exclusive end
    for started_at in inside + outside:
        InteractionFactory(agent=agent, started_at=started_at)
    period = make_period(cast.tenant)
    start, end = period_bounds(period)
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (datetime(2026, 9, 30, 22, tzinfo=UTC),
                                                            datetime(2026, 10, 31, 23, tzinfo=UTC))
    make_version(cast.tenant, kpis=[("offered", 100, 0, 10, 0)])
    compute_now(period)
    score = period.current_revision.scores.get(agent=agent)
    assert score.scheme_scores.get().kpis[0]["raw_value"] == "2.0000"


def test_scenario_scheme_counts_only_its_scenario(cast):
    from tests.factories import ScenarioFactory

    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")
    inquiry = ScenarioFactory(tenant=cast.tenant, code="inquiry")
    agent = cast.north_agents[1]
    for csat, scenario in [(5, complaint), (2, complaint), (1, inquiry), (1, inquiry), (5, None)]:
        InteractionFactory(agent=agent, started_at=at(5), csat=csat, scenario=scenario)
    complaints = make_version(cast.tenant, name="Complaints", scenario=complaint, kpis=[("csat", 1, 0, 100, 1)])
    general = make_version(cast.tenant, name="General", kpis=[("csat", 1, 0, 100, 1)])
    period = make_period(cast.tenant)
    compute_now(period)
    overall = period.current_revision.scores.get(agent=agent)
    by_version = {s.scheme_version_id: s for s in overall.scheme_scores.all()}
    assert by_version[complaints.pk].kpis[0]["raw_value"] == "50.0000"  # 1 of the 2 complaints rated >= 4
    assert by_version[complaints.pk].handled == 2
    assert by_version[general.pk].kpis[0]["raw_value"] == "40.0000"  # 2 of all 5
    # overall: (50 × 2 handled + 40 × 5 handled) / 7 = 42.857 → 42.86
    assert overall.total == D("42.86")


def test_qa_inputs_come_from_the_feedback_selector(cast, monkeypatch):
    agent = cast.north_agents[1]
    seen = {}

    def fake_qa_kpi_inputs(*, tenant_id, start, end, scenario_id=None):
        seen.update(tenant_id=tenant_id, start=start, end=end, scenario_id=scenario_id)
        return {agent.pk: QAKpiInputs(reviews=4, mean_total=D("85.5"), passed=3)}

    monkeypatch.setattr("feedback.selectors.qa_kpi_inputs", fake_qa_kpi_inputs)
    make_version(cast.tenant, kpis=[("qa_score", 1, 60, 100, 2), ("qa_pass_rate", 1, 50, 100, 2)])
    period = make_period(cast.tenant)
    compute_now(period)
    kpis = period.current_revision.scores.get(agent=agent).scheme_scores.get().kpis
    assert [(k["raw_value"], k["points"]) for k in kpis] == [("85.5000", "63.75"), ("75.0000", "50.00")]
    assert seen == {"tenant_id": cast.tenant.pk, "start": period_bounds(period)[0], "end": period_bounds(period)[1],
                    "scenario_id": None}
