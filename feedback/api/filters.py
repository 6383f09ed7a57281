import django_filters
from django.db.models import Q
from django_filters.rest_framework import BooleanFilter

from feedback.models import (
    AssignmentStatus,
    CalibrationSession,
    QAAssignment,
    QAReview,
    Rubric,
    RubricVersion,
)
from performance.models import Channel


class RubricFilter(django_filters.FilterSet):
    channel = django_filters.ChoiceFilter(
        choices=Channel.choices, method="filter_channel",
        help_text="Rubrics whose published version scores this channel (or every channel).",
    )
    published = BooleanFilter(field_name="published_version", lookup_expr="isnull", exclude=True,
                                             help_text="Has a published version.")

    class Meta:
        model = Rubric
        fields = ["channel", "published"]

    def filter_channel(self, queryset, name, value):
        return queryset.filter(Q(published_version__channels__contains=[value]) | Q(published_version__channels=[]))


class RubricVersionFilter(django_filters.FilterSet):
    class Meta:
        model = RubricVersion
        fields = ["rubric", "status"]


class QAReviewFilter(django_filters.FilterSet):
    agent = django_filters.NumberFilter(field_name="interaction__agent_id")
    team = django_filters.NumberFilter(field_name="interaction__team_id")
    channel = django_filters.ChoiceFilter(field_name="interaction__channel", choices=Channel.choices)
    rubric = django_filters.NumberFilter(field_name="rubric_version__rubric_id")
    is_calibration = BooleanFilter(field_name="calibration", lookup_expr="isnull", exclude=True)
    published_after = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="gte")
    published_before = django_filters.IsoDateTimeFilter(field_name="published_at", lookup_expr="lt")
    started_after = django_filters.IsoDateTimeFilter(field_name="interaction__started_at", lookup_expr="gte")
    started_before = django_filters.IsoDateTimeFilter(field_name="interaction__started_at", lookup_expr="lt")
    history = BooleanFilter(
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


class QAAssignmentFilter(django_filters.FilterSet):
    mine = BooleanFilter(method="filter_mine", help_text="Only assignments given to me (my queue).")
    status = django_filters.ChoiceFilter(choices=AssignmentStatus.choices)
    assigned_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = QAAssignment
        fields = ["mine", "status", "batch", "agent", "team", "inspector", "interaction"]

    def filter_mine(self, queryset, name, value):
        user = getattr(self.request, "user", None)
        return queryset.filter(inspector_id=user.pk) if value and user is not None else queryset


class CalibrationSessionFilter(django_filters.FilterSet):
    class Meta:
        model = CalibrationSession
        fields = ["status", "rubric_version", "lead"]
