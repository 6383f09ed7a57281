import django_filters
from django.db.models import Q
from django.utils import timezone

from accounts.models import Agent, Team
from common.filters import BoundedDateTimeFilter, ScopedFilterSet, ScopedModelChoiceFilter, StrictBooleanFilter
from feedback.models import (
    OPEN_STATUSES,
    Appeal,
    AppealKind,
    AppealStatus,
    AssignmentStatus,
    CalibrationSession,
    CoachingSession,
    FollowUpStatus,
    QAAssignment,
    QAReview,
    Rubric,
    RubricVersion,
)
from performance.models import Channel


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

    class Meta:
        model = CoachingSession
        fields = ["agent", "coach", "review", "criterion", "appeal", "follow_up_status", "acknowledged"]
