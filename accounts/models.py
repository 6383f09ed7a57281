"""People, tenants and who may do what in a tenant."""

from __future__ import annotations

import re
import zoneinfo

import pycountry
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.managers import UserObjectPermissionManager
from guardian.models import UserObjectPermissionBase

from accounts.querysets import AgentQuerySet, MembershipQuerySet, TeamQuerySet
from common.models import TenantOwnedModel, TenantScopedQuerySet


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; logs in with their email. Roles live on Membership, per tenant."""

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)
    language = models.CharField(
        max_length=10, blank=True, choices=settings.LANGUAGES,
        help_text="Preferred language of the API's messages; blank: the tenant's default.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.email


def validate_time_zone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("'%(value)s' is not an IANA time zone such as Asia/Shanghai."), params={"value": value})


def validate_currency(value: str) -> None:
    if pycountry.currencies.get(alpha_3=value) is None:
        raise ValidationError(_("'%(value)s' is not an ISO 4217 currency code such as CNY."), params={"value": value})


# Slugs that would read as part of the API or the platform rather than a customer's name.
RESERVED_SLUGS = frozenset({"admin", "api", "app", "auth", "docs", "invitations", "jixiao", "me", "new", "platform",
                            "root", "schema", "static", "support", "system", "tenants", "www"})


def validate_tenant_slug(value: str) -> None:
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", value):
        raise ValidationError(_("A slug is lowercase letters, digits and single hyphens, e.g. acme-support."))
    if value in RESERVED_SLUGS:
        raise ValidationError(_("'%(value)s' is reserved; choose another slug."), params={"value": value})


# Which files agents may attach to appeals unless the tenant says otherwise (extensions; attachments.py maps them
# to the media type they are served with).
DEFAULT_ATTACHMENT_TYPES = ["pdf", "png", "jpg", "jpeg", "txt", "csv", "mp3", "wav"]
ATTACHMENT_TYPES_KNOWN = frozenset(DEFAULT_ATTACHMENT_TYPES + ["gif", "webp", "m4a", "ogg", "docx", "xlsx"])


def default_attachment_types() -> list[str]:
    return list(DEFAULT_ATTACHMENT_TYPES)


def validate_file_extension(value: str) -> None:
    if value not in ATTACHMENT_TYPES_KNOWN:
        raise ValidationError(_("'%(value)s' is not a file type attachments may have. Known types: %(known)s."),
                              params={"value": value, "known": ", ".join(sorted(ATTACHMENT_TYPES_KNOWN))})


def validate_attachment_types(value: list[str]) -> None:
    if not value:
        raise ValidationError(_("Allow at least one file type."))


class LeaderboardVisibility(models.TextChoices):
    NAMES = "names", _("Everyone's names")
    OWN_POSITION = "own_position", _("Own position, neighbours anonymized")


class Tenant(models.Model):
    """A customer organisation: its own people, agents, data and settings."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True, validators=[validate_tenant_slug],
                            error_messages={"unique": _("A tenant with this slug already exists.")})
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(
        max_length=3, default="CNY",
        validators=[RegexValidator(r"^[A-Z]{3}$", _("An ISO 4217 code such as CNY.")), validate_currency],
    )
    appeal_window_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    appeal_sla_days = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])
    max_appeals_per_review = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    appeal_attachment_max_bytes = models.PositiveIntegerField(
        default=10 * 2**20, validators=[MinValueValidator(1024), MaxValueValidator(50 * 2**20)],
        help_text="Largest file an appeal may have attached (1 KiB to 50 MiB).",
    )
    appeal_attachment_types = ArrayField(
        models.CharField(max_length=16, validators=[validate_file_extension]), default=default_attachment_types,
        validators=[validate_attachment_types], help_text="File extensions an appeal attachment may have.",
    )
    qa_pass_mark = models.DecimalField(
        max_digits=5, decimal_places=2, default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    default_language = models.CharField(
        max_length=10, default="en", choices=settings.LANGUAGES,
        help_text="Language of messages for people without a preference of their own, and of mail.",
    )
    invitation_expiry_days = models.PositiveSmallIntegerField(
        default=7, validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text="Days an invitation link stays valid after it is sent.",
    )
    leaderboard_visibility = models.CharField(
        max_length=16, choices=LeaderboardVisibility.choices, default=LeaderboardVisibility.NAMES,
        help_text="What agents see on leaderboards: everyone's names, or only their own position.",
    )
    assessment_min_responses = models.PositiveSmallIntegerField(
        default=3, validators=[MinValueValidator(2), MaxValueValidator(50)],
        help_text="Peer and customer assessment answers are shown (and scored) only from this many responses on.",
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    SUPERVISOR = "supervisor", _("Supervisor")
    QA_LEAD = "qa_lead", _("QA lead")
    QA_INSPECTOR = "qa_inspector", _("QA inspector")
    AGENT = "agent", _("Agent")


class Membership(TenantOwnedModel):
    """A user's role in one tenant. A user may belong to several tenants."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "user"], name="membership_unique_tenant_user")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant} ({self.role})"


class Team(TenantOwnedModel):
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TeamQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "name", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "name"], name="team_unique_tenant_name")]
        permissions = [
            ("manage_team", "Manage the team: its agents, interactions and appeals"),
            ("review_team", "Score the team's interactions (QA)"),
        ]

    def __str__(self) -> str:
        return self.name


class GrantPermission(models.TextChoices):
    """The object-level grants an admin gives on a team, and the guardian codenames behind them."""

    VIEW = "view", _("View")
    MANAGE = "manage", _("Manage")
    REVIEW = "review", _("Review")

    @property
    def codename(self) -> str:
        return f"{self.value}_team"


class TeamGrant(UserObjectPermissionBase):
    """A guardian object permission on a Team, with a direct foreign key (no generic object_pk)."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")
    content_object = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="grants")
    granted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    # guardian needs its manager (is_generic & co.); the tenant scoping comes from the queryset.
    objects = UserObjectPermissionManager.from_queryset(TenantScopedQuerySet)()

    class Meta(UserObjectPermissionBase.Meta):
        ordering = ["tenant_id", "id"]
        indexes = [models.Index(fields=["tenant", "user"], name="teamgrant_tenant_user")]

    def save(self, *args, **kwargs):
        # guardian's assign_perm and admin do not know about the tenant column; it follows the team.
        if not self.tenant_id:
            self.tenant_id = self.content_object.tenant_id
        super().save(*args, **kwargs)

    @property
    def grant(self) -> str:
        return self.permission.codename.removesuffix("_team")


class Agent(TenantOwnedModel):
    """A person who handles customer contacts; may be linked to a User to see their own results."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="agents")
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="agents", null=True, blank=True)
    employee_code = models.CharField(max_length=64)
    display_name = models.CharField(max_length=200)
    user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="agent_profiles")
    is_active = models.BooleanField(default=True)
    hired_on = models.DateField(null=True, blank=True)
    base_amount = models.DecimalField(
        max_digits=14, decimal_places=4, null=True, blank=True, validators=[MinValueValidator(0)],
        help_text="The amount percent-of-base rewards are computed from, in the tenant's currency.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = AgentQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "employee_code", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "employee_code"], name="agent_unique_tenant_code"),
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=Q(user__isnull=False), name="agent_unique_tenant_user"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "team"], name="agent_tenant_team")]

    def __str__(self) -> str:
        return f"{self.employee_code} {self.display_name}"

    def clean(self) -> None:
        if self.user_id and agent_logins_refused(self.tenant_id, [self.user_id]):
            raise ValidationError({"user": AGENT_LOGIN_RULE})


AGENT_LOGIN_RULE = _("An agent record can only be linked to an active member of this tenant with the agent role.")


def agent_logins_refused(tenant_id: int, user_ids: list[int]) -> set[int]:
    """The users among `user_ids` an agent record of the tenant may not be linked to (one query).

    Only a login whose role here is agent: linking a supervisor's or admin's login would let them see
    themselves as an agent and keep inspectors from reviewing that agent.
    """
    allowed = Membership.objects.active().filter(tenant_id=tenant_id, role=Role.AGENT, user_id__in=user_ids)
    return set(user_ids) - set(allowed.values_list("user_id", flat=True))


class APIKey(TenantOwnedModel):
    """An integration's credential. Only a SHA-256 of the secret is stored; the key is shown once."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=16, unique=True)
    hashed_secret = models.CharField(max_length=64)
    created_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class AuditEvent(TenantOwnedModel):
    """One change that matters, who made it and what it changed. Never edited."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="audit_events")
    actor_user = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    actor_api_key = models.ForeignKey(APIKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)
    changes = models.JSONField(default=dict, blank=True, help_text='{"before": {...}, "after": {...}}')
    request_id = models.CharField(max_length=64, blank=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["tenant_id", "-at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "-at", "-id"], name="audit_tenant_at"),
            models.Index(fields=["tenant", "object_type", "object_id"], name="audit_tenant_object"),
        ]


class InvitationStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    ACCEPTED = "accepted", _("Accepted")
    REVOKED = "revoked", _("Revoked")
    EXPIRED = "expired", _("Expired")


class InvitationQuerySet(TenantScopedQuerySet):
    """Expiry is a matter of time: a pending row past `expires_at` reads as expired without being rewritten."""

    def with_status(self, status: str) -> InvitationQuerySet:
        now = timezone.now()
        if status == InvitationStatus.PENDING:
            return self.filter(status=status, expires_at__gt=now)
        if status == InvitationStatus.EXPIRED:
            return self.filter(Q(status=status) | Q(status=InvitationStatus.PENDING, expires_at__lte=now))
        return self.filter(status=status)


class Invitation(TenantOwnedModel):
    """An offer to join a tenant with a role, sent by mail. Only a SHA-256 of the link's token is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    full_name = models.CharField(max_length=200, blank=True, help_text="Suggested name for a new account.")
    hashed_token = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=InvitationStatus.choices, default=InvitationStatus.PENDING)
    expires_at = models.DateTimeField()
    sent_at = models.DateTimeField()
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "email"], condition=Q(status="pending"),
                                    name="invitation_one_pending_per_email"),
        ]
        indexes = [models.Index(fields=["tenant", "status", "email"], name="invitation_tenant_status")]

    def __str__(self) -> str:
        return f"{self.email} -> {self.tenant} ({self.role})"

    @property
    def current_status(self) -> str:
        if self.status == InvitationStatus.PENDING and self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        return self.status
