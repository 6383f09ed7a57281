"""Coaching sessions (supervisors and QA leads with an agent), their effect report, and the per-coach summary."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.viewsets import TenantScopedViewSet
from feedback.api import filters
from feedback.api.serializers import coaching as serializers
from feedback.coaching_selectors import coaching_effect, coaching_summary
from feedback.models import CoachingGoal, CoachingSession
from feedback.services import coaching as services

READERS = frozenset({"admin", "supervisor", "qa_lead", "agent"})
COACHES = frozenset({"supervisor", "qa_lead"})
MANAGERS = frozenset({"admin", "supervisor", "qa_lead"})
CONFLICT = OpenApiResponse(description="Refused in the session's current state (problem details with a code).")
EFFECT_NOTE = (
    "For a session targeting a criterion: the criterion's normalized rating × 100 in the agent's N published "
    "reviews nearest before and after the session (by the reviewed interaction's start). For a KPI: the KPI's raw "
    "value in the agent's N periods nearest before (ended by the session's day) and after (starting on or after "
    "it), from each period's current results. change = after_mean − before_mean.")
N_PARAMETER = OpenApiParameter("n", OpenApiTypes.INT, description=serializers.N_HELP)


@extend_schema_view(
    list=extend_schema(summary="List coaching sessions (newest first)"),
    retrieve=extend_schema(summary="Get a coaching session with its goals"),
    create=extend_schema(
        summary="Record a coaching session with an agent (supervisors for their teams, QA leads)",
        description="Optionally linked to a published QA review of the agent and one criterion, or to a KPI, and to "
                    "an appeal. The agent is notified (coaching.created).",
        request=serializers.CoachingSessionInputSerializer, responses={201: serializers.CoachingSessionSerializer}),
    partial_update=extend_schema(summary="Change notes, goals or the follow-up status (the coach, admins)",
                                 request=serializers.CoachingSessionUpdateSerializer,
                                 responses=serializers.CoachingSessionSerializer),
)
class CoachingSessionViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = CoachingSession.objects.prefetch_related(
        Prefetch("goals", CoachingGoal.objects.order_by("position", "id")))
    serializer_class = serializers.CoachingSessionSerializer
    filterset_class = filters.CoachingSessionFilter
    ordering_fields = ["held_at", "created_at", "id"]
    ordering = ["-held_at", "-id"]
    action_roles = {"list": READERS, "retrieve": READERS, "create": COACHES, "partial_update": MANAGERS,
                    "acknowledge": READERS, "effect": READERS}
    object_scopes = {"acknowledge": "acknowledge", "effect": "view"}
    query_params = {"effect": frozenset({"n"})}
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _fresh(self, session: CoachingSession) -> dict:
        return self.get_serializer(self.queryset.get(pk=session.pk)).data

    def create(self, request, tenant_slug):
        payload = serializers.CoachingSessionInputSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        session = services.coaching_session_create(actor=self.actor, **payload.validated_data)
        return Response(self._fresh(session), status=status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        session = self.get_object()
        payload = serializers.CoachingSessionUpdateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = services.coaching_session_update(actor=self.actor, session=session, **payload.validated_data)
        return Response(self._fresh(session))

    @extend_schema(summary="Acknowledge the coaching session, with an optional comment (the agent, once)",
                   request=serializers.CoachingAcknowledgeSerializer,
                   responses={200: serializers.CoachingSessionSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, tenant_slug, pk):
        session = self.get_object()
        payload = serializers.CoachingAcknowledgeSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        session = services.coaching_session_acknowledge(actor=self.actor, session=session,
                                                        comment=payload.validated_data["comment"])
        return Response(self._fresh(session))

    @extend_schema(summary="The session's effect: the targeted criterion or KPI before and after it",
                   description=EFFECT_NOTE, parameters=[N_PARAMETER], responses=serializers.CoachingEffectSerializer)
    @action(detail=True, methods=["get"], filter_backends=[])
    def effect(self, request, tenant_slug, pk):
        session = self.get_object()
        query = serializers.EffectQuerySerializer(data=self.own_query_params().dict())
        query.is_valid(raise_exception=True)
        effect = coaching_effect(session=session, n=query.validated_data["n"])
        body = {"session": session.pk, "target": effect.target, "criterion": session.criterion_id,
                "kpi": session.kpi_code, "n": effect.n, "before": effect.before, "after": effect.after,
                "before_mean": effect.before_mean, "after_mean": effect.after_mean, "change": effect.change}
        return Response(serializers.CoachingEffectSerializer(body).data)


@extend_schema_view(list=extend_schema(
    summary="Coaching per coach: sessions, acknowledgements, follow-ups, goals met and the mean effect",
    description="Over the sessions the caller may see, held in the date range (tenant time). " + EFFECT_NOTE
                + " mean_change averages the sessions measured on both sides.",
    parameters=[OpenApiParameter("held_from", OpenApiTypes.DATE), OpenApiParameter("held_to", OpenApiTypes.DATE),
                N_PARAMETER],
    responses=serializers.CoachingReportSerializer))
class CoachingReportViewSet(TenantScopedViewSet):
    report_view = True  # one object, not a list (common/schema.py)
    queryset = CoachingSession.objects.all()
    action_roles = {"list": MANAGERS}
    list_actions = frozenset()
    query_params = {"list": frozenset({"held_from", "held_to", "n"})}
    pagination_class = None
    filter_backends = []

    def list(self, request, tenant_slug):
        query = serializers.CoachingReportQuerySerializer(data=self.own_query_params().dict())
        query.is_valid(raise_exception=True)
        data, zone = query.validated_data, self.actor.tenant.zone
        sessions = self.get_queryset()
        if data["held_from"]:
            sessions = sessions.filter(held_at__gte=datetime.combine(data["held_from"], time.min, tzinfo=zone))
        if data["held_to"]:
            end = datetime.combine(data["held_to"] + timedelta(days=1), time.min, tzinfo=zone)
            sessions = sessions.filter(held_at__lt=end)
        coaches = coaching_summary(sessions=sessions, tenant=self.actor.tenant, n=data["n"])
        return Response(serializers.CoachingReportSerializer({"n": data["n"], "coaches": coaches}).data)
