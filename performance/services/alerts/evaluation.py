"""Evaluating alert rules: one SQL aggregate over the rule's window of raw interactions per rule, never per agent.

What an evaluation does, by the value it finds (breached = value `comparison` threshold):

| found | no unresolved alert | unresolved alert |
| --- | --- | --- |
| fewer samples than `min_sample` (or no value) | nothing | follows the value; neither resolves nor resets |
| breached | raises an alert, unless in the cooldown after the last resolution | follows the value; recovery restarts |
| within the threshold | nothing | recovering since the first such evaluation; resolved once that is at or |
|  |  | before the window's start (within the threshold for a full window) |

Each rule is evaluated in its own transaction with its row locked, so the beat task and an on-demand evaluation
of the same rule take turns and a breach never raises two alerts (a partial unique index guards it too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from common import rls
from performance.kpis import CATALOG, kpi_value
from performance.models import Alert, AlertComparison, AlertRule, AlertScope, AlertStatus, Interaction
from performance.selectors import _interaction_aggregations
from performance.services.alerts import lifecycle
from performance.services.alerts.windows import window_bounds

COMPARE = {
    AlertComparison.GT: lambda value, threshold: value > threshold,
    AlertComparison.GTE: lambda value, threshold: value >= threshold,
    AlertComparison.LT: lambda value, threshold: value < threshold,
    AlertComparison.LTE: lambda value, threshold: value <= threshold,
}


@dataclass(frozen=True)
class Evaluation:
    rule: int
    evaluated_at: datetime
    window_start: datetime
    window_end: datetime
    value: Decimal | None
    sample: int
    breached: bool | None  # None: not enough samples to tell
    outcome: str  # raised, still_breached, cooldown, recovering, resolved, ok, insufficient_sample
    alert: Alert | None


def rule_value(*, rule: AlertRule, start: datetime, end: datetime) -> tuple[Decimal | None, int]:
    """The rule's KPI over interactions started in [start, end) of its scope, and its sample size: one query."""
    kpi = CATALOG[rule.kpi]
    wanted = kpi.inputs
    aggregations = {name: expr for name, expr in _interaction_aggregations().items() if name in wanted}
    rows = Interaction.objects.filter(tenant_id=rule.tenant_id, started_at__gte=start, started_at__lt=end)
    if rule.scope == AlertScope.TEAM:
        rows = rows.filter(team_id=rule.team_id)
    elif rule.scope == AlertScope.AGENT:
        rows = rows.filter(agent_id=rule.agent_id)
    elif rule.scope == AlertScope.CHANNEL:
        rows = rows.filter(channel=rule.channel)
    inputs = {name: value or 0 for name, value in rows.aggregate(**aggregations).items()}
    return kpi_value(rule.kpi, inputs)


def _judge(rule: AlertRule, value: Decimal | None, sample: int) -> bool | None:
    if value is None or sample < rule.min_sample:
        return None
    return COMPARE[rule.comparison](value, rule.threshold)


@transaction.atomic
def alert_rule_evaluate(*, rule: AlertRule, now: datetime | None = None, actor=None) -> Evaluation:
    """Evaluate one rule now (or at `now`, for tests and replays): raise, follow or resolve its alert."""
    now = now or timezone.now()
    rule = AlertRule.objects.select_for_update().select_related("tenant").get(pk=rule.pk)
    start, end = window_bounds(window=rule.window, size=rule.window_size, now=now, tz=rule.tenant.zone)
    value, sample = rule_value(rule=rule, start=start, end=end)
    breached = _judge(rule, value, sample)
    alert = Alert.objects.filter(rule=rule).exclude(status=AlertStatus.RESOLVED).first()
    if alert is None:
        if breached and rule.cooldown_until and now < rule.cooldown_until:
            outcome = "cooldown"
        elif breached:
            alert, outcome = lifecycle.alert_raise(rule=rule, value=value, sample=sample, start=start, end=end,
                                                   now=now, actor=actor), "raised"
        else:
            outcome = "ok" if breached is False else "insufficient_sample"
    else:
        outcome = _follow(alert, rule=rule, value=value, sample=sample, breached=breached, start=start, now=now)
    rule.last_evaluated_at, rule.last_value, rule.last_sample = now, value, sample
    AlertRule.objects.filter(pk=rule.pk).update(last_evaluated_at=now, last_value=value, last_sample=sample)
    return Evaluation(rule=rule.pk, evaluated_at=now, window_start=start, window_end=end, value=value, sample=sample,
                      breached=breached, outcome=outcome, alert=alert)


def _follow(alert: Alert, *, rule: AlertRule, value, sample: int, breached: bool | None, start: datetime,
            now: datetime) -> str:
    alert.last_value, alert.last_sample, alert.last_evaluated_at = value, sample, now
    if breached is None:
        outcome = "insufficient_sample"
    elif breached:
        alert.within_since, outcome = None, "still_breached"
    else:
        alert.within_since = alert.within_since or now
        outcome = "recovering"
        if alert.within_since <= start:
            lifecycle.alert_auto_resolve(alert=alert, rule=rule, now=now)
            return "resolved"
    alert.save(update_fields=["last_value", "last_sample", "last_evaluated_at", "within_since"])
    return outcome


def alert_rules_evaluate_enabled(*, now: datetime | None = None, tenant_id: int | None = None) -> dict[str, int]:
    """Evaluate every enabled rule (of one tenant, or all); per outcome, how many rules had it. A rule whose
    evaluation fails is logged and skipped, so one broken rule does not stop the others."""
    import logging

    rules = AlertRule.objects.filter(is_enabled=True).order_by("tenant_id", "id")
    if tenant_id is not None:
        rules = rules.filter(tenant_id=tenant_id)
    counts: dict[str, int] = {}
    with rls.all_tenants():  # the sweep lists every tenant's rules, then evaluates each in its tenant's scope
        listed = list(rules.only("pk", "tenant_id"))
    for rule in listed:
        try:
            with rls.tenant_scope(rule.tenant_id):
                outcome = alert_rule_evaluate(rule=rule, now=now).outcome
        except Exception:  # noqa: BLE001 - reported, and the other rules still run
            logging.getLogger(__name__).exception("Evaluating alert rule %s failed", rule.pk)
            outcome = "failed"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts
