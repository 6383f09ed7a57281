"""Role rules and object-level grants for the accounts models.

Every rule starts from rows already pinned to the actor's tenant (see TenantScopedQuerySet.for_actor).
`action` is "view" to read, "manage" to change, "review" to score a team's interactions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from guardian.shortcuts import get_objects_for_user

from common.models import TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor

# Which team grants let a role do an action. Admins need none; a role missing here gets nothing.
GRANTS_FOR = {
    ("supervisor", "view"): ["view_team", "manage_team", "review_team"],
    ("supervisor", "manage"): ["manage_team"],
    ("qa_inspector", "view"): ["view_team", "review_team"],
    ("qa_inspector", "review"): ["review_team"],
}
# Roles that see every team of their tenant without grants, for the given action.
TENANT_WIDE = {
    ("admin", "view"),
    ("admin", "manage"),
    ("admin", "review"),
    ("qa_lead", "view"),
    ("qa_lead", "review"),
}


def granted_teams(actor: Actor, action: str):
    """Teams of the actor's tenant they may act on; a lazy queryset usable as a subquery."""
    team_model = apps.get_model("accounts", "Team")
    teams = team_model.objects.filter(tenant_id=actor.tenant.pk)
    if (actor.role, action) in TENANT_WIDE:
        return teams
    codenames = GRANTS_FOR.get((actor.role, action))
    if codenames and actor.user is not None:
        return get_objects_for_user(
            actor.user,
            codenames,
            klass=teams,
            use_groups=False,
            any_perm=True,
            with_superuser=False,
            accept_global_perms=False,
        )
    if actor.role == "agent" and action == "view" and actor.agent_id is not None:
        return teams.filter(agents__pk=actor.agent_id)
    return teams.none()


class TeamQuerySet(TenantScopedQuerySet):
    def restrict(self, actor: Actor, action: str):
        if (actor.role, action) in TENANT_WIDE:
            return self
        return self.filter(pk__in=granted_teams(actor, action).values("pk"))


class AgentQuerySet(TenantScopedQuerySet):
    def restrict(self, actor: Actor, action: str):
        if (actor.role, action) in TENANT_WIDE:
            return self
        if actor.role == "agent":
            return self.filter(pk=actor.agent_id) if action == "view" and actor.agent_id else self.none()
        return self.filter(team__in=granted_teams(actor, action).values("pk"))


class MembershipQuerySet(TenantScopedQuerySet):
    def active(self):
        return self.filter(is_active=True, user__is_active=True)
