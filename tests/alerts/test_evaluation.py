"""Alert evaluation: windows at their edges in the tenant's time zone, minimum sample, de-duplication, cooldown,
auto-resolve, scopes, and one query per rule."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.models import Notification
from performance.models import Alert, AlertRule
from performance.services.alerts import alert_resolve, alert_rule_evaluate, alert_rules_evaluate_enabled, window_bounds
from tests.alerts.helpers import admin, contacts, rule

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 10, 9, 30, tzinfo=SHANGHAI)  # 01:30 UTC


@pytest.fixture
def tenant_in_shanghai(cast):
    cast.tenant.time_zone = "Asia/Shanghai"
    cast.tenant.save()
    return cast


def test_window_bounds_follow_the_tenant_time_zone():
    assert window_bounds(window="hours", size=3, now=NOW, tz=SHANGHAI) == (NOW - timedelta(hours=3), NOW)
    # today: since local midnight (16:00 UTC the day before), not UTC midnight
    assert window_bounds(window="today", size=1, now=NOW, tz=SHANGHAI)[0] == datetime(2026, 11, 10, tzinfo=SHANGHAI)
    assert window_bounds(window="days", size=3, now=NOW, tz=SHANGHAI)[0] == datetime(2026, 11, 8, tzinfo=SHANGHAI)
    utc = ZoneInfo("UTC")
    assert window_bounds(window="today", size=1, now=NOW, tz=utc)[0] == datetime(2026, 11, 10, tzinfo=utc)


def test_today_counts_from_local_midnight_inclusive(tenant_in_shanghai):
    cast = tenant_in_shanghai
    agent = cast.north_agents[0]
    midnight = datetime(2026, 11, 10, tzinfo=SHANGHAI)
    contacts(agent, midnight, n=2)  # at the window's start: in
    contacts(agent, midnight - timedelta(seconds=1), n=5, handle=10)  # a second before: yesterday, out
    contacts(agent, NOW, n=5, handle=10)  # at `now`: the window is [start, now), out
    evaluation = alert_rule_evaluate(rule=rule(cast, window="today"), now=NOW)
    assert (evaluation.value, evaluation.sample, evaluation.outcome) == (Decimal(400), 2, "raised")
    assert evaluation.window_start == midnight


def test_last_hours_edges(cast):
    agent = cast.north_agents[0]
    contacts(agent, NOW - timedelta(hours=1), n=2, handle=500)  # exactly at the start: in
    contacts(agent, NOW - timedelta(hours=1, seconds=1), n=3, handle=100)  # just before: out
    evaluation = alert_rule_evaluate(rule=rule(cast), now=NOW)
    assert (evaluation.value, evaluation.sample) == (Decimal(500), 2)


def test_rolling_days_start_at_local_midnight(tenant_in_shanghai):
    cast = tenant_in_shanghai
    agent = cast.north_agents[0]
    contacts(agent, datetime(2026, 11, 8, 0, 0, tzinfo=SHANGHAI), n=2)  # first day of 3, at midnight: in
    contacts(agent, datetime(2026, 11, 7, 23, 59, tzinfo=SHANGHAI), n=2, handle=0)  # the day before: out
    evaluation = alert_rule_evaluate(rule=rule(cast, window="days", window_size=3), now=NOW)
    assert (evaluation.value, evaluation.sample) == (Decimal(400), 2)


def test_minimum_sample_holds_the_alert_back(cast):
    contacts(cast.north_agents[0], NOW - timedelta(minutes=5), n=2)
    evaluation = alert_rule_evaluate(rule=rule(cast, min_sample=3), now=NOW)
    assert (evaluation.outcome, evaluation.breached, evaluation.alert) == ("insufficient_sample", None, None)
    contacts(cast.north_agents[0], NOW - timedelta(minutes=4))
    assert alert_rule_evaluate(rule=AlertRule.objects.get(), now=NOW).outcome == "raised"


def test_one_alert_per_breach_and_its_figures(cast):
    contacts(cast.north_agents[0], NOW - timedelta(minutes=10), n=3, handle=350)
    the_rule = rule(cast)
    first = alert_rule_evaluate(rule=the_rule, now=NOW)
    again = alert_rule_evaluate(rule=the_rule, now=NOW + timedelta(minutes=1))
    assert (first.outcome, again.outcome) == ("raised", "still_breached")
    alert = Alert.objects.get()
    assert (alert.value, alert.threshold, alert.sample, alert.status) == (Decimal(350), Decimal(300), 3, "open")
    assert Notification.objects.filter(event="alert.raised", recipient=cast.users["admin"]).count() == 1


def test_auto_resolve_needs_a_full_window_within(cast):
    agent = cast.north_agents[0]
    contacts(agent, NOW - timedelta(minutes=30), n=2, handle=600)
    the_rule = rule(cast)
    assert alert_rule_evaluate(rule=the_rule, now=NOW).outcome == "raised"
    # Fast contacts bring the hour's mean under 300 s: recovering, not yet resolved.
    contacts(agent, NOW + timedelta(minutes=1), n=10, handle=60)
    contacts(agent, NOW + timedelta(minutes=40), n=3, handle=60)
    back = NOW + timedelta(minutes=5)
    assert alert_rule_evaluate(rule=the_rule, now=back).outcome == "recovering"
    assert alert_rule_evaluate(rule=the_rule, now=back + timedelta(minutes=59)).outcome == "recovering"
    resolved = alert_rule_evaluate(rule=the_rule, now=back + timedelta(hours=1))
    assert resolved.outcome == "resolved"
    alert = Alert.objects.get()
    assert (alert.status, alert.resolution, alert.resolved_at) == ("resolved", "auto", back + timedelta(hours=1))
    assert Notification.objects.filter(event="alert.resolved").count() == 1


def test_a_breach_during_recovery_restarts_it(cast):
    agent = cast.north_agents[0]
    contacts(agent, NOW - timedelta(minutes=30), n=2, handle=600)
    the_rule = rule(cast)
    alert_rule_evaluate(rule=the_rule, now=NOW)
    contacts(agent, NOW + timedelta(minutes=1), n=10, handle=60)
    alert_rule_evaluate(rule=the_rule, now=NOW + timedelta(minutes=5))
    contacts(agent, NOW + timedelta(minutes=6), n=20, handle=900)
    assert alert_rule_evaluate(rule=the_rule, now=NOW + timedelta(minutes=10)).outcome == "still_breached"
    assert Alert.objects.get().within_since is None


def test_cooldown_holds_after_resolution(cast):
    contacts(cast.north_agents[0], NOW - timedelta(minutes=10), n=2)
    the_rule = rule(cast, cooldown_minutes=30)
    alert = alert_rule_evaluate(rule=the_rule, now=NOW).alert
    alert_resolve(actor=admin(cast), alert=alert)  # by hand, at the real time
    resolved_at = Alert.objects.get().resolved_at
    assert alert_rule_evaluate(rule=the_rule, now=resolved_at + timedelta(minutes=29)).outcome in (
        "cooldown", "insufficient_sample")
    contacts(cast.north_agents[0], resolved_at + timedelta(minutes=20), n=2)
    assert alert_rule_evaluate(rule=the_rule, now=resolved_at + timedelta(minutes=29)).outcome == "cooldown"
    assert alert_rule_evaluate(rule=the_rule, now=resolved_at + timedelta(minutes=30)).outcome == "raised"
    assert Alert.objects.count() == 2


@pytest.mark.parametrize(("scope", "target", "expected"), [
    ("tenant", {}, (Decimal(250), 4)),
    ("team", {"team": "north"}, (Decimal(400), 2)),
    ("agent", {"agent": "south"}, (Decimal(100), 2)),
    ("channel", {"channel": "chat"}, (Decimal(100), 2)),
])
def test_scopes(cast, scope, target, expected):
    contacts(cast.north_agents[0], NOW - timedelta(minutes=5), n=2, handle=400)
    contacts(cast.south_agents[0], NOW - timedelta(minutes=5), n=2, handle=100, channel="chat")
    resolved = {key: {"north": cast.north, "south": cast.south_agents[0]}.get(value, value)
                for key, value in target.items()}
    evaluation = alert_rule_evaluate(rule=rule(cast, scope=scope, **resolved), now=NOW)
    assert (evaluation.value, evaluation.sample) == expected


def test_other_tenants_interactions_never_count(cast):
    contacts(cast.other_agent, NOW - timedelta(minutes=5), n=5, handle=900)
    assert alert_rule_evaluate(rule=rule(cast), now=NOW).sample == 0


def test_evaluating_all_rules_is_one_aggregate_per_rule_whatever_the_agents(cast):
    for agent in cast.north_agents + cast.south_agents:
        contacts(agent, NOW - timedelta(minutes=5), n=2, handle=200)
    for i in range(3):
        rule(cast, name=f"Rule {i}")
    with CaptureQueriesContext(connection) as ctx:
        counts = alert_rules_evaluate_enabled(now=NOW, tenant_id=cast.tenant.pk)
    assert counts == {"ok": 3}
    aggregates = [q["sql"] for q in ctx.captured_queries if "performance_interaction" in q["sql"]]
    assert len(aggregates) == 3
    assert len(ctx) <= 1 + 3 * 8  # rules, then per rule: savepoint, lock, aggregate, alert, update


def test_disabled_rules_are_not_evaluated_by_the_sweep(cast):
    rule(cast, is_enabled=False)
    assert alert_rules_evaluate_enabled(now=NOW, tenant_id=cast.tenant.pk) == {}
