"""Threshold alerts: rules (rules.py), their evaluation in SQL (evaluation.py, windows.py) and the alert life cycle
with its notifications and webhooks (lifecycle.py, events.py)."""

from performance.services.alerts.evaluation import Evaluation, alert_rule_evaluate, alert_rules_evaluate_enabled
from performance.services.alerts.lifecycle import alert_acknowledge, alert_resolve
from performance.services.alerts.rules import (
    ALERT_KPIS,
    alert_rule_create,
    alert_rule_delete,
    alert_rule_update,
)
from performance.services.alerts.windows import window_bounds

__all__ = [
    "ALERT_KPIS",
    "Evaluation",
    "alert_acknowledge",
    "alert_resolve",
    "alert_rule_create",
    "alert_rule_delete",
    "alert_rule_evaluate",
    "alert_rule_update",
    "alert_rules_evaluate_enabled",
    "window_bounds",
]
