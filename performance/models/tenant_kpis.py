"""Tenant-defined KPIs: KPIs a tenant names itself (repeat-purchase rate, training scores, project completion) and
the per-agent values its systems send for them, per day or per period.

A definition says how an agent's values combine over a period: their sum, their mean, the last one (by date), or
the ratio of two sums (the value rows then carry a numerator and a denominator instead of a value). Scheme
versions use tenant KPIs by code, next to the built-in ones, with the same normalization, minimum sample and
missing-data policy; one sample is one value row.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from common.models import TenantOwnedModel, TenantScopedQuerySet
from performance.querysets import ByAgentTeamQuerySet


class CombineMethod(models.TextChoices):
    SUM = "sum", _("Sum of the values")
    MEAN = "mean", _("Mean of the values")
    LAST = "last", _("The latest value")
    RATIO = "ratio", _("Ratio of two sums (numerator / denominator)")


class TenantKpiUnit(models.TextChoices):
    COUNT = "count", pgettext_lazy("KPI unit", "count")
    PERCENT = "percent", pgettext_lazy("KPI unit", "%")
    SECONDS = "seconds", pgettext_lazy("KPI unit", "seconds")
    MINUTES = "minutes", pgettext_lazy("KPI unit", "minutes")
    POINTS = "points", pgettext_lazy("KPI unit", "points")
    CURRENCY = "currency", pgettext_lazy("KPI unit", "currency")


class TenantKpiDirection(models.TextChoices):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")
    BAND = "band", _("A target band (the scheme's floor and target decide)")


class TenantKpiDefinitionQuerySet(TenantScopedQuerySet):
    """Every member may read the definitions (they are part of the KPI catalog); only admins change them."""

    def restrict(self, actor, action: str):
        if action == "view" or actor.is_admin:
            return self
        return self.none()


class TenantKpiDefinition(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="kpi_definitions")
    code = models.CharField(max_length=32, help_text="Lowercase letters, digits and underscores; never a built-in "
                                                     "KPI's code. Cannot change.")
    name = models.CharField(max_length=120)
    unit = models.CharField(max_length=16, choices=TenantKpiUnit.choices)
    direction = models.CharField(max_length=8, choices=TenantKpiDirection.choices,
                                 default=TenantKpiDirection.HIGHER)
    combine_method = models.CharField(max_length=8, choices=CombineMethod.choices)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TenantKpiDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "code"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="tenantkpidefinition_unique_code"),
        ]

    def __str__(self) -> str:
        return self.code


class TenantKpiValue(TenantOwnedModel):
    """One value of a tenant KPI for one agent on one day (a value for a whole period is dated inside it).
    (source, external_id) identifies it, as for interactions: sending it again updates it."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(TenantKpiDefinition, on_delete=models.CASCADE, related_name="values")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=64, default="api")
    external_id = models.CharField(max_length=128)
    date = models.DateField()
    value = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    numerator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    denominator = models.DecimalField(max_digits=18, decimal_places=4, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ByAgentTeamQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "source", "external_id"], name="tenantkpivalue_unique_source_id"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False, numerator__isnull=True, denominator__isnull=True)
                           | Q(value__isnull=True, numerator__isnull=False, denominator__isnull=False,
                               denominator__gte=0)),
                name="tenantkpivalue_value_or_ratio"),
        ]
        indexes = [
            models.Index(fields=["tenant", "date", "definition"], name="tenantkpivalue_tenant_date"),
            models.Index(fields=["tenant", "agent", "date"], name="tenantkpivalue_tenant_agent"),
        ]

    def __str__(self) -> str:
        return f"{self.definition_id} {self.agent_id} {self.date}"
