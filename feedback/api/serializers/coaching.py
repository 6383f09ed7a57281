"""Shapes of coaching sessions, their effect report and the per-coach summary."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import Agent
from common.fields import BoundedDateField, ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.models import Appeal, CoachingGoal, CoachingSession, FollowUpStatus, GoalStatus, QAReview, RubricCriterion

N_HELP = "How many reviews (criterion) or periods (KPI) on each side of the session; 1 to 12, default 3."


class CoachingGoalSerializer(StrictModelSerializer):
    class Meta:
        model = CoachingGoal
        fields = ["id", "description", "due_date", "status"]
        read_only_fields = fields


class CoachingGoalInputSerializer(StrictSerializer):
    description = serializers.CharField(max_length=500)
    due_date = BoundedDateField()
    status = serializers.ChoiceField(choices=GoalStatus.choices, default=GoalStatus.OPEN)


class CoachingSessionSerializer(StrictModelSerializer):
    goals = CoachingGoalSerializer(many=True, read_only=True)
    kpi = serializers.CharField(source="kpi_code", read_only=True, help_text="The targeted KPI's code; blank: none.")

    class Meta:
        model = CoachingSession
        fields = ["id", "agent", "coach", "held_at", "topic", "notes", "review", "criterion", "kpi", "appeal",
                  "goals", "follow_up_status", "acknowledged_at", "agent_comment", "created_at", "updated_at"]
        read_only_fields = fields


class CoachingSessionInputSerializer(StrictSerializer):
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all())
    held_at = serializers.DateTimeField()
    topic = serializers.CharField(max_length=200)
    notes = serializers.CharField(required=False, allow_blank=True, default="")
    review = ScopedPrimaryKeyRelatedField(queryset=QAReview.objects.select_related("interaction"), required=False,
                                          allow_null=True, default=None,
                                          help_text="A published QA review of the agent's.")
    criterion = ScopedPrimaryKeyRelatedField(queryset=RubricCriterion.objects.all(), required=False,
                                             allow_null=True, default=None,
                                             help_text="The targeted criterion (of the review's rubric version).")
    kpi = serializers.CharField(max_length=32, required=False, allow_blank=True, default="",
                                help_text="The targeted KPI's code (built in or the tenant's); not with a criterion.")
    appeal = ScopedPrimaryKeyRelatedField(queryset=Appeal.objects.all(), required=False, allow_null=True,
                                          default=None, help_text="An appeal of the agent's this session follows up.")
    goals = CoachingGoalInputSerializer(many=True, required=False, default=list, max_length=20)


class CoachingSessionUpdateSerializer(StrictSerializer):
    topic = serializers.CharField(max_length=200, required=False)
    notes = serializers.CharField(required=False, allow_blank=True)
    follow_up_status = serializers.ChoiceField(choices=FollowUpStatus.choices, required=False)
    goals = CoachingGoalInputSerializer(many=True, required=False, max_length=20,
                                        help_text="The complete new list of goals.")


class CoachingAcknowledgeSerializer(StrictSerializer):
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class EffectQuerySerializer(StrictSerializer):
    n = serializers.IntegerField(min_value=1, max_value=12, default=3, help_text=N_HELP)


class EffectPointSerializer(StrictSerializer):
    ref_id = serializers.IntegerField(help_text="The review id (criterion) or the period id (KPI).")
    day = serializers.DateField(help_text="The reviewed interaction's day, or the period's start (tenant time).")
    value = serializers.DecimalField(max_digits=18, decimal_places=2)


class CoachingEffectSerializer(StrictSerializer):
    session = serializers.IntegerField()
    target = serializers.ChoiceField(choices=[("criterion", "criterion"), ("kpi", "kpi"), ("none", "none")])
    criterion = serializers.IntegerField(allow_null=True)
    kpi = serializers.CharField(allow_blank=True)
    n = serializers.IntegerField()
    before = EffectPointSerializer(many=True)
    after = EffectPointSerializer(many=True)
    before_mean = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    after_mean = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True)
    change = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                      help_text="after_mean − before_mean; null unless both sides have values.")


class CoachingReportQuerySerializer(StrictSerializer):
    held_from = BoundedDateField(required=False, allow_null=True, default=None, help_text="Inclusive.")
    held_to = BoundedDateField(required=False, allow_null=True, default=None, help_text="Inclusive.")
    n = serializers.IntegerField(min_value=1, max_value=12, default=3, help_text=N_HELP)


class CoachSummarySerializer(StrictSerializer):
    coach = serializers.IntegerField(source="coach_id")
    sessions = serializers.IntegerField()
    acknowledged = serializers.IntegerField()
    follow_ups_done = serializers.IntegerField()
    goals = serializers.IntegerField()
    goals_met = serializers.IntegerField()
    measured = serializers.IntegerField(help_text="Sessions with values on both sides.")
    improved = serializers.IntegerField(help_text="Measured sessions whose mean after was above the mean before.")
    mean_change = serializers.DecimalField(max_digits=18, decimal_places=2, allow_null=True,
                                           help_text="Mean of the measured sessions' changes.")


class CoachingReportSerializer(StrictSerializer):
    n = serializers.IntegerField()
    coaches = CoachSummarySerializer(many=True)
