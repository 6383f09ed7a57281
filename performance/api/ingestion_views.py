"""Interactions, shifts and scenarios: ingestion (one row, JSON batches, CSV files) and the scoped lists.

Who may ingest: admins, supervisors (for agents of the teams they manage) and integration keys. Who sees what
in the lists is the querysets' business (performance/querysets.py); integration keys see nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.filters import SearchFilter
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from common import exports
from common.errors import PROBLEM_CONTENT_TYPE, VALIDATION_TITLE, problem
from common.filters import StrictOrderingFilter
from common.pagination import NewestFirstCursorPagination
from common.parsers import StrictJSONParser
from common.serializers import unknown_field_errors
from common.viewsets import ADMIN_ONLY, ALL_MEMBER_ROLES, TenantScopedViewSet
from performance.api import ingestion_filters as filters
from performance.api import ingestion_serializers as serializers
from performance.api import reports_exports
from performance.api.ingestion_csv import csv_rows
from performance.api.ingestion_parsers import MAX_BATCH_BYTES, BatchJSONParser, preload_batch_body
from performance.models import Interaction, Scenario, Shift
from performance.services import ingestion
from performance.services.ingestion import INGEST_ROLES, MAX_BATCH_ROWS, IngestionRejected, RowError, RowsInvalid

INGEST_ACTIONS = ("create", "bulk", "import_csv")
READ_ACTIONS = ("list", "retrieve")

ROWS_INVALID = OpenApiResponse(
    description="Invalid input (problem details). For a batch, `errors` lists every invalid field of every row "
                '(`rows.3.csat` for JSON, `line.5.csat` for CSV with the header as line 1) and nothing is written.'
)
INGEST_FORBIDDEN = OpenApiResponse(description="Only admins, supervisors and integration keys may ingest.")
BODY_TOO_LARGE = OpenApiResponse(description=f"The body is larger than {MAX_BATCH_BYTES // 2**20} MB.")


class TieBreakOrderingFilter(StrictOrderingFilter):
    """Whatever the requested order, ties are broken by id in the same direction, so pages are stable."""

    def get_ordering(self, request, queryset, view):
        ordering = list(super().get_ordering(request, queryset, view) or [])
        if ordering and ordering[-1].lstrip("-") != "id":
            ordering.append("-id" if ordering[0].startswith("-") else "id")
        return ordering


class StartedAtCursorPagination(NewestFirstCursorPagination):
    ordering = ("-started_at", "-id")


class DateCursorPagination(NewestFirstCursorPagination):
    ordering = ("-date", "-id")


def rejected_response(request, exc: IngestionRejected) -> Response:
    extra: dict[str, Any] = {"errors": [error.as_dict() for error in exc.errors]}
    if isinstance(exc, RowsInvalid):
        extra["invalid_rows"] = exc.invalid_rows
    body = problem(status.HTTP_400_BAD_REQUEST, "validation_error", str(VALIDATION_TITLE), str(exc.detail),
                   request.get_full_path(), **extra)
    return Response(body, status=status.HTTP_400_BAD_REQUEST, content_type=PROBLEM_CONTENT_TYPE)


def json_batch(data: Any) -> list[tuple[str, Any]]:
    """The (location, row) pairs of a `{"rows": [...]}` body; refuses other shapes and oversized batches."""
    rows = data.get("rows") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        absent = not isinstance(data, dict) or rows is None
        message = _('Send {"rows": [...]}.') if absent else _("Expected a list of row objects.")
        raise IngestionRejected(_("rows: %(message)s") % {"message": message},
                                [RowError("rows", message, "required" if absent else "invalid")])
    if len(rows) > MAX_BATCH_ROWS:
        message = _("A batch may hold at most %(limit)s rows; this one has %(count)s. Split it into several "
                    "requests; nothing was written.") % {"limit": f"{MAX_BATCH_ROWS:,}", "count": f"{len(rows):,}"}
        raise IngestionRejected(message, [RowError("rows", message, "too_many_rows")])
    return [(f"rows.{index}", row) for index, row in enumerate(rows)]


class IngestingViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    """Shared ingestion actions; subclasses name their service and row spec."""

    ingest: Callable[..., ingestion.IngestionResult]
    row_spec: ingestion.RowSpec
    action_roles = {**dict.fromkeys(READ_ACTIONS, ALL_MEMBER_ROLES), **dict.fromkeys(INGEST_ACTIONS, INGEST_ROLES)}
    filter_backends = [DjangoFilterBackend, TieBreakOrderingFilter]
    parser_classes = [StrictJSONParser]

    def check_permissions(self, request):
        super().check_permissions(request)
        if self.action == "bulk":  # only once the caller may ingest, and before anything reads the body
            preload_batch_body(request)

    def handle_exception(self, exc):
        if isinstance(exc, IngestionRejected):
            return rejected_response(self.request, exc)
        return super().handle_exception(exc)

    def _run(self, rows, via: str) -> ingestion.IngestionResult:
        return self.ingest(actor=self.actor, rows=rows, via=via)

    def create(self, request, tenant_slug):
        result = self._run([("", request.data)], via="single")
        obj = self.queryset.filter(tenant_id=self.actor.tenant.pk).get(pk=result.row_id)
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(self.get_serializer(obj).data, status=code)

    @action(detail=False, methods=["post"], parser_classes=[BatchJSONParser])
    def bulk(self, request, tenant_slug):
        result = self._run(json_batch(request.data), via="bulk")
        return Response(serializers.IngestionResultSerializer(result.as_dict()).data)

    @action(detail=False, methods=["post"], url_path="import", url_name="import", parser_classes=[MultiPartParser])
    def import_csv(self, request, tenant_slug):
        upload = request.FILES.get("file")
        errors = [RowError(name, str(detail), detail.code)
                  for name, (detail,) in unknown_field_errors(request.data.keys(), ["file"]).items()]
        if upload is None:
            errors.append(RowError("file", _("No file was submitted."), "required"))
        if errors:
            raise IngestionRejected(_('Send the CSV file in the multipart field "file", and nothing else.'), errors)
        if upload.size > MAX_BATCH_BYTES:
            message = _("The file may be at most %(megabytes)s MB.") % {"megabytes": MAX_BATCH_BYTES // 2**20}
            raise IngestionRejected(message, [RowError("file", message, "too_large")])
        result = self._run(csv_rows(upload, self.row_spec), via="csv")
        return Response(serializers.IngestionResultSerializer(result.as_dict()).data)


def _ingestion_schema(noun: str, row, bulk, body) -> dict[str, Any]:
    return {
        "create": extend_schema(
            summary=f"Ingest one {noun} (created, or updated when its source and external_id exist)",
            request=row, responses={201: body, 200: body, 400: ROWS_INVALID, 403: INGEST_FORBIDDEN}),
        "bulk": extend_schema(
            summary=f"Ingest a JSON batch of up to {MAX_BATCH_ROWS:,} {noun}s (all or nothing, upsert)",
            request=bulk, responses={200: serializers.IngestionResultSerializer, 400: ROWS_INVALID,
                                     403: INGEST_FORBIDDEN, 413: BODY_TOO_LARGE}),
        "import_csv": extend_schema(
            summary=f"Ingest a CSV file of up to {MAX_BATCH_ROWS:,} {noun}s (all or nothing, upsert)",
            request={"multipart/form-data": serializers.CsvUploadSerializer},
            responses={200: serializers.IngestionResultSerializer, 400: ROWS_INVALID, 403: INGEST_FORBIDDEN}),
    }


@extend_schema_view(
    list=extend_schema(summary="List interactions (newest first, cursor-paginated)"),
    retrieve=extend_schema(summary="Get an interaction"),
    **_ingestion_schema("interaction", serializers.InteractionRowSerializer, serializers.InteractionBulkSerializer,
                        serializers.InteractionSerializer),
)
class InteractionViewSet(IngestingViewSet):
    queryset = Interaction.objects.select_related("agent", "scenario")
    serializer_class = serializers.InteractionSerializer
    filterset_class = filters.InteractionFilter
    pagination_class = StartedAtCursorPagination
    ordering_fields = ["started_at"]
    ordering = ["-started_at", "-id"]
    ingest = staticmethod(ingestion.interaction_ingest)
    row_spec = ingestion.INTERACTION_ROW
    action_roles = {**IngestingViewSet.action_roles, "export": ALL_MEMBER_ROLES}
    query_params = {"export": frozenset(filters.InteractionFilter.base_filters) | reports_exports.EXPORT_PARAMS}

    @extend_schema(
        summary="Download interactions as CSV or XLSX (streamed)",
        description="The same rows and filters as the list, newest first, streamed (constant memory). "
                    + reports_exports.INTERACTION_EXPORT_HEADERS,
        parameters=[reports_exports.FILE_FORMAT_PARAMETER, reports_exports.BOM_PARAMETER],
        responses=reports_exports.EXPORT_RESPONSES,
    )
    @action(detail=False, methods=["get"], filter_backends=[DjangoFilterBackend])
    def export(self, request, tenant_slug):
        file_format = exports.file_format_from(request.query_params)
        bom = exports.bom_from(request.query_params)
        return reports_exports.interactions_export(queryset=self.filter_queryset(self.get_queryset()),
                                                   file_format=file_format, bom=bom,
                                                   time_zone=self.actor.tenant.time_zone)


@extend_schema_view(
    list=extend_schema(summary="List shifts (latest day first, cursor-paginated)"),
    retrieve=extend_schema(summary="Get a shift"),
    **_ingestion_schema("shift", serializers.ShiftRowSerializer, serializers.ShiftBulkSerializer,
                        serializers.ShiftSerializer),
)
class ShiftViewSet(IngestingViewSet):
    queryset = Shift.objects.select_related("agent")
    serializer_class = serializers.ShiftSerializer
    filterset_class = filters.ShiftFilter
    pagination_class = DateCursorPagination
    ordering_fields = ["date"]
    ordering = ["-date", "-id"]
    ingest = staticmethod(ingestion.shift_ingest)
    row_spec = ingestion.SHIFT_ROW


@extend_schema_view(
    list=extend_schema(summary="List the tenant's scenario codes"),
    retrieve=extend_schema(summary="Get a scenario"),
    create=extend_schema(summary="Define a scenario code"),
    update=extend_schema(summary="Replace a scenario's code and name"),
    partial_update=extend_schema(summary="Rename a scenario or change its code"),
    destroy=extend_schema(summary="Delete an unused scenario", responses={204: None, 409: OpenApiResponse(
        description="Interactions refer to this scenario")}),
)
class ScenarioViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Scenario.objects.all()
    serializer_class = serializers.ScenarioSerializer
    filter_backends = [SearchFilter, TieBreakOrderingFilter]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "name", "created_at"]
    ordering = ["code"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "create": ADMIN_ONLY,
                    "update": ADMIN_ONLY, "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY}

    def create(self, request, tenant_slug):
        payload = self.get_serializer(data=request.data)
        payload.is_valid(raise_exception=True)
        scenario = ingestion.scenario_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(scenario).data, status=status.HTTP_201_CREATED)

    def update(self, request, tenant_slug, pk, partial=False):
        scenario = self.get_object()
        payload = self.get_serializer(scenario, data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        scenario = ingestion.scenario_update(actor=self.actor, scenario=scenario, **payload.validated_data)
        return Response(self.get_serializer(scenario).data)

    def partial_update(self, request, tenant_slug, pk):
        return self.update(request, tenant_slug, pk, partial=True)

    def destroy(self, request, tenant_slug, pk):
        ingestion.scenario_delete(actor=self.actor, scenario=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)
