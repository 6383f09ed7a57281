"""Tenant-defined KPIs: definitions, value ingestion, the period aggregate the computation reads, the catalog."""

from performance.services.tenant_kpis.definitions import (
    tenant_kpi_definition_create,
    tenant_kpi_definition_delete,
    tenant_kpi_definition_update,
)
from performance.services.tenant_kpis.values import TENANT_KPI_VALUE_ROW, tenant_kpi_value_ingest

__all__ = [
    "TENANT_KPI_VALUE_ROW",
    "tenant_kpi_definition_create",
    "tenant_kpi_definition_delete",
    "tenant_kpi_definition_update",
    "tenant_kpi_value_ingest",
]
