"""Tenant isolation, walked over the OpenAPI schema so a new endpoint cannot be forgotten.

- A member of another tenant gets 404 on every tenant-scoped path and method, whatever the ids.
- An unknown tenant slug is 404.
- A member of acme asking for a globex object's id under acme gets 404 (or 400 where the id sits in a body).
"""

import re

import pytest
from drf_spectacular.generators import SchemaGenerator

from accounts.models import APIKey, AuditEvent, Membership, TeamGrant
from tests.factories import grant

PARAM = re.compile(r"{(\w+)}")


def tenant_paths() -> list[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return [
        (path, method)
        for path, operations in schema["paths"].items()
        if "{tenant_slug}" in path
        for method in operations
        if method in {"get", "post", "put", "patch", "delete"}
    ]


PATHS = tenant_paths()


def resource_of(path: str) -> str:
    return path.split("{tenant_slug}/")[1].split("/")[0]


def globex_ids(cast) -> dict[str, int]:
    """For each resource (first path segment), the id of one of globex's objects."""
    outsider_admin = cast.outsider
    grant(outsider_admin, cast.other_team, "view")
    from accounts.services import api_key_create
    from common.actor import Actor

    actor = Actor(tenant=cast.other_tenant, role="admin", user=outsider_admin)
    api_key_create(actor=actor, name="globex-key")
    return {
        "members": Membership.objects.get(tenant=cast.other_tenant).pk,
        "teams": cast.other_team.pk,
        "agents": cast.other_agent.pk,
        "grants": TeamGrant.objects.get(tenant=cast.other_tenant).pk,
        "api-keys": APIKey.objects.get(tenant=cast.other_tenant).pk,
        "audit-log": AuditEvent.objects.filter(tenant=cast.other_tenant).first().pk,
        **extra_globex_ids(cast),
    }


def extra_globex_ids(cast) -> dict[str, int]:
    """Ids for the performance and feedback resources, registered by their test modules."""
    from tests import isolation_registry

    return {name: make(cast) for name, make in isolation_registry.MAKERS.items()}


def fill(path: str, tenant_slug: str, ids: dict[str, int]) -> str:
    resource = resource_of(path)
    return PARAM.sub(lambda m: tenant_slug if m.group(1) == "tenant_slug" else str(ids.get(resource, 999999)), path)


def test_schema_has_tenant_paths():
    assert len(PATHS) >= 20


@pytest.mark.parametrize(("path", "method"), PATHS, ids=[f"{m} {p}" for p, m in PATHS])
def test_member_of_another_tenant_gets_404(cast, client_as, path, method):
    url = fill(path, "acme", {})
    response = getattr(client_as(cast.outsider), method)(url, {}, format="json")
    assert response.status_code == 404, (url, response.content)
    assert response.json()["status"] == 404


@pytest.mark.parametrize(("path", "method"), PATHS, ids=[f"{m} {p}" for p, m in PATHS])
def test_unknown_tenant_is_404(cast, client_as, path, method):
    response = getattr(client_as(cast.users["admin"]), method)(fill(path, "no-such-tenant", {}), {}, format="json")
    assert response.status_code == 404


DETAIL_PATHS = [(p, m) for p, m in PATHS if len(PARAM.findall(p)) > 1]


@pytest.mark.parametrize(("path", "method"), DETAIL_PATHS, ids=[f"{m} {p}" for p, m in DETAIL_PATHS])
def test_other_tenants_ids_are_404_under_your_tenant(cast, client_as, path, method):
    ids = globex_ids(cast)
    assert resource_of(path) in ids, f"register a globex object for '{resource_of(path)}' in tests/isolation_registry"
    response = getattr(client_as(cast.users["admin"]), method)(fill(path, "acme", ids), {}, format="json")
    assert response.status_code == 404, response.content
