"""Help-desk connections (Zendesk, Freshdesk): what to pull, how to map it, and the record of every sync run.

A connection's credentials are stored encrypted (common.crypto); only a masked hint is ever shown. Tickets become
interactions through the ingestion service (performance/services/connectors/). Tickets of remote agents not yet
mapped to a jixiao agent wait as `PendingRemoteTicket` rows and are ingested once the agent is mapped.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from performance.models.interactions import Channel


class ConnectionKind(models.TextChoices):
    ZENDESK = "zendesk", _("Zendesk")
    FRESHDESK = "freshdesk", _("Freshdesk")


class ConnectionStatus(models.TextChoices):
    NEW = "new", _("Not synced yet")
    OK = "ok", _("Synced")
    FAILING = "failing", _("Last run failed")
    NEEDS_ATTENTION = "needs_attention", _("Needs attention")


class Connection(TenantOwnedModel):
    """One help-desk account of the tenant that jixiao pulls tickets from, every `schedule_minutes`."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="connections")
    kind = models.CharField(max_length=16, choices=ConnectionKind.choices)
    account = models.CharField(max_length=253, help_text="Zendesk subdomain or Freshdesk domain.")
    name = models.CharField(max_length=120, blank=True)
    credentials_encrypted = models.TextField(help_text="Fernet token of the credentials' JSON (common.crypto).")
    credentials_hint = models.CharField(max_length=200, blank=True)
    schedule_minutes = models.PositiveIntegerField(default=15, validators=[MinValueValidator(5),
                                                                           MaxValueValidator(24 * 60)])
    start_date = models.DateField(help_text="The first sync reads tickets changed since this day (tenant time).")
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=ConnectionStatus.choices, default=ConnectionStatus.NEW)
    last_error = models.TextField(blank=True)
    cursor = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder,
                              help_text="Where the next run resumes (the adapter's opaque state).")
    csat_mapping = models.JSONField(default=dict, blank=True,
                                    help_text="Remote satisfaction value -> 1..5; missing values use the defaults.")
    next_run_at = models.DateTimeField(null=True, blank=True)
    last_synced_at = models.DateTimeField(null=True, blank=True)
    lock_until = models.DateTimeField(null=True, blank=True,
                                      help_text="A run owns the connection until then (renewed page by page).")
    running_run = models.ForeignKey("ConnectionRun", on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "kind", "account", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "account"], name="connection_unique_account"),
            models.CheckConstraint(condition=Q(schedule_minutes__gte=5, schedule_minutes__lte=24 * 60),
                                   name="connection_schedule_range"),
        ]
        indexes = [models.Index(fields=["enabled", "next_run_at"], name="connection_due")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.account}"

    @property
    def source(self) -> str:
        """The interactions' `source`: (source, external id) is their upsert key."""
        return f"{self.kind}:{self.account}"[:64]


class ConnectionAgent(TenantOwnedModel):
    """A remote agent seen in tickets (or listed by the remote), mapped to a jixiao agent or not yet."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="remote_agents")
    remote_id = models.CharField(max_length=64)
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=200, blank=True)
    agent = models.ForeignKey("accounts.Agent", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    first_seen_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["tenant_id", "connection_id", "remote_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "connection", "remote_id"],
                                               name="connection_agent_unique_remote")]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.remote_id}"


class ConnectionChannel(TenantOwnedModel):
    """Remote channel (`via`/source) value -> jixiao channel; values not listed use the built-in defaults."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="channel_mappings")
    remote_value = models.CharField(max_length=64)
    channel = models.CharField(max_length=16, choices=Channel.choices)

    class Meta:
        ordering = ["tenant_id", "connection_id", "remote_value"]
        constraints = [models.UniqueConstraint(fields=["tenant", "connection", "remote_value"],
                                               name="connection_channel_unique_value")]

    def __str__(self) -> str:
        return f"{self.remote_value} -> {self.channel}"


class ScenarioMatch(models.TextChoices):
    TYPE = "type", _("Ticket type")
    GROUP = "group", _("Group")
    TAG = "tag", _("Tag")


class ConnectionScenario(TenantOwnedModel):
    """Ticket type, group or tag -> scenario. A ticket takes the first match by (position, id)."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="scenario_mappings")
    match = models.CharField(max_length=8, choices=ScenarioMatch.choices)
    remote_value = models.CharField(max_length=128)
    scenario = models.ForeignKey("performance.Scenario", on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tenant_id", "connection_id", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "connection", "match", "remote_value"],
                                               name="connection_scenario_unique_value")]

    def __str__(self) -> str:
        return f"{self.match}={self.remote_value} -> {self.scenario_id}"


class PendingRemoteTicket(TenantOwnedModel):
    """A ticket whose remote agent is not mapped yet: its derived row waits here and is ingested once mapped."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="pending_tickets")
    external_id = models.CharField(max_length=128)
    remote_agent_id = models.CharField(max_length=64)
    row = models.JSONField(encoder=DjangoJSONEncoder, help_text="The interaction row, without its agent.")
    remote_updated_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "connection_id", "external_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "connection", "external_id"],
                                               name="pending_ticket_unique_id")]
        indexes = [models.Index(fields=["tenant", "connection", "remote_agent_id"], name="pending_ticket_agent")]

    def __str__(self) -> str:
        return f"{self.connection_id}:{self.external_id}"


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped (another run was in progress)")


class RunTrigger(models.TextChoices):
    SCHEDULE = "schedule", _("Schedule")
    MANUAL = "manual", _("On demand")
    MAPPING = "mapping", _("Agent mapped")


class ConnectionRun(TenantOwnedModel):
    """One sync of a connection: what it read and wrote, how long it took, where it stopped."""

    connection = models.ForeignKey(Connection, on_delete=models.CASCADE, related_name="runs")
    trigger = models.CharField(max_length=16, choices=RunTrigger.choices, default=RunTrigger.SCHEDULE)
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    pages = models.PositiveIntegerField(default=0)
    tickets_read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    pending = models.PositiveIntegerField(default=0, help_text="Tickets waiting for their agent to be mapped.")
    released = models.PositiveIntegerField(default=0, help_text="Waiting tickets ingested now their agent is mapped.")
    deleted = models.PositiveIntegerField(default=0)
    unassigned = models.PositiveIntegerField(default=0)
    fetch_ms = models.PositiveIntegerField(default=0, help_text="Time spent waiting for the remote.")
    write_ms = models.PositiveIntegerField(default=0, help_text="Time spent writing interactions.")
    error = models.TextField(blank=True)
    cursor_start = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    cursor_reached = models.JSONField(null=True, blank=True, encoder=DjangoJSONEncoder)
    queued_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "-queued_at", "-id"]
        indexes = [models.Index(fields=["tenant", "connection", "-queued_at", "-id"], name="connection_run_newest")]

    def __str__(self) -> str:
        return f"{self.connection_id} run {self.pk} ({self.status})"


class ConnectionTicketFailure(TenantOwnedModel):
    """A ticket that failed validation in a run: recorded with its errors, the run went on."""

    run = models.ForeignKey(ConnectionRun, on_delete=models.CASCADE, related_name="failures")
    external_id = models.CharField(max_length=128)
    errors = models.JSONField(encoder=DjangoJSONEncoder)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["tenant_id", "run_id", "id"]

    def __str__(self) -> str:
        return f"{self.run_id}:{self.external_id}"
