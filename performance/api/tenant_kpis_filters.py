"""Filters of the tenant KPI definition and value lists."""

from __future__ import annotations

import django_filters

from accounts.models import Agent, Team
from common.filters import BoundedDateFilter, ScopedFilterSet, ScopedModelChoiceFilter
from performance.models import CombineMethod, TenantKpiDefinition, TenantKpiValue


class TenantKpiDefinitionFilter(ScopedFilterSet):
    combine_method = django_filters.ChoiceFilter(choices=CombineMethod.choices)

    class Meta:
        model = TenantKpiDefinition
        fields: list[str] = []


class TenantKpiValueFilter(ScopedFilterSet):
    definition = ScopedModelChoiceFilter(model=TenantKpiDefinition, help_text="Tenant KPI definition id.")
    kpi = django_filters.CharFilter(field_name="definition__code", help_text="Tenant KPI code.")
    agent = ScopedModelChoiceFilter(model=Agent, help_text="Agent id.")
    agent_code = django_filters.CharFilter(field_name="agent__employee_code", help_text="Agent employee code.")
    team = ScopedModelChoiceFilter(model=Team, help_text="Team id (the team at ingestion).")
    source = django_filters.CharFilter()
    external_id = django_filters.CharFilter()
    date_from = BoundedDateFilter(field_name="date", lookup_expr="gte", help_text="Inclusive.")
    date_to = BoundedDateFilter(field_name="date", lookup_expr="lte", help_text="Inclusive.")

    class Meta:
        model = TenantKpiValue
        fields: list[str] = []
