"""The reward evaluation, on hand-made inputs: tier edges, rank cut-offs with ties, team and improvement rules,
every gate, percent-of-base rounding per currency, budget caps."""

from datetime import date
from decimal import Decimal

import pytest

from performance.services.rewards.evaluation import evaluate_rule
from tests.performance.rewards_helpers import agent, inputs, spec, tiers

A_B = tiers(("A", 90, True, None, False, 1000), ("B", 80, True, 90, False, 500))


def by_agent(result):
    return {a.agent_id: a for a in result.awards}, {o.agent_id: o for o in result.outcomes}


@pytest.mark.parametrize(("total", "expected"), [
    ("90.00", "A"), ("89.99", "B"), ("80.00", "B"), ("79.99", None), ("100", "A"),
])
def test_tier_edges_inclusive_lower_exclusive_upper(total, expected):
    awards, outcomes = by_agent(evaluate_rule(spec(A_B), inputs(agent(1, total))))
    if expected is None:
        assert 1 not in awards
        assert outcomes[1].code == "no_tier"
        # The band missed, with the gap: 80 − 79.99.
        assert outcomes[1].explanation["nearest_tier"] == {"tier": "B", "bounds": "80 ≤ x < 90",
                                                           "gap": "0.01"}
    else:
        assert awards[1].explanation["tier"] == expected
        assert awards[1].amount == {"A": Decimal("1000.00"), "B": Decimal("500.00")}[expected]


@pytest.mark.parametrize(("total", "expected"), [("90", "B"), ("90.01", "A"), ("80", None), ("80.01", "B")])
def test_tier_edges_exclusive_lower_inclusive_upper(total, expected):
    rule = spec(tiers(("A", 90, False, None, False, 1000), ("B", 80, False, 90, True, 500)))
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(agent(1, total))))
    assert (awards[1].explanation["tier"] if 1 in awards else None) == expected


def test_tiers_on_a_kpi_lower_is_better():
    rule = spec(tiers(("fast", None, False, 300, False, 200), metric="aht"))
    fast, slow = agent(1, 50), agent(2, 99)
    fast.kpis = {1: {"aht": Decimal("299.9999")}}
    slow.kpis = {1: {"aht": Decimal("300")}}
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(fast, slow)))
    assert awards[1].explanation["value"] == "299.9999" and outcomes[2].code == "no_tier"


def test_rank_top_n_includes_everyone_tied_at_the_cut_off():
    rule = spec({"kind": "rank", "params": {"top_n": 2}, "amount": Decimal(300)})
    people = [agent(1, 95), agent(2, 90), agent(3, 90), agent(4, 80)]
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(*people)))
    assert sorted(awards) == [1, 2, 3]
    assert [awards[i].explanation["rank"] for i in (1, 2, 3)] == [1, 2, 2]
    assert outcomes[4].code == "outside_cut_off" and outcomes[4].explanation["rank"] == 4


def test_rank_top_percent_rounds_the_count_up():
    rule = spec({"kind": "rank", "params": {"top_percent": Decimal(25)}, "amount": Decimal(1)})
    people = [agent(i, 100 - i) for i in range(1, 6)]  # 25 % of 5 = 1.25 → 2 agents
    awards, _ = by_agent(evaluate_rule(rule, inputs(*people)))
    assert sorted(awards) == [1, 2]


def test_team_rule_mean_and_median_per_member_or_for_the_team():
    people = [agent(1, 90, team=10), agent(2, 50, team=10), agent(3, 60, team=10),
              agent(4, 70, team=20), agent(5, 70, team=20)]
    mean = spec({"kind": "team", "params": {"statistic": "mean"}, "amount": Decimal(100)})
    awards, outcomes = by_agent(evaluate_rule(mean, inputs(*people)))
    assert sorted(awards) == [4, 5]  # team 20: mean 70 > team 10: 66.67
    assert outcomes[1].code == "team_not_best" and outcomes[1].explanation["team_value"] == "66.67"
    median = spec({"kind": "team", "params": {"statistic": "median", "award_to": "team"}, "amount": Decimal(900)})
    result = evaluate_rule(median, inputs(*people))
    assert [(a.agent_id, a.team_id, a.amount) for a in result.awards] == [(None, 20, Decimal("900.00"))]
    people[2].total = Decimal(80)  # team 10's median becomes 80
    result = evaluate_rule(median, inputs(*people))
    assert [a.team_id for a in result.awards] == [10]


def test_improvement_largest_gain_with_a_minimum_previous_sample():
    rule = spec({"kind": "improvement", "params": {"min_previous_handled": 20}, "amount": Decimal(50)})
    people = [agent(1, 80, previous_total=Decimal(60), previous_handled=30),   # +20
              agent(2, 90, previous_total=Decimal(50), previous_handled=10),   # +40, too few before
              agent(3, 70, previous_total=Decimal(65), previous_handled=30),   # +5
              agent(4, 70)]                                                     # no previous score
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(*people)))
    assert list(awards) == [1] and awards[1].explanation["gain"] == "20"
    assert outcomes[2].code == "no_previous" and outcomes[3].code == "outside_cut_off"
    assert outcomes[4].code == "no_previous"


@pytest.mark.parametrize(("gate", "value", "person", "actual"), [
    ("min_handled", 50, {"handled": 49}, 49),
    ("min_attendance", Decimal(95), {"attendance": Decimal("94.99")}, "94.99"),
    ("min_attendance", Decimal(95), {}, None),  # no scheduled shifts: unknown attendance fails
    ("no_auto_failed_qa", True, {"auto_failed_reviews": 1}, 1),
    ("min_tenure_days", 90, {"hired_on": date(2026, 8, 4)}, 89),  # 4 Aug → 1 Nov (the exclusive end): 89 days
    ("min_tenure_days", 90, {"hired_on": None}, None),
    ("excluded_agents", [7], {}, "listed"),
])
def test_each_gate_refuses_with_its_numbers(gate, value, person, actual):
    rule = spec({**A_B, "gates": {gate: value}})
    failing, passing = agent(7, 95, **person), agent(8, 95, attendance=Decimal(100))
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(failing, passing)))
    assert 7 not in awards and 8 in awards
    (failed,) = outcomes[7].explanation["gates_failed"]
    assert outcomes[7].code == "gate_failed" and failed["gate"] == gate and failed["actual"] == actual


def test_tenure_exactly_at_the_minimum_passes():
    rule = spec({**A_B, "gates": {"min_tenure_days": 90}})
    awards, _ = by_agent(evaluate_rule(rule, inputs(agent(1, 95, hired_on=date(2026, 8, 3)),
                                                    period_end=date(2026, 11, 1))))  # 90 days
    assert 1 in awards


@pytest.mark.parametrize(("currency", "base", "percent", "expected"), [
    ("CNY", "12345.67", "7.5", "925.93"),   # 925.92525 → half-up 925.93
    ("CNY", "1001", "0.5", "5.01"),         # 5.005 → 5.01 (half-up; half-even would give 5.00)
    ("JPY", "333333", "1.5", "5000"),       # 4999.995 → 5000
    ("KWD", "1000", "0.12345", "1.235"),    # 1.2345 → 1.235 (3 places)
])
def test_percent_of_base_rounds_half_up_to_the_minor_unit(currency, base, percent, expected):
    rule = spec({"kind": "rank", "params": {"top_n": 1}, "amount_type": "percent_of_base",
                 "amount": Decimal(percent)})
    result = evaluate_rule(rule, inputs(agent(1, 90, base_amount=Decimal(base)), currency=currency))
    assert str(result.awards[0].amount) == expected


def test_percent_of_base_without_a_base_amount_is_no_award():
    rule = spec({"kind": "rank", "params": {"top_n": 1}, "amount_type": "percent_of_base", "amount": Decimal(5)})
    result = evaluate_rule(rule, inputs(agent(1, 90)))
    assert not result.awards and result.outcomes[0].code == "no_base_amount"


def test_budget_cap_cuts_in_rank_order_and_the_agent_at_the_cap_gets_the_remainder():
    rule = spec({"kind": "rank", "params": {"top_n": 4}, "amount": Decimal(400), "budget_cap": Decimal(1000)})
    people = [agent(1, 99), agent(2, 98), agent(3, 97), agent(4, 96)]
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(*people)))
    assert {k: str(a.amount) for k, a in awards.items()} == {1: "400.00", 2: "400.00", 3: "200.00"}
    assert awards[3].explanation["budget"] == {"cap": "1000", "requested": "400.00", "granted": "200.00"}
    assert outcomes[4].code == "budget_exhausted"
    assert sum(a.amount for a in awards.values()) == Decimal(1000)


def test_budget_cap_keeps_titles_for_those_past_the_cap():
    rule = spec({"kind": "rank", "params": {"top_n": 2}, "amount": Decimal(600), "budget_cap": Decimal(600),
                 "title": "Service star"})
    awards, _ = by_agent(evaluate_rule(rule, inputs(agent(1, 99), agent(2, 98))))
    assert (awards[2].amount, awards[2].title) == (Decimal("0.00"), "Service star")


def test_scope_by_team_and_unscored_agents():
    rule = spec(A_B, team_ids={10})
    awards, outcomes = by_agent(evaluate_rule(rule, inputs(agent(1, 95, team=10), agent(2, 95, team=20),
                                                           agent(3, None, team=10))))
    assert list(awards) == [1] and 2 not in outcomes and outcomes[3].code == "unscored"
