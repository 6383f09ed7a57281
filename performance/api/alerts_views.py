"""Alert endpoints: alert rules (with on-demand evaluation) and the alerts they raise (acknowledge, resolve, the
delivery log)."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, Subquery
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.filters import StrictOrderingFilter
from common.models import WebhookAttempt
from common.pagination import StandardPagination
from common.viewsets import ADMIN_ONLY, TenantScopedViewSet
from performance.api import alerts_filters as filters
from performance.api import alerts_serializers as serializers
from performance.models import Alert, AlertDelivery, AlertRule, AlertStatus
from performance.services import alerts as services

READERS = frozenset({"admin", "supervisor"})
CONFLICT = OpenApiResponse(description="Refused in the current state (problem details with a code).")
RULES_NOTE = (
    "A rule watches one interaction KPI (raw interactions, by started_at) of a scope — the tenant, a team (the "
    "team at ingestion), an agent or a channel — over a window: the last N hours, today (since the tenant's local "
    "midnight) or rolling N days (today and the N − 1 days before, from local midnight). When the value compares "
    "with the threshold (gt, gte, lt, lte) on at least min_sample samples, one alert is raised and stays until it "
    "is resolved: by hand, or automatically once evaluations found the value back within the threshold since the "
    "window's start (a full window). After a resolution the rule raises nothing for cooldown_minutes. Enabled "
    "rules are evaluated every ALERT_EVALUATION_SECONDS (default 60) and on demand. Admins manage rules; "
    "supervisors read the team- and agent-scoped rules of teams granted to them.")
ALERTS_NOTE = (
    "open → acknowledged → resolved (resolution manual or auto). value, threshold and sample are those that "
    "raised the alert; last_value and last_sample follow the later evaluations. Admins see and handle every "
    "alert; supervisors those of the rules they see, and acknowledge or resolve those of teams they manage.")


def _open_alert():
    return Subquery(Alert.objects.filter(rule=OuterRef("pk")).exclude(status=AlertStatus.RESOLVED).values("pk")[:1])


@extend_schema_view(
    list=extend_schema(summary="List alert rules", description=RULES_NOTE),
    retrieve=extend_schema(summary="Get an alert rule", description=RULES_NOTE),
    create=extend_schema(summary="Create an alert rule", description=RULES_NOTE,
                         request=serializers.AlertRuleSerializer, responses={201: serializers.AlertRuleSerializer}),
    partial_update=extend_schema(summary="Change an alert rule (a new scope replaces the old one's target)",
                                 request=serializers.AlertRuleUpdateSerializer,
                                 responses=serializers.AlertRuleSerializer),
    destroy=extend_schema(summary="Delete a rule that never raised an alert (otherwise disable it)",
                          responses={204: None, 409: CONFLICT}),
)
class AlertRuleViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = AlertRule.objects.annotate(open_alert_id=_open_alert())
    serializer_class = serializers.AlertRuleSerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = filters.AlertRuleFilter
    ordering_fields = ["name", "created_at", "last_evaluated_at", "id"]
    ordering = ["name", "id"]
    action_roles = {"list": READERS, "retrieve": READERS, "create": ADMIN_ONLY, "partial_update": ADMIN_ONLY,
                    "destroy": ADMIN_ONLY, "evaluate": ADMIN_ONLY}
    object_scopes = {"evaluate": "manage"}
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    def _detail(self, rule: AlertRule, code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(self.queryset.get(pk=rule.pk)).data, status=code)

    def create(self, request, tenant_slug):
        payload = serializers.AlertRuleSerializer(data=request.data, context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return self._detail(services.alert_rule_create(actor=self.actor, **payload.validated_data),
                            status.HTTP_201_CREATED)

    def partial_update(self, request, tenant_slug, pk):
        rule = self.get_object()
        payload = serializers.AlertRuleUpdateSerializer(data=request.data, partial=True,
                                                        context=self.get_serializer_context())
        payload.is_valid(raise_exception=True)
        return self._detail(services.alert_rule_update(actor=self.actor, rule=rule, **payload.validated_data))

    def destroy(self, request, tenant_slug, pk):
        services.alert_rule_delete(actor=self.actor, rule=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Evaluate the rule now (enabled or not): raise, follow or resolve its alert",
                   description="The same evaluation the periodic task runs: one SQL aggregate over the window. "
                               "outcome: raised, still_breached, cooldown, recovering, resolved, ok or "
                               "insufficient_sample.",
                   request=None, responses=serializers.AlertEvaluationSerializer)
    @action(detail=True, methods=["post"])
    def evaluate(self, request, tenant_slug, pk):
        evaluation = services.alert_rule_evaluate(rule=self.get_object(), actor=self.actor)
        return Response(serializers.AlertEvaluationSerializer(evaluation).data)


ALERT_QUERYSET = Alert.objects.select_related("rule")


@extend_schema_view(
    list=extend_schema(summary="List alerts (newest first)", description=ALERTS_NOTE),
    retrieve=extend_schema(summary="Get an alert", description=ALERTS_NOTE),
)
class AlertViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = ALERT_QUERYSET
    serializer_class = serializers.AlertSerializer
    filterset_class = filters.AlertFilter
    ordering_fields = ["raised_at", "resolved_at", "id"]
    ordering = ["-raised_at", "-id"]
    action_roles = {"list": READERS, "retrieve": READERS, "acknowledge": READERS, "resolve": READERS,
                    "deliveries": READERS}
    object_scopes = {"acknowledge": "manage", "resolve": "manage"}
    list_actions = frozenset({"list", "deliveries"})

    def _detail(self, alert: Alert) -> Response:
        return Response(self.get_serializer(self.queryset.get(pk=alert.pk)).data)

    @extend_schema(summary="Acknowledge an open alert (someone is on it)", request=serializers.AlertActionSerializer,
                   responses={200: serializers.AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, tenant_slug, pk):
        alert = self.get_object()
        payload = serializers.AlertActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.alert_acknowledge(actor=self.actor, alert=alert, **payload.validated_data))

    @extend_schema(summary="Resolve an open or acknowledged alert by hand (the rule's cooldown starts)",
                   request=serializers.AlertActionSerializer,
                   responses={200: serializers.AlertSerializer, 409: CONFLICT})
    @action(detail=True, methods=["post"])
    def resolve(self, request, tenant_slug, pk):
        alert = self.get_object()
        payload = serializers.AlertActionSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        return self._detail(services.alert_resolve(actor=self.actor, alert=alert, **payload.validated_data))

    @extend_schema(summary="The alert's delivery log: the webhook deliveries of its events, with their attempts",
                   responses=serializers.AlertDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], filter_backends=[], pagination_class=StandardPagination)
    def deliveries(self, request, tenant_slug, pk):
        alert = self.get_object()
        attempts = Prefetch("delivery__attempts", queryset=WebhookAttempt.objects.order_by("number"))
        links = AlertDelivery.objects.filter(tenant=self.actor.tenant, alert=alert).select_related(
            "delivery").prefetch_related(attempts).order_by("id")
        page = self.paginate_queryset(links)
        return self.get_paginated_response(serializers.AlertDeliverySerializer(page, many=True).data)



