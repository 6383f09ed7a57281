"""How performance is scored: schemes and their versions, KPI periods, computation jobs and the results.

Results are append-only: every computation that changed its inputs writes a new ScoreRevision of the period;
a period points at its current (latest complete) revision, and older revisions stay readable.
References into results use RESTRICT rather than PROTECT: a score keeps its agent, revision's job and scheme
version from being deleted on their own (409), yet deleting a whole period or tenant cascades through everything.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from accounts.querysets import TENANT_WIDE, in_granted_teams
from common.models import TenantOwnedModel, TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor


class RoleReadableQuerySet(TenantScopedQuerySet):
    """Admins see and change everything; `view_roles` may read."""

    view_roles: frozenset[str] = frozenset()

    def restrict(self, actor: Actor, action: str):
        if actor.is_admin or (action == "view" and actor.role in self.view_roles):
            return self
        return self.none()


class SchemeQuerySet(RoleReadableQuerySet):
    view_roles = frozenset({"qa_lead", "supervisor"})


class PeriodQuerySet(RoleReadableQuerySet):
    view_roles = frozenset({"qa_lead", "supervisor", "qa_inspector", "agent"})


class JobQuerySet(RoleReadableQuerySet):
    view_roles = frozenset({"qa_lead", "supervisor"})


class AgentResultQuerySet(TenantScopedQuerySet):
    """Per-agent results: admins and QA leads see all; supervisors the agents of teams granted to them
    (by the agent's current team); agents their own; nobody else anything. Only admins change them."""

    def restrict(self, actor: Actor, action: str):
        if action != "view":
            return self if actor.is_admin else self.none()
        if (actor.role, action) in TENANT_WIDE:
            return self
        if actor.role == "agent":
            return self.filter(agent_id=actor.agent_id) if actor.agent_id else self.none()
        if actor.role == "supervisor":
            condition = in_granted_teams(actor, action, "agent__team_id")
            return self.none() if condition is None else self.filter(condition)
        return self.none()


class MissingDataPolicy(models.TextChoices):
    REDISTRIBUTE = "redistribute", _("Redistribute the weight over the other KPIs")
    ZERO = "zero", _("Score the KPI 0")


class ScoringScheme(TenantOwnedModel):
    """A named performance formula; what it scores and how lives in its versions."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="scoring_schemes")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="scheme_unique_tenant_name")]

    def __str__(self) -> str:
        return self.name


class SchemeVersion(TenantOwnedModel):
    """One version of a scheme: effective on [effective_from, effective_to), for some teams (none = every agent)
    and optionally one scenario, with weighted KPIs. Locked (read-only) once a computed period used it."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    scheme = models.ForeignKey(ScoringScheme, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    effective_from = models.DateField()
    effective_to = models.DateField(null=True, blank=True, help_text="Exclusive; empty = open-ended.")
    scenario = models.ForeignKey("performance.Scenario", on_delete=models.RESTRICT, null=True, blank=True,
                                 related_name="+")
    teams = models.ManyToManyField("accounts.Team", through="SchemeVersionTeam", related_name="+", blank=True)
    missing_data_policy = models.CharField(max_length=16, choices=MissingDataPolicy.choices,
                                           default=MissingDataPolicy.REDISTRIBUTE)
    note = models.TextField(blank=True)
    locked_at = models.DateTimeField(null=True, blank=True, help_text="When a computed period first used it.")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SchemeQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "scheme_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "scheme", "number"], name="schemeversion_unique_number"),
            models.CheckConstraint(condition=Q(effective_to__isnull=True) | Q(effective_to__gt=F("effective_from")),
                                   name="schemeversion_range_valid"),
        ]
        indexes = [models.Index(fields=["tenant", "effective_from"], name="schemeversion_tenant_from")]

    def __str__(self) -> str:
        return f"{self.scheme_id} v{self.number}"

    @property
    def is_locked(self) -> bool:
        return self.locked_at is not None


class SchemeVersionTeam(models.Model):
    """A team a scheme version applies to (an explicit through table, so it carries the tenant)."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="team_links")
    team = models.ForeignKey("accounts.Team", on_delete=models.RESTRICT, related_name="+")

    class Meta:
        ordering = ["tenant_id", "version_id", "team_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "team"], name="schemeversionteam_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.version_id} -> team {self.team_id}"


class SchemeKpi(models.Model):
    """One weighted KPI of a version: floor scores 0 points, target 100, linear in between, clamped."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(SchemeVersion, on_delete=models.CASCADE, related_name="kpis")
    position = models.PositiveSmallIntegerField(default=0)
    kpi_code = models.CharField(max_length=32, help_text="A built-in KPI's code or one of the tenant's own.")
    weight = models.DecimalField(max_digits=7, decimal_places=2, validators=[MinValueValidator(0.01)])
    floor = models.DecimalField(max_digits=14, decimal_places=4)
    target = models.DecimalField(max_digits=14, decimal_places=4)
    min_sample = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["tenant_id", "version_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "kpi_code"], name="schemekpi_unique_code"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="schemekpi_weight_positive"),
            models.CheckConstraint(condition=~Q(floor=F("target")), name="schemekpi_floor_not_target"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi_code} × {self.weight}"


class PeriodKind(models.TextChoices):
    MONTHLY = "monthly", _("Monthly")
    QUARTERLY = "quarterly", _("Quarterly")
    CUSTOM = "custom", _("Custom range")


class PeriodStatus(models.TextChoices):
    OPEN = "open", _("Open")
    COMPUTING = "computing", _("Computing")
    COMPUTED = "computed", _("Computed")
    IN_REVIEW = "in_review", _("In review")
    CLOSED = "closed", _("Closed")


class KpiPeriod(TenantOwnedModel):
    """A scoring period [start, end) in the tenant's time zone: interactions by started_at from start 00:00 to
    end 00:00 local time, shifts by date."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="kpi_periods")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=16, choices=PeriodKind.choices)
    start = models.DateField()
    end = models.DateField(help_text="Exclusive.")
    status = models.CharField(max_length=16, choices=PeriodStatus.choices, default=PeriodStatus.OPEN)
    current_revision = models.ForeignKey("performance.ScoreRevision", on_delete=models.RESTRICT, null=True,
                                         blank=True, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    recompute_pending = models.BooleanField(default=False, help_text=(
        "Its inputs changed while a computation was queued or running (e.g. an appeal's decision): when that "
        "computation finishes, another one is queued, which reads them."))
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="+")

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "kind", "start", "end"], name="kpiperiod_unique_range"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="kpiperiod_range_valid"),
        ]
        indexes = [models.Index(fields=["tenant", "start"], name="kpiperiod_tenant_start")]

    def __str__(self) -> str:
        return self.name


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class ComputationJob(TenantOwnedModel):
    """One asynchronous computation of a period's scores. At most one is queued or running per period."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(KpiPeriod, on_delete=models.CASCADE, related_name="jobs")
    status = models.CharField(max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED)
    previous_period_status = models.CharField(max_length=16, choices=PeriodStatus.choices,
                                              help_text="The period's status to return to if the job fails.")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+")
    progress = models.PositiveSmallIntegerField(default=0, validators=[MaxValueValidator(100)])
    attempts = models.PositiveSmallIntegerField(default=0)
    requeues = models.PositiveSmallIntegerField(default=0, help_text=(
        "How many times its task was sent again because the job stalled (lost message or dead run)."))
    requeued_at = models.DateTimeField(null=True, blank=True, help_text="When its task was last sent again.")
    counts = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    errors = models.JSONField(default=list, blank=True)
    revision = models.ForeignKey("performance.ScoreRevision", on_delete=models.SET_NULL, null=True, blank=True,
                                 related_name="+", help_text="The revision this job wrote (none if unchanged).")
    rerun_requested = models.BooleanField(default=False, help_text=(
        "Inputs changed while it was queued or running (e.g. an appeal's decision), so another computation of the "
        "period was queued when it finished (rerun_job)."))
    rerun_job = models.ForeignKey("self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  help_text="The computation queued after this one because its inputs changed.")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period"], condition=Q(status__in=["queued", "running"]),
                                    name="computationjob_one_active_per_period"),
        ]
        indexes = [models.Index(fields=["tenant", "period", "-created_at"], name="computationjob_tenant_period")]


class ScoreRevision(TenantOwnedModel):
    """One complete set of a period's results. Rows of an incomplete revision are never served."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(KpiPeriod, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    job = models.ForeignKey(ComputationJob, on_delete=models.RESTRICT, related_name="+")
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the scheme versions and raw inputs used.")
    is_complete = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    objects = PeriodQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "period_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period", "number"], name="scorerevision_unique_number"),
        ]


class AgentPeriodScore(TenantOwnedModel):
    """An agent's overall result in one revision of a period: the handled-weighted mean of their per-scheme totals,
    ranked across the tenant. Unscored agents have no total and say why."""

    # A computation writes thousands of these rows at once, so they carry no index or constraint that adds
    # nothing. tenant, period and job are copies of the revision's, kept for tenant-leading indexes and filters:
    # the rows live and die with their revision, which the database links with a real foreign key.
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                               db_constraint=False)
    period = models.ForeignKey(KpiPeriod, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                               db_constraint=False)
    revision = models.ForeignKey(ScoreRevision, on_delete=models.CASCADE, related_name="scores")
    job = models.ForeignKey(ComputationJob, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                            db_constraint=False)
    agent = models.ForeignKey("accounts.Agent", on_delete=models.RESTRICT, related_name="+")
    team = models.ForeignKey("accounts.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             help_text="The agent's team when computed.")
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    percentile = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    handled = models.PositiveIntegerField(default=0)
    unscored_reason = models.CharField(max_length=200, blank=True)

    objects = AgentResultQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "revision_id", F("rank").asc(nulls_last=True), "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "revision", "agent"], name="agentperiodscore_unique_agent"),
        ]
        indexes = [
            models.Index(fields=["tenant", "revision", "rank"], name="agentperiodscore_rank"),
            models.Index(fields=["tenant", "agent", "period"], name="agentperiodscore_agent"),
        ]


class AgentSchemeScore(TenantOwnedModel):
    """An agent's result under one scheme version, ranked within that version's population.

    `kpis` is the full breakdown, one entry per KPI of the version in its order: the KPI's settings as used, raw
    value, sample size, status (scored / insufficient), points, weight used and weighted contribution. A JSON list
    rather than a child table: it is written once, never updated, always read whole with its score, and keeps a
    computation to one row per agent and scheme.
    """

    # tenant, revision and agent are copies of the overall row's, with which these rows live and die (see
    # AgentPeriodScore); the database links them to it and to the scheme version.
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                               db_constraint=False)
    overall = models.ForeignKey(AgentPeriodScore, on_delete=models.CASCADE, related_name="scheme_scores")
    revision = models.ForeignKey(ScoreRevision, on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                                 db_constraint=False)
    agent = models.ForeignKey("accounts.Agent", on_delete=models.DO_NOTHING, related_name="+", db_index=False,
                              db_constraint=False)
    scheme_version = models.ForeignKey(SchemeVersion, on_delete=models.RESTRICT, related_name="+")
    total = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField(null=True, blank=True)
    percentile = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    handled = models.PositiveIntegerField(default=0)
    unscored_reason = models.CharField(max_length=200, blank=True)
    kpis = models.JSONField(default=list)

    objects = AgentResultQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "overall_id", "scheme_version_id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "revision", "agent", "scheme_version"],
                                    name="agentschemescore_unique"),
        ]


class ScoreAdjustment(TenantOwnedModel):
    """A correction to a period's score, with its reason: manual ones on closed periods, and accepted KPI appeals
    while the period is not closed (those follow the period's current revision). Results themselves never change."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    period = models.ForeignKey(KpiPeriod, on_delete=models.CASCADE, related_name="adjustments")
    score = models.ForeignKey(AgentPeriodScore, on_delete=models.RESTRICT, related_name="adjustments")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.RESTRICT, related_name="+")
    points = models.DecimalField(max_digits=6, decimal_places=2,
                                 validators=[MinValueValidator(-100), MaxValueValidator(100)])
    reason = models.TextField()
    appeal = models.ForeignKey(
        "feedback.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="adjustments",
        help_text="The accepted appeal this adjustment applies (null: a manual correction of a closed period).",
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AgentResultQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "period_id", "created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(points=0), name="scoreadjustment_points_nonzero")]
        indexes = [models.Index(fields=["tenant", "period", "agent"], name="scoreadjustment_period_agent")]
