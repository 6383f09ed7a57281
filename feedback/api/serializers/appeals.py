from __future__ import annotations

from decimal import Decimal

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.api.serializers import MemberUserField, UserSummarySerializer
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.api.serializers.reviews import QAReviewAnswerInputSerializer
from feedback.models import (
    DECIDED_STATUSES,
    OPEN_STATUSES,
    Appeal,
    AppealAttachment,
    AppealComment,
    AppealDecision,
    AppealEvent,
    AppealItem,
    QAReview,
)
from feedback.models.appeals import OUTCOME_CHOICES
from feedback.services.appeal_effects import adjusted, current_score
from performance.models import JobStatus, KpiPeriod

VALUE = {"max_digits": 14, "decimal_places": 4}


class AppealItemSerializer(StrictModelSerializer):
    criterion_label = serializers.CharField(source="criterion.label", read_only=True, allow_null=True, default=None)
    kpi = serializers.CharField(source="kpi_code", read_only=True)

    class Meta:
        model = AppealItem
        fields = ["id", "criterion", "criterion_label", "kpi", "original_value", "proposed_value", "accepted",
                  "decided_value"]
        read_only_fields = fields


class AppealDecisionSerializer(StrictModelSerializer):
    decided_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = AppealDecision
        fields = ["level", "outcome", "rationale", "items", "decided_by", "decided_at", "review_revision"]
        read_only_fields = fields


class AppealSerializer(StrictModelSerializer):
    kpi = serializers.CharField(source="kpi_code", read_only=True, help_text="Score appeals: the KPI; blank = total.")
    reviewer = UserSummarySerializer(read_only=True, allow_null=True)
    items = AppealItemSerializer(many=True, read_only=True)
    is_overdue = serializers.SerializerMethodField(help_text="Open and past its due date.")

    class Meta:
        model = Appeal
        fields = ["id", "kind", "status", "level", "agent", "filed_by", "review", "review_chain", "period", "kpi",
                  "reason", "items", "reviewer", "assigned_at", "due_at", "is_overdue", "overdue_at",
                  "first_decided_by", "decided_at", "escalated_at", "withdrawn_at", "computation_job",
                  "score_before", "created_at", "updated_at"]
        read_only_fields = fields

    def get_is_overdue(self, appeal: Appeal) -> bool:
        return appeal.status in OPEN_STATUSES and appeal.due_at < timezone.now()


class AppealDetailSerializer(AppealSerializer):
    decisions = AppealDecisionSerializer(many=True, read_only=True)
    score_after = serializers.SerializerMethodField(help_text=(
        "The agent's period total (with adjustments) once the decision is applied: null before a decision and "
        "while its recomputation is queued or running."))

    class Meta(AppealSerializer.Meta):
        fields = [*AppealSerializer.Meta.fields, "score_after", "decisions"]
        read_only_fields = fields

    @extend_schema_field(serializers.DecimalField(max_digits=6, decimal_places=2, allow_null=True))
    def get_score_after(self, appeal: Appeal) -> str | None:
        if appeal.status not in DECIDED_STATUSES or appeal.period_id is None:
            return None
        job = appeal.computation_job
        if job is not None and job.status != JobStatus.SUCCEEDED:
            return None
        value = adjusted(current_score(appeal))
        return None if value is None else str(value)


class AppealItemInputSerializer(StrictSerializer):
    criterion = serializers.IntegerField(help_text="A criterion of the review's rubric version.")
    proposed_rating = serializers.IntegerField(required=False, allow_null=True, default=None,
                                               help_text="The rating you believe is right, on the criterion's scale.")


class AppealCreateSerializer(StrictSerializer):
    review = ScopedPrimaryKeyRelatedField(queryset=QAReview.objects.all(), required=False, allow_null=True,
                                          default=None, help_text="Appeal this published review of yours.")
    period = ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.all(), required=False, allow_null=True,
                                          default=None, help_text="Or appeal your score in this period.")
    kpi = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                help_text="With period: the KPI you dispute (a code of GET kpis/, built in or the "
                                          "tenant's own); blank = the total.")
    proposed_value = serializers.DecimalField(**VALUE, required=False, allow_null=True, default=None,
                                              help_text="With period: the KPI's raw value (or the total) you "
                                                        "believe is right.")
    reason = serializers.CharField(max_length=10000)
    items = AppealItemInputSerializer(many=True, required=False, default=list, max_length=200,
                                      help_text="With review: the disputed criteria; none = the whole review.")


class AppealAssignSerializer(StrictSerializer):
    reviewer = MemberUserField(required=False, allow_null=True, default=None,
                               help_text="An eligible member; omit to pick the least-loaded eligible reviewer.")


class AppealItemDecisionSerializer(StrictSerializer):
    item = serializers.IntegerField(help_text="An item of the appeal.")
    accepted = serializers.BooleanField()
    value = serializers.DecimalField(**VALUE, required=False, allow_null=True, default=None,
                                     help_text="The value to apply instead of the agent's proposal.")


class AppealDecideSerializer(StrictSerializer):
    outcome = serializers.ChoiceField(choices=OUTCOME_CHOICES)
    rationale = serializers.CharField(max_length=10000)
    items = AppealItemDecisionSerializer(many=True, required=False, default=list, max_length=200)
    answers = QAReviewAnswerInputSerializer(many=True, required=False, default=list, max_length=500,
                                            help_text="Whole-review appeals only: the answers to apply.")


class AppealEscalateSerializer(StrictSerializer):
    reason = serializers.CharField(max_length=10000)


class AppealCommentSerializer(StrictModelSerializer):
    author = UserSummarySerializer(read_only=True)

    class Meta:
        model = AppealComment
        fields = ["id", "author", "body", "created_at"]
        read_only_fields = ["id", "author", "created_at"]
        extra_kwargs = {"body": {"max_length": 10000}}


class AppealEventSerializer(StrictModelSerializer):
    actor = UserSummarySerializer(read_only=True, allow_null=True)

    class Meta:
        model = AppealEvent
        fields = ["id", "kind", "actor", "from_status", "to_status", "data", "created_at"]
        read_only_fields = fields


class AppealAttachmentSerializer(StrictModelSerializer):
    uploaded_by = UserSummarySerializer(read_only=True)

    class Meta:
        model = AppealAttachment
        fields = ["id", "name", "content_type", "size", "uploaded_by", "created_at"]
        read_only_fields = fields


class AppealAttachmentUploadSerializer(StrictSerializer):
    file = serializers.FileField(help_text="One file, within the tenant's size limit and allowed types.")


class AppealReportQuerySerializer(StrictSerializer):
    period = ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.all())


class CountSerializer(StrictSerializer):
    key = serializers.CharField()
    count = serializers.IntegerField()


class InspectorRowSerializer(StrictSerializer):
    inspector = serializers.IntegerField()
    email = serializers.CharField()
    reviews = serializers.IntegerField(help_text="Published reviews of interactions in the period.")
    appealed = serializers.IntegerField()
    overturned = serializers.IntegerField(help_text="Reviews with an appeal overturned or partially overturned.")
    appealed_share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    overturned_share = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)


class CriterionRowSerializer(StrictSerializer):
    inspector = serializers.IntegerField()
    criterion = serializers.IntegerField()
    label = serializers.CharField()
    appealed = serializers.IntegerField()
    overturned = serializers.IntegerField(help_text="Disputed items accepted.")


class AppealReportSerializer(StrictSerializer):
    period = serializers.IntegerField()
    appeals = serializers.IntegerField()
    by_state = CountSerializer(many=True)
    by_outcome = CountSerializer(many=True, help_text="Final outcomes of decided appeals.")
    decided = serializers.IntegerField()
    median_hours_to_decision = serializers.DecimalField(max_digits=10, decimal_places=2, allow_null=True)
    sla_breaches = serializers.IntegerField(help_text="Appeals marked overdue or decided after their due date.")
    escalated = serializers.IntegerField()
    inspectors = InspectorRowSerializer(many=True)
    criteria = CriterionRowSerializer(many=True)


def share(part: int, whole: int) -> Decimal | None:
    return None if not whole else (Decimal(part) * 100 / whole).quantize(Decimal("0.01"))
