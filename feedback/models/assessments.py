"""360 assessments: versioned templates of rated questions grouped in competencies, campaigns per period with one
request per rater (the agent's supervisors, chosen peers, the agent, customers through one-time links), and the
responses.

Confidentiality is built into the storage: a peer's or a customer's response has no link to its request (so to its
rater) and no time of its own; only the request knows it was answered. Self and supervisor responses keep their
request. Rules live in feedback/services/assessments.py; results (the anonymity threshold) in
feedback/assessment_selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from common.models import TenantOwnedModel, TenantScopedQuerySet
from feedback.models.rubrics import RatingScale


class Competency(models.TextChoices):
    PROFESSIONAL_KNOWLEDGE = "professional_knowledge", _("Professional knowledge")
    COMMUNICATION = "communication", _("Communication skills")
    SERVICE_ATTITUDE = "service_attitude", _("Service attitude")
    TEAMWORK = "teamwork", _("Teamwork")


class RaterKind(models.TextChoices):
    SUPERVISOR = "supervisor", _("Supervisor")
    PEER = "peer", _("Peer")
    SELF = "self", _("Self")
    CUSTOMER = "customer", _("Customer")


ANONYMOUS_KINDS = frozenset({RaterKind.PEER, RaterKind.CUSTOMER})


class CampaignStatus(models.TextChoices):
    OPEN = "open", _("Open (collecting responses)")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled (its results do not count)")


class AssessmentTemplateQuerySet(TenantScopedQuerySet):
    """Admins manage templates; admins, supervisors and QA leads read them."""

    def restrict(self, actor, action: str):
        if actor.user is None:
            return self.none()
        if action == "view" and actor.role in ("admin", "supervisor", "qa_lead"):
            return self
        return self if actor.is_admin else self.none()


class AssessmentTemplate(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="assessmenttemplate_unique_name")]

    def __str__(self) -> str:
        return self.name


class AssessmentTemplateVersion(TenantOwnedModel):
    """A fixed set of questions: versions never change (campaigns keep theirs); a change is a new version."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    template = models.ForeignKey(AssessmentTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "template_id", "number"]
        constraints = [models.UniqueConstraint(fields=["tenant", "template", "number"],
                                               name="assessmentversion_unique_number")]

    def __str__(self) -> str:
        return f"{self.template_id} v{self.number}"


class AssessmentQuestion(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(AssessmentTemplateVersion, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    competency = models.CharField(max_length=32, choices=Competency.choices)
    text = models.CharField(max_length=500)
    scale = models.CharField(max_length=8, choices=RatingScale.choices, default=RatingScale.ONE_TO_FIVE)
    scale_min = models.SmallIntegerField()
    scale_max = models.SmallIntegerField()
    allows_comment = models.BooleanField(default=False)

    objects = AssessmentTemplateQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "version_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "version", "position"], name="assessmentquestion_position"),
            models.CheckConstraint(condition=Q(scale_max__gt=models.F("scale_min")), name="assessmentquestion_scale"),
        ]

    def __str__(self) -> str:
        return self.text


class AssessmentCampaignQuerySet(TenantScopedQuerySet):
    """Admins see and manage every campaign; supervisors and QA leads see them (results only of the agents they may
    see, decided in the selectors); agents see the campaigns they are assessed in."""

    def restrict(self, actor, action: str):
        if actor.user is None:
            return self.none()
        if actor.is_admin:
            return self
        if action != "view":
            return self.none()
        if actor.role in ("supervisor", "qa_lead"):
            return self
        if actor.agent_id is not None:
            return self.filter(requests__agent_id=actor.agent_id).distinct()
        return self.none()


class AssessmentCampaign(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    period = models.ForeignKey("performance.KpiPeriod", on_delete=models.PROTECT, related_name="+")
    template_version = models.ForeignKey(AssessmentTemplateVersion, on_delete=models.PROTECT, related_name="+")
    deadline = models.DateTimeField()
    status = models.CharField(max_length=12, choices=CampaignStatus.choices, default=CampaignStatus.OPEN)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    objects = AssessmentCampaignQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "period"], name="assessmentcampaign_period")]

    def __str__(self) -> str:
        return self.name


class AssessmentRequestQuerySet(TenantScopedQuerySet):
    """Everyone, admins included, sees only the requests addressed to them: who answered which request is nobody
    else's business (campaign progress gives counts per rater group instead). Customer requests have no rater and
    are answered through their link only."""

    def restrict(self, actor, action: str):
        if actor.user is None or action not in ("view", "answer"):
            return self.none()
        return self.filter(rater_id=actor.user.pk)


class AssessmentRequest(TenantOwnedModel):
    """One rater asked to assess one agent in one campaign; customers get a one-time link (only its SHA-256 is
    stored) with an expiry."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(AssessmentCampaign, on_delete=models.CASCADE, related_name="requests")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    rater_kind = models.CharField(max_length=12, choices=RaterKind.choices)
    rater = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="+")
    hashed_token = models.CharField(max_length=64, null=True, blank=True, unique=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    answered = models.BooleanField(default=False)
    reminded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssessmentRequestQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "campaign_id", "agent_id", "rater_kind", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "campaign", "agent", "rater_kind", "rater"],
                                    condition=Q(rater__isnull=False), name="assessmentrequest_unique_rater"),
            models.CheckConstraint(condition=Q(rater_kind="customer", rater__isnull=True, hashed_token__isnull=False)
                                   | (~Q(rater_kind="customer") & Q(rater__isnull=False, hashed_token__isnull=True)),
                                   name="assessmentrequest_rater_or_link"),
        ]
        indexes = [models.Index(fields=["tenant", "rater", "answered"], name="assessmentrequest_rater")]

    def __str__(self) -> str:
        return f"assessment request {self.pk}"


class AssessmentResponse(TenantOwnedModel):
    """A submitted assessment. `request` is set only for self and supervisor responses: peer and customer
    responses cannot be traced to their rater."""

    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    campaign = models.ForeignKey(AssessmentCampaign, on_delete=models.CASCADE, related_name="responses")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    rater_kind = models.CharField(max_length=12, choices=RaterKind.choices)
    request = models.OneToOneField(AssessmentRequest, on_delete=models.CASCADE, null=True, blank=True,
                                   related_name="response")

    class Meta:
        ordering = ["tenant_id", "campaign_id", "agent_id", "rater_kind", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(rater_kind__in=["peer", "customer"], request__isnull=True)
                                   | Q(rater_kind__in=["supervisor", "self"], request__isnull=False),
                                   name="assessmentresponse_anonymous_kinds"),
        ]
        indexes = [models.Index(fields=["tenant", "campaign", "agent", "rater_kind"], name="assessmentresponse_agent")]

    def __str__(self) -> str:
        return f"assessment response {self.pk}"


class AssessmentAnswer(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    response = models.ForeignKey(AssessmentResponse, on_delete=models.CASCADE, related_name="answers")
    question = models.ForeignKey(AssessmentQuestion, on_delete=models.PROTECT, related_name="+")
    rating = models.SmallIntegerField()
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["tenant_id", "response_id", "question_id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "response", "question"],
                                               name="assessmentanswer_unique_question")]

    def __str__(self) -> str:
        return f"answer {self.pk}"
