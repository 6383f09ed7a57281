"""Who sees which interactions and shifts (role rules plus team grants)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q

from accounts.querysets import TENANT_WIDE, granted_teams, in_granted_teams
from common.models import TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor


class ByAgentTeamQuerySet(TenantScopedQuerySet):
    """Rows that belong to an agent (and the team the agent was in): admins and QA leads see all,
    supervisors and inspectors the teams granted to them, agents their own rows."""

    def restrict(self, actor: Actor, action: str):
        if (actor.role, action) in TENANT_WIDE:
            return self
        if actor.role == "agent":
            return self.filter(agent_id=actor.agent_id) if action == "view" and actor.agent_id else self.none()
        condition = in_granted_teams(actor, action)
        return self.none() if condition is None else self.filter(condition)


class InteractionQuerySet(ByAgentTeamQuerySet):
    """QA inspectors also see (and may review) the interactions assigned to them by QA sampling."""

    def restrict(self, actor: Actor, action: str):
        if actor.role == "qa_inspector" and action in ("view", "review") and actor.user is not None:
            assigned = apps.get_model("feedback", "QAAssignment").objects.filter(
                tenant_id=actor.tenant.pk, inspector_id=actor.user.pk
            ).exclude(status="skipped")
            granted = granted_teams(actor, action).values("pk")
            return self.filter(Q(team__in=granted) | Q(pk__in=assigned.values("interaction_id")))
        return super().restrict(actor, action)


class ShiftQuerySet(ByAgentTeamQuerySet):
    pass


class ScenarioQuerySet(TenantScopedQuerySet):
    def restrict(self, actor: Actor, action: str):
        if action == "view" or actor.is_admin:
            return self
        return self.none()
