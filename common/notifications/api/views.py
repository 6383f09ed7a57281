from __future__ import annotations

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from common import concurrency
from common.models import Notification
from common.notifications import selectors, services
from common.notifications.api import filters, serializers
from common.pagination import CreatedNewestFirstCursorPagination
from common.viewsets import ALL_MEMBER_ROLES, TenantScopedViewSet


@extend_schema_view(
    list=extend_schema(summary="List your notifications (newest first, cursor-paginated)",
                       description="Only the caller's own notifications in this tenant; messages are in the "
                       "caller's language."),
    retrieve=extend_schema(summary="Get one of your notifications"),
)
class NotificationViewSet(TenantScopedViewSet, mixins.ListModelMixin, mixins.RetrieveModelMixin):
    queryset = Notification.objects.all()
    serializer_class = serializers.NotificationSerializer
    filterset_class = filters.NotificationFilter
    filter_backends = [DjangoFilterBackend]
    pagination_class = CreatedNewestFirstCursorPagination
    action_roles = {name: ALL_MEMBER_ROLES for name in
                    ("list", "retrieve", "read", "read_all", "unread_count", "preferences")}
    object_scopes = {"read": "view"}

    @extend_schema(summary="Count your unread notifications", responses=serializers.UnreadCountSerializer)
    @action(detail=False, methods=["get"], url_path="unread-count")
    def unread_count(self, request, tenant_slug):
        return Response({"unread": selectors.notification_unread_count(actor=self.actor)})

    @extend_schema(summary="Mark a notification read (reading it again changes nothing)", request=None,
                   responses=serializers.NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, tenant_slug, pk):
        notification = services.notification_mark_read(actor=self.actor, notification=self.get_object())
        return Response(self.get_serializer(notification).data)

    @extend_schema(summary="Mark all your notifications read", request=None,
                   responses=serializers.ReadAllSerializer)
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request, tenant_slug):
        return Response({"marked_read": services.notifications_mark_all_read(actor=self.actor)})

    @extend_schema(methods=["GET"], summary="Your notification preferences in this tenant",
                   responses=serializers.NotificationPreferenceSerializer)
    @extend_schema(methods=["PATCH"], summary="Change your notification preferences (email on or off)",
                   request=serializers.NotificationPreferenceInputSerializer,
                   responses=serializers.NotificationPreferenceSerializer)
    @action(detail=False, methods=["get", "patch"], pagination_class=None)
    def preferences(self, request, tenant_slug):
        preference = selectors.notification_preference_get(actor=self.actor)
        if request.method == "PATCH":
            concurrency.check_if_match(request, serializers.NotificationPreferenceSerializer(preference).data)
            payload = serializers.NotificationPreferenceInputSerializer(data=request.data)
            payload.is_valid(raise_exception=True)
            preference = services.notification_preference_update(actor=self.actor, **payload.validated_data)
        data = serializers.NotificationPreferenceSerializer(preference).data
        return Response(data, headers={"ETag": concurrency.etag_of(data)})
