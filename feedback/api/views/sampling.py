from __future__ import annotations

from datetime import datetime, time

from django.db.models import Count
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.viewsets import TenantScopedViewSet
from feedback import selectors
from feedback.api import filters
from feedback.api.serializers import sampling as serializers
from feedback.models import QAAssignment, QAAssignmentBatch
from feedback.querysets import QA_MANAGERS
from feedback.services import sampling as services

QUEUE_READERS = frozenset({"admin", "qa_lead", "qa_inspector", "supervisor"})
SKIPPERS = frozenset({"admin", "qa_lead", "qa_inspector"})
COVERAGE_READERS = frozenset({"admin", "qa_lead", "supervisor"})


def batch_detail(batch: QAAssignmentBatch) -> dict:
    loads = batch.assignments.values("inspector_id").order_by("inspector_id").annotate(n=Count("pk"))
    batch.per_inspector = [{"inspector": row["inspector_id"], "assigned": row["n"]} for row in loads]
    return serializers.QAAssignmentBatchDetailSerializer(batch).data


@extend_schema_view(
    list=extend_schema(summary="List QA assignments (?mine=true: my queue)",
                       description="Inspectors see their own queue; QA leads and admins every assignment; "
                       "supervisors those of teams granted to them."),
    retrieve=extend_schema(summary="Get a QA assignment"),
)
class QAAssignmentViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = QAAssignment.objects.select_related("interaction", "inspector")
    serializer_class = serializers.QAAssignmentSerializer
    filterset_class = filters.QAAssignmentFilter
    ordering_fields = ["created_at", "interaction__started_at", "status", "id"]
    ordering = ["id"]
    action_roles = {"list": QUEUE_READERS, "retrieve": QUEUE_READERS, "skip": SKIPPERS, "generate": QA_MANAGERS,
                    "coverage": COVERAGE_READERS}
    object_scopes = {"skip": "manage"}
    list_actions = frozenset({"list", "coverage"})
    query_params = {"coverage": frozenset(serializers.QACoverageQuerySerializer().fields)}

    @extend_schema(
        summary="Sample interactions per agent and assign them evenly to inspectors (seeded, reproducible)",
        request=serializers.QAAssignmentGenerateSerializer,
        responses={201: serializers.QAAssignmentBatchDetailSerializer},
    )
    @action(detail=False, methods=["post"])
    def generate(self, request, tenant_slug):
        payload = serializers.QAAssignmentGenerateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        batch = services.qa_assignments_generate(actor=self.actor, **payload.validated_data)
        return Response(batch_detail(batch), status=status.HTTP_201_CREATED)

    @extend_schema(summary="Skip a pending assignment, with a reason",
                   request=serializers.QAAssignmentSkipSerializer,
                   responses={200: serializers.QAAssignmentSerializer,
                              409: OpenApiResponse(description="The assignment is not pending")})
    @action(detail=True, methods=["post"])
    def skip(self, request, tenant_slug, pk):
        assignment = self.get_object()
        payload = serializers.QAAssignmentSkipSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assignment = services.qa_assignment_skip(actor=self.actor, assignment=assignment, **payload.validated_data)
        return Response(self.get_serializer(assignment).data)

    @extend_schema(
        summary="QA coverage per agent: interactions, assigned, reviewed (published)",
        description="For a KPI period, a batch (its range and teams) or a date range [date_from, date_to) in the "
        "tenant's time zone, optionally narrowed to teams. Supervisors see the agents of their teams.",
        parameters=[serializers.QACoverageQuerySerializer],
        responses=serializers.QACoverageRowSerializer(many=True),
    )
    @action(detail=False, methods=["get"], filter_backends=[])
    def coverage(self, request, tenant_slug):
        query = serializers.QACoverageQuerySerializer(data=self.own_query_params(),
                                                      context=self.get_serializer_context())
        query.is_valid(raise_exception=True)
        params = query.validated_data
        zone = self.actor.tenant.zone
        rows = selectors.qa_coverage(
            fetched_by=self.actor, start=datetime.combine(params["date_from"], time.min, zone),
            end=datetime.combine(params["date_to"], time.min, zone), team_ids=params.get("team"),
        ).order_by("employee_code", "id")
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(serializers.QACoverageRowSerializer(page, many=True).data)


@extend_schema_view(
    list=extend_schema(summary="List sampling batches (with their seeds)"),
    retrieve=extend_schema(summary="Get a sampling batch with the assignments per inspector",
                           responses=serializers.QAAssignmentBatchDetailSerializer),
)
class QAAssignmentBatchViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = QAAssignmentBatch.objects.all()
    serializer_class = serializers.QAAssignmentBatchSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": QA_MANAGERS, "retrieve": QA_MANAGERS}

    def retrieve(self, request, tenant_slug, pk):
        return Response(batch_detail(self.get_object()))
