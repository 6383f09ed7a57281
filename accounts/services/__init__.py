"""Writes on accounts: each validates, writes in one transaction and audits."""

from accounts.services.agents import agent_bulk_create, agent_create, agent_delete, agent_update
from accounts.services.api_keys import api_key_create, api_key_revoke
from accounts.services.grants import grant_assign, grant_revoke
from accounts.services.invitations import (
    invitation_accept,
    invitation_create,
    invitation_get_by_token,
    invitation_resend,
    invitation_revoke,
)
from accounts.services.memberships import membership_add, membership_change_role, membership_deactivate
from accounts.services.teams import team_create, team_delete, team_update
from accounts.services.tenants import tenant_create
from accounts.services.users import user_update_profile

__all__ = [
    "agent_bulk_create",
    "agent_create",
    "agent_delete",
    "agent_update",
    "api_key_create",
    "api_key_revoke",
    "grant_assign",
    "grant_revoke",
    "invitation_accept",
    "invitation_create",
    "invitation_get_by_token",
    "invitation_resend",
    "invitation_revoke",
    "membership_add",
    "membership_change_role",
    "membership_deactivate",
    "team_create",
    "team_delete",
    "team_update",
    "tenant_create",
    "user_update_profile",
]
