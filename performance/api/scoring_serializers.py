"""Serializers of the scoring endpoints: KPI catalog, schemes and versions, periods, jobs, scores, simulations."""

from __future__ import annotations

from decimal import Decimal
from functools import cached_property

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agent, Team
from common.fields import BoundedDateField, ScopedPrimaryKeyRelatedField, StoredMessageField
from common.representation import decimal_formatters
from common.serializers import StrictModelSerializer, StrictSerializer
from performance.models import (
    AgentPeriodScore,
    AgentSchemeScore,
    ComputationJob,
    KpiPeriod,
    MissingDataPolicy,
    PeriodKind,
    Scenario,
    SchemeKpi,
    SchemeVersion,
    ScoreAdjustment,
    ScoringScheme,
)
from performance.selectors import period_bounds
from performance.services.scoring.schemes import (
    FLOOR_IS_TARGET,
    MAX_KPIS,
    WEIGHT_NOT_POSITIVE,
    version_warnings,
)
from performance.services.scoring.version_refs import SchemeVersionRefs
from performance.services.tenant_kpis.catalog import KpiLookup

DIRECTIONS = [("higher", "Higher is better"), ("lower", "Lower is better"),
              ("band", "A target band: the scheme's floor and target decide"), ("none", "Not ranked by itself")]


class KpiDefinitionSerializer(StrictSerializer):
    code = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField(help_text="count, percent, seconds, rings or points")
    unit_label = serializers.CharField(help_text="The unit in the response's language (e.g. 秒 for seconds).")
    direction = serializers.ChoiceField(choices=DIRECTIONS)
    formula = serializers.CharField()
    sample = serializers.CharField(help_text="What one sample is, for a scheme KPI's minimum sample size.")
    source = serializers.CharField(help_text="interactions, shifts, qa, or tenant (a tenant-defined KPI)")
    definition = serializers.IntegerField(read_only=True, allow_null=True,
                                          help_text="A tenant-defined KPI's id in kpi-definitions/; null if built in.")
    combine_method = serializers.CharField(read_only=True, allow_null=True,
                                           help_text="A tenant-defined KPI's combine method (sum, mean, last, "
                                                     "ratio); null if built in.")


# Schemes and versions


class SchemeKpiSerializer(StrictModelSerializer):
    class Meta:
        model = SchemeKpi
        fields = ["kpi_code", "weight", "floor", "target", "min_sample"]
        read_only_fields = fields


class SchemeKpiInputSerializer(StrictSerializer):
    kpi_code = serializers.CharField(max_length=32, help_text="A KPI code of GET kpis/: built in or the tenant's own.")
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, help_text="Greater than 0.")
    floor = serializers.DecimalField(max_digits=14, decimal_places=4, help_text="The raw value scoring 0 points.")
    target = serializers.DecimalField(max_digits=14, decimal_places=4,
                                      help_text="The raw value scoring 100 points; below the floor when lower is "
                                                "better.")
    min_sample = serializers.IntegerField(min_value=0, default=1,
                                          help_text="Fewer samples than this make the KPI insufficient data.")

    def validate_weight(self, value: Decimal) -> Decimal:
        if value <= 0:
            raise serializers.ValidationError(WEIGHT_NOT_POSITIVE)
        return value

    def validate(self, attrs):
        if attrs["floor"] == attrs["target"]:
            raise serializers.ValidationError({"target": [FLOOR_IS_TARGET]})
        return attrs


class SchemeVersionSerializer(StrictModelSerializer):
    kpis = SchemeKpiSerializer(many=True, read_only=True)
    teams = serializers.SerializerMethodField(help_text="Team ids; empty = every agent of the tenant.")
    is_locked = serializers.BooleanField(read_only=True,
                                         help_text="Used by a computed period: it cannot change, only be "
                                                   "superseded by a new version.")
    warnings = serializers.SerializerMethodField()

    class Meta:
        model = SchemeVersion
        fields = ["id", "scheme", "number", "effective_from", "effective_to", "scenario", "teams",
                  "missing_data_policy", "note", "kpis", "is_locked", "locked_at", "warnings", "created_at",
                  "updated_at"]
        read_only_fields = fields

    def get_teams(self, version: SchemeVersion) -> list[int]:
        return sorted(link.team_id for link in version.team_links.all())

    def get_warnings(self, version: SchemeVersion) -> list[str]:
        return version_warnings(len(version.kpis.all()))


class SchemeVersionInputSerializer(StrictSerializer):
    effective_from = BoundedDateField()
    effective_to = BoundedDateField(required=False, allow_null=True, default=None,
                                    help_text="Exclusive; empty = open-ended.")
    scenario = ScopedPrimaryKeyRelatedField(queryset=Scenario.objects.all(), required=False, allow_null=True,
                                            default=None,
                                            help_text="Only this scenario's interactions count; empty = all.")
    teams = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False, default=list,
                                         help_text="Teams whose agents it scores; empty = every agent.")
    missing_data_policy = serializers.ChoiceField(choices=MissingDataPolicy.choices,
                                                  default=MissingDataPolicy.REDISTRIBUTE)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    kpis = SchemeKpiInputSerializer(many=True, help_text=f"1 to {MAX_KPIS} KPIs (a warning above 5).")


class SchemeVersionUpdateSerializer(StrictSerializer):
    """A PATCH of a version: only the fields sent change; `kpis`, when sent, is the complete new list."""

    effective_from = BoundedDateField(required=False)
    effective_to = BoundedDateField(required=False, allow_null=True)
    scenario = ScopedPrimaryKeyRelatedField(queryset=Scenario.objects.all(), required=False, allow_null=True)
    teams = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False)
    missing_data_policy = serializers.ChoiceField(choices=MissingDataPolicy.choices, required=False)
    note = serializers.CharField(required=False, allow_blank=True)
    kpis = SchemeKpiInputSerializer(many=True, required=False)


class SimulatedVersionInputSerializer(StrictSerializer):
    scenario = ScopedPrimaryKeyRelatedField(queryset=Scenario.objects.all(), required=False, allow_null=True,
                                            default=None)
    teams = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, required=False, default=list)
    missing_data_policy = serializers.ChoiceField(choices=MissingDataPolicy.choices,
                                                  default=MissingDataPolicy.REDISTRIBUTE)
    kpis = SchemeKpiInputSerializer(many=True)


class SchemeVersionSummarySerializer(StrictModelSerializer):
    is_locked = serializers.BooleanField(read_only=True)

    class Meta:
        model = SchemeVersion
        fields = ["id", "number", "effective_from", "effective_to", "scenario", "is_locked"]
        read_only_fields = fields


class SchemeSerializer(StrictModelSerializer):
    versions = SchemeVersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = ScoringScheme
        fields = ["id", "name", "description", "versions", "created_at", "updated_at"]
        read_only_fields = ["id", "versions", "created_at", "updated_at"]


class SchemeInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class SchemeUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


# Periods and jobs


class RevisionSummarySerializer(StrictSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    job = serializers.IntegerField(source="job_id")
    completed_at = serializers.DateTimeField()


class PeriodSerializer(StrictModelSerializer):
    time_zone = serializers.CharField(source="tenant.time_zone", read_only=True)
    starts_at = serializers.SerializerMethodField(help_text="The first instant, in the tenant's time zone.")
    ends_at = serializers.SerializerMethodField(help_text="The exclusive end, in the tenant's time zone.")
    current_revision = RevisionSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = KpiPeriod
        fields = ["id", "name", "kind", "start", "end", "time_zone", "starts_at", "ends_at", "status",
                  "current_revision", "created_at", "updated_at", "closed_at"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_starts_at(self, period: KpiPeriod) -> str:
        return period_bounds(period)[0].isoformat()

    @extend_schema_field(OpenApiTypes.DATETIME)
    def get_ends_at(self, period: KpiPeriod) -> str:
        return period_bounds(period)[1].isoformat()


class PeriodCreateSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=PeriodKind.choices)
    start = BoundedDateField(help_text="Monthly: the 1st; quarterly: 1 Jan/Apr/Jul/Oct.")
    end = BoundedDateField(required=False, allow_null=True, default=None,
                           help_text="Exclusive. Required for custom periods; derived for the others.")
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class PeriodUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)


class JobErrorsField(serializers.JSONField):
    """A job's stored errors: each message is an English msgid (with its params, if any), shown translated."""

    def to_representation(self, errors: list[dict]) -> list[dict]:
        return [{"code": error["code"], "message": _stored_message(error)} for error in errors]


def _stored_message(error: dict) -> str:
    message = gettext(error["message"]) if error["message"] else error["message"]
    return message % error["params"] if error.get("params") else message


class JobSerializer(StrictModelSerializer):
    revision = serializers.IntegerField(source="revision.number", read_only=True, allow_null=True,
                                        help_text="The revision number written; null when unchanged or not done.")
    counts = serializers.JSONField(read_only=True, help_text=(
        "agents (listed), scored, unscored, scheme_versions (in effect), scoped_interactions (summed over the "
        "versions' scopes), rows (written), unchanged (true: the inputs matched the latest revision, nothing "
        "was written)."))
    timings = serializers.JSONField(read_only=True, help_text=(
        "Seconds: gather_seconds (SQL aggregates), score_seconds, write_seconds, total_seconds."))
    errors = JobErrorsField(read_only=True, help_text='On failure: [{"code": ..., "message": ...}].')

    class Meta:
        model = ComputationJob
        fields = ["id", "period", "status", "progress", "attempts", "requeues", "counts", "timings", "errors",
                  "revision", "rerun_requested", "rerun_job", "requested_by", "created_at", "started_at",
                  "requeued_at", "finished_at"]
        read_only_fields = fields


# Scores


class ScoreAgentSerializer(StrictModelSerializer):
    class Meta:
        model = Agent
        fields = ["id", "employee_code", "display_name"]
        read_only_fields = fields


class KpiBreakdownSerializer(StrictSerializer):
    """One KPI of a score's breakdown; name, unit and direction come from the catalog."""

    kpi_code = serializers.CharField()
    name = serializers.SerializerMethodField()
    unit = serializers.SerializerMethodField()
    direction = serializers.SerializerMethodField()
    weight = serializers.DecimalField(max_digits=7, decimal_places=2)
    floor = serializers.DecimalField(max_digits=14, decimal_places=4)
    target = serializers.DecimalField(max_digits=14, decimal_places=4)
    min_sample = serializers.IntegerField()
    raw_value = serializers.DecimalField(max_digits=18, decimal_places=4, allow_null=True)
    sample_size = serializers.IntegerField()
    status = serializers.ChoiceField(choices=[("scored", "Scored"), ("insufficient", "Insufficient data")],
                                     help_text="scored, or insufficient: fewer samples than the KPI's minimum.")
    points = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    weight_used = serializers.DecimalField(max_digits=7, decimal_places=2,
                                           help_text="0 when the KPI's weight was redistributed.")
    contribution = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                            help_text="weight_used × points / Σ weights used, to 2 places.")

    def _kpi(self, code: str):
        lookup = self.context.get("kpi_lookup")
        if lookup is None:  # once per response: tenant-defined KPIs are read when first needed
            actor = self.context.get("actor")
            lookup = self.context["kpi_lookup"] = KpiLookup(actor.tenant.pk if actor else None)
        return lookup[code]

    def get_name(self, line: dict) -> str:
        return self._kpi(line["kpi_code"]).name

    def get_unit(self, line: dict) -> str:
        return self._kpi(line["kpi_code"]).unit

    @extend_schema_field(serializers.ChoiceField(choices=DIRECTIONS))
    def get_direction(self, line: dict) -> str:
        return self._kpi(line["kpi_code"]).direction

    @cached_property
    def _decimals(self):
        return decimal_formatters(self)

    @cached_property
    def _labels(self) -> dict[str, tuple[str, str, str]]:
        return {}

    def _labels_of(self, code: str) -> tuple[str, str, str]:
        """Name (in the request's language), unit and direction of a KPI, looked up once per response."""
        labels = self._labels.get(code)
        if labels is None:
            kpi = self._kpi(code)
            labels = self._labels[code] = (str(kpi.name), str(kpi.unit), kpi.direction)
        return labels

    def to_representation(self, line: dict) -> dict:
        # Every line of every score in a list: the declared fields' output, built directly (common/representation).
        (name, unit, direction), decimal = self._labels_of(line["kpi_code"]), self._decimals
        return {
            "kpi_code": str(line["kpi_code"]), "name": name, "unit": unit, "direction": direction,
            "weight": decimal["weight"](line["weight"]), "floor": decimal["floor"](line["floor"]),
            "target": decimal["target"](line["target"]), "min_sample": _int(line["min_sample"]),
            "raw_value": decimal["raw_value"](line["raw_value"]), "sample_size": _int(line["sample_size"]),
            "status": line["status"], "points": decimal["points"](line["points"]),
            "weight_used": decimal["weight_used"](line["weight_used"]),
            "contribution": decimal["contribution"](line["contribution"]),
        }


def _int(value) -> int | None:
    return None if value is None else int(value)


class SchemeVersionRefSerializer(StrictModelSerializer):
    scheme_name = serializers.CharField(source="scheme.name", read_only=True)

    class Meta:
        model = SchemeVersion
        fields = ["id", "scheme", "scheme_name", "number"]
        read_only_fields = fields


class SchemeScoreSerializer(StrictModelSerializer):
    scheme_version = SchemeVersionRefSerializer(read_only=True)
    kpis = KpiBreakdownSerializer(many=True, read_only=True)
    unscored_reason = StoredMessageField(read_only=True, help_text="Why the agent has no total; blank when scored.")

    class Meta:
        model = AgentSchemeScore
        fields = ["scheme_version", "total", "rank", "percentile", "handled", "unscored_reason", "kpis"]
        read_only_fields = fields

    @cached_property
    def _decimals(self):
        return decimal_formatters(self)

    @cached_property
    def _versions(self) -> SchemeVersionRefs:
        actor = self.context.get("actor")
        return SchemeVersionRefs(actor.tenant.pk)

    def to_representation(self, scheme_score: AgentSchemeScore) -> dict:
        decimal, kpis = self._decimals, self.fields["kpis"].child
        return {
            "scheme_version": dict(self._versions[scheme_score.scheme_version_id]),
            "total": decimal["total"](scheme_score.total), "rank": scheme_score.rank,
            "percentile": decimal["percentile"](scheme_score.percentile), "handled": scheme_score.handled,
            "unscored_reason": _message(scheme_score.unscored_reason),
            "kpis": [kpis.to_representation(line) for line in scheme_score.kpis],
        }


def _message(stored: str | None) -> str | None:
    return gettext(stored) if stored else stored


class AdjustmentSerializer(StrictModelSerializer):
    class Meta:
        model = ScoreAdjustment
        fields = ["id", "period", "agent", "score", "points", "reason", "appeal", "created_by", "created_at"]
        read_only_fields = fields


class AdjustmentCreateSerializer(StrictSerializer):
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all())
    points = serializers.DecimalField(max_digits=6, decimal_places=2, min_value=Decimal(-100),
                                      max_value=Decimal(100), help_text="Added to the frozen total; not 0.")
    reason = serializers.CharField(min_length=3, max_length=2000)

    def validate_points(self, value: Decimal) -> Decimal:
        if value == 0:
            raise serializers.ValidationError(_("An adjustment of 0 points changes nothing."))
        return value


class ScoreSerializer(StrictModelSerializer):
    revision = serializers.IntegerField(source="revision.number", read_only=True)
    agent = ScoreAgentSerializer(read_only=True)
    schemes = SchemeScoreSerializer(source="scheme_score_rows", many=True, read_only=True)
    adjustments = AdjustmentSerializer(source="adjustment_rows", many=True, read_only=True)
    adjusted_total = serializers.SerializerMethodField(help_text="total + Σ adjustment points (closed periods).")
    unscored_reason = StoredMessageField(read_only=True, help_text="Why the agent has no total; blank when scored.")

    class Meta:
        model = AgentPeriodScore
        fields = ["id", "period", "revision", "job", "agent", "team", "total", "adjusted_total", "rank",
                  "percentile", "handled", "unscored_reason", "schemes", "adjustments"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_adjusted_total(self, score: AgentPeriodScore) -> str | None:
        adjusted = adjusted_total(score)
        return None if adjusted is None else str(adjusted)

    @cached_property
    def _decimals(self):
        return decimal_formatters(self)

    def to_representation(self, score: AgentPeriodScore) -> dict:
        # A page of scores is the dashboards' most read answer: built directly, like its KPI lines.
        agent, decimal, fields = score.agent, self._decimals, self.fields
        schemes = fields["schemes"].child
        return {
            "id": score.pk, "period": score.period_id, "revision": score.revision.number, "job": score.job_id,
            "agent": {"id": agent.pk, "employee_code": agent.employee_code, "display_name": agent.display_name},
            "team": score.team_id, "total": decimal["total"](score.total),
            "adjusted_total": self.get_adjusted_total(score), "rank": score.rank,
            "percentile": decimal["percentile"](score.percentile), "handled": score.handled,
            "unscored_reason": _message(score.unscored_reason),
            "schemes": [schemes.to_representation(s) for s in score.scheme_score_rows],
            "adjustments": fields["adjustments"].to_representation(score.adjustment_rows),
        }


def adjusted_total(score: AgentPeriodScore) -> Decimal | None:
    """total + Σ adjustment points (adjustments prefetched into `adjustment_rows`, see scoring_views)."""
    if score.total is None:
        return None
    return score.total + sum((a.points for a in score.adjustment_rows), Decimal(0))


class PeriodRefSerializer(StrictModelSerializer):
    class Meta:
        model = KpiPeriod
        fields = ["id", "name", "kind", "start", "end", "status"]
        read_only_fields = fields


class ScoreHistorySerializer(ScoreSerializer):
    period = PeriodRefSerializer(read_only=True)

    def to_representation(self, score: AgentPeriodScore) -> dict:
        return super().to_representation(score) | {"period": self.fields["period"].to_representation(score.period)}


# Simulation


class SimulateInputSerializer(StrictSerializer):
    scheme_version = ScopedPrimaryKeyRelatedField(queryset=SchemeVersion.objects.all(), required=False,
                                                  allow_null=True, default=None,
                                                  help_text="An existing version to try on this period.")
    version = SimulatedVersionInputSerializer(required=False, allow_null=True, default=None,
                                              help_text="Or a version given inline (not saved).")

    def validate(self, attrs):
        if (attrs["scheme_version"] is None) == (attrs["version"] is None):
            raise serializers.ValidationError(_("Give either scheme_version or version, not both."))
        return attrs


class SimulatedScoreSerializer(StrictSerializer):
    agent = ScoreAgentSerializer()
    team = serializers.IntegerField(allow_null=True)
    total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rank = serializers.IntegerField(allow_null=True)
    percentile = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    handled = serializers.IntegerField()
    unscored_reason = StoredMessageField()
    kpis = KpiBreakdownSerializer(many=True)
    current_total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                             help_text="The agent's overall total in the period's latest revision.")
    current_rank = serializers.IntegerField(allow_null=True,
                                            help_text="That total's rank within this same population.")
    rank_change = serializers.IntegerField(allow_null=True, help_text="current_rank − rank: places gained.")


class SimulationSerializer(StrictSerializer):
    period = serializers.IntegerField()
    scheme_version = serializers.IntegerField(allow_null=True)
    warnings = serializers.ListField(child=serializers.CharField())
    population = serializers.IntegerField()
    scored = serializers.IntegerField()
    results = SimulatedScoreSerializer(many=True)
