"""Query and response shapes of the reports (performance/services/reports/)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Agent, Team
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictSerializer
from performance.kpis import CATALOG
from performance.models import KpiPeriod
from performance.services.reports import CHANNEL_KPIS, HEADLINE_KPIS, INTERACTION_KPIS, TOTAL

METRIC_CHOICES = [TOTAL, *CATALOG]
METRIC_HELP = "total (the overall total) or a KPI code; KPI values are the raw values of the agents' breakdowns."
MAX_BINS = 100


def _period(**kwargs):
    # With its tenant (the period's bounds are in the tenant's time zone) and current revision (which every score
    # report names), read in the same query.
    return ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.select_related("tenant", "current_revision"),
                                        help_text="The period's id.", **kwargs)


def _team(**kwargs):
    return ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), required=False,
                                        help_text="Only this team (by the team when computed).", **kwargs)


class ExportQueryMixin(StrictSerializer):
    file_format = serializers.ChoiceField(choices=["csv", "xlsx"], required=False,
                                          help_text="Download the report as csv or xlsx instead of JSON.")
    bom = serializers.BooleanField(required=False, default=True,
                                   help_text="CSV only: false leaves out the UTF-8 byte-order mark.")


class RevisionQueryMixin(StrictSerializer):
    period = _period()
    revision = serializers.IntegerField(required=False, min_value=1, max_value=2_147_483_647,
                                        help_text="A revision number of the period's scores; default: the current.")
    team = _team()


class TrendQuerySerializer(ExportQueryMixin, StrictSerializer):
    metric = serializers.ChoiceField(choices=METRIC_CHOICES, default=TOTAL, help_text=METRIC_HELP)
    level = serializers.ChoiceField(choices=["tenant", "team", "agent"], default="tenant",
                                    help_text="tenant (every agent you may see), team (needs team) or agent "
                                              "(needs agent; agents always get their own series).")
    team = _team()
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), required=False, help_text="The agent's id.")
    periods = serializers.IntegerField(required=False, default=12, min_value=1, max_value=60,
                                       help_text="Across periods: how many of the latest computed periods.")
    period = _period(required=False)
    interval = serializers.ChoiceField(choices=["day", "week"], required=False, help_text=(
        "With period: a daily or weekly (ISO weeks, from Monday) series inside the period computed from the raw "
        "interactions (interaction KPIs only)."))

    def validate(self, data):
        actor = self.context["actor"]
        if actor.role == "agent":
            data["level"], data["agent"] = "agent", Agent.objects.filter(pk=actor.agent_id).first()
        if data["level"] == "team" and data.get("team") is None:
            raise serializers.ValidationError({"team": [_("Required when level is team.")]})
        if data["level"] == "agent" and data.get("agent") is None:
            raise serializers.ValidationError({"agent": [_("Required when level is agent.")]})
        if data.get("interval") and data.get("period") is None:
            raise serializers.ValidationError({"period": [_("Required with interval.")]})
        if data.get("interval") and data["metric"] not in INTERACTION_KPIS:
            raise serializers.ValidationError({"metric": [_(
                "A series inside a period is computed from interactions: choose one of %(codes)s.")
                % {"codes": ", ".join(INTERACTION_KPIS)}]})
        return data


class DistributionQuerySerializer(ExportQueryMixin, RevisionQueryMixin, StrictSerializer):
    metric = serializers.ChoiceField(choices=METRIC_CHOICES, default=TOTAL, help_text=METRIC_HELP)
    bins = serializers.CharField(required=False, max_length=2000, help_text=(
        "Bin edges, comma-separated and increasing, e.g. 0,60,70,80,90,100: bins [0, 60), …, [90, 100]."))
    bin_count = serializers.IntegerField(required=False, default=10, min_value=1, max_value=MAX_BINS,
                                         help_text="Without bins: this many equal bins from the minimum to the "
                                                   "maximum.")

    def validate_bins(self, value: str) -> list[Decimal]:
        try:
            edges = [Decimal(part.strip()) for part in value.split(",")]
        except InvalidOperation:
            raise serializers.ValidationError(_("Give numbers separated by commas.")) from None
        if len(edges) < 2 or len(edges) > MAX_BINS + 1 or any(not e.is_finite() for e in edges) or any(
                b <= a for a, b in zip(edges, edges[1:], strict=False)):
            raise serializers.ValidationError(_("Give 2 to %(max)s increasing edges.") % {"max": MAX_BINS + 1})
        return edges


class TeamsQuerySerializer(ExportQueryMixin, RevisionQueryMixin, StrictSerializer):
    pass


class CorrelationQuerySerializer(ExportQueryMixin, RevisionQueryMixin, StrictSerializer):
    x = serializers.ChoiceField(choices=METRIC_CHOICES, help_text=METRIC_HELP)
    y = serializers.ChoiceField(choices=METRIC_CHOICES, help_text=METRIC_HELP)


class ChannelsQuerySerializer(ExportQueryMixin, StrictSerializer):
    period = _period()
    team = _team()


class DashboardQuerySerializer(ExportQueryMixin, StrictSerializer):
    period = _period()


def _number(**kwargs):
    return serializers.DecimalField(max_digits=20, decimal_places=4, allow_null=True, **kwargs)


class RevisionRefSerializer(StrictSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    completed_at = serializers.DateTimeField()


class TrendPointSerializer(StrictSerializer):
    period = serializers.IntegerField(required=False)
    name = serializers.CharField(required=False)
    start = serializers.DateField(help_text="The period's first day, or the bucket's (a Monday for weeks).")
    end = serializers.DateField(required=False)
    revision = RevisionRefSerializer(allow_null=True, required=False)
    value = _number(help_text="Agent: their value; team/tenant: the mean over agents (interval series: the KPI "
                              "of the bucket's interactions).")
    agents = serializers.IntegerField(required=False, help_text="Agents with a value.")
    sample_size = serializers.IntegerField()


class TrendSerializer(StrictSerializer):
    metric = serializers.CharField()
    level = serializers.CharField()
    team = serializers.IntegerField(allow_null=True)
    agent = serializers.IntegerField(allow_null=True)
    interval = serializers.CharField(allow_null=True, help_text="day or week for a series inside a period; null "
                                                                "across periods.")
    period = serializers.IntegerField(allow_null=True)
    points = TrendPointSerializer(many=True)


class BinSerializer(StrictSerializer):
    lower = _number()
    upper = _number()
    count = serializers.IntegerField()


class DistributionSerializer(StrictSerializer):
    period = serializers.IntegerField()
    revision = RevisionRefSerializer(allow_null=True, help_text="The revision read (null: not computed yet).")
    metric = serializers.CharField()
    n = serializers.IntegerField(help_text="Agents with a value.")
    mean = _number()
    median = _number()
    p10 = _number()
    p90 = _number()
    min = _number()
    max = _number()
    bins = BinSerializer(many=True)
    below = serializers.IntegerField(help_text="Values below the first edge (given bins).")
    above = serializers.IntegerField(help_text="Values above the last edge (given bins).")


class MetricStatsSerializer(StrictSerializer):
    metric = serializers.CharField()
    n = serializers.IntegerField()
    mean = _number()
    median = _number()
    p90 = _number()


class TeamRowSerializer(StrictSerializer):
    team = serializers.IntegerField(allow_null=True, help_text="null: agents without a team.")
    name = serializers.CharField()
    head_count = serializers.IntegerField(help_text="Agents listed in the revision.")
    scored = serializers.IntegerField(help_text="Agents with a total.")
    metrics = MetricStatsSerializer(many=True)


class TeamsReportSerializer(StrictSerializer):
    period = serializers.IntegerField()
    revision = RevisionRefSerializer(allow_null=True)
    metrics = serializers.ListField(child=serializers.CharField())
    teams = TeamRowSerializer(many=True)


class PointSerializer(StrictSerializer):
    agent = serializers.IntegerField()
    x = _number()
    y = _number()


class CorrelationSerializer(StrictSerializer):
    period = serializers.IntegerField()
    revision = RevisionRefSerializer(allow_null=True)
    x = serializers.CharField()
    y = serializers.CharField()
    n = serializers.IntegerField(help_text="Agents with both values.")
    pearson = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True)
    spearman = serializers.DecimalField(max_digits=8, decimal_places=6, allow_null=True,
                                        help_text="Pearson's r of the average ranks (ties share their mean rank).")
    points = PointSerializer(many=True)


class ChannelRowSerializer(StrictSerializer):
    dimension = serializers.ChoiceField(choices=["channel", "scenario", "direction"])
    key = serializers.CharField(allow_null=True, help_text="The channel, scenario code (null: none) or direction.")

    def get_fields(self):
        fields = super().get_fields()
        for code in CHANNEL_KPIS:
            fields[code] = _number()
        return fields


class ChannelsReportSerializer(StrictSerializer):
    period = serializers.IntegerField()
    team = serializers.IntegerField(allow_null=True)
    rows = ChannelRowSerializer(many=True)


class HeadlineSerializer(StrictSerializer):
    volume = serializers.IntegerField(help_text="Contacts offered.")
    qa_score = _number()
    qa_reviews = serializers.IntegerField()
    scored_agents = serializers.IntegerField()

    def get_fields(self):
        fields = super().get_fields()
        for code in HEADLINE_KPIS:
            fields[code] = _number()
        return fields


class TenantHeadlineSerializer(HeadlineSerializer):
    open_appeals = serializers.IntegerField()
    open_alerts = serializers.IntegerField()


class TeamHeadlineSerializer(HeadlineSerializer):
    team = serializers.IntegerField()
    name = serializers.CharField()


class DashboardSerializer(StrictSerializer):
    period = serializers.IntegerField()
    revision = RevisionRefSerializer(allow_null=True)
    tenant = TenantHeadlineSerializer()
    teams = TeamHeadlineSerializer(many=True)
