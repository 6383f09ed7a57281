"""Serializers of alert rules, alerts, their evaluation and delivery log."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Agent, Team
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from common.webhooks.api.serializers import WebhookDeliverySerializer
from performance.models import Alert, AlertDelivery, AlertRule
from performance.services.alerts.rules import ALERT_KPI_CHOICES, RECIPIENT_ROLES

RULE_FIELDS = ["id", "name", "description", "kpi", "scope", "team", "agent", "channel", "comparison", "threshold",
               "window", "window_size", "min_sample", "cooldown_minutes", "recipient_roles", "recipient_users",
               "deliver_webhooks", "is_enabled", "cooldown_until", "last_evaluated_at", "last_value", "last_sample",
               "open_alert", "created_at", "updated_at"]
RULE_READ_ONLY = ["id", "cooldown_until", "last_evaluated_at", "last_value", "last_sample", "open_alert",
                  "created_at", "updated_at"]


class AlertRuleSerializer(StrictModelSerializer):
    kpi = serializers.ChoiceField(choices=ALERT_KPI_CHOICES, help_text="An interaction KPI code (raw interactions).")
    team = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), required=False, allow_null=True,
                                        help_text="The team of a team-scoped rule (interactions by their team).")
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False, allow_null=True,
                                         help_text="The agent of an agent-scoped rule.")
    recipient_roles = serializers.ListField(
        child=serializers.ChoiceField(choices=RECIPIENT_ROLES), required=False, max_length=2,
        help_text="admin: every admin; supervisor: the supervisors granted the rule's team (team- and "
                  "agent-scoped rules).")
    recipient_users = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False,
                                            max_length=50, help_text="User ids of active members to notify.")
    open_alert = serializers.SerializerMethodField(help_text="The rule's unresolved alert, if any.")

    class Meta:
        model = AlertRule
        fields = RULE_FIELDS
        read_only_fields = RULE_READ_ONLY
        extra_kwargs = {
            "threshold": {"help_text": "Compared with the KPI's value in its unit (seconds, %, count...)."},
            "window_size": {"help_text": "N hours (window hours, at most 744) or N days (window days, at most "
                                         "92); ignored for today."},
            "min_sample": {"help_text": "The KPI's samples (its sample basis, e.g. handled contacts) needed to "
                                        "judge; fewer: no alert is raised or resolved."},
            "cooldown_minutes": {"help_text": "After an alert is resolved, no new one for this long."},
            "deliver_webhooks": {"help_text": "Also emit alert.raised / alert.resolved to subscribed webhooks."},
        }

    def get_open_alert(self, rule) -> int | None:
        return getattr(rule, "open_alert_id", None)


class AlertRuleUpdateSerializer(AlertRuleSerializer):
    class Meta(AlertRuleSerializer.Meta):
        extra_kwargs = {name: {"required": False} for name in RULE_FIELDS if name not in RULE_READ_ONLY}


class AlertSerializer(StrictModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)
    scope = serializers.CharField(source="rule.scope", read_only=True)

    class Meta:
        model = Alert
        fields = ["id", "rule", "rule_name", "scope", "status", "kpi", "comparison", "threshold", "value", "sample",
                  "window_start", "window_end", "raised_at", "last_value", "last_sample", "last_evaluated_at",
                  "within_since", "acknowledged_at", "acknowledged_by", "resolved_at", "resolved_by", "resolution",
                  "note"]
        read_only_fields = fields


class AlertActionSerializer(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AlertEvaluationSerializer(StrictSerializer):
    rule = serializers.IntegerField()
    evaluated_at = serializers.DateTimeField()
    window_start = serializers.DateTimeField()
    window_end = serializers.DateTimeField()
    value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    sample = serializers.IntegerField()
    breached = serializers.BooleanField(allow_null=True, help_text="Null: fewer samples than min_sample.")
    outcome = serializers.ChoiceField(choices=["raised", "still_breached", "cooldown", "recovering", "resolved",
                                               "ok", "insufficient_sample"])
    alert = AlertSerializer(allow_null=True)


class AlertDeliverySerializer(StrictModelSerializer):
    delivery = WebhookDeliverySerializer(read_only=True)

    class Meta:
        model = AlertDelivery
        fields = ["id", "event", "delivery"]
        read_only_fields = fields
