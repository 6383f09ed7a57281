"""Filters and ordering of the scoring lists."""

import django_filters
from django.db.models import F
from rest_framework.filters import OrderingFilter

from performance.models import AgentPeriodScore, ComputationJob, JobStatus, KpiPeriod, PeriodKind, PeriodStatus


class PeriodFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices)
    start_from = django_filters.DateFilter(field_name="start", lookup_expr="gte")
    start_before = django_filters.DateFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = KpiPeriod
        fields = ["kind", "status"]


class JobFilter(django_filters.FilterSet):
    period = django_filters.NumberFilter(field_name="period_id")
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = ComputationJob
        fields = ["period", "status"]


class ScoreFilter(django_filters.FilterSet):
    team = django_filters.NumberFilter(field_name="team_id", help_text="The agent's team when computed.")
    agent = django_filters.NumberFilter(field_name="agent_id")
    scored = django_filters.BooleanFilter(field_name="total", lookup_expr="isnull", exclude=True,
                                          help_text="true: only agents with a total; false: only unscored ones.")
    scheme_version = django_filters.NumberFilter(field_name="scheme_scores__scheme_version_id",
                                                 help_text="Agents scored by this scheme version.")

    class Meta:
        model = AgentPeriodScore
        fields = ["team", "agent", "scored", "scheme_version"]


class ScoreHistoryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(field_name="period__kind", choices=PeriodKind.choices)
    start_from = django_filters.DateFilter(field_name="period__start", lookup_expr="gte")

    class Meta:
        model = AgentPeriodScore
        fields = ["kind", "start_from"]


class NullsLastOrderingFilter(OrderingFilter):
    """`?ordering=` over named fields with unscored rows (nulls) last either way and the id as tie-breaker."""

    def get_ordering(self, request, queryset, view):
        names = super().get_ordering(request, queryset, view) or []
        mapping = getattr(view, "ordering_map", {})
        ordering = []
        for name in names:
            field = mapping.get(name.lstrip("-"), name.lstrip("-"))
            ordering.append(F(field).desc(nulls_last=True) if name.startswith("-") else
                            F(field).asc(nulls_last=True))
        return [*ordering, "id"]

    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = set(getattr(view, "ordering_map", {}))
        return [term for term in fields if term.lstrip("-") in valid]
