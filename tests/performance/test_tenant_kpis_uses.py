"""Tenant-defined KPIs outside schemes: as a reward tier metric (validation and the computation's award step) and
as the subject of a KPI score appeal."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from feedback.models import Appeal
from performance.models import Award, ScoreAdjustment
from tests.factories import InteractionFactory
from tests.feedback.appeal_helpers import decide_all
from tests.performance.conftest import compute_now, make_period, make_version
from tests.performance.rewards_helpers import rule_version, tiers
from tests.performance.tenant_kpi_helpers import define, value


def _orders_period(cast):
    """N000 (the agent user): 7 orders on 2 days; N001: 3 orders on 1 day; both with csat 100 %."""
    orders = define(cast.tenant, "orders", "sum", name="Orders placed")
    n0, n1 = cast.north_agents[0], cast.north_agents[1]
    value(orders, n0, date(2026, 10, 3), 3)
    value(orders, n0, date(2026, 10, 4), 4)
    value(orders, n1, date(2026, 10, 3), 3)
    for agent in (n0, n1):
        InteractionFactory(agent=agent, started_at="2026-10-05T10:00:00+08:00", csat=5)
    make_version(cast.tenant, kpis=[("orders", 1, 0, 10, 1), ("csat", 1, 0, 100, 1)])
    return make_period(cast.tenant)


def test_a_tier_rule_bands_a_tenant_kpis_raw_value(cast):
    period = _orders_period(cast)
    rule = rule_version(cast.tenant, "Order stars", **tiers(("gold", 5, True, None, False, 200), metric="orders"))
    assert compute_now(period).status == "succeeded"
    awards = {a.agent.employee_code: (a.explanation["tier"], a.amount)
              for a in Award.objects.filter(period=period, rule_version=rule).select_related("agent")}
    assert awards == {"N000": ("gold", Decimal(200))}  # 7 ≥ 5; N001's 3 is below


def test_reward_rules_accept_the_tenants_kpi_codes_and_refuse_other_tenants(cast, client_as):
    define(cast.tenant, "orders", "sum")
    define(cast.other_tenant, "refunds", "sum")
    client = client_as(cast.users["admin"])
    rule = client.post(cast.url("reward-rules/"), {"name": "Order stars"}, format="json").json()
    url = cast.url(f"reward-rules/{rule['id']}/versions/")
    band = [{"name": "gold", "lower": "5", "amount": "10"}]
    ok = client.post(url, {"effective_from": "2026-01-01", "kind": "tiers",
                           "params": {"metric": "orders", "tiers": band}}, format="json")
    assert ok.status_code == 201, ok.content
    other = client.post(url, {"effective_from": "2027-01-01", "kind": "tiers",
                              "params": {"metric": "refunds", "tiers": band}}, format="json")
    assert other.status_code == 400 and other.json()["errors"][0]["field"] == "params.metric"


def test_a_kpi_score_appeal_on_a_tenant_kpi_becomes_an_adjustment(cast, client_as):
    period = _orders_period(cast)
    compute_now(period)
    agent = client_as(cast.users["agent"])
    define(cast.other_tenant, "refunds", "sum")
    unknown = agent.post(cast.url("appeals/"), {"period": period.pk, "kpi": "refunds", "reason": "r"}, format="json")
    assert unknown.status_code == 400 and unknown.json()["errors"][0]["field"] == "kpi"
    response = agent.post(cast.url("appeals/"), {"period": period.pk, "kpi": "orders", "proposed_value": "10",
                                                  "reason": "Three orders of the 5th are missing."}, format="json")
    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get(pk=response.json()["id"])
    assert appeal.items.get().original_value == Decimal(7)
    decide_all(appeal, appeal.reviewer)
    # orders 7 → 70 points, total (70 + 100) / 2 = 85; accepted 10 → 100 points, total 100: +15
    assert ScoreAdjustment.objects.get(appeal=appeal).points == Decimal(15)
