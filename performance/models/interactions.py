"""What agents did: customer contacts (interactions) and shifts worked."""

from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel
from performance.querysets import InteractionQuerySet, ScenarioQuerySet, ShiftQuerySet


class Channel(models.TextChoices):
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    TICKET = "ticket", _("Ticket")
    SOCIAL = "social", _("Social media")
    SMS = "sms", _("SMS")


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class Scenario(TenantOwnedModel):
    """A tenant-defined kind of contact (inquiry, complaint, tech_support, ...)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="scenarios")
    code = models.CharField(max_length=40,
                            validators=[RegexValidator(r"^[a-z][a-z0-9_]*$", _("Use snake_case."))])
    name = models.CharField(max_length=120, blank=True,
                            help_text="Blank for a built-in code: its label is shown in the reader's language.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScenarioQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="scenario_unique_tenant_code")]

    def __str__(self) -> str:
        return self.code


class Interaction(TenantOwnedModel):
    """One customer contact routed to an agent, answered or not. (source, external_id) identifies it
    in the sending system, so re-sending the same record updates it."""

    # The largest table: every index costs ingestion speed, so foreign keys get no single-column index of their
    # own. Reads always filter by tenant first and use the composite indexes below; the rare delete of an agent,
    # team or scenario may scan.
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="interactions",
                               db_index=False)
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="interactions", db_index=False)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="interactions",
        help_text="The agent's team when the interaction was ingested.", db_index=False,
    )
    channel = models.CharField(max_length=16, choices=Channel.choices)
    # db_default too: bulk loaders that COPY straight into the table (bench, connectors) may leave it out.
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.INBOUND,
                                 db_default=Direction.INBOUND, help_text=(
                                     "inbound (the customer contacted the agent) or outbound (the agent called "
                                     "the customer)."))
    scenario = models.ForeignKey(Scenario, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
                                 db_index=False)
    source = models.CharField(max_length=64, default="api")
    external_id = models.CharField(max_length=128)
    started_at = models.DateTimeField()
    ring_count = models.PositiveIntegerField(default=0)
    queue_seconds = models.PositiveIntegerField(default=0)
    answered = models.BooleanField(default=True)
    talk_seconds = models.PositiveIntegerField(default=0)
    hold_seconds = models.PositiveIntegerField(default=0)
    acw_seconds = models.PositiveIntegerField(default=0)
    first_response_seconds = models.PositiveIntegerField(null=True, blank=True)
    resolved = models.BooleanField(default=False)
    first_contact_resolved = models.BooleanField(default=False)
    csat = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    customer_ref = models.CharField(max_length=128, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "source", "external_id"], name="interaction_unique_source_id"),
            models.CheckConstraint(condition=Q(csat__isnull=True) | Q(csat__gte=1, csat__lte=5),
                                   name="interaction_csat_1_5"),
        ]
        indexes = [
            models.Index(fields=["tenant", "started_at"], name="interaction_tenant_started"),
            models.Index(fields=["tenant", "agent", "started_at"], name="interaction_tenant_agent"),
            models.Index(fields=["tenant", "team", "started_at"], name="interaction_tenant_team"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.external_id}"

    @property
    def handle_seconds(self) -> int:
        return self.talk_seconds + self.hold_seconds + self.acw_seconds


class Shift(TenantOwnedModel):
    """One agent's scheduled and worked time on one day (the tenant's local date)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="shifts")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="shifts")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    source = models.CharField(max_length=64, default="api")
    external_id = models.CharField(max_length=128)
    date = models.DateField()
    scheduled_minutes = models.PositiveIntegerField(default=0)
    worked_minutes = models.PositiveIntegerField(default=0)
    logged_in_minutes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ShiftQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "source", "external_id"], name="shift_unique_source_id"),
        ]
        indexes = [models.Index(fields=["tenant", "agent", "date"], name="shift_tenant_agent_date")]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.date}"
