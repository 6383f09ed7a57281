"""Serializers of reward rules and versions, awards, outcomes, the rewards simulation and leaderboards."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agent, Team
from common.fields import BoundedDateField, ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from performance.api.scoring_serializers import ScoreAgentSerializer
from performance.models import (
    AmountType,
    Award,
    KpiPeriod,
    RewardKind,
    RewardOutcome,
    RewardRule,
    RewardRuleVersion,
    ScoringScheme,
)
from performance.services.rewards.money import money_round

AMOUNT = {"max_digits": 14, "decimal_places": 4}


class RewardRuleSerializer(StrictModelSerializer):
    class Meta:
        model = RewardRule
        fields = ["id", "name", "description", "created_at", "updated_at"]
        read_only_fields = ["id", "created_at", "updated_at"]


class RewardRuleUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(allow_blank=True, required=False)


class TierSerializer(StrictSerializer):
    name = serializers.CharField(max_length=60, help_text="E.g. A.")
    lower = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None,
                                     help_text="Lower bound (none: unbounded below).")
    lower_inclusive = serializers.BooleanField(default=True, help_text="value ≥ lower (true) or value > lower.")
    upper = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None,
                                     help_text="Upper bound (none: unbounded above).")
    upper_inclusive = serializers.BooleanField(default=False, help_text="value ≤ upper (true) or value < upper.")
    amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None,
                                      help_text="The tier's fixed amount, or percent of the base amount.")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class RuleParamsSerializer(StrictSerializer):
    """Every kind's settings; each kind reads its own (the others must be left out)."""

    metric = serializers.CharField(max_length=32, required=False,
                                   help_text="tiers: total (default) or a KPI code of GET kpis/ (built in or the "
                                             "tenant's own) whose raw value is banded.")
    tiers = TierSerializer(many=True, required=False, help_text="tiers: the bands, 1 to 20.")
    top_n = serializers.IntegerField(required=False, allow_null=True,
                                     help_text="rank: the top N; improvement: the N largest gains (default 1).")
    top_percent = serializers.DecimalField(max_digits=7, decimal_places=4, required=False, allow_null=True,
                                           help_text="rank: the top P % (0 < P ≤ 100) of the eligible agents.")
    statistic = serializers.ChoiceField(choices=["mean", "median"], required=False, help_text="team: default mean.")
    award_to = serializers.ChoiceField(choices=["member", "team"], required=False,
                                       help_text="team: an award per eligible member (default) or one for the team.")
    min_members = serializers.IntegerField(required=False, help_text="team: scored members a team needs (1).")
    min_previous_handled = serializers.IntegerField(
        required=False, help_text="improvement: contacts handled in the previous period an agent needs (1).")
    min_gain = serializers.DecimalField(max_digits=6, decimal_places=2, required=False,
                                        help_text="improvement: the gain must exceed this (default 0).")


class GatesSerializer(StrictSerializer):
    min_handled = serializers.IntegerField(required=False, allow_null=True)
    min_attendance = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True,
                                              help_text="Σ worked / Σ scheduled shift minutes × 100 in the period.")
    no_auto_failed_qa = serializers.BooleanField(required=False, default=False)
    min_tenure_days = serializers.IntegerField(required=False, allow_null=True,
                                               help_text="Days from hired_on to the period's (exclusive) end.")
    excluded_agents = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), many=True, required=False)


class RewardRuleVersionInputSerializer(StrictSerializer):
    effective_from = BoundedDateField()
    effective_to = BoundedDateField(required=False, allow_null=True, default=None)
    kind = serializers.ChoiceField(choices=RewardKind.choices)
    scheme = ScopedPrimaryKeyRelatedField(queryset=ScoringScheme.objects.all(), required=False, allow_null=True,
                                          default=None, help_text="Only agents scored by this scheme.")
    teams = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False, default=list,
                                         help_text="Only agents of these teams (none: every team).")
    params = RuleParamsSerializer(required=False, default=dict)
    gates = GatesSerializer(required=False, default=dict)
    amount_type = serializers.ChoiceField(choices=AmountType.choices, default=AmountType.FIXED)
    amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None,
                                      help_text="Fixed amount or percent of the base amount (not for tiers).")
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="",
                                  help_text="A title or badge (荣誉称号) given with the award.")
    budget_cap = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None,
                                          help_text="The most the rule pays in a period (cut in rank order).")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RewardRuleVersionSerializer(StrictModelSerializer):
    teams = serializers.SerializerMethodField()
    frozen = serializers.SerializerMethodField(help_text="Has awards in a closed period: no more changes.")

    class Meta:
        model = RewardRuleVersion
        fields = ["id", "rule", "number", "effective_from", "effective_to", "kind", "scheme", "teams", "params",
                  "gates", "amount_type", "amount", "title", "budget_cap", "note", "frozen", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_teams(self, version) -> list[int]:
        return sorted(link.team_id for link in version.team_links.all())

    def get_frozen(self, version) -> bool:
        return bool(getattr(version, "is_frozen", False))


class RewardRuleVersionWithWarningsSerializer(RewardRuleVersionSerializer):
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True,
                                     help_text="E.g. gaps between tiers: values in between get no tier.")

    class Meta(RewardRuleVersionSerializer.Meta):
        fields = [*RewardRuleVersionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


@extend_schema_field({"type": "string", "format": "decimal", "pattern": r"^-?\d+(\.\d+)?$"})
class MoneyField(serializers.Field):
    """An amount as a decimal string with the currency's minor unit (CNY 2 places, JPY 0)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(source="*", **kwargs)

    def to_representation(self, award) -> str:
        return str(money_round(award.amount, award.currency))


class RuleVersionRefSerializer(StrictModelSerializer):
    rule_name = serializers.CharField(source="rule.name", read_only=True)

    class Meta:
        model = RewardRuleVersion
        fields = ["id", "rule", "rule_name", "number", "kind"]
        read_only_fields = fields


class AwardSerializer(StrictModelSerializer):
    agent = ScoreAgentSerializer(read_only=True, allow_null=True)
    rule_version = RuleVersionRefSerializer(read_only=True, allow_null=True)
    amount = MoneyField()
    provisional = serializers.SerializerMethodField(
        help_text="A rule award of a period that is not closed: a recomputation may still replace it.")
    revision = serializers.IntegerField(source="revision.number", read_only=True, allow_null=True)

    class Meta:
        model = Award
        fields = ["id", "period", "agent", "team", "source", "rule_version", "revision", "status", "provisional",
                  "amount", "currency", "title", "reason", "explanation", "adjusts", "score_adjustment",
                  "proposed_by", "decided_by", "decided_at", "decision_note", "paid_by", "paid_at", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_provisional(self, award) -> bool:
        return award.source != "discretionary" and award.period.status != "closed"


class AwardProposeSerializer(StrictSerializer):
    period = ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.all())
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all())
    reason = serializers.CharField(max_length=2000)
    amount = serializers.DecimalField(**AMOUNT, required=False, allow_null=True, default=None)
    title = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class AwardDecisionSerializer(StrictSerializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AwardBulkSerializer(StrictSerializer):
    awards = serializers.ListField(child=serializers.IntegerField(min_value=1), min_length=1, max_length=1000,
                                   help_text="Award ids; all are changed or none (409 naming the refused ones).")
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AwardBulkResultSerializer(StrictSerializer):
    count = serializers.IntegerField()
    awards = AwardSerializer(many=True)


class RewardOutcomeSerializer(StrictModelSerializer):
    agent = ScoreAgentSerializer(read_only=True, allow_null=True)
    rule_version = RuleVersionRefSerializer(read_only=True)

    class Meta:
        model = RewardOutcome
        fields = ["id", "period", "rule_version", "agent", "team", "code", "awarded", "explanation"]
        read_only_fields = fields


class SimulateRewardsInputSerializer(StrictSerializer):
    rule_versions = ScopedPrimaryKeyRelatedField(queryset=RewardRuleVersion.objects.all(), many=True,
                                                 required=False, default=list, help_text="Stored versions.")
    rules = RewardRuleVersionInputSerializer(many=True, required=False, default=list,
                                             help_text="Inline versions (effective dates are not used).")


class SimulatedAwardSerializer(StrictSerializer):
    agent = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    amount = serializers.DecimalField(max_digits=14, decimal_places=4, coerce_to_string=True)
    title = serializers.CharField()
    explanation = serializers.JSONField()


class SimulatedOutcomeSerializer(StrictSerializer):
    agent = serializers.IntegerField(allow_null=True)
    team = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    awarded = serializers.BooleanField()
    explanation = serializers.JSONField()


class SimulatedRuleSerializer(StrictSerializer):
    rule_version = serializers.IntegerField(allow_null=True)
    rule = serializers.CharField()
    kind = serializers.CharField()
    warnings = serializers.ListField(child=serializers.CharField())
    award_count = serializers.IntegerField()
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=4, coerce_to_string=True)
    awards = SimulatedAwardSerializer(many=True)
    outcomes = SimulatedOutcomeSerializer(many=True)


class TeamTotalSerializer(StrictSerializer):
    team = serializers.IntegerField(allow_null=True)
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=4, coerce_to_string=True)


class SimulateRewardsSerializer(StrictSerializer):
    period = serializers.IntegerField()
    revision = serializers.IntegerField(allow_null=True)
    currency = serializers.CharField()
    total_amount = serializers.DecimalField(max_digits=16, decimal_places=4, coerce_to_string=True)
    rules = SimulatedRuleSerializer(many=True)
    teams = TeamTotalSerializer(many=True)


class LeaderboardRowSerializer(StrictSerializer):
    rank = serializers.IntegerField()
    agent = ScoreAgentSerializer(allow_null=True, help_text="null: another agent, anonymized.")
    team = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="With adjustments.")
    tiers = serializers.ListField(child=serializers.CharField(), help_text="Tier names of the period's awards.")
    titles = serializers.ListField(child=serializers.CharField(), help_text="Titles of the period's awards.")
    previous_rank = serializers.IntegerField(allow_null=True)
    movement = serializers.IntegerField(allow_null=True, help_text="Places gained since the previous period.")
    is_self = serializers.BooleanField()
