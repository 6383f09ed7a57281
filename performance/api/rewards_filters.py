"""Filters of the award and reward-outcome lists."""

import django_filters

from accounts.models import Agent, Team
from common.filters import ScopedFilterSet, ScopedModelChoiceFilter, StrictBooleanFilter
from performance.models import Award, AwardSource, AwardStatus, KpiPeriod, RewardOutcome, RewardRule


class AwardFilter(ScopedFilterSet):
    period = ScopedModelChoiceFilter(model=KpiPeriod)
    agent = ScopedModelChoiceFilter(model=Agent)
    team = ScopedModelChoiceFilter(model=Team)
    rule = ScopedModelChoiceFilter(field_name="rule_version__rule", model=RewardRule)
    status = django_filters.ChoiceFilter(choices=AwardStatus.choices)
    source = django_filters.ChoiceFilter(choices=AwardSource.choices)

    class Meta:
        model = Award
        fields = ["period", "agent", "team", "rule", "status", "source"]


class RewardOutcomeFilter(ScopedFilterSet):
    period = ScopedModelChoiceFilter(model=KpiPeriod)
    agent = ScopedModelChoiceFilter(model=Agent)
    team = ScopedModelChoiceFilter(model=Team)
    rule = ScopedModelChoiceFilter(field_name="rule_version__rule", model=RewardRule)
    code = django_filters.CharFilter(max_length=32, help_text="e.g. awarded, gate_failed, no_tier, outside_cut_off.")
    awarded = StrictBooleanFilter()

    class Meta:
        model = RewardOutcome
        fields = ["period", "agent", "team", "rule", "code", "awarded"]
