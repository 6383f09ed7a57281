"""No list endpoint's query count grows with the number of rows it returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from accounts.services import api_key_create
from common.actor import Actor
from tests.factories import AgentFactory, MembershipFactory, TeamFactory, grant


def make_rows(cast, resource: str, n: int, start: int = 0) -> None:
    actor = Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])
    for i in range(start, start + n):
        if resource == "agents/":
            AgentFactory(team=cast.north, employee_code=f"Q{i:04d}")
        elif resource == "teams/":
            grant(cast.users["supervisor"], TeamFactory(tenant=cast.tenant, name=f"Q{i}"), "view")
        elif resource == "members/":
            MembershipFactory(tenant=cast.tenant, role="agent")
        elif resource == "grants/":
            grant(MembershipFactory(tenant=cast.tenant, role="supervisor").user, cast.south, "view")
        elif resource == "api-keys/":
            api_key_create(actor=actor, name=f"key {i}")
        elif resource == "audit-log/":
            AuditEvent.objects.create(tenant=cast.tenant, actor_user=cast.users["admin"], action="x", object_type="t",
                                      object_id=str(i))


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["agents/", "teams/", "members/", "grants/", "api-keys/", "audit-log/"])
@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_list_query_count_does_not_grow(cast, client_as, resource, role):
    if role != "admin" and resource not in {"agents/", "teams/"}:
        pytest.skip("admin-only list")
    client = client_as(cast.users[role])
    make_rows(cast, resource, 5)
    few, few_rows = count_queries(client, cast.url(resource))
    make_rows(cast, resource, 45, start=5)
    many, many_rows = count_queries(client, cast.url(resource))
    assert many_rows > few_rows
    assert many == few
    assert few <= 8
