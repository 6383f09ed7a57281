"""Rewards end to end: the computation's award step, provisional replacement, freezing on close, adjustment
entries after close, simulate == computation, validation errors, approval/payment with events, payroll export."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from common.models import Notification
from performance.models import Award, AwardStatus, RewardOutcome
from performance.services.scoring import period_close, period_open_review, score_adjustment_create
from tests.performance.conftest import compute_now
from tests.performance.rewards_helpers import admin, give_totals, rule_version, scored_period, tiers

A_B = tiers(("A", 90, True, None, False, 1000), ("B", 70, True, 90, False, 500))
TOP_2 = {"kind": "rank", "params": {"top_n": 2}, "amount": Decimal(300), "title": "Service star"}


@pytest.fixture
def people(cast):
    north, south = cast.north_agents, cast.south_agents
    return {north[0]: 90, north[1]: 80, north[2]: 60, south[0]: 100, south[1]: 70, south[2]: 30}


def close(period):
    actor = admin(period.tenant)
    period_open_review(actor=actor, period=period)
    return period_close(actor=actor, period=period)


def test_the_computation_writes_awards_and_outcomes_with_explanations(cast, people):
    tier_rule = rule_version(cast.tenant, "Tiers", **A_B)
    rank_rule = rule_version(cast.tenant, "Top 2", **TOP_2)
    period = scored_period(cast.tenant, people)
    job = period.jobs.get()
    awards = Award.objects.filter(period=period)
    tiers_given = {a.agent.employee_code: (a.explanation["tier"], a.amount) for a in awards.filter(
        rule_version=tier_rule)}
    assert tiers_given == {"N000": ("A", Decimal("1000")), "N001": ("B", Decimal(500)), "S000": ("A", 1000),
                           "S001": ("B", 500)}
    assert sorted(a.agent.employee_code for a in awards.filter(rule_version=rank_rule)) == ["N000", "S000"]
    assert job.counts["awards"] == 6
    missed = RewardOutcome.objects.get(period=period, rule_version=tier_rule, agent=cast.north_agents[2])
    assert missed.code == "no_tier" and missed.explanation["nearest_tier"]["gap"] == "10.00"
    assert all(a.status == AwardStatus.PENDING and a.revision_id == period.current_revision_id for a in awards)


def test_awards_are_replaced_by_a_recomputation_and_kept_when_nothing_changed(cast, people):
    rule_version(cast.tenant, "Tiers", **A_B)
    period = scored_period(cast.tenant, people)
    first = set(Award.objects.filter(period=period).values_list("pk", flat=True))
    compute_now(period)  # unchanged inputs: the same awards stay
    assert set(Award.objects.filter(period=period).values_list("pk", flat=True)) == first
    give_totals({cast.north_agents[2]: 20})  # N002: 60 → 80, tier B now
    compute_now(period)
    awards = Award.objects.filter(period=period)
    assert not first & set(awards.values_list("pk", flat=True))
    assert awards.filter(agent=cast.north_agents[2]).get().explanation["tier"] == "B"
    assert awards.count() == 5 and all(a.revision_id == period.current_revision_id for a in awards)


def test_awards_freeze_on_close_and_an_adjustment_adds_entries(cast, people):
    version = rule_version(cast.tenant, "Tiers", **A_B)
    period = scored_period(cast.tenant, people)
    close(period)
    frozen = {a.pk: (a.amount, a.title) for a in Award.objects.filter(period=period)}
    # The version is frozen now: changes are refused, a new version is the way.
    response_version = version
    from rest_framework.exceptions import APIException

    from performance.services.rewards import reward_rule_version_update
    with pytest.raises(APIException) as refused:
        reward_rule_version_update(actor=admin(cast.tenant), version=response_version,
                                   data={"effective_from": date(2026, 1, 1), **A_B})
    assert refused.value.get_codes() == "reward_rule_version_frozen"
    # N002 60 → 75 (tier B, +500) and S001 70 → 65 (loses B, −500).
    actor = admin(cast.tenant, cast.users["admin"])
    score_adjustment_create(actor=actor, period=period, agent=cast.north_agents[2], points=Decimal(15), reason="Fix")
    score_adjustment_create(actor=actor, period=period, agent=cast.south_agents[1], points=Decimal(-5), reason="Fix")
    assert {a.pk: (a.amount, a.title) for a in Award.objects.filter(period=period, source="rule")} == frozen
    entries = Award.objects.filter(period=period, source="adjustment").order_by("id")
    assert [(e.agent.employee_code, e.amount, e.adjusts_id is not None) for e in entries] == [
        ("N002", Decimal(500), False), ("S001", Decimal(-500), True)]
    assert entries[1].explanation["previous_amount"] == "500.0000" and entries[1].explanation["new_amount"] == "0"
    # The same adjustment again changes nothing more: the rules already give what the entries say.
    score_adjustment_create(actor=actor, period=period, agent=cast.north_agents[0], points=Decimal(1), reason="Fix")
    assert entries.count() == 2


def test_an_appeal_adjustment_on_an_open_period_reevaluates_provisional_awards(cast, people):
    rule_version(cast.tenant, "Tiers", **A_B)
    period = scored_period(cast.tenant, people)
    score_adjustment_create(actor=admin(cast.tenant), period=period, agent=cast.north_agents[2],
                            points=Decimal(15), reason="Appeal", appeal=_accepted_appeal(cast, period))
    assert Award.objects.get(period=period, agent=cast.north_agents[2]).explanation["tier"] == "B"
    assert not Award.objects.filter(source="adjustment").exists()


def _accepted_appeal(cast, period):
    from feedback.models import Appeal

    return Appeal.objects.create(tenant=cast.tenant, kind="period_score", agent=cast.north_agents[2],
                                 filed_by=cast.users["agent"], period=period, reason="r", status="overturned",
                                 due_at=period.created_at)


def test_simulate_equals_what_the_computation_writes(cast, client_as, people):
    tier_rule = rule_version(cast.tenant, "Tiers", **A_B, budget_cap=Decimal(2000))
    rank_rule = rule_version(cast.tenant, "Top 2", **TOP_2)
    period = scored_period(cast.tenant, people)
    response = client_as(cast.users["admin"]).post(cast.url(f"periods/{period.pk}/simulate-rewards/"),
                                                   {"rule_versions": [tier_rule.pk, rank_rule.pk]}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    simulated = sorted((r["rule_version"], a["agent"], Decimal(a["amount"]), a["title"])
                       for r in body["rules"] for a in r["awards"])
    written = sorted(Award.objects.filter(period=period).values_list("rule_version_id", "agent_id", "amount",
                                                                        "title"))
    assert simulated == written
    outcomes = sorted((r["rule_version"], o["agent"], o["code"]) for r in body["rules"] for o in r["outcomes"])
    assert outcomes == sorted(RewardOutcome.objects.filter(period=period).values_list("rule_version_id", "agent_id",
                                                                                      "code"))
    assert Decimal(body["total_amount"]) == sum(a[2] for a in written) == Decimal(2600)
    # The cap (2000) is reached by S000 (100, A) and N000 (90, A); N001 and S001 keep their tier title only.
    by_team = {t["team"]: Decimal(t["total_amount"]) for t in body["teams"]}
    assert by_team == {cast.north.pk: Decimal(1000 + 0 + 300), cast.south.pk: Decimal(1000 + 0 + 300)}


def test_simulate_inline_rules_saves_nothing_and_reports_gaps(cast, client_as, people):
    period = scored_period(cast.tenant, people)
    gap = {"kind": "tiers", "params": {"tiers": [
        {"name": "A", "lower": "90", "amount": "10"}, {"name": "B", "lower": "60", "upper": "80", "amount": "5"}]}}
    response = client_as(cast.users["admin"]).post(cast.url(f"periods/{period.pk}/simulate-rewards/"),
                                                   {"rules": [{"effective_from": "2026-01-01", **gap}]}, format="json")
    assert response.status_code == 200, response.content
    (rule,) = response.json()["rules"]
    assert rule["award_count"] == 4 and "Gap between tier 'B'" in rule["warnings"][0]
    assert not Award.objects.exists()


@pytest.mark.parametrize(("data", "field"), [
    (tiers(("A", 80, True, None, False, 10), ("B", 70, True, 80, True, 5)), "params.tiers.0.lower"),
    (tiers(("A", 80, True, None, False, -10)), "params.tiers.0.amount"),
    ({"kind": "rank", "params": {"top_percent": "101"}, "amount": "5"}, "params.top_percent"),
    ({"kind": "rank", "params": {"top_percent": "-1"}, "amount": "5"}, "params.top_percent"),
    ({"kind": "rank", "params": {"top_n": 3}, "amount": "-5"}, "amount"),
    (tiers(("A", 80, True, None, False, 10), metric="speed"), "params.metric"),
    ({"kind": "rank", "params": {"top_n": 3}, "amount": "5", "budget_cap": "-1"}, "budget_cap"),
])
def test_invalid_versions_are_400_with_field_paths(cast, client_as, data, field):
    client = client_as(cast.users["admin"])
    rule = client.post(cast.url("reward-rules/"), {"name": "Bad"}, format="json").json()
    body = {"effective_from": "2026-01-01", **data}
    response = client.post(cast.url(f"reward-rules/{rule['id']}/versions/"), body, format="json")
    assert response.status_code == 400, response.content
    assert field in [e["field"] for e in response.json()["errors"]], response.json()


def test_a_gap_between_tiers_is_a_warning_not_an_error(cast, client_as):
    client = client_as(cast.users["admin"])
    rule = client.post(cast.url("reward-rules/"), {"name": "Gappy"}, format="json").json()
    body = {"effective_from": "2026-01-01", **tiers(("A", 90, True, None, False, 10), ("B", 70, True, 80, False, 5))}
    response = client.post(cast.url(f"reward-rules/{rule['id']}/versions/"), body, format="json")
    assert response.status_code == 201, response.content
    assert len(response.json()["warnings"]) == 1


def test_a_new_version_supersedes_the_previous_one(cast, client_as):
    first = rule_version(cast.tenant, "Tiers", **A_B)
    second = rule_version(cast.tenant, "Tiers", effective_from=date(2026, 11, 1), **TOP_2)
    first.refresh_from_db()
    assert first.effective_to == date(2026, 11, 1) and second.number == 2


def test_approval_needs_a_closed_period_then_pay_notifies_the_agent(cast, client_as, people):
    rule_version(cast.tenant, "Top 2", **TOP_2)
    period = scored_period(cast.tenant, people)
    client = client_as(cast.users["admin"])
    own = Award.objects.get(period=period, agent=cast.own_agent)
    refused = client.post(cast.url(f"awards/{own.pk}/approve/"), {}, format="json")
    assert refused.status_code == 409 and refused.json()["code"] == "award_provisional"
    close(period)
    ids = list(Award.objects.filter(period=period).values_list("pk", flat=True))
    approved = client.post(cast.url("awards/approve/"), {"awards": ids}, format="json")
    assert approved.status_code == 200 and approved.json()["count"] == 2
    assert client.post(cast.url("awards/approve/"), {"awards": ids}, format="json").status_code == 409
    paid = client.post(cast.url(f"awards/{own.pk}/pay/"), {}, format="json")
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    events = list(Notification.objects.filter(recipient=cast.users["agent"]).values_list("event", flat=True))
    assert events.count("award.approved") == 1 and events.count("award.paid") == 1


def test_discretionary_award_proposed_by_a_supervisor_approved_by_an_admin(cast, client_as, people):
    period = scored_period(cast.tenant, people)
    supervisor = client_as(cast.users["supervisor"])
    body = {"period": period.pk, "agent": cast.north_agents[1].pk, "reason": "Adopted suggestion (创新奖)",
            "amount": "200.005", "title": "Innovation"}
    response = supervisor.post(cast.url("awards/"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["amount"] == "200.01" and response.json()["provisional"] is False
    south = supervisor.post(cast.url("awards/"), {**body, "agent": cast.south_agents[0].pk}, format="json")
    assert south.status_code == 400  # not an agent the supervisor sees
    award = response.json()["id"]
    admin_client = client_as(cast.users["admin"])
    approved = admin_client.post(cast.url(f"awards/{award}/approve/"), {"note": "ok"}, format="json")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert admin_client.post(cast.url(f"awards/{award}/reject/"), {}, format="json").status_code == 409
    assert supervisor.get(cast.url("awards/?source=discretionary")).json()["count"] == 1


def test_payroll_export_equals_the_json(cast, client_as, people):
    cast.tenant.currency = "JPY"
    cast.tenant.save()
    rule_version(cast.tenant, "Tiers", **A_B)
    period = scored_period(cast.tenant, people)
    close(period)
    client = client_as(cast.users["admin"])
    client.post(cast.url("awards/approve/"), {"awards": list(Award.objects.values_list("pk", flat=True))},
                format="json")
    listed = client.get(cast.url(f"awards/?period={period.pk}&status=approved")).json()["results"]
    expected = sorted((a["agent"]["employee_code"], a["amount"], a["currency"], a["title"]) for a in listed)
    csv_response = client.get(cast.url(f"awards/export/?period={period.pk}"))
    assert csv_response.streaming
    text = b"".join(csv_response.streaming_content)
    assert text.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(text.decode("utf-8-sig"))))
    assert sorted((r["Employee code"], r["Amount"], r["Currency"], r["Title"]) for r in rows) == expected
    assert expected[0][1] == "1000"  # JPY: no minor unit
    xlsx = client.get(cast.url(f"awards/export/?period={period.pk}&file_format=xlsx"))
    assert xlsx.streaming
    sheet = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active
    header, *values = list(sheet.values)
    index = {name: header.index(name) for name in ("Employee code", "Amount", "Currency", "Title")}
    assert sorted((v[index["Employee code"]], str(v[index["Amount"]]), v[index["Currency"]], v[index["Title"]])
                  for v in values) == expected
