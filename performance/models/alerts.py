"""Threshold alerts: rules on an interaction KPI over a recent window, the alerts they raise, and which webhook
deliveries announced each alert.

How rules are evaluated and how alerts move (open → acknowledged → resolved) lives in
performance/services/alerts/.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.querysets import granted_teams
from common.models import TenantOwnedModel, TenantScopedQuerySet
from performance.models.interactions import Channel

if TYPE_CHECKING:
    from common.actor import Actor


def _rule_visible(actor: Actor, action: str, prefix: str = "") -> Q:
    """The Q of rules a supervisor may see (team- and agent-scoped rules of their teams)."""
    if actor.role != "supervisor":
        return Q(pk__in=[])
    teams = granted_teams(actor, action).values("pk")
    return (Q(**{f"{prefix}scope": AlertScope.TEAM, f"{prefix}team__in": teams})
            | Q(**{f"{prefix}scope": AlertScope.AGENT, f"{prefix}agent__team__in": teams}))


class AlertRuleQuerySet(TenantScopedQuerySet):
    """Admins see and manage every rule; supervisors see the rules scoped to a team (or an agent of a team) granted
    to them, read only; other roles none."""

    def restrict(self, actor: Actor, action: str):
        if actor.is_admin:
            return self
        if action != "view":
            return self.none()
        return self.filter(_rule_visible(actor, "view"))


class AlertQuerySet(TenantScopedQuerySet):
    """Admins see and handle every alert; supervisors the alerts of rules they see, and acknowledge or resolve
    those of teams they manage."""

    def restrict(self, actor: Actor, action: str):
        if actor.is_admin:
            return self
        return self.filter(_rule_visible(actor, "manage" if action == "manage" else "view", prefix="rule__"))


class AlertScope(models.TextChoices):
    TENANT = "tenant", _("Whole tenant")
    TEAM = "team", _("Team")
    AGENT = "agent", _("Agent")
    CHANNEL = "channel", _("Channel")


class AlertComparison(models.TextChoices):
    GT = "gt", _("above")
    GTE = "gte", _("at or above")
    LT = "lt", _("below")
    LTE = "lte", _("at or below")


class AlertWindow(models.TextChoices):
    HOURS = "hours", _("Last N hours")
    TODAY = "today", _("Today")
    DAYS = "days", _("Rolling N days")


class AlertStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    RESOLVED = "resolved", _("Resolved")


class AlertResolution(models.TextChoices):
    MANUAL = "manual", _("Resolved by hand")
    AUTO = "auto", _("Back within the threshold")


class AlertRule(TenantOwnedModel):
    """An interaction KPI of one scope over a recent window, compared with a threshold. A breach (with at least
    `min_sample` samples) raises one alert; after its resolution no new alert is raised for `cooldown_minutes`."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="alert_rules")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    kpi = models.CharField(max_length=32)
    scope = models.CharField(max_length=8, choices=AlertScope.choices, default=AlertScope.TENANT)
    team = models.ForeignKey("accounts.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    channel = models.CharField(max_length=16, choices=Channel.choices, blank=True)
    comparison = models.CharField(max_length=4, choices=AlertComparison.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    window = models.CharField(max_length=8, choices=AlertWindow.choices, default=AlertWindow.HOURS)
    window_size = models.PositiveIntegerField(default=1, help_text="N of the last N hours or rolling N days.")
    min_sample = models.PositiveIntegerField(default=1)
    cooldown_minutes = models.PositiveIntegerField(default=60)
    recipient_roles = ArrayField(models.CharField(max_length=20), default=list, blank=True)
    recipient_users = ArrayField(models.BigIntegerField(), default=list, blank=True)
    deliver_webhooks = models.BooleanField(default=False)
    is_enabled = models.BooleanField(default=True)
    cooldown_until = models.DateTimeField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    last_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    last_sample = models.PositiveIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AlertRuleQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "name"], name="alertrule_unique_tenant_name"),
            models.CheckConstraint(name="alertrule_scope_target", condition=(
                Q(scope="tenant", team__isnull=True, agent__isnull=True, channel="")
                | Q(scope="team", team__isnull=False, agent__isnull=True, channel="")
                | Q(scope="agent", team__isnull=True, agent__isnull=False, channel="")
                | Q(scope="channel", team__isnull=True, agent__isnull=True) & ~Q(channel=""))),
            models.CheckConstraint(condition=Q(window_size__gte=1), name="alertrule_window_size_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "is_enabled"], name="alertrule_tenant_enabled")]

    def __str__(self) -> str:
        return self.name


class Alert(TenantOwnedModel):
    """One breach of a rule, from the evaluation that found it until it is resolved. The value, threshold and sample
    that raised it stay as they were; `last_*` follow later evaluations."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="alerts")
    status = models.CharField(max_length=16, choices=AlertStatus.choices, default=AlertStatus.OPEN)
    kpi = models.CharField(max_length=32)
    comparison = models.CharField(max_length=4, choices=AlertComparison.choices)
    threshold = models.DecimalField(max_digits=14, decimal_places=4)
    value = models.DecimalField(max_digits=18, decimal_places=4)
    sample = models.PositiveIntegerField()
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    raised_at = models.DateTimeField()
    last_value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    last_sample = models.PositiveIntegerField(null=True, blank=True)
    last_evaluated_at = models.DateTimeField(null=True, blank=True)
    within_since = models.DateTimeField(null=True, blank=True,
                                        help_text="Since when evaluations find the value back within the threshold.")
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                        related_name="+")
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    # Null, not blank, until resolved: the API shows null, and the enum of its schema stays manual | auto.
    resolution = models.CharField(max_length=8, choices=AlertResolution.choices, null=True, blank=True)  # noqa: DJ001
    note = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-raised_at", "-id"]
        constraints = [
            # One breach, one alert: a rule has at most one alert that is not resolved.
            models.UniqueConstraint(fields=["tenant", "rule"], condition=~Q(status="resolved"),
                                    name="alert_one_unresolved_per_rule"),
        ]
        indexes = [models.Index(fields=["tenant", "status", "raised_at"], name="alert_tenant_status_raised")]

    def __str__(self) -> str:
        return f"{self.rule_id}: {self.value} {self.comparison} {self.threshold}"


class AlertDeliveryQuerySet(TenantScopedQuerySet):
    """A delivery link is visible with its alert."""

    def restrict(self, actor: Actor, action: str):
        return self.filter(alert__in=Alert.objects.for_actor(actor, action).values("pk"))


class AlertDelivery(TenantOwnedModel):
    """A webhook delivery that announced an alert's event: the alert's delivery log (status, attempts, errors are
    the delivery's own)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="delivery_links")
    delivery = models.ForeignKey("common.WebhookDelivery", on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=64)

    objects = AlertDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "alert_id", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "alert", "delivery"], name="alertdelivery_unique")]

