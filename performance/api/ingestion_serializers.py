"""Shapes of interactions, shifts and scenarios in the API.

The *Row serializers document the ingestion input in the OpenAPI schema; the rows themselves are validated by
performance.services.ingestion.rows (lean, one pass per batch) so the two must name the same fields — a test
keeps them in step.
"""

from __future__ import annotations

from functools import cached_property

from rest_framework import serializers

from common.bounds import MOMENT_RANGE_HELP, with_help
from common.fields import BoundedDateField
from common.representation import datetime_formatter
from common.serializers import StrictModelSerializer, StrictSerializer
from performance.models import Channel, Direction, Interaction, Scenario, Shift
from performance.services.ingestion import MAX_BATCH_ROWS
from performance.services.ingestion.rows import MINUTES_PER_DAY, PG_INT_MAX
from performance.services.ingestion.scenarios import scenario_label

AGENT_CODE_HELP = "The agent's employee code (not the id)."
SOURCE_HELP = "The sending system. (source, external_id) identifies the record: sending it again updates it."


def _seconds(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=PG_INT_MAX, **kwargs)


def _minutes(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MINUTES_PER_DAY, **kwargs)


class InteractionRowSerializer(StrictSerializer):
    agent = serializers.CharField(max_length=64, help_text=AGENT_CODE_HELP)
    channel = serializers.ChoiceField(choices=Channel.choices)
    direction = serializers.ChoiceField(choices=Direction.choices, required=False, default=Direction.INBOUND,
                                        help_text="inbound (the customer contacted the agent) or outbound.")
    scenario = serializers.CharField(max_length=40, required=False, allow_null=True,
                                     help_text="A scenario code defined under scenarios/, or null.")
    source = serializers.CharField(max_length=64, required=False, default="api", help_text=SOURCE_HELP)
    external_id = serializers.CharField(max_length=128, help_text="The record's id in the sending system.")
    started_at = serializers.DateTimeField(
        help_text=with_help("ISO 8601 with a UTC offset, e.g. 2026-10-01T09:30:00+08:00; values without one are "
                            "refused.", MOMENT_RANGE_HELP))
    ring_count = _seconds(required=False, default=0)
    queue_seconds = _seconds(required=False, default=0)
    answered = serializers.BooleanField(required=False, default=True)
    talk_seconds = _seconds(required=False, default=0)
    hold_seconds = _seconds(required=False, default=0)
    acw_seconds = _seconds(required=False, default=0, help_text="After-call work.")
    first_response_seconds = _seconds(required=False, allow_null=True)
    resolved = serializers.BooleanField(required=False, default=False)
    first_contact_resolved = serializers.BooleanField(required=False, default=False)
    csat = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True,
                                    help_text="Customer satisfaction 1–5, or null when not surveyed.")
    customer_ref = serializers.CharField(max_length=128, required=False, allow_blank=True, default="")
    metadata = serializers.DictField(required=False, help_text="Any JSON object; stored as sent.")


class InteractionBulkSerializer(StrictSerializer):
    rows = InteractionRowSerializer(many=True, allow_empty=False, max_length=MAX_BATCH_ROWS)


class ShiftRowSerializer(StrictSerializer):
    agent = serializers.CharField(max_length=64, help_text=AGENT_CODE_HELP)
    source = serializers.CharField(max_length=64, required=False, default="api", help_text=SOURCE_HELP)
    external_id = serializers.CharField(max_length=128, help_text="The record's id in the sending system.")
    date = BoundedDateField(help_text="The tenant-local day of the shift.")
    scheduled_minutes = _minutes(required=False, default=0)
    worked_minutes = _minutes(required=False, default=0)
    logged_in_minutes = _minutes(required=False, default=0)


class ShiftBulkSerializer(StrictSerializer):
    rows = ShiftRowSerializer(many=True, allow_empty=False, max_length=MAX_BATCH_ROWS)


class CsvUploadSerializer(StrictSerializer):
    file = serializers.FileField(
        help_text=f"A UTF-8 CSV (BOM allowed) whose header names the same fields as the JSON rows; at most "
                  f"{MAX_BATCH_ROWS:,} records. Empty cells mean the field's default (or null).")


class IngestionResultSerializer(StrictSerializer):
    created = serializers.IntegerField(help_text="Rows that were new.")
    updated = serializers.IntegerField(help_text="Rows whose (source, external_id) existed; they now hold the values "
                                                 "sent.")
    unchanged = serializers.IntegerField(help_text="Of the updated rows, those identical to what was stored (not "
                                                   "rewritten; their updated_at stays).")
    rows = serializers.IntegerField(help_text="created + updated: every row of the batch.")


class InteractionSerializer(StrictModelSerializer):
    agent_code = serializers.CharField(source="agent.employee_code", read_only=True)
    scenario_code = serializers.CharField(source="scenario.code", read_only=True, allow_null=True, default=None)
    handle_seconds = serializers.IntegerField(read_only=True, help_text="talk + hold + acw")

    class Meta:
        model = Interaction
        fields = ["id", "agent", "agent_code", "team", "channel", "direction", "scenario", "scenario_code", "source",
                  "external_id", "started_at", "ring_count", "queue_seconds", "answered", "talk_seconds",
                  "hold_seconds", "acw_seconds", "handle_seconds", "first_response_seconds", "resolved",
                  "first_contact_resolved", "csat", "customer_ref", "metadata", "created_at", "updated_at"]
        read_only_fields = fields
        extra_kwargs = {"team": {"help_text": "The agent's team when the interaction was first ingested."}}

    @cached_property
    def _moment(self):
        return datetime_formatter(self.fields["started_at"])

    def to_representation(self, row: Interaction) -> dict:
        # Pages of interactions are read all day: the declared fields' output, built directly (common/representation).
        moment, scenario = self._moment, row.scenario
        return {
            "id": row.pk, "agent": row.agent_id, "agent_code": row.agent.employee_code, "team": row.team_id,
            "channel": row.channel, "direction": row.direction, "scenario": row.scenario_id,
            "scenario_code": None if scenario is None else scenario.code, "source": row.source,
            "external_id": row.external_id, "started_at": moment(row.started_at), "ring_count": row.ring_count,
            "queue_seconds": row.queue_seconds, "answered": row.answered, "talk_seconds": row.talk_seconds,
            "hold_seconds": row.hold_seconds, "acw_seconds": row.acw_seconds, "handle_seconds": row.handle_seconds,
            "first_response_seconds": row.first_response_seconds, "resolved": row.resolved,
            "first_contact_resolved": row.first_contact_resolved, "csat": row.csat, "customer_ref": row.customer_ref,
            "metadata": row.metadata, "created_at": moment(row.created_at), "updated_at": moment(row.updated_at),
        }


class ShiftSerializer(StrictModelSerializer):
    agent_code = serializers.CharField(source="agent.employee_code", read_only=True)

    class Meta:
        model = Shift
        fields = ["id", "agent", "agent_code", "team", "source", "external_id", "date", "scheduled_minutes",
                  "worked_minutes", "logged_in_minutes", "created_at", "updated_at"]
        read_only_fields = fields


class ScenarioSerializer(StrictModelSerializer):
    class Meta:
        model = Scenario
        fields = ["id", "code", "name", "created_at"]
        read_only_fields = ["id", "created_at"]
        extra_kwargs = {"name": {"help_text": (
            "Optional for the built-in codes (inquiry, complaint, tech_support, after_sales, order, refund, "
            "billing): left blank, the built-in label is returned in the response's language.")}}

    def to_representation(self, scenario: Scenario) -> dict:
        data = super().to_representation(scenario)
        data["name"] = scenario_label(scenario)
        return data
