from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Agent, Membership, Role, User
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict

FIELDS = ["user", "role", "is_active"]


def _ensure_another_admin(membership: Membership) -> None:
    """A tenant must keep at least one active admin, or nobody could manage it any more."""
    if membership.role != Role.ADMIN or not membership.is_active:
        return
    admins = Membership.objects.active().filter(tenant_id=membership.tenant_id, role=Role.ADMIN)
    if not admins.exclude(pk=membership.pk).exists():
        raise ValidationError({"role": [_("The tenant's last active admin cannot be demoted or deactivated.")]})


def _ensure_no_agent_record(membership: Membership) -> None:
    """Agent records link only to agent logins (see Agent.clean): a linked member keeps that role until unlinked."""
    agent = Agent.objects.filter(tenant_id=membership.tenant_id, user_id=membership.user_id).first()
    if agent is not None:
        raise ValidationError({"role": [_("This member's login is linked to the agent record %(agent)s: an admin "
                                          "must unlink it before the role can change.") % {"agent": agent}]})


@transaction.atomic
def membership_add(*, actor: Actor, user: User, role: str) -> Membership:
    """Make an existing user a member with `role`; a deactivated member is reactivated with the new role.

    People join through an invitation they accept (accounts.services.invitations), never by an admin
    typing their email, so this takes a user, not an email.
    """
    membership = Membership.objects.select_for_update().filter(tenant=actor.tenant, user=user).first()
    if membership is not None and membership.is_active:
        raise Conflict(_("You are already a member of this tenant."))
    before = snapshot(membership, FIELDS) if membership else None
    if membership is None:
        membership = Membership(tenant=actor.tenant, user=user, role=role)
    membership.role, membership.is_active = role, True
    membership.full_clean()
    membership.save()
    audit_record(actor=actor, action="membership.added", obj=membership, before=before,
                 after=snapshot(membership, FIELDS))
    return membership


@transaction.atomic
def membership_change_role(*, actor: Actor, membership: Membership, role: str) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if membership.role == role:
        return membership
    if role != Role.ADMIN:
        _ensure_another_admin(membership)
    if role != Role.AGENT:
        _ensure_no_agent_record(membership)
    before = snapshot(membership, FIELDS)
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    audit_record(actor=actor, action="membership.role_changed", obj=membership, before=before,
                 after=snapshot(membership, FIELDS))
    return membership


@transaction.atomic
def membership_deactivate(*, actor: Actor, membership: Membership) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if not membership.is_active:
        return membership
    _ensure_another_admin(membership)
    before = snapshot(membership, FIELDS)
    membership.is_active = False
    membership.save(update_fields=["is_active", "updated_at"])
    audit_record(actor=actor, action="membership.deactivated", obj=membership, before=before,
                 after=snapshot(membership, FIELDS))
    return membership
