from __future__ import annotations

from django.contrib.auth.models import Permission
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import GrantPermission, Membership, Team, TeamGrant, User
from common.actor import Actor
from common.audit import audit_record


def _describe(grant: TeamGrant) -> dict:
    return {"user": grant.user_id, "team": grant.content_object_id, "permission": grant.grant}


@transaction.atomic
def grant_assign(*, actor: Actor, user: User, team: Team, permission: str) -> TeamGrant:
    """Give a member an object-level permission on a team (guardian direct-FK row)."""
    if not Membership.objects.active().filter(tenant=actor.tenant, user=user).exists():
        raise ValidationError({"user": [_("Grants can only be given to active members of this tenant.")]})
    codename = GrantPermission(permission).codename
    perm = Permission.objects.get(content_type__app_label="accounts", codename=codename)
    grant, created = TeamGrant.objects.get_or_create(
        user=user, permission=perm, content_object=team, defaults={"tenant": actor.tenant, "granted_by": actor.user}
    )
    if not created:
        raise ValidationError({"permission": [_("This member already has this grant on this team.")]})
    audit_record(actor=actor, action="grant.assigned", obj=grant, after=_describe(grant))
    return grant


@transaction.atomic
def grant_revoke(*, actor: Actor, grant: TeamGrant) -> None:
    audit_record(actor=actor, action="grant.revoked", obj=grant, before=_describe(grant))
    grant.delete()
