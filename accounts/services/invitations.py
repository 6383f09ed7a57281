"""Invitations: the only way a person joins a tenant.

An admin invites an email with a role; the person gets a link by mail and accepts it, creating their
account on the way if they have none. The link's token is stored only as a SHA-256, like API keys.

    status     action                          next status
    pending    accept (before expires_at)      accepted  (membership created or reactivated)
    pending    revoke                          revoked
    pending    expires_at passes               expired   (read as such, nothing is rewritten)
    pending    resend (also once expired)      pending   (new token, new expiry, mailed again)
    pending    the email is invited again,     expired   (stored: the new invitation replaces it)
               once this one has expired
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotAuthenticated, NotFound, PermissionDenied, ValidationError

from accounts.authentication import hash_secret
from accounts.mail import invitation_mail_send
from accounts.models import Invitation, InvitationStatus, Membership, User
from accounts.services.memberships import membership_add
from common import rls
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict

# Why an invitation that is no longer pending cannot be resent or revoked.
NOT_PENDING = {
    InvitationStatus.ACCEPTED: _("This invitation has already been accepted."),
    InvitationStatus.REVOKED: _("This invitation has been revoked."),
    InvitationStatus.EXPIRED: _("This invitation was replaced by a newer invitation for the same email."),
}


class InvitationUnavailable(NotFound):
    """One answer for unknown, expired, revoked and used tokens, so the link tells nothing about the others."""

    default_detail = _("This invitation link is not valid: it may have expired, been revoked or been used already. "
                       "Ask the tenant's admin for a new invitation.")
    default_code = "invitation_unavailable"


def _describe(invitation: Invitation) -> dict:
    return {"email": invitation.email, "role": invitation.role, "status": invitation.status,
            "expires_at": invitation.expires_at}


def _ensure_not_a_member(actor: Actor, email: str) -> None:
    if Membership.objects.active().filter(tenant=actor.tenant, user__email__iexact=email).exists():
        raise Conflict(_("This email already belongs to an active member of the tenant."))


def _issue(invitation: Invitation) -> str:
    """Give the invitation a new token and expiry and mail it once the transaction commits; returns the token."""
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation.hashed_token = hash_secret(token)
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=invitation.tenant.invitation_expiry_days)

    def send() -> None:
        invitation_mail_send(invitation=invitation, token=token)

    # robust: a mail server that is down must not turn a committed invitation into a 500; the admin can resend.
    transaction.on_commit(send, robust=True)
    return token


@transaction.atomic
def invitation_create(*, actor: Actor, email: str, role: str, full_name: str = "") -> tuple[Invitation, str]:
    """Invite `email` to the actor's tenant with `role`; returns the invitation and its token (mailed, not stored)."""
    email = email.strip().lower()
    _ensure_not_a_member(actor, email)
    previous = Invitation.objects.select_for_update().filter(
        tenant=actor.tenant, email=email, status=InvitationStatus.PENDING).first()
    if previous is not None and previous.current_status == InvitationStatus.PENDING:
        raise Conflict(_("A pending invitation for this email already exists: resend or revoke it."))
    if previous is not None:
        before = _describe(previous)
        previous.status = InvitationStatus.EXPIRED
        previous.save(update_fields=["status", "updated_at"])
        audit_record(actor=actor, action="invitation.expired", obj=previous, before=before, after=_describe(previous))
    invitation = Invitation(tenant=actor.tenant, email=email, role=role, full_name=full_name, invited_by=actor.user)
    token = _issue(invitation)
    invitation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            invitation.save()
    except IntegrityError:  # the same email invited at the same moment by someone else
        raise Conflict(_("A pending invitation for this email already exists: resend or revoke it.")) from None
    audit_record(actor=actor, action="invitation.created", obj=invitation, after=_describe(invitation))
    return invitation, token


def _locked_pending(invitation: Invitation) -> Invitation:
    invitation = Invitation.objects.select_for_update().select_related("tenant").get(pk=invitation.pk)
    if invitation.status != InvitationStatus.PENDING:
        raise Conflict(NOT_PENDING[invitation.status])
    return invitation


@transaction.atomic
def invitation_resend(*, actor: Actor, invitation: Invitation) -> tuple[Invitation, str]:
    """Mail a pending or expired invitation again with a new token and expiry; the old link stops working."""
    invitation = _locked_pending(invitation)
    _ensure_not_a_member(actor, invitation.email)
    before = _describe(invitation)
    token = _issue(invitation)
    invitation.save(update_fields=["hashed_token", "sent_at", "expires_at", "updated_at"])
    audit_record(actor=actor, action="invitation.resent", obj=invitation, before=before, after=_describe(invitation))
    return invitation, token


@transaction.atomic
def invitation_revoke(*, actor: Actor, invitation: Invitation) -> Invitation:
    """Make a pending or expired invitation's link unusable. Revoking a revoked invitation changes nothing."""
    if invitation.status == InvitationStatus.REVOKED:
        return invitation
    invitation = _locked_pending(invitation)
    before = _describe(invitation)
    invitation.status = InvitationStatus.REVOKED
    invitation.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, action="invitation.revoked", obj=invitation, before=before, after=_describe(invitation))
    return invitation


def invitation_get_by_token(token: str, *, lock: bool = False) -> Invitation:
    """The pending, unexpired invitation of an active tenant with this token, or InvitationUnavailable."""
    invitations = Invitation.objects.select_related("tenant", "invited_by").filter(
        hashed_token=hash_secret(token), tenant__is_active=True)
    if lock:
        invitations = invitations.select_for_update(of=("self",))
    with rls.all_tenants():  # the token names the invitation, whatever its tenant
        invitation = invitations.first()
    if invitation is None or invitation.current_status != InvitationStatus.PENDING:
        raise InvitationUnavailable()
    return invitation


def _account_create(invitation: Invitation, full_name: str, password: str | None) -> User:
    full_name = full_name.strip() or invitation.full_name
    errors = {}
    if not full_name:
        errors["full_name"] = [_("Your full name is required to create your account.")]
    if not password:
        errors["password"] = [_("Choose a password to create your account.")]
    else:
        try:
            validate_password(password, user=User(email=invitation.email, full_name=full_name))
        except DjangoValidationError as error:
            errors["password"] = error.messages
    if errors:
        raise ValidationError(errors)
    return User.objects.create_user(email=invitation.email, password=password, full_name=full_name)


@transaction.atomic
def invitation_accept(*, token: str, user: User | None, full_name: str = "", password: str | None = None
                      ) -> Membership:
    """Accept an invitation: as the logged-in owner of the invited email's account, or by creating that account.

    `user` is the authenticated caller, if any. A new person gives a full name and a password; someone who
    already has an account must log in as it first (the password fields are then not used).
    """
    invitation = invitation_get_by_token(token, lock=True)
    with rls.tenant_scope(invitation.tenant_id):
        return _invitation_accept(invitation, user=user, full_name=full_name, password=password)


def _invitation_accept(invitation: Invitation, *, user: User | None, full_name: str, password: str | None
                       ) -> Membership:
    account = User.objects.filter(email__iexact=invitation.email).first()
    if account is None:
        account = _account_create(invitation, full_name, password)
    elif user is None:
        raise NotAuthenticated(_("An account with the invited email already exists: log in as %(email)s first, "
                                 "then accept the invitation.") % {"email": invitation.email})
    elif user.pk != account.pk:
        raise PermissionDenied(_("This invitation is for %(email)s: log in as that account to accept it.")
                               % {"email": invitation.email})
    actor = Actor(tenant=invitation.tenant, role=invitation.role, user=account)
    membership = membership_add(actor=actor, user=account, role=invitation.role)
    before = _describe(invitation)
    invitation.status = InvitationStatus.ACCEPTED
    invitation.accepted_at, invitation.accepted_by = timezone.now(), account
    invitation.save(update_fields=["status", "accepted_at", "accepted_by", "updated_at"])
    audit_record(actor=actor, action="invitation.accepted", obj=invitation, before=before,
                 after={**_describe(invitation), "accepted_by": account.pk})
    return membership
