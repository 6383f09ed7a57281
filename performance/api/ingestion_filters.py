"""Filters of the interaction and shift lists.

Id filters accept only ids the caller may see (any other id is the same 400). Local-date filters read the date
in the tenant's time zone, like KPI periods do.
"""

from __future__ import annotations

import datetime as dt

import django_filters

from accounts.models import Agent, Team
from common.filters import (
    BoundedDateFilter,
    BoundedDateTimeFilter,
    ScopedFilterSet,
    ScopedModelChoiceFilter,
    StrictBooleanFilter,
)
from performance.models import Channel, Direction, Interaction, Scenario, Shift


def _tenant_zone(request):
    return request.parser_context["view"].actor.tenant.zone


def _local_midnight(request, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=_tenant_zone(request))


class InteractionFilter(ScopedFilterSet):
    agent = ScopedModelChoiceFilter(model=Agent, help_text="Agent id.")
    agent_code = django_filters.CharFilter(field_name="agent__employee_code", help_text="Agent employee code.")
    team = ScopedModelChoiceFilter(model=Team, help_text="Team id (the team at ingestion).")
    channel = django_filters.MultipleChoiceFilter(choices=Channel.choices, help_text="Repeat for several.")
    direction = django_filters.ChoiceFilter(choices=Direction.choices, help_text="inbound or outbound.")
    scenario = ScopedModelChoiceFilter(model=Scenario, help_text="Scenario id.")
    scenario_code = django_filters.CharFilter(field_name="scenario__code")
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()
    started_from = BoundedDateTimeFilter(field_name="started_at", lookup_expr="gte",
                                         help_text="started_at >= this moment (ISO 8601).")
    started_before = BoundedDateTimeFilter(field_name="started_at", lookup_expr="lt",
                                           help_text="started_at < this moment (ISO 8601).")
    date_from = BoundedDateFilter(method="filter_date_from",
                                  help_text="From this day on, in the tenant's time zone (inclusive).")
    date_to = BoundedDateFilter(method="filter_date_to",
                                help_text="Up to this day, in the tenant's time zone (inclusive).")
    answered = StrictBooleanFilter()
    resolved = StrictBooleanFilter()
    first_contact_resolved = StrictBooleanFilter()
    csat_present = StrictBooleanFilter(field_name="csat", lookup_expr="isnull", exclude=True,
                                                help_text="true: only surveyed interactions; false: only unsurveyed.")

    class Meta:
        model = Interaction
        fields: list[str] = []

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(started_at__gte=_local_midnight(self.request, value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(started_at__lt=_local_midnight(self.request, value + dt.timedelta(days=1)))


class ShiftFilter(ScopedFilterSet):
    agent = ScopedModelChoiceFilter(model=Agent, help_text="Agent id.")
    agent_code = django_filters.CharFilter(field_name="agent__employee_code", help_text="Agent employee code.")
    team = ScopedModelChoiceFilter(model=Team, help_text="Team id (the team at ingestion).")
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()
    date_from = BoundedDateFilter(field_name="date", lookup_expr="gte", help_text="Inclusive.")
    date_to = BoundedDateFilter(field_name="date", lookup_expr="lte", help_text="Inclusive.")

    class Meta:
        model = Shift
        fields: list[str] = []
