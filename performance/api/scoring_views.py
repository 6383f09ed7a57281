"""Scoring endpoints: KPI catalog, schemes and versions, periods (compute, review, close, simulate), jobs,
scores with adjustments, and an agent's score history."""

from __future__ import annotations

from django.db.models import F, Prefetch
from django.utils.text import slugify
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from accounts.models import Agent
from common import exports
from common.filters import StrictOrderingFilter
from common.viewsets import ADMIN_ONLY, ALL_MEMBER_ROLES, TenantScopedViewSet
from performance.api import scoring_filters as filters
from performance.api import scoring_serializers as serializers
from performance.kpis import CATALOG
from performance.models import (
    AgentPeriodScore,
    AgentSchemeScore,
    ComputationJob,
    KpiPeriod,
    SchemeVersion,
    ScoreAdjustment,
    ScoringScheme,
)
from performance.selectors import KpiSpec, VersionSpec, versions_with_details
from performance.services import scoring as services
from performance.services.scoring.schemes import KPI_COUNT, KPI_TWICE, MAX_KPIS, version_warnings
from performance.services.tenant_kpis.catalog import kpi_catalog, tenant_kpi_entries, unknown_kpi_codes

KPI_CODES = list(CATALOG)
SCHEME_READERS = frozenset({"admin", "qa_lead", "supervisor"})
SCORE_READERS = frozenset({"admin", "qa_lead", "supervisor", "agent"})
JOB_READERS = frozenset({"admin", "qa_lead", "supervisor"})

CONFLICT = OpenApiResponse(description="Refused in the period's current state (problem details with a code).")
PERCENTILE_NOTE = ("Ranks use standard competition ranking (1, 2, 2, 4), highest total first: the overall total "
                   "across the tenant, each scheme's total within that scheme version's population. Percentile = "
                   "the share of the ranked population scoring strictly below, × 100. Unscored agents have no "
                   "total, rank or percentile, and say why.")
ROUNDING_NOTE = (
    "Rounding (decimal arithmetic, half-up): a KPI's raw value to 4 places (counts are whole numbers; no value "
    "when its denominator is zero). Points from that rounded value: floor → 0, target → 100, linear in between, "
    "clamped to 0–100, to 2 places. A scheme's total = Σ(weight × points) / Σ(weights used), from the rounded "
    "points, to 2 places; each KPI's contribution = weight_used × points / Σ(weights used), rounded on its own "
    "to 2 places, so the contributions may add up to the total ± 0.01. The overall total = the mean of the "
    "agent's scheme totals weighted by the contacts handled in each scheme's scope (a plain mean if none were "
    "handled), to 2 places; the percentile to 2 places. adjusted_total = total + the adjustments' points. A KPI "
    "with no value or fewer samples than its min_sample is insufficient: its weight is dropped (redistribute) "
    "or it scores 0 points (zero), as the version's missing_data_policy says.")
VERSIONS_NOTE = (
    "A period is scored with the scheme versions in effect on its first day (effective_from ≤ start < "
    "effective_to, or no effective_to), for the whole period: a version starting later in the period is not "
    "used for it. No two versions of the same scope — the same scenario (or both none) and overlapping teams "
    "(no teams means every team) — may be in effect on the same day anywhere in the tenant, so no agent is "
    "scored twice on the same interactions; an overlap is refused with 400.")
SUPERSEDE_NOTE = (
    " A new version supersedes its scheme's version of exactly the same scope (scenario and teams) still in "
    "effect on the new effective_from: that version's effective_to is set to it, unless a computed period "
    "starting on or after that day used it (400). A version a computed period used is locked: 409 on changes.")


def _path_int(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.PATH, description=description)


class KpiCatalogViewSet(TenantScopedViewSet):
    """The KPI catalog: the built-in KPIs (not stored) and the tenant's own definitions."""

    serializer_class = serializers.KpiDefinitionSerializer
    filter_backends: list = []
    lookup_field = "code"
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES}

    @extend_schema(summary="List the KPIs: the built-in ones, then the tenant's own (code, unit, direction, formula, "
                           "sample basis)",
                   description=ROUNDING_NOTE + " Tenant-defined KPIs (source tenant) are managed under "
                               "kpi-definitions/; their values are ingested under kpi-values/.")
    def list(self, request, tenant_slug):
        page = self.paginate_queryset(kpi_catalog(tenant_id=self.actor.tenant.pk))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(summary="Get one KPI of the catalog (built in or the tenant's own)",
                   parameters=[OpenApiParameter("code", OpenApiTypes.STR, OpenApiParameter.PATH,
                                                description="A built-in KPI code (" + ", ".join(KPI_CODES)
                                                            + ") or a tenant KPI's code.")])
    def retrieve(self, request, tenant_slug, code):
        if code in CATALOG:
            return Response(self.get_serializer(CATALOG[code]).data)
        entry = tenant_kpi_entries(tenant_id=self.actor.tenant.pk).get(code)
        if entry is None:
            raise NotFound()
        return Response(self.get_serializer(entry).data)


@extend_schema_view(
    list=extend_schema(summary="List scoring schemes"),
    retrieve=extend_schema(summary="Get a scoring scheme with its versions"),
    create=extend_schema(summary="Create a scoring scheme (then add versions)",
                         request=serializers.SchemeInputSerializer, responses={201: serializers.SchemeSerializer}),
    partial_update=extend_schema(summary="Rename or describe a scheme", request=serializers.SchemeUpdateSerializer,
                                 responses=serializers.SchemeSerializer),
    destroy=extend_schema(summary="Delete a scheme none of whose versions was used",
                          responses={204: None, 409: CONFLICT}),
)
class SchemeViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ScoringScheme.objects.prefetch_related(Prefetch("versions", SchemeVersion.objects.order_by("number")))
    serializer_class = serializers.SchemeSerializer
    search_fields = ["name"]
    ordering_fields = ["name", "created_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": SCHEME_READERS, "retrieve": SCHEME_READERS, "create": ADMIN_ONLY,
                    "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def create(self, request, tenant_slug):
        payload = serializers.SchemeInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        scheme = services.scheme_create(actor=self.actor, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=scheme.pk)).data,
                        status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        scheme = self.get_object()
        payload = serializers.SchemeUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        services.scheme_update(actor=self.actor, scheme=scheme, **payload.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=scheme.pk)).data)

    def destroy(self, request, tenant_slug, pk):
        services.scheme_delete(actor=self.actor, scheme=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


class _ChildOfMixin:
    """For routes nested under a parent (/schemes/{scheme_pk}/…): the parent must be visible to the actor, else
    404; the list is narrowed to the parent's children."""

    parent_model: type
    parent_kwarg: str
    parent_field: str
    # Actions that do not read the parent itself: the parent's visibility is a subquery of the children's query
    # instead of a query of its own (an invisible or missing parent still gives 404, as no child matches).
    parent_as_subquery: frozenset[str] = frozenset()
    parent = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if getattr(self, "swagger_fake_view", False) or self.action in self.parent_as_subquery:
            return
        self.parent = self._visible_parents().first()
        if self.parent is None:
            raise NotFound()

    def _visible_parents(self):
        return self.parent_model.objects.for_actor(self.actor, "view").filter(pk=self.kwargs[self.parent_kwarg])

    def filter_queryset(self, queryset):
        if getattr(self, "swagger_fake_view", False):
            pass
        elif self.parent is None:
            queryset = queryset.filter(**{f"{self.parent_field}__in": self._visible_parents().values("pk")})
        else:
            queryset = queryset.filter(**{self.parent_field: self.parent})
        return super().filter_queryset(queryset)


@extend_schema_view(
    list=extend_schema(summary="List a scheme's versions"),
    retrieve=extend_schema(summary="Get a scheme version with its KPIs"),
    create=extend_schema(
        summary="Add a version (supersedes the scheme's same-scope version in effect on effective_from)",
        description=VERSIONS_NOTE + SUPERSEDE_NOTE, request=serializers.SchemeVersionInputSerializer,
        responses={201: serializers.SchemeVersionSerializer}),
    partial_update=extend_schema(
        summary="Change a version no computed period used yet (kpis, if given, replace all of them)",
        description=VERSIONS_NOTE, request=serializers.SchemeVersionUpdateSerializer,
        responses={200: serializers.SchemeVersionSerializer, 409: CONFLICT}),
    destroy=extend_schema(summary="Delete a version no computed period used", responses={204: None, 409: CONFLICT}),
)
@extend_schema(parameters=[_path_int("scheme_pk", "The scheme's id.")])
class SchemeVersionViewSet(_ChildOfMixin, TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = versions_with_details(SchemeVersion.objects.all())
    serializer_class = serializers.SchemeVersionSerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["number", "effective_from"]
    ordering = ["number"]
    parent_model, parent_kwarg, parent_field = ScoringScheme, "scheme_pk", "scheme"
    action_roles = {"list": SCHEME_READERS, "retrieve": SCHEME_READERS, "create": ADMIN_ONLY,
                    "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _respond(self, version: SchemeVersion, warnings: list[str], code: int = status.HTTP_200_OK) -> Response:
        data = self.get_serializer(self.get_queryset().get(pk=version.pk)).data
        data["warnings"] = warnings
        return Response(data, status=code)

    def create(self, request, tenant_slug, scheme_pk):
        payload = serializers.SchemeVersionInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version, warnings = services.scheme_version_create(actor=self.actor, scheme=self.parent,
                                                           **payload.validated_data)
        return self._respond(version, warnings, status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, scheme_pk, pk):
        version = self.get_object()
        payload = serializers.SchemeVersionUpdateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version, warnings = services.scheme_version_update(actor=self.actor, version=version,
                                                           **payload.validated_data)
        return self._respond(version, warnings)

    def destroy(self, request, tenant_slug, scheme_pk, pk):
        services.scheme_version_delete(actor=self.actor, version=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_view(
    list=extend_schema(summary="List KPI periods"),
    retrieve=extend_schema(summary="Get a KPI period"),
    create=extend_schema(summary="Create a monthly, quarterly or custom period",
                         request=serializers.PeriodCreateSerializer, responses={201: serializers.PeriodSerializer}),
    partial_update=extend_schema(summary="Rename a period", request=serializers.PeriodUpdateSerializer,
                                 responses=serializers.PeriodSerializer),
    destroy=extend_schema(summary="Delete an open period that was never computed",
                          responses={204: None, 409: CONFLICT}),
)
class PeriodViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = KpiPeriod.objects.select_related("tenant", "current_revision")
    serializer_class = serializers.PeriodSerializer
    filterset_class = filters.PeriodFilter
    search_fields = ["name"]
    ordering_fields = ["start", "end", "name", "id"]
    ordering = ["-start", "id"]
    action_roles = {"list": ALL_MEMBER_ROLES, "retrieve": ALL_MEMBER_ROLES, "create": ADMIN_ONLY,
                    "partial_update": ADMIN_ONLY, "destroy": ADMIN_ONLY, "compute": ADMIN_ONLY,
                    "open_review": ADMIN_ONLY, "close": ADMIN_ONLY, "simulate": ADMIN_ONLY}
    object_scopes = {"compute": "manage", "open_review": "manage", "close": "manage", "simulate": "manage"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _fresh(self, period: KpiPeriod) -> dict:
        return self.get_serializer(self.queryset.get(pk=period.pk)).data

    def create(self, request, tenant_slug):
        payload = serializers.PeriodCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        period = services.period_create(actor=self.actor, **payload.validated_data)
        return Response(self._fresh(period), status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        period = self.get_object()
        payload = serializers.PeriodUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        period = services.period_rename(actor=self.actor, period=period, name=payload.validated_data["name"])
        return Response(self._fresh(period))

    def destroy(self, request, tenant_slug, pk):
        services.period_delete(actor=self.actor, period=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Compute the period's scores asynchronously (202 with the job to poll)",
                   description="Poll the job (GET jobs/{id}/) until it succeeded or failed; then the period is "
                               "computed with a new revision of results (none when nothing changed). 409 while "
                               "it is being computed or once it is closed. " + VERSIONS_NOTE + " " + ROUNDING_NOTE,
                   request=None,
                   responses={202: serializers.JobSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def compute(self, request, tenant_slug, pk):
        job = services.period_compute(actor=self.actor, period=self.get_object())
        return Response(serializers.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="Open the review (appeal window): computed → in_review", request=None,
                   responses={200: serializers.PeriodSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"], url_path="open-review")
    def open_review(self, request, tenant_slug, pk):
        period = services.period_open_review(actor=self.actor, period=self.get_object())
        return Response(self._fresh(period))

    @extend_schema(summary="Close the period: in_review → closed; results are frozen from now on", request=None,
                   responses={200: serializers.PeriodSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def close(self, request, tenant_slug, pk):
        period = services.period_close(actor=self.actor, period=self.get_object())
        return Response(self._fresh(period))

    @extend_schema(
        summary="What-if: the scores a scheme version (saved or inline) would give in this period; saves nothing",
        description="Results are ordered by the simulated rank. current_total is the agent's overall total in the "
                    "period's latest revision and current_rank that total's rank within the same population, so "
                    "rank_change compares the two formulas on the same agents. " + PERCENTILE_NOTE + " "
                    + ROUNDING_NOTE,
        request=serializers.SimulateInputSerializer, responses=serializers.SimulationSerializer)
    @action(detail=True, methods=["post"])
    def simulate(self, request, tenant_slug, pk):
        period = self.get_object()
        payload = serializers.SimulateInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        version, spec = self._version_spec(payload.validated_data)
        unknown = unknown_kpi_codes(tenant_id=period.tenant_id, codes=spec.kpi_codes)
        if unknown:
            raise ValidationError({"version.kpis": [_("Unknown KPI '%(code)s'.") % {"code": sorted(unknown)[0]}]})
        simulated = services.period_simulate(actor=self.actor, period=period, version=spec)
        agents = Agent.objects.in_bulk([s.agent_id for s in simulated])
        results = [{"agent": agents[s.agent_id], "team": s.team_id, "total": s.result.total, "rank": s.result.rank,
                    "percentile": s.result.percentile, "handled": s.result.handled,
                    "unscored_reason": s.result.unscored_reason, "kpis": s.result.kpis,
                    "current_total": s.current_total, "current_rank": s.current_rank,
                    "rank_change": s.rank_change} for s in simulated]
        body = {"period": period.pk, "scheme_version": version.pk if version else None,
                "warnings": version_warnings(len(spec.kpis)), "population": len(results),
                "scored": sum(1 for s in simulated if s.result.total is not None), "results": results}
        return Response(serializers.SimulationSerializer(body, context=self.get_serializer_context()).data)

    @staticmethod
    def _version_spec(data: dict) -> tuple[SchemeVersion | None, VersionSpec]:
        if data["scheme_version"] is not None:
            version = versions_with_details(SchemeVersion.objects.filter(pk=data["scheme_version"].pk)).get()
            return version, VersionSpec.of(version)
        inline = data["version"]
        kpis = inline["kpis"]
        if not 1 <= len(kpis) <= MAX_KPIS:
            raise ValidationError({"version.kpis": [KPI_COUNT % {"max": MAX_KPIS, "count": len(kpis)}]})
        if len({k["kpi_code"] for k in kpis}) != len(kpis):
            raise ValidationError({"version.kpis": [KPI_TWICE]})
        spec = VersionSpec(id=None, scheme_id=None, scheme_name="(simulation)", number=None,
                           scenario_id=inline["scenario"].pk if inline["scenario"] else None,
                           team_ids=frozenset(t.pk for t in inline["teams"]),
                           missing_data_policy=inline["missing_data_policy"],
                           kpis=tuple(KpiSpec(k["kpi_code"], k["weight"], k["floor"], k["target"], k["min_sample"])
                                      for k in kpis))
        return None, spec


@extend_schema_view(
    list=extend_schema(summary="List computation jobs (newest first)"),
    retrieve=extend_schema(summary="Get a computation job: status, progress, counts, timings, errors"),
)
class JobViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ComputationJob.objects.select_related("revision")
    serializer_class = serializers.JobSerializer
    filterset_class = filters.JobFilter
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {"list": JOB_READERS, "retrieve": JOB_READERS, "retry": ADMIN_ONLY}
    object_scopes = {"retry": "manage"}

    @extend_schema(
        summary="Send a stalled job's task again now (lost message or dead run) instead of waiting for the sweep",
        description="For a queued or running job that no worker is running right now. The re-send counts towards "
                    "JOB_MAX_REQUEUES: a job still stalled after that many re-sends is failed by the periodic "
                    "sweep. 409 job_running while a worker runs it, job_finished once it succeeded or failed.",
        request=None, responses={202: serializers.JobSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def retry(self, request, tenant_slug, pk):
        job = services.computation_job_retry(actor=self.actor, job=self.get_object())
        return Response(serializers.JobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


# Prefetched into plain lists (to_attr): a related manager's prefetch makes a queryset per row, which cost a
# page of 50 scores more than its two queries. The scheme versions the rows name come from their cached references
# (performance.services.scoring.version_refs), not from a join.
SCORE_QUERYSET = AgentPeriodScore.objects.filter(revision__is_complete=True).select_related(
    "agent", "revision").prefetch_related(
    Prefetch("scheme_scores", AgentSchemeScore.objects.order_by("scheme_version__scheme_id", "scheme_version_id"),
             to_attr="scheme_score_rows"),
    Prefetch("adjustments", to_attr="adjustment_rows"),
)
FILE_FORMAT_PARAMETER = OpenApiParameter("file_format", OpenApiTypes.STR, enum=list(exports.FILE_FORMATS),
                                        description="csv (default) or xlsx.")
SCORE_EXPORT_COLUMNS = [
    exports.Column(_("Rank"), lambda s: s.rank),
    exports.Column(_("Employee code"), lambda s: s.agent.employee_code),
    exports.Column(_("Agent"), lambda s: s.agent.display_name),
    exports.Column(_("Team"), lambda s: s.team.name if s.team else None),
    exports.Column(_("Total"), lambda s: s.total),
    exports.Column(_("Adjusted total"), lambda s: serializers.adjusted_total(s)),
    exports.Column(_("Percentile"), lambda s: s.percentile),
    exports.Column(_("Handled"), lambda s: s.handled),
    exports.Column(_("Unscored reason"), lambda s: gettext(s.unscored_reason) if s.unscored_reason else None),
    exports.Column(_("Computed at"), lambda s: s.revision.completed_at),
]
BOM_PARAMETER = OpenApiParameter("bom", OpenApiTypes.BOOL, description=(
    "CSV only: true (default) starts the file with a UTF-8 byte-order mark; false gives plain UTF-8."))
REVISION_PARAMETER = OpenApiParameter("revision", OpenApiTypes.INT, description=(
    "A revision number of the period's results; default: the latest (current) one."))


@extend_schema_view(
    list=extend_schema(summary="List a period's scores (latest revision unless ?revision=)",
                       description=PERCENTILE_NOTE + " ordering: rank (default), total, percentile, handled, "
                                                     "agent; prefix - for descending; unscored agents come last. "
                                   + ROUNDING_NOTE,
                       parameters=[REVISION_PARAMETER]),
    retrieve=extend_schema(summary="Get one agent's score with the full per-KPI breakdown",
                           description=PERCENTILE_NOTE + " " + ROUNDING_NOTE),
)
@extend_schema(parameters=[_path_int("period_pk", "The period's id.")])
class ScoreViewSet(_ChildOfMixin, TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = SCORE_QUERYSET
    serializer_class = serializers.ScoreSerializer
    filterset_class = filters.ScoreFilter
    filter_backends = [DjangoFilterBackend, filters.NullsLastOrderingFilter]
    ordering_map = {"rank": "rank", "total": "total", "percentile": "percentile", "handled": "handled",
                    "agent": "agent__employee_code"}
    ordering_fields = list(ordering_map)
    ordering = ["rank"]
    parent_model, parent_kwarg, parent_field = KpiPeriod, "period_pk", "period"
    parent_as_subquery = frozenset({"retrieve"})
    action_roles = {"list": SCORE_READERS, "retrieve": SCORE_READERS, "export": SCORE_READERS}
    query_params = {"list": frozenset({"revision"}), "export": frozenset({"revision", "file_format", "bom"})}

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.action not in ("list", "export") or getattr(self, "swagger_fake_view", False):
            return queryset
        number = self.request.query_params.get("revision")
        if number is None:
            return queryset.filter(revision_id=self.parent.current_revision_id)
        if not number.isdigit() or not self.parent.revisions.filter(number=number, is_complete=True).exists():
            raise ValidationError({"revision": [_("This period has no revision %(number)s.") % {"number": number}]})
        return queryset.filter(revision__number=number)


    @extend_schema(
        summary="Download a period's scores as CSV or XLSX",
        description="The same rows and filters as the list (latest revision unless ?revision=), ranked, with "
                    "column headers in the response's language and times in the tenant's time zone "
                    "(named by the X-Time-Zone header). CSV is UTF-8 with a byte-order mark.",
        parameters=[REVISION_PARAMETER, FILE_FORMAT_PARAMETER, BOM_PARAMETER],
        responses={(200, "text/csv"): OpenApiTypes.BINARY,
                   (200, exports.CONTENT_TYPES[exports.XLSX]): OpenApiTypes.BINARY},
    )
    @action(detail=False, methods=["get"], filter_backends=[DjangoFilterBackend])
    def export(self, request, tenant_slug, period_pk):
        file_format, bom = exports.file_format_from(request.query_params), exports.bom_from(request.query_params)
        scores = self.filter_queryset(self.get_queryset()).select_related("team").order_by(
            F("rank").asc(nulls_last=True), "agent__employee_code", "id")
        return exports.export_response(
            rows=scores, columns=SCORE_EXPORT_COLUMNS, file_format=file_format, time_zone=self.actor.tenant.time_zone,
            filename=f"scores-{slugify(self.parent.name) or self.parent.pk}", sheet_title=self.parent.name, bom=bom)


@extend_schema_view(
    list=extend_schema(summary="List a period's score adjustments"),
    create=extend_schema(summary="Adjust a closed period's score (with a reason); results stay frozen",
                         request=serializers.AdjustmentCreateSerializer,
                         description="The frozen total is never changed: adjusted_total = total + the points of "
                                     "every adjustment. 409 unless the period is closed.",
                         responses={201: serializers.AdjustmentSerializer, 409: CONFLICT}),
)
@extend_schema(parameters=[_path_int("period_pk", "The period's id.")])
class AdjustmentViewSet(_ChildOfMixin, TenantScopedViewSet, mixins.ListModelMixin):
    queryset = ScoreAdjustment.objects.all()
    serializer_class = serializers.AdjustmentSerializer
    filter_backends = [StrictOrderingFilter]
    ordering_fields = ["created_at", "id"]
    ordering = ["created_at", "id"]
    parent_model, parent_kwarg, parent_field = KpiPeriod, "period_pk", "period"
    action_roles = {"list": SCORE_READERS, "create": ADMIN_ONLY}

    def create(self, request, tenant_slug, period_pk):
        payload = serializers.AdjustmentCreateSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        adjustment = services.score_adjustment_create(actor=self.actor, period=self.parent,
                                                      **payload.validated_data)
        return Response(self.get_serializer(adjustment).data, status=status.HTTP_201_CREATED)


@extend_schema_view(list=extend_schema(
    summary="An agent's scores across periods (each period's latest revision), newest period first",
    description=PERCENTILE_NOTE + " " + ROUNDING_NOTE))
@extend_schema(parameters=[_path_int("agent_pk", "The agent's id.")])
class ScoreHistoryViewSet(_ChildOfMixin, TenantScopedViewSet, mixins.ListModelMixin):
    queryset = SCORE_QUERYSET.select_related("period").filter(revision_id=F("period__current_revision_id"))
    serializer_class = serializers.ScoreHistorySerializer
    filterset_class = filters.ScoreHistoryFilter
    filter_backends = [DjangoFilterBackend]
    parent_model, parent_kwarg, parent_field = Agent, "agent_pk", "agent"
    action_roles = {"list": SCORE_READERS}

    def filter_queryset(self, queryset):
        return super().filter_queryset(queryset).order_by("-period__start", "-period_id")
