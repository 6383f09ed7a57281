from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from accounts.models import Agent, Team, User
from common.fields import BoundedDateField, ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.models import QAAssignment, QAAssignmentBatch
from performance.models import Channel, KpiPeriod

INSPECTING_ROLES = ("qa_inspector", "qa_lead")


@extend_schema_field(OpenApiTypes.INT)
class InspectorField(serializers.PrimaryKeyRelatedField):
    """A user id of an active QA inspector or QA lead of the actor's tenant."""

    def get_queryset(self):
        actor = self.context.get("actor")
        if actor is None:
            return User.objects.none()
        return User.objects.filter(memberships__tenant=actor.tenant, memberships__is_active=True,
                                   memberships__role__in=INSPECTING_ROLES, is_active=True)


class QAAssignmentSerializer(StrictModelSerializer):
    interaction_started_at = serializers.DateTimeField(source="interaction.started_at", read_only=True)
    channel = serializers.ChoiceField(source="interaction.channel", choices=Channel.choices, read_only=True)
    inspector = UserSummarySerializer(read_only=True)

    class Meta:
        model = QAAssignment
        fields = ["id", "batch", "interaction", "interaction_started_at", "channel", "agent", "team", "inspector",
                  "status", "skip_reason", "review", "completed_at", "created_at", "updated_at"]
        read_only_fields = fields


class QAAssignmentBatchSerializer(StrictModelSerializer):
    teams = serializers.ListField(source="team_ids", child=serializers.IntegerField(), read_only=True)
    inspectors = serializers.ListField(source="inspector_ids", child=serializers.IntegerField(), read_only=True)

    class Meta:
        model = QAAssignmentBatch
        fields = ["id", "date_from", "date_to", "teams", "inspectors", "per_agent", "percent", "seed", "candidates",
                  "picked", "unassigned", "created_by", "created_at"]
        read_only_fields = fields


class InspectorLoadSerializer(StrictSerializer):
    inspector = serializers.IntegerField()
    assigned = serializers.IntegerField()


class QAAssignmentBatchDetailSerializer(QAAssignmentBatchSerializer):
    per_inspector = InspectorLoadSerializer(many=True, read_only=True, help_text="Assignments per inspector.")

    class Meta(QAAssignmentBatchSerializer.Meta):
        fields = [*QAAssignmentBatchSerializer.Meta.fields, "per_inspector"]
        read_only_fields = fields


class PeriodOrDatesSerializer(StrictSerializer):
    """A KPI period, or a date range [date_from, date_to) in the tenant's time zone."""

    period = ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.all(), required=False,
                                          help_text="A KPI period (instead of date_from/date_to).")
    date_from = BoundedDateField(required=False, help_text="First day, in the tenant's time zone.")
    date_to = BoundedDateField(required=False,
                               help_text="Day after the last one (exclusive), in the tenant's time zone.")

    def validate(self, attrs):
        period = attrs.pop("period", None)
        if period is not None:
            if "date_from" in attrs or "date_to" in attrs:
                raise serializers.ValidationError({"period": [_("Give a period or dates, not both.")]})
            attrs["date_from"], attrs["date_to"] = period.start, period.end
        return attrs


class QAAssignmentGenerateSerializer(PeriodOrDatesSerializer):
    teams = ScopedPrimaryKeyRelatedField(queryset=Team.objects.all(), many=True, allow_empty=False,
                                         scope_action="review")
    inspectors = InspectorField(many=True, allow_empty=False, help_text="QA inspectors or leads to assign to.")
    per_agent = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=1,
                                         max_value=1000, help_text="K interactions per agent (or give percent).")
    percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None, min_value=Decimal("0.01"),
        max_value=Decimal("100"), help_text="P% of each agent's answered interactions, rounded up.",
    )
    seed = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                    max_value=2**63 - 1, help_text="Replays a batch; random when left out.")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if "date_from" not in attrs or "date_to" not in attrs:
            raise serializers.ValidationError({"date_from": [_("Give a period, or date_from and date_to.")]})
        if (attrs["per_agent"] is None) == (attrs["percent"] is None):
            raise serializers.ValidationError({"per_agent": [_("Give either per_agent or percent.")]})
        return attrs


class QAAssignmentSkipSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=2000)


class QACoverageQuerySerializer(PeriodOrDatesSerializer):
    batch = ScopedPrimaryKeyRelatedField(queryset=QAAssignmentBatch.objects.all(), required=False,
                                         help_text="Use this batch's date range and teams.")
    team = serializers.ListField(child=serializers.IntegerField(), required=False, help_text="Team ids (repeat).")

    def validate(self, attrs):
        attrs = super().validate(attrs)
        batch = attrs.get("batch")
        if batch is not None:
            attrs.setdefault("date_from", batch.date_from)
            attrs.setdefault("date_to", batch.date_to)
            attrs.setdefault("team", batch.team_ids)
        if "date_from" not in attrs or "date_to" not in attrs:
            raise serializers.ValidationError({"date_from": [_("Give a period, a batch, or date_from and date_to.")]})
        if attrs["date_to"] <= attrs["date_from"]:
            raise serializers.ValidationError({"date_to": [_("Must be after date_from.")]})
        return attrs


class QACoverageRowSerializer(StrictModelSerializer):
    agent = serializers.IntegerField(source="pk")
    interactions = serializers.IntegerField(source="interaction_count", help_text="Interactions in the range.")
    assigned = serializers.IntegerField(source="assigned_count", help_text="Sampled for QA (not skipped).")
    reviewed = serializers.IntegerField(source="reviewed_count", help_text="With a published QA review.")

    class Meta:
        model = Agent
        fields = ["agent", "employee_code", "display_name", "team", "interactions", "assigned", "reviewed"]
        read_only_fields = fields
