"""Helpers for tenant-defined KPI tests."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from performance.models import TenantKpiDefinition, TenantKpiValue


def define(tenant, code: str, method: str, unit: str = "count", **extra) -> TenantKpiDefinition:
    return TenantKpiDefinition.objects.create(tenant=tenant, code=code, name=extra.pop("name", code.title()),
                                              unit=unit, combine_method=method, **extra)


def value(definition, agent, day: date, value=None, numerator=None, denominator=None, external_id=None):
    def as_decimal(x):
        return None if x is None else Decimal(str(x))

    return TenantKpiValue.objects.create(
        tenant=definition.tenant, definition=definition, agent=agent, team=agent.team, source="test",
        external_id=external_id or f"{definition.code}-{agent.pk}-{day}-{TenantKpiValue.objects.count()}", date=day,
        value=as_decimal(value), numerator=as_decimal(numerator), denominator=as_decimal(denominator))
