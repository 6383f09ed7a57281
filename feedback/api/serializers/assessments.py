"""Shapes of 360 assessment templates, campaigns, requests, results and customer links.

No shape pairs a peer's or a customer's identity with an answer: requests show who is asked (to the rater and to
admins, for progress) but never what they answered; results are aggregates without rater.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import Agent
from common.fields import ScopedPrimaryKeyRelatedField
from common.serializers import StrictModelSerializer, StrictSerializer
from feedback.models import (
    AssessmentCampaign,
    AssessmentQuestion,
    AssessmentRequest,
    AssessmentTemplate,
    AssessmentTemplateVersion,
    Competency,
    RaterKind,
    RatingScale,
)
from performance.models import KpiPeriod

POINTS = {"max_digits": 6, "decimal_places": 2, "allow_null": True}


class AssessmentQuestionSerializer(StrictModelSerializer):
    class Meta:
        model = AssessmentQuestion
        fields = ["id", "position", "competency", "text", "scale", "scale_min", "scale_max", "allows_comment"]
        read_only_fields = fields


class AssessmentQuestionInputSerializer(StrictSerializer):
    competency = serializers.ChoiceField(choices=Competency.choices)
    text = serializers.CharField(max_length=500)
    scale = serializers.ChoiceField(choices=RatingScale.choices, default=RatingScale.ONE_TO_FIVE)
    allows_comment = serializers.BooleanField(default=False, help_text="Whether raters may add a free-text comment.")


class AssessmentTemplateVersionSerializer(StrictModelSerializer):
    questions = AssessmentQuestionSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentTemplateVersion
        fields = ["id", "number", "note", "questions", "created_at"]
        read_only_fields = fields


class AssessmentTemplateSerializer(StrictModelSerializer):
    versions = AssessmentTemplateVersionSerializer(many=True, read_only=True)

    class Meta:
        model = AssessmentTemplate
        fields = ["id", "name", "description", "versions", "created_at"]
        read_only_fields = fields


class AssessmentTemplateInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    questions = AssessmentQuestionInputSerializer(many=True, help_text="The first version's questions (1 to 50).")


class AssessmentTemplateVersionInputSerializer(StrictSerializer):
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    questions = AssessmentQuestionInputSerializer(many=True, help_text="1 to 50 questions.")


class AssessmentCampaignSerializer(StrictModelSerializer):
    class Meta:
        model = AssessmentCampaign
        fields = ["id", "name", "description", "period", "template_version", "deadline", "status", "created_by",
                  "created_at", "closed_at", "cancelled_at"]
        read_only_fields = fields


class AssessmentRaterInputSerializer(StrictSerializer):
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all())
    peers = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), many=True,
                                         help_text="Agents of the same team with a login who assess this agent.")


class AssessmentCampaignInputSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    period = ScopedPrimaryKeyRelatedField(queryset=KpiPeriod.objects.all())
    template_version = ScopedPrimaryKeyRelatedField(queryset=AssessmentTemplateVersion.objects.all())
    deadline = serializers.DateTimeField()
    agents = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), many=True, required=False, default=list,
                                          help_text="The assessed agents; none = every active agent.")
    raters = AssessmentRaterInputSerializer(many=True, required=False, default=list, max_length=5000,
                                            help_text="Chosen peers per assessed agent.")


class AssessmentCampaignUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    deadline = serializers.DateTimeField(required=False, help_text="In the future. A shorter deadline also shortens "
                                                                   "the customer links; raters who have not "
                                                                   "answered are notified.")

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError(_("Change at least one of name, description, deadline."))
        return attrs


class AssessmentRatersAddInputSerializer(StrictSerializer):
    agents = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), many=True, required=False, default=list,
                                          help_text="Agents to assess too: their supervisors and themselves are "
                                                    "asked.")
    raters = AssessmentRaterInputSerializer(many=True, required=False, default=list, max_length=5000,
                                            help_text="Chosen peers per assessed agent (already assessed, or "
                                                      "added in agents).")

    def validate(self, attrs):
        if not attrs["agents"] and not attrs["raters"]:
            raise serializers.ValidationError(_("Name agents to assess or raters to add."))
        return attrs


class AssessmentCampaignRaterSerializer(StrictModelSerializer):
    """Who is asked in a campaign (admins, to manage it): never whether nor what they answered."""

    agent_name = serializers.CharField(source="agent.display_name", read_only=True)

    class Meta:
        model = AssessmentRequest
        fields = ["id", "agent", "agent_name", "rater_kind", "rater", "expires_at", "created_at"]
        read_only_fields = fields


class AssessmentToGiveSerializer(StrictModelSerializer):
    """A request as its rater (or an admin following progress) sees it; never with answers."""

    campaign_name = serializers.CharField(source="campaign.name", read_only=True)
    deadline = serializers.DateTimeField(source="campaign.deadline", read_only=True)
    agent_name = serializers.CharField(source="agent.display_name", read_only=True)

    class Meta:
        model = AssessmentRequest
        fields = ["id", "campaign", "campaign_name", "deadline", "agent", "agent_name", "rater_kind", "rater",
                  "answered", "expires_at"]
        read_only_fields = fields


class AssessmentAnswerInputSerializer(StrictSerializer):
    question = serializers.IntegerField(help_text="A question of the campaign's template version.")
    rating = serializers.IntegerField(min_value=0, max_value=10, help_text="Within the question's scale.")
    comment = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="",
                                    help_text="Only where the question allows comments; shown without author.")


class AssessmentAnswerSubmitSerializer(StrictSerializer):
    answers = AssessmentAnswerInputSerializer(many=True, max_length=50, help_text="One answer per question.")


class AssessmentCustomerLinkInputSerializer(StrictSerializer):
    agent = ScopedPrimaryKeyRelatedField(queryset=Agent.objects.all(), help_text="The assessed agent.")
    expires_in_days = serializers.IntegerField(default=14, min_value=1, max_value=60,
                                               help_text="Days the link is valid (at most until the deadline).")


class AssessmentCustomerLinkSerializer(StrictSerializer):
    id = serializers.IntegerField()
    agent = serializers.IntegerField()
    expires_at = serializers.DateTimeField()
    token = serializers.CharField(allow_null=True,
                                  help_text="Shown once: the customer's link carries it. Not kept by the "
                                            "idempotency store (a replay has null).")


class AssessmentLinkPreviewSerializer(StrictSerializer):
    tenant_name = serializers.CharField()
    campaign_name = serializers.CharField()
    agent_name = serializers.CharField()
    expires_at = serializers.DateTimeField()
    questions = AssessmentQuestionSerializer(many=True)


class AssessmentCompetencyResultSerializer(StrictSerializer):
    competency = serializers.ChoiceField(choices=Competency.choices)
    mean = serializers.DecimalField(**POINTS, help_text="0–100.")


class AssessmentQuestionResultSerializer(StrictSerializer):
    question = serializers.IntegerField()
    competency = serializers.ChoiceField(choices=Competency.choices)
    mean_rating = serializers.DecimalField(**POINTS, help_text="On the question's scale.")
    mean = serializers.DecimalField(**POINTS, help_text="0–100.")


class AssessmentCommentSerializer(StrictSerializer):
    question = serializers.IntegerField()
    comment = serializers.CharField()


class AssessmentGroupResultSerializer(StrictSerializer):
    rater_kind = serializers.ChoiceField(choices=RaterKind.choices)
    anonymous = serializers.BooleanField(help_text="Peers and customers: shown only aggregated, from min_responses.")
    shown = serializers.BooleanField(help_text="False: too few responses (anonymous groups); nothing is shown.")
    responses = serializers.IntegerField(allow_null=True)
    mean = serializers.DecimalField(**POINTS, help_text="Mean of the group's answers, 0–100.")
    competencies = AssessmentCompetencyResultSerializer(many=True)
    questions = AssessmentQuestionResultSerializer(many=True)
    comments = AssessmentCommentSerializer(many=True, help_text="Without author, by question then text.")


class AssessmentResultSerializer(StrictSerializer):
    campaign = serializers.IntegerField()
    agent = serializers.IntegerField()
    min_responses = serializers.IntegerField(help_text="The tenant's assessment_min_responses.")
    overall = serializers.DecimalField(**POINTS, help_text="Mean of the shown groups' means, 0–100.")
    groups = AssessmentGroupResultSerializer(many=True)


class AssessmentProgressGroupSerializer(StrictSerializer):
    rater_kind = serializers.ChoiceField(choices=RaterKind.choices)
    requested = serializers.IntegerField()
    answered = serializers.IntegerField()


class AssessmentProgressSerializer(StrictSerializer):
    agent = serializers.IntegerField()
    employee_code = serializers.CharField()
    display_name = serializers.CharField()
    requested = serializers.IntegerField()
    answered = serializers.IntegerField()
    complete = serializers.BooleanField()
    groups = AssessmentProgressGroupSerializer(many=True)
