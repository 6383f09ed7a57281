"""Who is acting on a tenant in this request: a member with a role, or an integration key."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from accounts.models import APIKey, Membership, Tenant, User

INTEGRATION = "integration"
# Labels of the roles that are not a member's (accounts.models.Role has those).
OTHER_ROLE_LABELS = {INTEGRATION: _("Integration key"), "platform": _("Platform staff")}


@dataclass(frozen=True)
class Actor:
    tenant: Tenant
    role: str
    user: User | None = None
    api_key: APIKey | None = None
    membership: Membership | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_integration(self) -> bool:
        return self.role == INTEGRATION

    @property
    def role_label(self) -> str:
        """The role's name in the active language, for messages (the code stays in `role`)."""
        from accounts.models import Role

        label = Role(self.role).label if self.role in Role.values else OTHER_ROLE_LABELS.get(self.role, self.role)
        return str(label)

    @cached_property
    def agent_id(self) -> int | None:
        """The Agent record linked to this user in this tenant, if any (one query, cached)."""
        if self.user is None:
            return None
        from accounts.models import Agent

        return Agent.objects.filter(tenant=self.tenant, user=self.user).values_list("pk", flat=True).first()
