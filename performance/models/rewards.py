"""Reward rules (versioned like scoring schemes), the awards they give per period and why agents got none.

How rules are evaluated lives in performance/services/rewards/; the award life cycle (pending → approved → paid,
rejected for discretionary proposals) in performance/services/rewards/awards.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.querysets import granted_teams
from common.models import TenantOwnedModel, TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor


class RewardRuleQuerySet(TenantScopedQuerySet):
    """Admins manage rules; supervisors read them (to explain awards to their teams)."""

    def restrict(self, actor: Actor, action: str):
        if actor.is_admin or (action == "view" and actor.role == "supervisor"):
            return self
        return self.none()


class RewardKind(models.TextChoices):
    TIERS = "tiers", _("Score tiers")
    RANK = "rank", _("Rank")
    TEAM = "team", _("Best team")
    IMPROVEMENT = "improvement", _("Improvement")


class AmountType(models.TextChoices):
    FIXED = "fixed", _("Fixed amount")
    PERCENT_OF_BASE = "percent_of_base", _("Percent of the agent's base amount")
    NONE = "none", _("No money (title only)")


class RewardRule(TenantOwnedModel):
    """A named reward rule; what it rewards and how lives in its versions."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="reward_rules")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RewardRuleQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="rewardrule_unique_tenant_name")]

    def __str__(self) -> str:
        return self.name


class RewardRuleVersion(TenantOwnedModel):
    """One version of a rule, in effect on [effective_from, effective_to) (a period uses the version in effect on
    its first day). `params` hold the kind's settings, `gates` the eligibility gates (both validated by the
    service, see performance/services/rewards/rules.py). Frozen once a closed period has awards or outcomes of it."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(RewardRule, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive; empty = open-ended.")
    kind = models.CharField(max_length=16, choices=RewardKind.choices)
    scheme = models.ForeignKey("performance.ScoringScheme", on_delete=models.RESTRICT, null=True, blank=True,
                               related_name="+", help_text="Only agents scored by a version of this scheme.")
    teams = models.ManyToManyField("accounts.Team", through="RewardRuleVersionTeam", related_name="+", blank=True)
    params = models.JSONField(default=dict, blank=True)
    gates = models.JSONField(default=dict, blank=True)
    amount_type = models.CharField(max_length=16, choices=AmountType.choices, default=AmountType.FIXED)
    amount = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True,
                                 help_text="Fixed amount, or percent of the base amount (tiers: per tier).")
    title = models.CharField(max_length=120, blank=True)
    budget_cap = models.DecimalField(max_digits=14, decimal_places=4, null=True, blank=True)
    note = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RewardRuleQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "rule_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "rule", "number"], name="rewardruleversion_unique_number"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                                   name="rewardruleversion_range_valid"),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="rewardruleversion_amount_not_negative"),
            models.CheckConstraint(condition=Q(budget_cap__isnull=True) | Q(budget_cap__gte=0),
                                   name="rewardruleversion_cap_not_negative"),
        ]
        indexes = [models.Index(fields=["tenant", "effective_from"], name="rewardruleversion_tenant_from")]

    def __str__(self) -> str:
        return f"{self.rule_id} v{self.number}"


class RewardRuleVersionTeam(models.Model):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(RewardRuleVersion, on_delete=models.CASCADE, related_name="team_links")
    team = models.ForeignKey("accounts.Team", on_delete=models.RESTRICT, related_name="+")

    class Meta:
        ordering = ["tenant_id", "version_id", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "team"], name="rewardruleversionteam_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} -> team {self.team_id}"


class AwardQuerySet(TenantScopedQuerySet):
    """Admins see and change all; supervisors see awards of their granted teams; agents their own and their team's
    team awards; QA roles none."""

    def restrict(self, actor: Actor, action: str):
        if actor.is_admin:
            return self
        if action != "view":
            return self.none()
        if actor.role == "supervisor":
            return self.filter(team__in=granted_teams(actor, "view").values("pk"))
        if actor.role == "agent" and actor.agent_id:
            own_team = granted_teams(actor, "view").values("pk")
            return self.filter(Q(agent_id=actor.agent_id) | Q(agent__isnull=True, team__in=own_team))
        return self.none()


class AwardSource(models.TextChoices):
    RULE = "rule", _("Reward rule")
    DISCRETIONARY = "discretionary", _("Discretionary")
    ADJUSTMENT = "adjustment", _("Adjustment after close")


class AwardStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    PAID = "paid", _("Paid")
    REJECTED = "rejected", _("Rejected")


class Award(TenantOwnedModel):
    """Money and/or a title for an agent (or a whole team: agent empty) in a period.

    Rule awards are provisional while the period is not closed: every computation replaces them. Once it is closed
    they never change; a later score adjustment adds `adjustment` awards (amount = the difference, may be negative)
    that name the award they correct."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("performance.KpiPeriod", on_delete=models.CASCADE, related_name="awards")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=16, choices=AwardSource.choices)
    rule_version = models.ForeignKey(RewardRuleVersion, on_delete=models.RESTRICT, null=True, blank=True,
                                     related_name="awards")
    revision = models.ForeignKey("performance.ScoreRevision", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", help_text="The score revision a rule award was computed from.")
    adjusts = models.ForeignKey("self", on_delete=models.RESTRICT, null=True, blank=True, related_name="adjustments")
    score_adjustment = models.ForeignKey("performance.ScoreAdjustment", on_delete=models.RESTRICT, null=True,
                                         blank=True, related_name="+")
    status = models.CharField(max_length=16, choices=AwardStatus.choices, default=AwardStatus.PENDING)
    amount = models.DecimalField(max_digits=14, decimal_places=4, default=0)
    currency = models.CharField(max_length=3)
    title = models.CharField(max_length=120, blank=True)
    reason = models.TextField(blank=True, help_text="The proposer's reason (discretionary awards).")
    explanation = models.JSONField(default=dict, blank=True)
    position = models.PositiveIntegerField(default=0, help_text="Order within the rule (rank order).")
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)
    paid_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                related_name="+")
    paid_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "period_id", "rule_version_id", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(source="adjustment") | Q(amount__gte=0),
                                   name="award_amount_not_negative"),
            models.CheckConstraint(condition=Q(source="discretionary") | Q(rule_version__isnull=False),
                                   name="award_rule_has_version"),
            models.CheckConstraint(condition=Q(agent__isnull=False) | Q(team__isnull=False),
                                   name="award_has_recipient"),
        ]
        indexes = [
            models.Index(fields=["tenant", "period", "status"], name="award_tenant_period_status"),
            models.Index(fields=["tenant", "agent", "period"], name="award_tenant_agent"),
        ]

    def __str__(self) -> str:
        return f"award {self.pk} ({self.source}, {self.status})"


class RewardOutcome(TenantOwnedModel):
    """Why an agent (or team) in a rule's scope got what they got in a period's current results: awarded, a gate
    failed, a band missed, outside the cut-off or the budget, with the numbers. Replaced with the awards."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey("performance.KpiPeriod", on_delete=models.CASCADE, related_name="+")
    rule_version = models.ForeignKey(RewardRuleVersion, on_delete=models.RESTRICT, related_name="outcomes")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.RESTRICT, null=True, blank=True, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    code = models.CharField(max_length=32)
    awarded = models.BooleanField(default=False)
    explanation = models.JSONField(default=dict, blank=True)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "period_id", "rule_version_id", "id"]
        indexes = [models.Index(fields=["tenant", "period", "rule_version"], name="rewardoutcome_period_rule")]

    def __str__(self) -> str:
        return f"{self.rule_version_id}: {self.agent_id or self.team_id} {self.code}"
