import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from accounts.models import Agent, Team
from common.filters import BoundedDateTimeFilter, ScopedFilterSet, ScopedModelChoiceFilter, StrictBooleanFilter
from feedback.models import (
    OPEN_STATUSES,
    Appeal,
    AppealKind,
    AppealStatus,
    AssessmentCampaign,
    AssessmentRequest,
    AssignmentStatus,
    CalibrationSession,
    CampaignStatus,
    CoachingSession,
    FollowUpStatus,
    QAAssignment,
    QAReview,
    RaterKind,
    Rubric,
    RubricVersion,
)
from performance.models import Channel, KpiPeriod


class RubricFilter(ScopedFilterSet):
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, method="filter_channel",
        help_text="Rubrics whose published version scores this channel (or every channel).",
    )
    published = StrictBooleanFilter(field_name="published_version", lookup_expr="isnull", exclude=True,
                                             help_text="Has a published version.")

    class Meta:
        model = Rubric
        fields = ["channel", "published"]

    def filter_channel(self, queryset, name, value):
        return queryset.filter(Q(published_version__channels__contains=[value]) | Q(published_version__channels=[]))


class RubricVersionFilter(ScopedFilterSet):
    class Meta:
        model = RubricVersion
        fields = ["rubric", "status"]


class QAReviewFilter(ScopedFilterSet):
    agent = ScopedModelChoiceFilter(field_name="interaction__agent", model=Agent)
    team = ScopedModelChoiceFilter(field_name="interaction__team", model=Team)
    channel = django_filters.ChoiceFilter(field_name="interaction__channel", choices=Channel.choices)
    rubric = ScopedModelChoiceFilter(field_name="rubric_version__rubric", model=Rubric)
    is_calibration = StrictBooleanFilter(field_name="calibration", lookup_expr="isnull", exclude=True)
    published_after = BoundedDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = BoundedDateTimeFilter(field_name="published_at", lookup_expr="lt")
    started_after = BoundedDateTimeFilter(field_name="interaction__started_at", lookup_expr="gte")
    started_before = BoundedDateTimeFilter(field_name="interaction__started_at", lookup_expr="lt")
    history = StrictBooleanFilter(
        method="filter_history",
        help_text="Include older revisions of amended reviews (default: only the latest revision of each).",
    )

    class Meta:
        model = QAReview
        fields = ["status", "interaction", "inspector", "rubric_version", "calibration", "auto_failed", "chain"]

    def filter_history(self, queryset, name, value):
        return queryset  # applied by the view: lists show only latest revisions unless history is true

    @staticmethod
    def wants_history(params) -> bool:
        return params.get("history", "").lower() in ("true", "1") or bool(params.get("chain"))


class QAAssignmentFilter(ScopedFilterSet):
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only assignments given to me (my queue).")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    assigned_after = BoundedDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = QAAssignment
        fields = ["mine", "status", "batch", "agent", "team", "inspector", "interaction"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(inspector_id=user.pk) if value and user is not None else queryset


class CalibrationSessionFilter(ScopedFilterSet):
    class Meta:
        model = CalibrationSession
        fields = ["status", "rubric_version", "lead"]


class AppealFilter(ScopedFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=AppealStatus.choices)
    kind = django_filters.ChoiceFilter(choices=AppealKind.choices)
    overdue = StrictBooleanFilter(method="filter_overdue", help_text="Open and past the due date (or not).")
    mine = StrictBooleanFilter(method="filter_mine", help_text="Only appeals assigned to me.")
    filed_after = BoundedDateTimeFilter(field_name="created_at", lookup_expr="gte")
    filed_before = BoundedDateTimeFilter(field_name="created_at", lookup_expr="lt")

    class Meta:
        model = Appeal
        fields = ["status", "kind", "agent", "reviewer", "review", "period", "level", "overdue", "mine"]

    def filter_overdue(self, queryset, name, value):
        late = Q(status__in=OPEN_STATUSES, due_at__lt=timezone.now())
        return queryset.filter(late) if value else queryset.exclude(late)

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(reviewer_id=user.pk) if value and user is not None else queryset


class CoachingSessionFilter(ScopedFilterSet):
    follow_up_status = django_filters.ChoiceFilter(choices=FollowUpStatus.choices)
    acknowledged = StrictBooleanFilter(field_name="acknowledged_at", lookup_expr="isnull", exclude=True)
    held_from = BoundedDateTimeFilter(field_name="held_at", lookup_expr="gte")
    held_before = BoundedDateTimeFilter(field_name="held_at", lookup_expr="lt")
    kpi = django_filters.CharFilter(field_name="kpi_code")
    team = ScopedModelChoiceFilter(field_name="agent__team", model=Team, help_text="The coached agent's team.")

    class Meta:
        model = CoachingSession
        fields = ["agent", "coach", "team", "review", "criterion", "appeal", "follow_up_status", "acknowledged"]


class AssessmentCampaignFilter(ScopedFilterSet):
    period = ScopedModelChoiceFilter(model=KpiPeriod)
    status = django_filters.ChoiceFilter(choices=CampaignStatus.choices)
    agent = ScopedModelChoiceFilter(model=Agent, method="filter_agent", help_text="Campaigns assessing this agent.")
    team = ScopedModelChoiceFilter(model=Team, method="filter_team",
                                   help_text="Campaigns assessing at least one agent of this team.")

    class Meta:
        model = AssessmentCampaign
        fields = ["period", "status", "agent", "team", "template_version"]

    @extend_schema_field(OpenApiTypes.INT)
    def filter_agent(self, queryset, name, value):
        return queryset.filter(Exists(AssessmentRequest.objects.filter(campaign=OuterRef("pk"), agent=value)))

    @extend_schema_field(OpenApiTypes.INT)
    def filter_team(self, queryset, name, value):
        return queryset.filter(Exists(AssessmentRequest.objects.filter(campaign=OuterRef("pk"), agent__team=value)))


class IdFilter(django_filters.NumberFilter):
    """A plain id: over a list that holds only the caller's own rows, it narrows that list and reveals nothing."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class AssessmentRequestFilter(ScopedFilterSet):
    """Over the caller's own requests (the ids of the campaigns and agents they are asked about)."""

    campaign = IdFilter(field_name="campaign_id")
    period = IdFilter(field_name="campaign__period_id", help_text="The campaign's period.")
    status = django_filters.ChoiceFilter(field_name="campaign__status", choices=CampaignStatus.choices,
                                         help_text="The campaign's status.")
    agent = IdFilter(field_name="agent_id", help_text="The assessed agent.")
    team = IdFilter(field_name="agent__team_id", help_text="The assessed agent's team.")
    answered = StrictBooleanFilter()
    rater_kind = django_filters.ChoiceFilter(choices=RaterKind.choices)

    class Meta:
        model = AssessmentRequest
        fields = ["campaign", "period", "status", "agent", "team", "answered", "rater_kind"]
