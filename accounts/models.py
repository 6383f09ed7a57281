"""People, tenants and who may do what in a tenant."""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
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
        raise ValidationError(f"'{value}' is not an IANA time zone.")


class Tenant(models.Model):
    """A customer organisation: its own people, agents, data and settings."""

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=60, unique=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    currency = models.CharField(
        max_length=3, default="CNY", validators=[RegexValidator(r"^[A-Z]{3}$", "An ISO 4217 code such as CNY.")]
    )
    appeal_window_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    appeal_sla_days = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])
    max_appeals_per_review = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1)])
    qa_pass_mark = models.DecimalField(
        max_digits=5, decimal_places=2, default=80, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    default_language = models.CharField(
        max_length=10, default="en", choices=settings.LANGUAGES,
        help_text="Language of messages for people without a preference of their own, and of mail.",
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
        if self.user_id and not Membership.objects.filter(tenant_id=self.tenant_id, user_id=self.user_id).exists():
            raise ValidationError({"user": "The linked user must be a member of this tenant."})


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
