from __future__ import annotations

from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.api.fields import TenantPrimaryKeyRelatedField
from feedback.models import CalibrationSession, QAReview, QAReviewAnswer, RubricVersion
from performance.models import Channel, Interaction


class QAReviewAnswerSerializer(StrictModelSerializer):
    section = serializers.CharField(source="criterion.section.title", read_only=True)
    label = serializers.CharField(source="criterion.label", read_only=True)
    weight = serializers.DecimalField(source="criterion.weight", max_digits=7, decimal_places=2, read_only=True)
    scale = serializers.CharField(source="criterion.scale", read_only=True)
    is_critical = serializers.BooleanField(source="criterion.is_critical", read_only=True)
    na = serializers.BooleanField(source="is_na", read_only=True)

    class Meta:
        model = QAReviewAnswer
        fields = ["criterion", "section", "label", "weight", "scale", "is_critical", "rating", "na", "comment",
                  "normalized", "earned", "possible", "critical_failed"]
        read_only_fields = fields


class QAReviewSerializer(StrictModelSerializer):
    agent = serializers.IntegerField(source="interaction.agent_id", read_only=True)
    team = serializers.IntegerField(source="interaction.team_id", read_only=True, allow_null=True)
    channel = serializers.ChoiceField(source="interaction.channel", choices=Channel.choices, read_only=True)
    interaction_started_at = serializers.DateTimeField(source="interaction.started_at", read_only=True)
    rubric = serializers.IntegerField(source="rubric_version.rubric_id", read_only=True)
    rubric_version_number = serializers.IntegerField(source="rubric_version.number", read_only=True)
    inspector = UserSummarySerializer(read_only=True)

    class Meta:
        model = QAReview
        fields = ["id", "chain", "revision", "is_current", "status", "interaction", "agent", "team", "channel",
                  "interaction_started_at", "rubric", "rubric_version", "rubric_version_number", "inspector",
                  "calibration", "total", "would_be_total", "auto_failed", "overall_comment", "time_spent_seconds",
                  "created_at", "updated_at", "submitted_at", "published_at", "appeal_deadline", "amended_from",
                  "amend_reason"]
        read_only_fields = fields


class QAReviewDetailSerializer(QAReviewSerializer):
    answers = QAReviewAnswerSerializer(many=True, read_only=True)
    amended_by = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta(QAReviewSerializer.Meta):
        fields = [*QAReviewSerializer.Meta.fields, "earned_points", "possible_points", "amended_by", "answers"]
        read_only_fields = fields


class QAReviewAnswerInputSerializer(StrictSerializer):
    criterion = serializers.IntegerField(help_text="Id of a criterion of the review's rubric version.")
    rating = serializers.IntegerField(required=False, allow_null=True, default=None,
                                      help_text="On the criterion's scale; leave empty when N/A.")
    na = serializers.BooleanField(default=False, help_text="Not applicable (only where the criterion allows it).")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class QAReviewCreateSerializer(StrictSerializer):
    interaction = TenantPrimaryKeyRelatedField(queryset=Interaction.objects.all())
    rubric_version = ScopedPrimaryKeyRelatedField(queryset=RubricVersion.objects.all())
    calibration = ScopedPrimaryKeyRelatedField(
        queryset=CalibrationSession.objects.all(), required=False, allow_null=True, default=None,
        help_text="For a calibration review: the session (the interaction must be one of its items).",
    )
    answers = QAReviewAnswerInputSerializer(many=True, required=False, default=list, max_length=500)
    overall_comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=20000)
    time_spent_seconds = serializers.IntegerField(required=False, allow_null=True, default=None, min_value=0,
                                                  max_value=86400)


class QAReviewUpdateSerializer(StrictSerializer):
    answers = QAReviewAnswerInputSerializer(many=True, required=False, max_length=500,
                                            help_text="Replaces all of the draft's answers.")
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)
    time_spent_seconds = serializers.IntegerField(required=False, min_value=0, max_value=86400)


class QAReviewAmendSerializer(StrictSerializer):
    answers = QAReviewAnswerInputSerializer(
        many=True, allow_empty=False, max_length=500,
        help_text="Answers that change; criteria not listed keep their answers.",
    )
    reason = serializers.CharField(max_length=5000)
    overall_comment = serializers.CharField(required=False, allow_blank=True, max_length=20000)
