from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from common.events import EVENT_TYPES
from common.idempotency import shown_once
from common.models import Webhook, WebhookAttempt, WebhookDelivery
from common.pagination import CreatedNewestFirstCursorPagination
from common.viewsets import ADMIN_ONLY, TenantScopedViewSet
from common.webhooks import services
from common.webhooks.api import serializers

SECRET_ONCE = "The response holds the signing secret, shown only this once; store it in the receiver."


@extend_schema_view(
    list=extend_schema(summary="List webhooks"),
    retrieve=extend_schema(summary="Get a webhook"),
    create=extend_schema(summary="Create a webhook", description=SECRET_ONCE,
                         request=serializers.WebhookInputSerializer,
                         responses={201: serializers.WebhookCreatedSerializer}),
    update=extend_schema(summary="Replace a webhook", request=serializers.WebhookInputSerializer),
    partial_update=extend_schema(summary="Change a webhook (is_active: true turns a disabled one on again)",
                                 request=serializers.WebhookInputSerializer),
    destroy=extend_schema(summary="Delete a webhook and its delivery history"),
)
class WebhookViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Webhook.objects.all()
    serializer_class = serializers.WebhookSerializer
    ordering_fields = ["created_at", "id"]
    ordering = ["-created_at", "-id"]
    action_roles = {name: ADMIN_ONLY for name in ("list", "retrieve", "create", "update", "partial_update",
                                                  "destroy", "rotate_secret", "test", "deliveries", "event_types")}
    object_scopes = {"rotate_secret": "manage", "test": "manage"}
    list_actions = frozenset({"list", "deliveries"})

    def create(self, request, tenant_slug):
        payload = serializers.WebhookInputSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(actor=self.actor, **payload.validated_data)
        webhook.secret = secret
        return shown_once(Response(serializers.WebhookCreatedSerializer(webhook).data, status=status.HTTP_201_CREATED),
                          "secret")

    def update(self, request, tenant_slug, pk, partial=False):
        webhook = self.get_object()
        payload = serializers.WebhookInputSerializer(data=request.data, partial=partial)
        payload.is_valid(raise_exception=True)
        webhook = services.webhook_update(actor=self.actor, webhook=webhook, **payload.validated_data)
        return Response(self.get_serializer(webhook).data)

    def partial_update(self, request, tenant_slug, pk):
        return self.update(request, tenant_slug, pk, partial=True)

    def destroy(self, request, tenant_slug, pk):
        services.webhook_delete(actor=self.actor, webhook=self.get_object())
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(summary="Replace the signing secret", description=SECRET_ONCE, request=None,
                   responses=serializers.WebhookCreatedSerializer)
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, tenant_slug, pk):
        webhook, secret = services.webhook_rotate_secret(actor=self.actor, webhook=self.get_object())
        webhook.secret = secret
        return shown_once(Response(serializers.WebhookCreatedSerializer(webhook).data), "secret")

    @extend_schema(summary="Send a webhook.test delivery now", request=None,
                   responses={202: serializers.WebhookDeliverySerializer,
                              409: OpenApiResponse(description="The webhook is inactive")})
    @action(detail=True, methods=["post"])
    def test(self, request, tenant_slug, pk):
        delivery = services.webhook_send_test(actor=self.actor, webhook=self.get_object())
        return Response(serializers.WebhookDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(summary="The webhook's deliveries with their attempts (newest first, cursor-paginated)",
                   responses=serializers.WebhookDeliverySerializer(many=True))
    @action(detail=True, methods=["get"], pagination_class=CreatedNewestFirstCursorPagination, filter_backends=[])
    def deliveries(self, request, tenant_slug, pk):
        webhook = self.get_object()
        attempts = Prefetch("attempts", queryset=WebhookAttempt.objects.order_by("number"))
        deliveries = WebhookDelivery.objects.filter(tenant=self.actor.tenant, webhook=webhook).prefetch_related(
            attempts)
        page = self.paginate_queryset(deliveries)
        return self.get_paginated_response(serializers.WebhookDeliverySerializer(page, many=True).data)

    @extend_schema(summary="The event types a webhook can subscribe to (and the others)",
                   responses=serializers.EventTypeSerializer(many=True))
    @action(detail=False, methods=["get"], url_path="event-types", pagination_class=None)
    def event_types(self, request, tenant_slug):
        rows = [{"code": e.code, "description": str(e.description), "subscribable": e.subscribable}
                for e in EVENT_TYPES.values()]
        return Response(serializers.EventTypeSerializer(rows, many=True).data)
