"""Alert evaluation on the bench tenant: 100 enabled rules over the last 24 hours, next to the same aggregates as
one hand-written SQL statement per rule (the bound).

Rules: 20 team-scoped (one per team), 60 agent-scoped, 10 channel-scoped and 10 tenant-wide, mixing AHT, answer
rate, CSAT, FCR and ASA, evaluated "now" = the end of October 2026 (the bench month's last day, local time). The
service is `alert_rules_evaluate_enabled`: per rule a transaction with the rule's row locked, one aggregate, the
alert's state and the rule's figures written.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.alerts
"""

from __future__ import annotations

import time
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bench.generate import CHANNELS, TIME_ZONE, setup_django

RULES = 100
KPIS = [("aht", "gt", 420), ("answer_rate", "lt", 85), ("csat", "lt", 70), ("fcr", "lt", 60), ("asa", "gt", 40)]
NOW = datetime(2026, 11, 1, tzinfo=ZoneInfo(TIME_ZONE))
BOUND_SQL = """
SELECT count(*), count(*) FILTER (WHERE answered),
       sum(talk_seconds + hold_seconds + acw_seconds) FILTER (WHERE answered)
  FROM performance_interaction
 WHERE tenant_id = %s AND started_at >= %s AND started_at < %s AND {scope}
"""


def ensure_rules(tenant) -> list:
    from accounts.models import Agent, Membership, Team
    from common.actor import Actor
    from performance.models import AlertRule
    from performance.services.alerts import alert_rule_create

    AlertRule.objects.filter(tenant=tenant).delete()
    membership = Membership.objects.get(tenant=tenant, role="admin")
    actor = Actor(tenant=tenant, role="admin", user=membership.user, membership=membership)
    teams = list(Team.objects.filter(tenant=tenant).order_by("pk"))
    agents = list(Agent.objects.filter(tenant=tenant).order_by("pk")[:60])
    scopes = ([{"scope": "team", "team": team} for team in teams]
              + [{"scope": "agent", "agent": agent} for agent in agents]
              + [{"scope": "channel", "channel": CHANNELS[i % len(CHANNELS)]} for i in range(10)]
              + [{"scope": "tenant"} for _ in range(10)])[:RULES]
    rules = []
    for i, scope in enumerate(scopes):
        kpi, comparison, threshold = KPIS[i % len(KPIS)]
        rules.append(alert_rule_create(actor=actor, name=f"Bench rule {i:03d}", kpi=kpi, comparison=comparison,
                                       threshold=Decimal(threshold), window="hours", window_size=24, min_sample=5,
                                       **scope))
    return rules


def _scope_sql(rule) -> tuple[str, list]:
    if rule.scope == "team":
        return "team_id = %s", [rule.team_id]
    if rule.scope == "agent":
        return "agent_id = %s", [rule.agent_id]
    if rule.scope == "channel":
        return "channel = %s", [rule.channel]
    return "true", []


def run_bound(tenant, rules) -> float:
    from datetime import timedelta

    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        for rule in rules:
            scope, params = _scope_sql(rule)
            cursor.execute(BOUND_SQL.format(scope=scope), [tenant.pk, NOW - timedelta(hours=24), NOW, *params])
            cursor.fetchall()
    return time.perf_counter() - started


def run_service(tenant) -> tuple[float, dict]:
    from performance.services.alerts import alert_rules_evaluate_enabled

    started = time.perf_counter()
    counts = alert_rules_evaluate_enabled(now=NOW, tenant_id=tenant.pk)
    return time.perf_counter() - started, counts


def measure_alerts(*, runs: int = 3) -> dict:
    from bench.computation import ensure_data
    from performance.models import Alert

    tenant = ensure_data()
    rules = ensure_rules(tenant)
    run_bound(tenant, rules)  # warm-up
    services, bounds, first_counts = [], [], None
    for _ in range(runs):
        seconds, counts = run_service(tenant)
        first_counts = first_counts or counts
        services.append(seconds)
        bounds.append(run_bound(tenant, rules))
    best_service, best_bound = min(services), min(bounds)
    return {"rules": len(rules), "first_run_outcomes": first_counts,
            "open_alerts": Alert.objects.filter(tenant=tenant).exclude(status="resolved").count(),
            "service_seconds": round(best_service, 3), "per_rule_ms": round(best_service / len(rules) * 1000, 2),
            "bound_seconds": round(best_bound, 3), "ratio": round(best_service / best_bound, 2)}


def main() -> None:
    setup_django()
    for key, value in measure_alerts().items():
        print(f"  {key:>36}: {value}")


if __name__ == "__main__":
    main()
