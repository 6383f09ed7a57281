"""The shared cast: one tenant ("acme") with a member per role, two teams (north is granted to the
supervisor and the inspector, south to nobody), and an outsider who belongs to another tenant."""

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient

from accounts.models import Agent, Team, Tenant, User
from tests.factories import AgentFactory, MembershipFactory, TeamFactory, TenantFactory, grant

ROLES = ["admin", "supervisor", "qa_lead", "qa_inspector", "agent"]


@dataclass
class Cast:
    tenant: Tenant
    other_tenant: Tenant
    users: dict[str, User]
    outsider: User
    north: Team
    south: Team
    other_team: Team
    north_agents: list[Agent]
    south_agents: list[Agent]
    own_agent: Agent
    other_agent: Agent

    def url(self, path: str, tenant: Tenant | None = None) -> str:
        return f"/api/v1/tenants/{(tenant or self.tenant).slug}/{path}"


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test user; hashing strength is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # A per-process cache: clearing the shared Redis (FLUSHDB) would wipe other test runs' throttle state.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "jixiao-tests"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def cast(db) -> Cast:
    tenant = TenantFactory(slug="acme", name="Acme Support")
    other_tenant = TenantFactory(slug="globex", name="Globex")
    users = {role: MembershipFactory(tenant=tenant, role=role, user__email=f"{role}@acme.test").user for role in ROLES}
    outsider = MembershipFactory(tenant=other_tenant, role="admin", user__email="outsider@globex.test").user
    north = TeamFactory(tenant=tenant, name="North")
    south = TeamFactory(tenant=tenant, name="South")
    other_team = TeamFactory(tenant=other_tenant, name="Elsewhere")
    own_agent = AgentFactory(team=north, user=users["agent"], employee_code="N000")
    north_agents = [own_agent] + [AgentFactory(team=north, employee_code=f"N{i:03d}") for i in range(1, 3)]
    south_agents = [AgentFactory(team=south, employee_code=f"S{i:03d}") for i in range(3)]
    other_agent = AgentFactory(team=other_team, employee_code="G000")
    grant(users["supervisor"], north, "manage")
    grant(users["qa_inspector"], north, "review")
    return Cast(tenant, other_tenant, users, outsider, north, south, other_team, north_agents, south_agents,
                own_agent, other_agent)


@pytest.fixture
def client_as():
    """An API client authenticated as the given user (None: anonymous)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
