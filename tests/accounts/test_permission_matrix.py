"""Role × endpoint matrix for the accounts endpoints: each role gets what design.md says, no more.

North is granted to the supervisor (manage) and the inspector (review); south to nobody.
The agent is linked to an agent record of north.
"""

import pytest

from tests.conftest import ROLES

ALL_OK = {role: 200 for role in ROLES}
ADMIN_ONLY = {"admin": 200, "supervisor": 403, "qa_lead": 403, "qa_inspector": 403, "agent": 403}


def admin_only(ok: int) -> dict[str, int]:
    return {role: (ok if role == "admin" else 403) for role in ROLES}


# (name, method, path, body, expected status per role)
MATRIX = [
    ("members list", "get", "members/", None, ADMIN_ONLY),
    ("invitations list", "get", "invitations/", None, ADMIN_ONLY),
    ("invitation create", "post", "invitations/", {"email": "new@acme.test", "role": "agent"}, admin_only(201)),
    ("invitation get", "get", "invitations/{invitation}/", None, ADMIN_ONLY),
    ("invitation resend", "post", "invitations/{invitation}/resend/", None, ADMIN_ONLY),
    ("invitation revoke", "post", "invitations/{invitation}/revoke/", None, ADMIN_ONLY),
    ("member role", "patch", "members/{member}/", {"role": "qa_lead"}, ADMIN_ONLY),
    ("member deactivate", "post", "members/{member}/deactivate/", None, ADMIN_ONLY),
    ("teams list", "get", "teams/", None, ALL_OK),
    ("team north", "get", "teams/{north}/", None, ALL_OK),
    ("team south", "get", "teams/{south}/", None,
     {"admin": 200, "supervisor": 404, "qa_lead": 200, "qa_inspector": 404, "agent": 404}),
    ("team create", "post", "teams/", {"name": "East"}, admin_only(201)),
    ("team rename", "patch", "teams/{north}/", {"name": "North-1"}, ADMIN_ONLY),
    ("agents list", "get", "agents/", None, ALL_OK),
    ("agent north", "get", "agents/{north_agent}/", None, ALL_OK | {"agent": 404}),
    ("own agent", "get", "agents/{own_agent}/", None, ALL_OK),
    ("agent south", "get", "agents/{south_agent}/", None,
     {"admin": 200, "supervisor": 404, "qa_lead": 200, "qa_inspector": 404, "agent": 404}),
    ("agent create north", "post", "agents/", {"team": "{north}", "employee_code": "X1", "display_name": "X"},
     {"admin": 201, "supervisor": 201, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent create south", "post", "agents/", {"team": "{south}", "employee_code": "X1", "display_name": "X"},
     {"admin": 201, "supervisor": 400, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent bulk", "post", "agents/bulk/",
     {"agents": [{"team": "{north}", "employee_code": "B1", "display_name": "B"}]},
     {"admin": 201, "supervisor": 201, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent edit north", "patch", "agents/{north_agent}/", {"display_name": "Renamed"},
     {"admin": 200, "supervisor": 200, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent edit south", "patch", "agents/{south_agent}/", {"display_name": "Renamed"},
     {"admin": 200, "supervisor": 404, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent link login", "patch", "agents/{north_agent}/", {"user": "{spare_agent_user}"},
     {"admin": 200, "supervisor": 403, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent create with login", "post", "agents/",
     {"team": "{north}", "employee_code": "X2", "display_name": "X", "user": "{spare_agent_user}"},
     {"admin": 201, "supervisor": 403, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent bulk with login", "post", "agents/bulk/",
     {"agents": [{"team": "{north}", "employee_code": "B2", "display_name": "B", "user": "{spare_agent_user}"}]},
     {"admin": 201, "supervisor": 403, "qa_lead": 403, "qa_inspector": 403, "agent": 403}),
    ("agent delete", "delete", "agents/{south_agent}/", None, admin_only(204)),
    ("api-keys list", "get", "api-keys/", None, ADMIN_ONLY),
    ("api-key create", "post", "api-keys/", {"name": "crm"}, admin_only(201)),
    ("grants list", "get", "grants/", None, ADMIN_ONLY),
    ("grant create", "post", "grants/", {"user": "{qa_lead_user}", "team": "{south}", "permission": "view"},
     admin_only(201)),
    ("grant revoke", "delete", "grants/{grant}/", None, admin_only(204)),
    ("audit log", "get", "audit-log/", None, ADMIN_ONLY),
]


def fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def ids_of(cast) -> dict[str, int]:
    from accounts.services import invitation_create
    from common.actor import Actor
    from tests.factories import MembershipFactory

    admin = Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])
    invitation, _ = invitation_create(actor=admin, email="invited@acme.test", role="agent")
    return {
        "invitation": invitation.pk,
        "spare_agent_user": MembershipFactory(tenant=cast.tenant, role="agent").user.pk,
        "north": cast.north.pk,
        "south": cast.south.pk,
        "north_agent": cast.north_agents[1].pk,
        "own_agent": cast.own_agent.pk,
        "south_agent": cast.south_agents[0].pk,
        "member": cast.users["qa_lead"].memberships.get().pk,
        "qa_lead_user": cast.users["qa_lead"].pk,
        "grant": cast.north.grants.first().pk,
    }


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, role, name, method, path, body, expected):
    ids = ids_of(cast)
    url = cast.url(path.format(**ids))
    response = getattr(client_as(cast.users[role]), method)(url, fill(body, ids), format="json")
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_everywhere(cast, client_as, name, method, path, body, expected):
    ids = ids_of(cast)
    response = getattr(client_as(cast.outsider), method)(cast.url(path.format(**ids)), fill(body, ids), format="json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_anonymous_gets_401(cast, client_as, name, method, path, body, expected):
    ids = ids_of(cast)
    response = getattr(client_as(None), method)(cast.url(path.format(**ids)), fill(body, ids), format="json")
    assert response.status_code == 401


LIST_SIZES = {
    # endpoint: expected count per role (north has 3 agents incl. the agent's own, south 3)
    "agents/": {"admin": 6, "supervisor": 3, "qa_lead": 6, "qa_inspector": 3, "agent": 1},
    "teams/": {"admin": 2, "supervisor": 1, "qa_lead": 2, "qa_inspector": 1, "agent": 1},
}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", list(LIST_SIZES))
def test_lists_show_exactly_what_the_role_may_see(cast, client_as, role, path):
    response = client_as(cast.users[role]).get(cast.url(path))
    assert response.status_code == 200
    assert response.json()["count"] == LIST_SIZES[path][role]


def test_view_grant_does_not_allow_changes(cast, client_as):
    from tests.factories import MembershipFactory, grant

    viewer = MembershipFactory(tenant=cast.tenant, role="supervisor").user
    grant(viewer, cast.south, "view")
    client = client_as(viewer)
    agent = cast.south_agents[0]
    assert client.get(cast.url(f"agents/{agent.pk}/")).status_code == 200
    response = client.patch(cast.url(f"agents/{agent.pk}/"), {"display_name": "Nope"}, format="json")
    assert response.status_code == 403
    agent.refresh_from_db()
    assert agent.display_name != "Nope"


def test_deactivated_member_loses_access(cast, client_as):
    membership = cast.users["supervisor"].memberships.get()
    membership.is_active = False
    membership.save()
    assert client_as(cast.users["supervisor"]).get(cast.url("teams/")).status_code == 404
