"""Connection endpoints (admins only): connections, the credentials check, on-demand sync, runs, mappings and the
remote agents seen."""

from __future__ import annotations

import django_filters
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from common.filters import ScopedFilterSet, StrictBooleanFilter
from common.pagination import StandardPagination
from common.viewsets import ADMIN_ONLY, TenantScopedViewSet
from performance.api.serializers import connections as serializers
from performance.models import (
    Connection,
    ConnectionAgent,
    ConnectionChannel,
    ConnectionRun,
    ConnectionScenario,
    PendingRemoteTicket,
    RunStatus,
)
from performance.services import connectors as services

TAGS = ["connections"]
RUN_TAGS = ["connection-runs"]
NOTE = (
    "A connection pulls tickets from a Zendesk or Freshdesk account every schedule_minutes (default 15) and on "
    "demand, incrementally from where the last run stopped, and upserts one interaction per ticket (source "
    "\"<kind>:<account>\", external_id the ticket id). Credentials are write-only (stored encrypted; "
    "credentials_hint shows the email and the secret's last four characters). status: new, ok, failing (the last "
    "run failed; the next one retries from the saved cursor) or needs_attention (the remote refused the "
    "credentials: runs stop until they are replaced; admins are notified). Admins only.")
CONFLICT = OpenApiResponse(description="Refused in the current state (problem details with a code).")


def _count(model, **filters):
    rows = model.objects.filter(connection=OuterRef("pk"), **filters).order_by().values("connection")
    return Coalesce(Subquery(rows.annotate(n=Count("pk")).values("n")[:1], output_field=IntegerField()), 0)


CONNECTIONS = Connection.objects.annotate(unmapped_count=_count(ConnectionAgent, agent__isnull=True),
                                          pending_count=_count(PendingRemoteTicket))


class ConnectionFilter(ScopedFilterSet):
    class Meta:
        model = Connection
        fields = ["kind", "status", "enabled"]


class RemoteAgentFilter(ScopedFilterSet):
    mapped = StrictBooleanFilter(field_name="agent", lookup_expr="isnull", exclude=True,
                                 help_text="true: mapped to a jixiao agent; false: waiting for a mapping.")

    class Meta:
        model = ConnectionAgent
        fields = ["mapped"]


class RunFilter(ScopedFilterSet):
    status = django_filters.ChoiceFilter(choices=RunStatus.choices)

    class Meta:
        model = ConnectionRun
        fields = ["status", "trigger"]


def _mappings(connection: Connection) -> dict:
    channels = ConnectionChannel.objects.filter(tenant_id=connection.tenant_id, connection=connection)
    scenarios = ConnectionScenario.objects.filter(tenant_id=connection.tenant_id, connection=connection)
    return {
        "channels": list(channels.order_by("remote_value").values("remote_value", "channel")),
        "scenarios": [{"match": m, "remote_value": v, "scenario": code} for m, v, code in
                      scenarios.order_by("position", "id").values_list("match", "remote_value", "scenario__code")],
        "csat": connection.csat_mapping or {},
    }


@extend_schema_view(
    list=extend_schema(summary="List connections", description=NOTE, tags=TAGS),
    retrieve=extend_schema(summary="Get a connection", description=NOTE, tags=TAGS),
    create=extend_schema(summary="Connect a Zendesk or Freshdesk account", description=NOTE, tags=TAGS,
                         request=serializers.ConnectionInputSerializer,
                         responses={201: serializers.ConnectionSerializer}),
    partial_update=extend_schema(summary="Change a connection (new credentials clear needs_attention)",
                                 description=NOTE, tags=TAGS, request=serializers.ConnectionUpdateSerializer,
                                 responses=serializers.ConnectionSerializer),
    destroy=extend_schema(summary="Delete a connection (the interactions it wrote stay)", tags=TAGS,
                          responses={204: None, 409: CONFLICT}),
)
class ConnectionViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = CONNECTIONS
    serializer_class = serializers.ConnectionSerializer
    filterset_class = ConnectionFilter
    ordering_fields = ["kind", "account", "created_at", "last_synced_at", "id"]
    ordering = ["kind", "account", "id"]
    action_roles = {name: ADMIN_ONLY for name in (
        "list", "retrieve", "create", "partial_update", "destroy", "test", "sync", "runs", "run", "mappings",
        "mappings_replace", "remote_agents", "map_agent")}
    object_scopes = {"test": "manage", "sync": "manage", "mappings_replace": "manage", "map_agent": "manage"}
    list_actions = frozenset({"list", "runs", "remote_agents"})
    query_params = {"runs": frozenset({"status", "trigger"}), "remote_agents": frozenset({"mapped"})}
    http_method_names = ["get", "post", "put", "patch", "delete", "head", "options"]

    def _detail(self, connection: Connection, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(CONNECTIONS.get(pk=connection.pk)).data, status=code)

    def create(self, request, tenant_slug):
        payload = serializers.ConnectionInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.connection_create(actor=self.actor, **payload.validated_data),
                            status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        connection = self.get_object()
        payload = serializers.ConnectionUpdateSerializer(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        return self._detail(services.connection_update(actor=self.actor, connection=connection,
                                                       **payload.validated_data))

    def destroy(self, request, tenant_slug, pk):
        services.connection_delete(actor=self.actor, connection=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Check the saved credentials against the remote", tags=TAGS, request=None,
                   description="Calls an authenticated endpoint of the remote (Zendesk /api/v2/users/me.json) and "
                               "says who the credentials sign in as, or why they failed. Changes nothing.",
                   responses=serializers.ConnectionTestSerializer)
    @action(detail=True, methods=["post"])
    def test(self, request, tenant_slug, pk):
        result = services.connection_test(actor=self.actor, connection=self.get_object())
        return Response(serializers.ConnectionTestSerializer(result).data)

    @extend_schema(summary="Sync now (a run is queued)", tags=TAGS, request=None,
                   description="202 with the queued run; follow it under runs/. 409 while a run is queued or "
                               "running.", responses={202: serializers.ConnectionRunSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def sync(self, request, tenant_slug, pk):
        run = services.connection_sync_request(actor=self.actor, connection=self.get_object())
        return Response(serializers.ConnectionRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="The connection's runs (newest first)", tags=RUN_TAGS,
                   description="Per run: status, pages, tickets created/updated/unchanged/failed, waiting for an "
                               "agent mapping (pending), released from waiting, deleted remotely, unassigned; "
                               "timings and the cursor reached.",
                   parameters=[OpenApiParameter("status", str, enum=RunStatus.values),
                               OpenApiParameter("trigger", str)],
                   responses=serializers.ConnectionRunSerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=StandardPagination, filter_backends=[])
    def runs(self, request, tenant_slug, pk):
        connection = self.get_object()
        runs = RunFilter(request.query_params, ConnectionRun.objects.filter(
            tenant_id=connection.tenant_id, connection=connection).order_by("-queued_at", "-id"), request=request)
        if not runs.is_valid():
            raise ValidationError(runs.errors)
        page = self.paginate_queryset(runs.qs)
        return self.get_paginated_response(serializers.ConnectionRunSerializer(page, many=True).data)

    @extend_schema(summary="One run with the tickets that failed validation", tags=RUN_TAGS,
                   parameters=[OpenApiParameter("run_id", int, OpenApiParameter.PATH)],
                   responses=serializers.ConnectionRunDetailSerializer)
    @action(detail=True, methods=["get"], url_path=r"runs/(?P<run_id>[0-9]+)")
    def run(self, request, tenant_slug, pk, run_id):
        connection = self.get_object()
        run = get_object_or_404(ConnectionRun, tenant_id=connection.tenant_id, connection=connection, pk=run_id)
        return Response(serializers.ConnectionRunDetailSerializer(run).data)

    @extend_schema(summary="The channel, scenario and csat mappings", tags=TAGS,
                   responses=serializers.MappingsSerializer)
    @action(detail=True, methods=["get"])
    def mappings(self, request, tenant_slug, pk):
        return Response(serializers.MappingsSerializer(_mappings(self.get_object())).data)

    @extend_schema(summary="Replace the channel, scenario and csat mappings", tags=TAGS,
                   description="They apply to tickets synced from then on. Scenario mappings are tried in order "
                               "(ticket type, group id or tag equal to remote_value).",
                   request=serializers.MappingsSerializer, responses=serializers.MappingsSerializer)
    @mappings.mapping.put
    def mappings_replace(self, request, tenant_slug, pk):
        connection = self.get_object()
        payload = serializers.MappingsSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        connection = services.connection_mappings_replace(actor=self.actor, connection=connection,
                                                          **payload.validated_data)
        return Response(serializers.MappingsSerializer(_mappings(connection)).data)

    @extend_schema(summary="Remote agents seen in tickets, mapped or not", tags=TAGS,
                   description="An unmapped agent's tickets wait (pending_tickets) and are ingested once the "
                               "agent is mapped with map-agent/. A remote agent whose email is a jixiao agent's "
                               "user email is mapped automatically.",
                   parameters=[OpenApiParameter("mapped", bool)],
                   responses=serializers.RemoteAgentSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="remote-agents", pagination_class=StandardPagination,
            filter_backends=[])
    def remote_agents(self, request, tenant_slug, pk):
        connection = self.get_object()
        pending = PendingRemoteTicket.objects.filter(connection=OuterRef("connection"),
                                                     remote_agent_id=OuterRef("remote_id")).order_by().values(
            "remote_agent_id").annotate(n=Count("pk")).values("n")[:1]
        agents = ConnectionAgent.objects.filter(tenant_id=connection.tenant_id, connection=connection).select_related(
            "agent").annotate(pending_tickets=Coalesce(Subquery(pending, output_field=IntegerField()), 0))
        filtered = RemoteAgentFilter(request.query_params, agents.order_by("remote_id"), request=request)
        if not filtered.is_valid():
            raise ValidationError(filtered.errors)
        page = self.paginate_queryset(filtered.qs)
        return self.get_paginated_response(serializers.RemoteAgentSerializer(page, many=True).data)

    @extend_schema(summary="Map a remote agent to a jixiao agent (null unmaps)", tags=TAGS,
                   description="When the remote agent has tickets waiting, a run is queued to ingest them.",
                   request=serializers.AgentMapInputSerializer, responses=serializers.RemoteAgentSerializer)
    @action(detail=True, methods=["post"], url_path="map-agent")
    def map_agent(self, request, tenant_slug, pk):
        connection = self.get_object()
        payload = serializers.AgentMapInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        remote = services.connection_agent_map(actor=self.actor, connection=connection, **payload.validated_data)
        remote.pending_tickets = PendingRemoteTicket.objects.filter(connection=connection,
                                                                    remote_agent_id=remote.remote_id).count()
        return Response(serializers.RemoteAgentSerializer(remote).data)

