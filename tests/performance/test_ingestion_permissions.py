"""Role x endpoint matrix for interactions, shifts and scenarios, including integration keys, outsiders and
other tenants' ids.

North is managed by the supervisor and reviewed by the inspector; south is granted to nobody. The agent user is
N000. Each agent has one interaction and one shift; "north"/"south" objects below belong to N001/S001.
"""

from __future__ import annotations

import pytest

from performance.models import Interaction, Shift
from tests import isolation_registry
from tests.conftest import ROLES
from tests.factories import InteractionFactory, ScenarioFactory, ShiftFactory
from tests.performance.test_ingestion import integration_client

CALLERS = [*ROLES, "integration"]
INTERACTION = {"agent": "N001", "channel": "phone", "external_id": "new-1", "started_at": "2026-10-02T10:00:00+08:00"}
SHIFT = {"agent": "N001", "external_id": "new-1", "date": "2026-10-02", "worked_minutes": 400}
INTERACTION_CSV = "agent,channel,external_id,started_at\nN001,chat,csv-1,2026-10-02T10:00:00+08:00\n"
SHIFT_CSV = "agent,external_id,date\nN001,csv-1,2026-10-02\n"


def expect(admin, supervisor, qa_lead, qa_inspector, agent, integration) -> dict[str, int]:
    return dict(zip(CALLERS, (admin, supervisor, qa_lead, qa_inspector, agent, integration), strict=True))


READ_ALL = expect(200, 200, 200, 200, 200, 403)
INGEST = expect(201, 201, 403, 403, 403, 201)
INGEST_BATCH = expect(200, 200, 403, 403, 403, 200)
ADMIN_ONLY = expect(200, 403, 403, 403, 403, 403)

# (name, method, path, body (or ("csv", text)), expected status per caller)
MATRIX = [
    ("interactions list", "get", "interactions/", None, READ_ALL),
    ("interaction north", "get", "interactions/{north_interaction}/", None, expect(200, 200, 200, 200, 404, 403)),
    ("own interaction", "get", "interactions/{own_interaction}/", None, READ_ALL),
    ("interaction south", "get", "interactions/{south_interaction}/", None, expect(200, 404, 200, 404, 404, 403)),
    ("interaction create", "post", "interactions/", INTERACTION, INGEST),
    ("interaction create south", "post", "interactions/", {**INTERACTION, "agent": "S001"},
     expect(201, 400, 403, 403, 403, 201)),
    ("interactions bulk", "post", "interactions/bulk/", {"rows": [INTERACTION]}, INGEST_BATCH),
    ("interactions import", "post", "interactions/import/", ("csv", INTERACTION_CSV), INGEST_BATCH),
    ("shifts list", "get", "shifts/", None, READ_ALL),
    ("shift north", "get", "shifts/{north_shift}/", None, expect(200, 200, 200, 200, 404, 403)),
    ("shift south", "get", "shifts/{south_shift}/", None, expect(200, 404, 200, 404, 404, 403)),
    ("shift create", "post", "shifts/", SHIFT, INGEST),
    ("shifts bulk", "post", "shifts/bulk/", {"rows": [SHIFT]}, INGEST_BATCH),
    ("shifts import", "post", "shifts/import/", ("csv", SHIFT_CSV), INGEST_BATCH),
    ("scenarios list", "get", "scenarios/", None, READ_ALL),
    ("scenario", "get", "scenarios/{scenario}/", None, READ_ALL),
    ("scenario create", "post", "scenarios/", {"code": "refund", "name": "Refund"},
     expect(201, 403, 403, 403, 403, 403)),
    ("scenario rename", "patch", "scenarios/{scenario}/", {"name": "Questions"}, ADMIN_ONLY),
    ("scenario delete", "delete", "scenarios/{scenario}/", None, expect(204, 403, 403, 403, 403, 403)),
]


@pytest.fixture
def ids(cast) -> dict[str, int]:
    north, own, south = cast.north_agents[1], cast.own_agent, cast.south_agents[1]
    interactions = {agent.pk: InteractionFactory(agent=agent) for agent in cast.north_agents + cast.south_agents}
    shifts = {agent.pk: ShiftFactory(agent=agent) for agent in cast.north_agents + cast.south_agents}
    return {
        "north_interaction": interactions[north.pk].pk,
        "own_interaction": interactions[own.pk].pk,
        "south_interaction": interactions[south.pk].pk,
        "north_shift": shifts[north.pk].pk,
        "south_shift": shifts[south.pk].pk,
        "scenario": ScenarioFactory(tenant=cast.tenant, code="inquiry").pk,
    }


def client_for(cast, client_as, caller: str):
    return integration_client(cast.tenant) if caller == "integration" else client_as(cast.users[caller])


def call(client, method: str, url: str, body):
    if isinstance(body, tuple):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return client.post(url, {"file": SimpleUploadedFile("rows.csv", body[1].encode())}, format="multipart")
    return getattr(client, method)(url, body, format="json")


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, caller, name, method, path, body, expected):
    response = call(client_for(cast, client_as, caller), method, cast.url(path.format(**ids)), body)
    assert response.status_code == expected[caller], response.content[:300]


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsiders_and_other_tenants_keys_get_404(cast, client_as, ids, name, method, path, body, expected):
    url = cast.url(path.format(**ids))
    for client in (client_as(cast.outsider), integration_client(cast.other_tenant)):
        response = call(client, method, url, body)
        assert response.status_code == 404, response.content[:300]
        assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_anonymous_gets_401(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(None), method, cast.url(path.format(**ids)), body).status_code == 401


@pytest.mark.parametrize("path", ["interactions", "shifts", "scenarios"])
def test_another_tenants_object_is_404_under_your_tenant(cast, client_as, path):
    other_id = isolation_registry.MAKERS[path](cast)
    client = client_as(cast.users["admin"])

    assert client.get(cast.url(f"{path}/{other_id}/")).status_code == 404
    if path == "scenarios":
        assert client.patch(cast.url(f"{path}/{other_id}/"), {"code": "!!"}, format="json").status_code == 404
        assert client.delete(cast.url(f"{path}/{other_id}/")).status_code == 404


LIST_SIZES = {
    # one row per agent: north has 3 agents (incl. the agent user's N000), south 3
    "interactions/": {"admin": 6, "supervisor": 3, "qa_lead": 6, "qa_inspector": 3, "agent": 1},
    "shifts/": {"admin": 6, "supervisor": 3, "qa_lead": 6, "qa_inspector": 3, "agent": 1},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(LIST_SIZES))
def test_lists_show_exactly_what_the_role_may_see(cast, client_as, ids, role, path):
    response = client_as(cast.users[role]).get(cast.url(path))

    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == LIST_SIZES[path][role]
    if role == "agent":
        assert {row["agent"] for row in results} == {cast.own_agent.pk}
    if role in ("supervisor", "qa_inspector"):
        assert {row["team"] for row in results} == {cast.north.pk}


def test_a_view_only_grant_does_not_allow_ingestion(cast, client_as):
    from tests.factories import MembershipFactory, grant

    viewer = MembershipFactory(tenant=cast.tenant, role="supervisor").user
    grant(viewer, cast.south, "view")
    client = client_as(viewer)

    response = client.post(cast.url("interactions/bulk/"), {"rows": [{**INTERACTION, "agent": "S001"}]}, format="json")

    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "does_not_exist"
    assert not Interaction.objects.filter(external_id="new-1").exists()
    assert not Shift.objects.filter(external_id="new-1").exists()
