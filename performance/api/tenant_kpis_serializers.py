"""Shapes of tenant KPI definitions and values in the API. The *Row serializers document the ingestion input;
rows are validated by performance.services.tenant_kpis.values (a test keeps the two in step)."""

from __future__ import annotations

from rest_framework import serializers

from common.fields import BoundedDateField
from common.serializers import StrictModelSerializer, StrictSerializer
from performance.models import CombineMethod, TenantKpiDefinition, TenantKpiDirection, TenantKpiUnit, TenantKpiValue
from performance.services.ingestion import MAX_BATCH_ROWS

CODE_HELP = ("2 to 32 lowercase letters, digits and underscores, starting with a letter; not a built-in KPI's code "
             "and not starting with assessment_, qa_ or coaching_. Cannot change.")
METHOD_HELP = ("How an agent's values combine over a period: sum, mean, last (the latest date), or ratio (Σ numerator "
               "/ Σ denominator, × 100 for percent). Cannot change once the KPI has values.")
NUMBER = {"max_digits": 18, "decimal_places": 4}


class TenantKpiDefinitionSerializer(StrictModelSerializer):
    class Meta:
        model = TenantKpiDefinition
        fields = ["id", "code", "name", "unit", "direction", "combine_method", "description", "created_at",
                  "updated_at"]
        read_only_fields = fields


class TenantKpiDefinitionInputSerializer(StrictSerializer):
    code = serializers.CharField(max_length=32, help_text=CODE_HELP)
    name = serializers.CharField(max_length=120)
    unit = serializers.ChoiceField(choices=TenantKpiUnit.choices)
    direction = serializers.ChoiceField(choices=TenantKpiDirection.choices, default=TenantKpiDirection.HIGHER)
    combine_method = serializers.ChoiceField(choices=CombineMethod.choices, help_text=METHOD_HELP)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class TenantKpiDefinitionUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False)
    unit = serializers.ChoiceField(choices=TenantKpiUnit.choices, required=False)
    direction = serializers.ChoiceField(choices=TenantKpiDirection.choices, required=False)
    combine_method = serializers.ChoiceField(choices=CombineMethod.choices, required=False, help_text=METHOD_HELP)
    description = serializers.CharField(required=False, allow_blank=True)


class TenantKpiValueRowSerializer(StrictSerializer):
    agent = serializers.CharField(max_length=64, help_text="The agent's employee code (not the id).")
    kpi = serializers.CharField(max_length=32, help_text="The tenant KPI's code.")
    source = serializers.CharField(max_length=64, required=False, default="api", help_text=(
        "The sending system. (source, external_id) identifies the record: sending it again updates it."))
    external_id = serializers.CharField(max_length=128, help_text="The record's id in the sending system.")
    date = BoundedDateField(help_text="The tenant-local day the value is for; a value for a whole period is dated "
                                      "on a day inside it.")
    value = serializers.DecimalField(**NUMBER, required=False, allow_null=True,
                                     help_text="For sum, mean and last KPIs (more than 4 decimals are rounded).")
    numerator = serializers.DecimalField(**NUMBER, required=False, allow_null=True, help_text="For ratio KPIs.")
    denominator = serializers.DecimalField(**NUMBER, required=False, allow_null=True, min_value=0,
                                           help_text="For ratio KPIs; at least 0.")


class TenantKpiValueBulkSerializer(StrictSerializer):
    rows = TenantKpiValueRowSerializer(many=True, allow_empty=False, max_length=MAX_BATCH_ROWS)


class TenantKpiValueSerializer(StrictModelSerializer):
    kpi = serializers.CharField(source="definition.code", read_only=True)
    agent_code = serializers.CharField(source="agent.employee_code", read_only=True)

    class Meta:
        model = TenantKpiValue
        fields = ["id", "definition", "kpi", "agent", "agent_code", "team", "source", "external_id", "date", "value",
                  "numerator", "denominator", "created_at", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {"team": {"help_text": "The agent's team when the value was first ingested."}}
