from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.models import Notification, NotificationPreference
from common.serializers import StrictModelSerializer, StrictSerializer


class NotificationObjectSerializer(StrictSerializer):
    type = serializers.CharField(help_text="What the notification is about, e.g. kpiperiod or qareview.")
    id = serializers.CharField()


class NotificationSerializer(StrictModelSerializer):
    message = serializers.SerializerMethodField(help_text="In the reader's language.")
    object = serializers.SerializerMethodField()

    class Meta:
        model = Notification
        fields = ["id", "event", "object", "message", "params", "created_at", "read_at"]
        read_only_fields = fields

    def get_message(self, notification: Notification) -> str:
        return notification.render()

    @extend_schema_field(NotificationObjectSerializer(allow_null=True))
    def get_object(self, notification: Notification) -> dict | None:
        if not notification.object_type:
            return None
        return {"type": notification.object_type, "id": notification.object_id}


class UnreadCountSerializer(StrictSerializer):
    unread = serializers.IntegerField()


class ReadAllSerializer(StrictSerializer):
    marked_read = serializers.IntegerField(help_text="How many unread notifications were marked read.")


class NotificationPreferenceSerializer(StrictModelSerializer):
    class Meta:
        model = NotificationPreference
        fields = ["email_enabled", "updated_at"]
        read_only_fields = ["updated_at"]
        extra_kwargs = {"updated_at": {"allow_null": True, "help_text": "null until you first change them."}}


class NotificationPreferenceInputSerializer(StrictSerializer):
    email_enabled = serializers.BooleanField(help_text="Also send my notifications in this tenant by email.")
