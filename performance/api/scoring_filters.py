"""Filters and ordering of the scoring lists."""

import django_filters
from django.db.models import F

from accounts.models import Agent, Team
from common.filters import (
    BoundedDateFilter,
    ScopedFilterSet,
    ScopedModelChoiceFilter,
    StrictBooleanFilter,
    StrictOrderingFilter,
)
from performance.models import (
    AgentPeriodScore,
    ComputationJob,
    JobStatus,
    KpiPeriod,
    PeriodKind,
    PeriodStatus,
    SchemeVersion,
)


class PeriodFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=PeriodKind.choices)
    status = django_filters.ChoiceFilter(choices=PeriodStatus.choices)
    start_from = BoundedDateFilter(field_name="start", lookup_expr="gte")
    start_before = BoundedDateFilter(field_name="start", lookup_expr="lt")

    class Meta:
        model = KpiPeriod
        fields = ["kind", "status"]


class JobFilter(ScopedFilterSet):
    period = ScopedModelChoiceFilter(model=KpiPeriod)
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)

    class Meta:
        model = ComputationJob
        fields = ["period", "status"]


class ScoreFilter(ScopedFilterSet):
    team = ScopedModelChoiceFilter(model=Team, help_text="The agent's team when computed.")
    agent = ScopedModelChoiceFilter(model=Agent)
    scored = StrictBooleanFilter(field_name="total", lookup_expr="isnull", exclude=True,
                                          help_text="true: only agents with a total; false: only unscored ones.")
    scheme_version = ScopedModelChoiceFilter(field_name="scheme_scores__scheme_version", model=SchemeVersion,
                                             help_text="Agents scored by this scheme version.")

    class Meta:
        model = AgentPeriodScore
        fields = ["team", "agent", "scored", "scheme_version"]


class ScoreHistoryFilter(ScopedFilterSet):
    kind = django_filters.ChoiceFilter(field_name="period__kind", choices=PeriodKind.choices)
    start_from = BoundedDateFilter(field_name="period__start", lookup_expr="gte")

    class Meta:
        model = AgentPeriodScore
        fields = ["kind", "start_from"]


class NullsLastOrderingFilter(StrictOrderingFilter):
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
