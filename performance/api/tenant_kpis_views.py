"""Tenant-defined KPIs: their definitions (admins) and their values (ingested like interactions)."""

from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.response import Response

from common.filters import StrictOrderingFilter
from common.viewsets import ADMIN_ONLY, TenantScopedViewSet
from performance.api import tenant_kpis_filters as filters
from performance.api import tenant_kpis_serializers as serializers
from performance.api.ingestion_views import DateCursorPagination, IngestingViewSet, _ingestion_schema
from performance.models import TenantKpiDefinition, TenantKpiValue
from performance.services import tenant_kpis as services

CONFLICT = OpenApiResponse(description="Refused in the KPI's current state (problem details with a code).")
VALUE_READERS = frozenset({"admin", "supervisor", "qa_lead", "qa_inspector", "agent"})


@extend_schema_view(
    list=extend_schema(summary="List the tenant's own KPI definitions"),
    retrieve=extend_schema(summary="Get a tenant KPI definition"),
    create=extend_schema(
        summary="Define a KPI of the tenant's own (usable in scoring schemes like a built-in KPI)",
        description="Values arrive under kpi-values/. In a scheme version the KPI is normalized like any other "
                    "(floor → 0, target → 100), and one value row is one sample for its min_sample.",
        request=serializers.TenantKpiDefinitionInputSerializer,
        responses={201: serializers.TenantKpiDefinitionSerializer}),
    partial_update=extend_schema(summary="Rename, describe or change the unit or direction of a tenant KPI",
                                 request=serializers.TenantKpiDefinitionUpdateSerializer,
                                 responses={200: serializers.TenantKpiDefinitionSerializer, 409: CONFLICT}),
    destroy=extend_schema(summary="Delete a tenant KPI no scheme version uses (and its values)",
                          responses={204: None, 409: CONFLICT}),
)
class TenantKpiDefinitionViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = TenantKpiDefinition.objects.all()
    serializer_class = serializers.TenantKpiDefinitionSerializer
    filterset_class = filters.TenantKpiDefinitionFilter
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["code"]
    action_roles = dict.fromkeys(("list", "retrieve", "create", "partial_update", "destroy"), ADMIN_ONLY)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, tenant_slug):
        payload = serializers.TenantKpiDefinitionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        definition = services.tenant_kpi_definition_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(definition).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        definition = self.get_object()
        payload = serializers.TenantKpiDefinitionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        definition = services.tenant_kpi_definition_update(actor=self.actor, definition=definition,
                                                           **payload.validated_data)
        return Response(self.get_serializer(definition).data)

    def destroy(self, request, tenant_slug, pk):
        services.tenant_kpi_definition_delete(actor=self.actor, definition=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List tenant KPI values (latest day first, cursor-paginated)"),
    retrieve=extend_schema(summary="Get a tenant KPI value"),
    **_ingestion_schema("tenant KPI value", serializers.TenantKpiValueRowSerializer,
                        serializers.TenantKpiValueBulkSerializer, serializers.TenantKpiValueSerializer),
)
class TenantKpiValueViewSet(IngestingViewSet):
    queryset = TenantKpiValue.objects.select_related("agent", "definition")
    serializer_class = serializers.TenantKpiValueSerializer
    filterset_class = filters.TenantKpiValueFilter
    pagination_class = DateCursorPagination
    ordering_fields = ["date"]
    ordering = ["-date", "-id"]
    ingest = staticmethod(services.tenant_kpi_value_ingest)
    row_spec = services.TENANT_KPI_VALUE_ROW
