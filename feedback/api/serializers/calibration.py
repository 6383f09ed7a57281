from __future__ import annotations

from collections import Counter

from django.db.models import Count
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import UserSummarySerializer
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.api.fields import TenantPrimaryKeyRelatedField
from feedback.api.serializers.sampling import InspectorField
from feedback.models import CalibrationItem, CalibrationSession, QAReview, RubricVersion
from feedback.services.calibration import MAX_ITEMS, MAX_PARTICIPANTS
from performance.models import Channel, Interaction


class CalibrationItemSerializer(StrictModelSerializer):
    channel = serializers.ChoiceField(source="interaction.channel", choices=Channel.choices, read_only=True)
    started_at = serializers.DateTimeField(source="interaction.started_at", read_only=True)
    agent = serializers.IntegerField(source="interaction.agent_id", read_only=True)

    class Meta:
        model = CalibrationItem
        fields = ["position", "interaction", "channel", "started_at", "agent"]
        read_only_fields = fields


class CalibrationParticipantSerializer(StrictSerializer):
    user = UserSummarySerializer(read_only=True)
    submitted = serializers.IntegerField(read_only=True, help_text="Reviews submitted so far (answers stay hidden).")


class CalibrationSessionSerializer(StrictModelSerializer):
    lead = UserSummarySerializer(read_only=True)
    items = CalibrationItemSerializer(many=True, read_only=True)
    participants = serializers.SerializerMethodField()

    class Meta:
        model = CalibrationSession
        fields = ["id", "title", "notes", "rubric_version", "lead", "status", "items", "participants", "created_at",
                  "closed_at", "closed_by"]
        read_only_fields = fields

    @extend_schema_field(CalibrationParticipantSerializer(many=True))
    def get_participants(self, session: CalibrationSession) -> list[dict]:
        prefetched = getattr(session, "submitted_reviews", None)
        if prefetched is not None:
            submitted = Counter(review.inspector_id for review in prefetched)
        else:
            submitted = dict(QAReview.objects.filter(calibration=session, status="submitted", is_current=True)
                             .values("inspector_id").order_by().annotate(n=Count("pk"))
                             .values_list("inspector_id", "n"))
        return CalibrationParticipantSerializer(
            [{"user": p.user, "submitted": submitted.get(p.user_id, 0)} for p in session.participants.all()],
            many=True,
        ).data


class CalibrationCreateSerializer(StrictSerializer):
    title = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    rubric_version = ScopedPrimaryKeyRelatedField(queryset=RubricVersion.objects.all())
    interactions = TenantPrimaryKeyRelatedField(queryset=Interaction.objects.all(), many=True, allow_empty=False,
                                                help_text=f"Up to {MAX_ITEMS} interaction ids.")
    inspectors = InspectorField(many=True, allow_empty=False, help_text=(
        f"Up to {MAX_PARTICIPANTS} inspectors who score blind (not you: your reviews are the reference)."))


class CalibrationInspectorResultSerializer(StrictSerializer):
    inspector = serializers.IntegerField()
    reviews = serializers.IntegerField(help_text="Reviews compared with the reference.")
    mean_total = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    mean_deviation = serializers.DecimalField(
        max_digits=6, decimal_places=2, allow_null=True,
        help_text="Mean of (total - reference total): below 0 scores harsher than the lead, above 0 softer.",
    )
    mean_absolute_deviation = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    criterion_agreement = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                                   help_text="% of answers equal to the reference's.")


class CalibrationCriterionResultSerializer(StrictSerializer):
    criterion = serializers.IntegerField()
    section = serializers.CharField()
    label = serializers.CharField()
    answers = serializers.IntegerField()
    agreement = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    mean_deviation = serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True,
                                              help_text="Mean (rating - reference) in % of the scale.")
    mean_absolute_deviation = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True,
                                                       help_text="In % of the scale.")


class CalibrationInteractionResultSerializer(StrictSerializer):
    interaction = serializers.IntegerField()
    reference_total = serializers.DecimalField(max_digits=5, decimal_places=2)
    reviews = serializers.IntegerField()
    min_total = serializers.DecimalField(max_digits=5, decimal_places=2)
    max_total = serializers.DecimalField(max_digits=5, decimal_places=2)
    mean_absolute_deviation = serializers.DecimalField(max_digits=5, decimal_places=2)


class CalibrationResultsSerializer(StrictSerializer):
    session = serializers.IntegerField()
    reference = serializers.IntegerField(help_text="The lead whose reviews are the reference.")
    inspectors = CalibrationInspectorResultSerializer(many=True)
    criteria = CalibrationCriterionResultSerializer(many=True)
    interactions = CalibrationInteractionResultSerializer(many=True)
