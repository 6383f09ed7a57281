"""Connection shapes: the connection (credentials only as a hint), its input, mappings, remote agents and runs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import Agent
from common.fields import StoredMessageField
from common.serializers import StrictModelSerializer, StrictSerializer
from performance.models import (
    Channel,
    Connection,
    ConnectionAgent,
    ConnectionKind,
    ConnectionRun,
    ConnectionTicketFailure,
    ScenarioMatch,
)

CREDENTIALS_HELP = ('Zendesk: {"email": "...", "api_token": "..."}; Freshdesk: {"api_key": "..."}. Write-only: '
                    "stored encrypted, never returned (see credentials_hint).")
CSAT_HELP = 'Remote satisfaction value -> 1..5, e.g. {"good": 5, "bad": 1} (the defaults for values not listed).'


class ConnectionSerializer(StrictModelSerializer):
    last_error = StoredMessageField(read_only=True, help_text="Why the last run failed; empty after a success.")
    running = serializers.SerializerMethodField(help_text="Whether a run holds the connection now.")
    unmapped_agents = serializers.IntegerField(source="unmapped_count", read_only=True,
                                               help_text="Remote agents not mapped yet.")
    pending_tickets = serializers.IntegerField(source="pending_count", read_only=True,
                                               help_text="Tickets waiting for an agent mapping.")

    class Meta:
        model = Connection
        fields = ["id", "kind", "account", "name", "credentials_hint", "schedule_minutes", "start_date", "enabled",
                  "status", "last_error", "csat_mapping", "cursor", "next_run_at", "last_synced_at", "running",
                  "unmapped_agents", "pending_tickets", "created_at", "updated_at"]
        read_only_fields = fields

    def get_running(self, connection: Connection) -> bool:
        return connection.running_run_id is not None


class ConnectionInputSerializer(StrictSerializer):
    kind = serializers.ChoiceField(choices=ConnectionKind.choices)
    account = serializers.CharField(max_length=253, help_text="Zendesk subdomain (acme) or Freshdesk domain.")
    name = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")
    credentials = serializers.DictField(child=serializers.CharField(max_length=500), write_only=True,
                                        help_text=CREDENTIALS_HELP)
    schedule_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, required=False, default=15)
    start_date = serializers.DateField(help_text="The first sync reads tickets changed since this day.")
    enabled = serializers.BooleanField(required=False, default=True)
    csat_mapping = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False,
                                         default=dict, help_text=CSAT_HELP)


class ConnectionUpdateSerializer(StrictSerializer):
    name = serializers.CharField(max_length=120, required=False, allow_blank=True)
    credentials = serializers.DictField(child=serializers.CharField(max_length=500), write_only=True,
                                        required=False, help_text=CREDENTIALS_HELP)
    schedule_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, required=False)
    start_date = serializers.DateField(required=False, help_text="Only before the first sync.")
    enabled = serializers.BooleanField(required=False)
    csat_mapping = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), required=False,
                                         help_text=CSAT_HELP)


class ConnectionTestSerializer(StrictSerializer):
    ok = serializers.BooleanField()
    remote_user = serializers.CharField(help_text="Who the credentials sign in as, when they work.")
    error = serializers.CharField(help_text="Why the check failed; empty when ok.")
    remote_agents = serializers.IntegerField(help_text="Agents the remote listed (recorded under remote-agents/).")


class ChannelMappingSerializer(StrictSerializer):
    remote_value = serializers.CharField(max_length=64, help_text="Zendesk via.channel, Freshdesk source number.")
    channel = serializers.ChoiceField(choices=Channel.choices)


class ScenarioMappingSerializer(StrictSerializer):
    match = serializers.ChoiceField(choices=ScenarioMatch.choices)
    remote_value = serializers.CharField(max_length=128)
    scenario = serializers.CharField(max_length=40, help_text="A scenario code.")


class MappingsSerializer(StrictSerializer):
    channels = ChannelMappingSerializer(many=True, help_text="Values not listed use the built-in defaults.")
    scenarios = ScenarioMappingSerializer(many=True, help_text="In order: a ticket takes the first that matches.")
    csat = serializers.DictField(child=serializers.IntegerField(min_value=1, max_value=5), help_text=CSAT_HELP)

    def validate(self, data):
        if len(data["channels"]) > 200 or len(data["scenarios"]) > 500:
            raise serializers.ValidationError(_("At most 200 channel and 500 scenario mappings."))
        return data


class RemoteAgentSerializer(StrictModelSerializer):
    agent_code = serializers.CharField(source="agent.employee_code", read_only=True, allow_null=True, default=None)
    pending_tickets = serializers.IntegerField(read_only=True)

    class Meta:
        model = ConnectionAgent
        fields = ["remote_id", "email", "name", "agent", "agent_code", "pending_tickets", "first_seen_at"]
        read_only_fields = fields


class AgentMapInputSerializer(StrictSerializer):
    remote_id = serializers.CharField(max_length=64)
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    agent = serializers.PrimaryKeyRelatedField(queryset=Agent.objects.none(), allow_null=True,
                                               help_text="A jixiao agent id; null unmaps.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actor = self.context.get("actor")
        if actor is not None:
            self.fields["agent"].queryset = Agent.objects.filter(tenant_id=actor.tenant.pk)


class RunFailureSerializer(StrictModelSerializer):
    class Meta:
        model = ConnectionTicketFailure
        fields = ["external_id", "errors", "created_at"]
        read_only_fields = fields


class ConnectionRunSerializer(StrictModelSerializer):
    duration_ms = serializers.SerializerMethodField()
    error = StoredMessageField(read_only=True, help_text="Why the run failed; empty when it succeeded.")

    class Meta:
        model = ConnectionRun
        fields = ["id", "connection", "trigger", "status", "pages", "tickets_read", "created", "updated", "unchanged",
                  "failed", "pending", "released", "deleted", "unassigned", "fetch_ms", "write_ms", "duration_ms",
                  "error", "cursor_start", "cursor_reached", "queued_at", "started_at", "finished_at"]
        read_only_fields = fields

    def get_duration_ms(self, run: ConnectionRun) -> int | None:
        if run.started_at is None or run.finished_at is None:
            return None
        return int((run.finished_at - run.started_at).total_seconds() * 1000)


class ConnectionRunDetailSerializer(ConnectionRunSerializer):
    failures = serializers.SerializerMethodField(help_text="The tickets that failed validation (first 200).")

    class Meta(ConnectionRunSerializer.Meta):
        fields = [*ConnectionRunSerializer.Meta.fields, "failures"]
        read_only_fields = fields

    @extend_schema_field(RunFailureSerializer(many=True))
    def get_failures(self, run: ConnectionRun) -> list[dict]:
        rows = ConnectionTicketFailure.objects.filter(tenant_id=run.tenant_id, run=run).order_by("id")[:200]
        return RunFailureSerializer(rows, many=True).data
