"""Filters of the alert list."""

import django_filters

from common.filters import ScopedFilterSet, ScopedModelChoiceFilter
from performance.models import Alert, AlertRule, AlertStatus


class AlertFilter(ScopedFilterSet):
    rule = ScopedModelChoiceFilter(model=AlertRule)
    status = django_filters.ChoiceFilter(choices=AlertStatus.choices)
    kpi = django_filters.CharFilter(max_length=32)

    class Meta:
        model = Alert
        fields = ["rule", "status", "kpi"]


class AlertRuleFilter(ScopedFilterSet):
    class Meta:
        model = AlertRule
        fields = ["scope", "kpi", "is_enabled"]
