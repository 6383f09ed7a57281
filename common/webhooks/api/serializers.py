from __future__ import annotations

from rest_framework import serializers

from common.events import SUBSCRIBABLE
from common.models import Webhook, WebhookAttempt, WebhookDelivery
from common.serializers import StrictModelSerializer, StrictSerializer


class WebhookSerializer(StrictModelSerializer):
    events = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "description", "is_active", "consecutive_failures", "disabled_at",
                  "disabled_reason", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(help_text="The signing secret, shown only in this response.")

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = fields


class WebhookInputSerializer(StrictSerializer):
    url = serializers.URLField(max_length=2000, help_text="http(s) URL of a public host that receives the POSTs.")
    events = serializers.ListField(child=serializers.ChoiceField(choices=SUBSCRIBABLE), allow_empty=False,
                                   max_length=50, help_text="Event types to receive.")
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_active = serializers.BooleanField(required=False, default=True)


class WebhookAttemptSerializer(StrictModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]
        read_only_fields = fields


class WebhookDeliverySerializer(StrictModelSerializer):
    attempts = WebhookAttemptSerializer(many=True, read_only=True)

    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "status", "attempt_count", "next_attempt_at", "created_at", "completed_at",
                  "payload", "attempts"]
        read_only_fields = fields


class EventTypeSerializer(StrictSerializer):
    code = serializers.CharField()
    description = serializers.CharField()
    subscribable = serializers.BooleanField(help_text="Whether webhooks can subscribe to it.")
