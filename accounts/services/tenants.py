"""Creating a tenant with its first admin: for platform staff (the API) and scripted set-ups (manage.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings as django_settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Invitation, LeaderboardVisibility, Role, Tenant, User
from accounts.services.invitations import invitation_create
from accounts.services.memberships import membership_add
from common import rls
from common.actor import Actor
from common.audit import audit_record, snapshot

LANGUAGES = [code for code, _name in django_settings.LANGUAGES]


def _whole_number(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError
    return value


def _number(value: Any) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise ValueError
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        raise ValueError from None
    if not number.is_finite():
        raise ValueError
    return number


def _language(value: Any) -> str:
    if value not in LANGUAGES:
        raise ValueError
    return value


def _extensions(value: Any) -> list[str]:
    """File extensions, lowercase and without the dot (the model's validators check they are known)."""
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ValueError
    return sorted({item.strip().lower().removeprefix(".") for item in value})


@dataclass(frozen=True)
class Setting:
    """How a setting is read: `parse` returns the clean value or raises ValueError, `refusal` says what it needs."""

    parse: Callable[[Any], Any]
    refusal: Callable[[], str]


WHOLE_NUMBER = Setting(_whole_number, lambda: _("A whole number is required."))
NUMBER = Setting(_number, lambda: _("A number is required."))
EXTENSIONS = Setting(_extensions, lambda: _("A list of file extensions is required."))
def _leaderboard_visibility(value: Any) -> str:
    if value not in LeaderboardVisibility.values:
        raise ValueError
    return value


LEADERBOARD_VISIBILITY = Setting(_leaderboard_visibility, lambda: _("Choose one of %(choices)s.") % {
    "choices": ", ".join(LeaderboardVisibility.values)})
LANGUAGE = Setting(_language, lambda: _("Choose one of the languages %(languages)s.") % {
    "languages": ", ".join(LANGUAGES)})

# The tenant's settings: the columns a tenant may set at creation, and how each value is read (the model's
# validators check the ranges).
SETTINGS: dict[str, Setting] = {
    "appeal_window_days": WHOLE_NUMBER,
    "appeal_sla_days": WHOLE_NUMBER,
    "max_appeals_per_review": WHOLE_NUMBER,
    "qa_pass_mark": NUMBER,
    "invitation_expiry_days": WHOLE_NUMBER,
    "default_language": LANGUAGE,
    "appeal_attachment_max_bytes": WHOLE_NUMBER,
    "appeal_attachment_types": EXTENSIONS,
    "leaderboard_visibility": LEADERBOARD_VISIBILITY,
    "assessment_min_responses": WHOLE_NUMBER,
}
FIELDS = ["slug", "name", "time_zone", "currency", *SETTINGS]
# Who acts in the new tenant's audit trail: a platform staff user (or the system for manage.py), never a member.
PLATFORM_ROLE = "platform"


def tenant_settings(tenant: Tenant) -> dict[str, Any]:
    return {key: getattr(tenant, key) for key in SETTINGS}


def _settings_clean(settings: Any) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ValidationError({"settings": [_("Settings are an object of setting names and values.")]})
    errors, clean = {}, {}
    for key, value in settings.items():
        setting = SETTINGS.get(key)
        if setting is None:
            errors[key] = [_("Unknown setting. Known settings: %(known)s.") % {"known": ", ".join(SETTINGS)}]
            continue
        try:
            clean[key] = setting.parse(value)
        except ValueError:
            errors[key] = [setting.refusal()]
    if errors:
        raise ValidationError({"settings": errors})
    return clean


def _tenant_build(*, slug: str, name: str, time_zone: str, currency: str, settings: dict[str, Any]) -> Tenant:
    tenant = Tenant(slug=slug, name=name, time_zone=time_zone, currency=currency, **_settings_clean(settings))
    try:
        tenant.full_clean()
    except DjangoValidationError as error:
        raise ValidationError({f"settings.{key}" if key in SETTINGS else key: messages
                               for key, messages in error.message_dict.items()}) from None
    return tenant


def _first_admin_check(email: str, password: str | None) -> None:
    errors = {}
    try:
        validate_email(email)
    except DjangoValidationError as error:
        errors["email"] = error.messages
    if not errors and password is not None and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("An account with this email already exists: invite it instead of giving a password.")]
    if password is not None:
        try:
            validate_password(password, user=User(email=email))
        except DjangoValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError({"first_admin": errors})


@transaction.atomic
def tenant_create(
    *,
    created_by: User | None,
    slug: str,
    name: str,
    admin_email: str,
    time_zone: str = "UTC",
    currency: str = "CNY",
    settings: dict[str, Any] | None = None,
    admin_full_name: str = "",
    admin_password: str | None = None,
) -> tuple[Tenant, Invitation | None]:
    """Create a tenant and its first admin; returns the tenant and the admin's invitation.

    The first admin is invited by mail, like everyone else. With `admin_password` (scripted set-ups only)
    the admin's account is created directly instead, and there is no invitation; the email must be new.
    """
    admin_email = admin_email.strip().lower()
    tenant = _tenant_build(slug=slug, name=name, time_zone=time_zone, currency=currency, settings=settings or {})
    _first_admin_check(admin_email, admin_password)
    tenant.save()
    with rls.tenant_scope(tenant.pk):
        return _tenant_populate(tenant, created_by=created_by, admin_email=admin_email,
                                admin_full_name=admin_full_name, admin_password=admin_password)


def _tenant_populate(tenant: Tenant, *, created_by: User | None, admin_email: str, admin_full_name: str,
                     admin_password: str | None) -> tuple[Tenant, Invitation | None]:
    """The new tenant's audit trail and first admin, in the new tenant's scope."""
    actor = Actor(tenant=tenant, role=PLATFORM_ROLE, user=created_by)
    audit_record(actor=actor, action="tenant.created", obj=tenant, after=snapshot(tenant, FIELDS))
    if admin_password is None:
        invitation, _token = invitation_create(actor=actor, email=admin_email, role=Role.ADMIN,
                                               full_name=admin_full_name)
        return tenant, invitation
    user = User.objects.create_user(email=admin_email, password=admin_password, full_name=admin_full_name)
    membership_add(actor=actor, user=user, role=Role.ADMIN)
    return tenant, None
