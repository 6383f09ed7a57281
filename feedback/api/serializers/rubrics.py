from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.models import SCALE_BOUNDS, RatingScale, Rubric, RubricCriterion, RubricSection, RubricVersion
from performance.models import Channel, Scenario


class RubricCriterionSerializer(StrictModelSerializer):
    scale_min = serializers.SerializerMethodField()
    scale_max = serializers.SerializerMethodField()

    class Meta:
        model = RubricCriterion
        fields = ["id", "position", "label", "description", "weight", "scale", "scale_min", "scale_max",
                  "allow_na", "is_critical"]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.INT)
    def get_scale_min(self, criterion: RubricCriterion) -> int:
        return SCALE_BOUNDS[criterion.scale][0]

    @extend_schema_field(OpenApiTypes.INT)
    def get_scale_max(self, criterion: RubricCriterion) -> int:
        return SCALE_BOUNDS[criterion.scale][1]


class RubricSectionSerializer(StrictModelSerializer):
    criteria = RubricCriterionSerializer(many=True, read_only=True)

    class Meta:
        model = RubricSection
        fields = ["id", "position", "title", "description", "criteria"]
        read_only_fields = fields


class RubricVersionSummarySerializer(StrictModelSerializer):
    class Meta:
        model = RubricVersion
        fields = ["id", "number", "status", "notes", "created_at", "published_at"]
        read_only_fields = fields


class RubricVersionSerializer(StrictModelSerializer):
    rubric_name = serializers.CharField(source="rubric.name", read_only=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), read_only=True)
    scenarios = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    sections = RubricSectionSerializer(many=True, read_only=True)

    class Meta:
        model = RubricVersion
        fields = ["id", "rubric", "rubric_name", "number", "status", "notes", "channels", "scenarios", "based_on",
                  "created_by", "created_at", "updated_at", "published_at", "published_by", "sections"]
        read_only_fields = fields


class RubricSerializer(StrictModelSerializer):
    published_version = RubricVersionSummarySerializer(read_only=True, allow_null=True)
    versions = RubricVersionSummarySerializer(many=True, read_only=True)

    class Meta:
        model = Rubric
        fields = ["id", "name", "description", "published_version", "versions", "created_by", "created_at",
                  "updated_at"]
        read_only_fields = fields


class RubricCriterionInputSerializer(StrictSerializer):
    label = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    weight = serializers.DecimalField(max_digits=7, decimal_places=2, min_value=Decimal("0.01"),
                                      help_text="Points the criterion is worth (> 0).")
    scale = serializers.ChoiceField(choices=RatingScale.choices)
    allow_na = serializers.BooleanField(default=False)
    is_critical = serializers.BooleanField(default=False)


class RubricSectionInputSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    criteria = RubricCriterionInputSerializer(many=True, allow_empty=False, max_length=100)


class RubricScopeInputSerializer(StrictSerializer):
    notes = serializers.CharField(required=False, allow_blank=True)
    channels = serializers.ListField(child=serializers.ChoiceField(choices=Channel.choices), required=False,
                                     max_length=len(Channel.choices), help_text="Empty: every channel.")
    scenarios = ScopedPrimaryKeyRelatedField(queryset=Scenario.objects.all(), many=True, required=False,
                                             help_text="Scenario ids; empty: every scenario.")
    sections = RubricSectionInputSerializer(many=True, allow_empty=False, max_length=30, required=False)


class RubricCreateSerializer(RubricScopeInputSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    sections = RubricSectionInputSerializer(many=True, allow_empty=False, max_length=30)


class RubricUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class RubricVersionCreateSerializer(RubricScopeInputSerializer):
    rubric = ScopedPrimaryKeyRelatedField(queryset=Rubric.objects.all(), scope_action="manage")
    based_on = ScopedPrimaryKeyRelatedField(
        queryset=RubricVersion.objects.all(), required=False, allow_null=True,
        help_text="The version to copy (default: the rubric's latest). Given fields replace the copied ones.",
    )


class RubricVersionUpdateSerializer(RubricScopeInputSerializer):
    """Changes to a draft version; `sections` replaces every section and criterion."""
