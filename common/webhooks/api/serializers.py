from __future__ import annotations

from django.utils.translation import gettext
from rest_framework import serializers

from common.events import SUBSCRIBABLE
from common.fields import StoredMessageField
from common.models import Webhook, WebhookAttempt, WebhookDelivery
from common.serializers import StrictModelSerializer, StrictSerializer
from common.webhooks.delivery import RECEIVER_ANSWERED


class WebhookSerializer(StrictModelSerializer):
    events = serializers.ListField(child=serializers.CharField())
    disabled_reason = StoredMessageField(read_only=True, help_text="Why it was turned off, if it was.")

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "description", "is_active", "consecutive_failures", "disabled_at",
                  "disabled_reason", "created_at", "updated_at"]
        read_only_fields = fields


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(allow_null=True, help_text=(
        "The signing secret, shown only in this response. Null in a replay of the request (Idempotency-Key): the "
        "secret is not kept."))

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
    error = serializers.SerializerMethodField(help_text="Why the attempt failed; empty when it succeeded.")

    class Meta:
        model = WebhookAttempt
        fields = ["number", "at", "status_code", "error", "duration_ms"]
        read_only_fields = fields

    def get_error(self, attempt: WebhookAttempt) -> str:
        """In the reader's language: the stored English message, or the receiver's answer rebuilt from its status."""
        if attempt.status_code is not None and not attempt.succeeded:
            return gettext(RECEIVER_ANSWERED) % {"status": attempt.status_code}
        return gettext(attempt.error) if attempt.error else ""


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
