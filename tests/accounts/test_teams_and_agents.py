from accounts.models import Agent, AuditEvent
from tests.factories import MembershipFactory


def test_team_with_agents_cannot_be_deleted(cast, client_as):
    response = client_as(cast.users["admin"]).delete(cast.url(f"teams/{cast.north.pk}/"))
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert not AuditEvent.objects.filter(action="team.deleted").exists()


def test_duplicate_team_name_is_a_field_error(cast, client_as):
    response = client_as(cast.users["admin"]).post(cast.url("teams/"), {"name": "North"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] in {"name", None}


def test_agents_filter_search_and_order(cast, client_as):
    client = client_as(cast.users["admin"])
    Agent.objects.filter(pk=cast.south_agents[0].pk).update(display_name="Zhang Wei", is_active=False)
    by_team = client.get(cast.url("agents/"), {"team": cast.south.pk}).json()
    assert [a["employee_code"] for a in by_team["results"]] == ["S000", "S001", "S002"]
    assert client.get(cast.url("agents/"), {"is_active": "false"}).json()["count"] == 1
    assert [a["employee_code"] for a in client.get(cast.url("agents/"), {"search": "zhang"}).json()["results"]] == [
        "S000"]
    codes = [a["employee_code"] for a in client.get(cast.url("agents/"), {"ordering": "-employee_code"}).json()[
        "results"]]
    assert codes == sorted(codes, reverse=True)


def test_bulk_create_is_all_or_nothing_with_row_errors(cast, client_as):
    client = client_as(cast.users["admin"])
    rows = [
        {"team": cast.north.pk, "employee_code": "B1", "display_name": "One"},
        {"team": cast.north.pk, "employee_code": "N001", "display_name": "Taken"},
        {"team": cast.other_team.pk, "employee_code": "B3", "display_name": "Foreign team"},
        {"team": cast.north.pk, "employee_code": "B1", "display_name": "Duplicate"},
    ]
    response = client.post(cast.url("agents/bulk/"), {"agents": rows})
    assert response.status_code == 400
    fields = {e["field"] for e in response.json()["errors"]}
    assert "agents.2.team" in fields
    assert not Agent.objects.filter(employee_code__in=["B1", "B3"]).exists()
    ok = client.post(cast.url("agents/bulk/"), {"agents": [rows[0], {**rows[3], "employee_code": "B2"}]})
    assert ok.status_code == 201
    assert [a["employee_code"] for a in ok.json()] == ["B1", "B2"]
    assert AuditEvent.objects.filter(action="agent.created").count() == 2


def test_bulk_create_reports_codes_already_taken(cast, client_as):
    response = client_as(cast.users["admin"]).post(cast.url("agents/bulk/"), {"agents": [
        {"team": cast.north.pk, "employee_code": "N001", "display_name": "Taken"}]})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "agents.0.employee_code"


def test_agent_user_must_be_member_of_the_tenant(cast, client_as):
    response = client_as(cast.users["admin"]).post(cast.url("agents/"), {
        "team": cast.north.pk, "employee_code": "X9", "display_name": "X", "user": cast.outsider.pk})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "user"


def test_agent_changes_are_audited_with_before_and_after(cast, client_as):
    agent = cast.north_agents[1]
    client_as(cast.users["supervisor"]).patch(cast.url(f"agents/{agent.pk}/"), {"display_name": "Renamed"})
    event = AuditEvent.objects.get(action="agent.updated")
    assert (event.changes["before"]["display_name"], event.changes["after"]["display_name"]) == (
        agent.display_name, "Renamed")


def test_supervisor_cannot_move_agent_to_a_team_they_do_not_manage(cast, client_as):
    agent = cast.north_agents[1]
    response = client_as(cast.users["supervisor"]).patch(cast.url(f"agents/{agent.pk}/"), {"team": cast.south.pk})
    assert response.status_code == 400
    agent.refresh_from_db()
    assert agent.team_id == cast.north.pk


def test_only_admins_link_an_agent_record_to_a_login(cast, client_as):
    agent = cast.north_agents[1]
    spare = MembershipFactory(tenant=cast.tenant, role="agent").user
    supervisor = client_as(cast.users["supervisor"])
    for user in (cast.users["admin"], spare):
        response = supervisor.patch(cast.url(f"agents/{agent.pk}/"), {"user": user.pk})
        assert response.status_code == 403
        assert "'user'" in response.json()["detail"] and "supervisor" in response.json()["detail"]
    own = cast.own_agent
    unlink = supervisor.patch(cast.url(f"agents/{own.pk}/"), {"user": None})
    assert unlink.status_code == 403
    agent.refresh_from_db()
    own.refresh_from_db()
    assert (agent.user_id, own.user_id) == (None, cast.users["agent"].pk)
    # sending the link back unchanged (a PUT of the writable fields GET returned) is fine
    current = supervisor.get(cast.url(f"agents/{own.pk}/")).json()
    writable = {k: current[k] for k in ("team", "employee_code", "user", "is_active", "hired_on")}
    assert supervisor.put(cast.url(f"agents/{own.pk}/"), {**writable, "display_name": "Same login"}).status_code == 200
    response = client_as(cast.users["admin"]).patch(cast.url(f"agents/{agent.pk}/"), {"user": spare.pk})
    assert response.status_code == 200 and response.json()["user"] == spare.pk
    assert AuditEvent.objects.get(action="agent.updated", object_id=str(agent.pk)).changes["after"]["user"] == spare.pk


def test_an_agent_record_links_only_to_a_member_with_the_agent_role(cast, client_as):
    admin = client_as(cast.users["admin"])
    agent = cast.north_agents[1]
    for role in ("admin", "supervisor", "qa_inspector"):
        response = admin.patch(cast.url(f"agents/{agent.pk}/"), {"user": cast.users[role].pk})
        assert response.status_code == 400
        assert response.json()["errors"] == [{"field": "user", "code": "invalid", "message": (
            "An agent record can only be linked to an active member of this tenant with the agent role.")}]
    agent.refresh_from_db()
    assert agent.user_id is None


def test_bulk_create_checks_logins_per_row(cast, client_as):
    spare = MembershipFactory(tenant=cast.tenant, role="agent").user
    rows = [{"team": cast.north.pk, "employee_code": "L1", "display_name": "A", "user": spare.pk},
            {"team": cast.north.pk, "employee_code": "L2", "display_name": "B", "user": spare.pk},
            {"team": cast.north.pk, "employee_code": "L3", "display_name": "C", "user": cast.users["qa_lead"].pk},
            {"team": cast.north.pk, "employee_code": "L4", "display_name": "D", "user": cast.users["agent"].pk}]
    response = client_as(cast.users["admin"]).post(cast.url("agents/bulk/"), {"agents": rows})
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == ["agents.1.user", "agents.2.user", "agents.3.user"]
    assert not Agent.objects.filter(employee_code__startswith="L").exists()
    assert client_as(cast.users["admin"]).post(cast.url("agents/bulk/"), {"agents": rows[:1]}).status_code == 201
