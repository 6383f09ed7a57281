"""Creating a tenant with its first admin: for platform staff (the API) and scripted set-ups (manage.py)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Invitation, Role, Tenant, User
from accounts.services.invitations import invitation_create
from accounts.services.memberships import membership_add
from common.actor import Actor
from common.audit import audit_record, snapshot

# The tenant's settings: the columns a tenant may set at creation, and the type each value must have.
SETTINGS: dict[str, type] = {
    "appeal_window_days": int,
    "appeal_sla_days": int,
    "max_appeals_per_review": int,
    "qa_pass_mark": Decimal,
    "invitation_expiry_days": int,
    "appeal_attachment_max_bytes": int,
    "appeal_attachment_types": list,
}
FIELDS = ["slug", "name", "time_zone", "currency", *SETTINGS]
# Who acts in the new tenant's audit trail: a platform staff user (or the system for manage.py), never a member.
PLATFORM_ROLE = "platform"


def tenant_settings(tenant: Tenant) -> dict[str, Any]:
    return {key: getattr(tenant, key) for key in SETTINGS}


def _setting_value(kind: type, value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError
    if kind is list:  # of file extensions: lowercase, without the dot
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError
        return sorted({item.strip().lower().removeprefix(".") for item in value})
    if kind is int:
        if not isinstance(value, int):
            raise ValueError
        return value
    if not isinstance(value, (int, float, str, Decimal)):
        raise ValueError
    number = Decimal(str(value))
    if not number.is_finite():
        raise ValueError
    return number


def _settings_clean(settings: Any) -> dict[str, Any]:
    if not isinstance(settings, dict):
        raise ValidationError({"settings": [_("Settings are an object of setting names and values.")]})
    errors, clean = {}, {}
    for key, value in settings.items():
        kind = SETTINGS.get(key)
        if kind is None:
            errors[key] = [_("Unknown setting. Known settings: %(known)s.") % {"known": ", ".join(SETTINGS)}]
            continue
        try:
            clean[key] = _setting_value(kind, value)
        except (ValueError, InvalidOperation):
            errors[key] = [_("A whole number is required.") if kind is int else
                           _("A list of file extensions is required.") if kind is list else _("A number is required.")]
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
    actor = Actor(tenant=tenant, role=PLATFORM_ROLE, user=created_by)
    audit_record(actor=actor, action="tenant.created", obj=tenant, after=snapshot(tenant, FIELDS))
    if admin_password is None:
        invitation, _token = invitation_create(actor=actor, email=admin_email, role=Role.ADMIN,
                                               full_name=admin_full_name)
        return tenant, invitation
    user = User.objects.create_user(email=admin_email, password=admin_password, full_name=admin_full_name)
    membership_add(actor=actor, user=user, role=Role.ADMIN)
    return tenant, None
