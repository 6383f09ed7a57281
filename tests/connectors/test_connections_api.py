"""The connections API: role x endpoint matrix, input rules, credentials never stored or shown in clear, the test
and sync actions, mappings and remote agents, and list query counts that do not grow with the rows."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection as db
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from common import crypto
from performance.connectors.zendesk import ZendeskHelpDesk, zendesk_base_url
from performance.models import Connection, ConnectionAgent, ConnectionRun, PendingRemoteTicket
from tests.connectors.conftest import run_sync
from tests.connectors.zendesk_server import EMAIL, TOKEN
from tests.factories import ScenarioFactory
from tests.performance.test_ingestion_permissions import CALLERS, call, client_for, expect

ADMIN = expect(200, 403, 403, 403, 403, 403)
NEW = {"kind": "zendesk", "account": "acme-eu", "start_date": "2026-10-01",
       "credentials": {"email": "eu@acme.test", "api_token": "eu-token-abcdefghijkl"}}
MAPPINGS = {"channels": [{"remote_value": "web", "channel": "chat"}],
            "scenarios": [{"match": "tag", "remote_value": "refund", "scenario": "complaint"}],
            "csat": {"good": 5, "bad": 1}}

MATRIX = [
    ("list", "get", "connections/", None, ADMIN),
    ("get", "get", "connections/{c}/", None, ADMIN),
    ("create", "post", "connections/", NEW, expect(201, 403, 403, 403, 403, 403)),
    ("change", "patch", "connections/{c}/", {"name": "Support EU"}, ADMIN),
    ("delete", "delete", "connections/{spare}/", None, expect(204, 403, 403, 403, 403, 403)),
    ("test", "post", "connections/{c}/test/", None, ADMIN),
    ("sync", "post", "connections/{c}/sync/", None, expect(202, 403, 403, 403, 403, 403)),
    ("runs", "get", "connections/{c}/runs/", None, ADMIN),
    ("run", "get", "connections/{c}/runs/{run}/", None, ADMIN),
    ("mappings", "get", "connections/{c}/mappings/", None, ADMIN),
    ("mappings replace", "put", "connections/{c}/mappings/", MAPPINGS, ADMIN),
    ("remote agents", "get", "connections/{c}/remote-agents/", None, ADMIN),
    ("map agent", "post", "connections/{c}/map-agent/", {"remote_id": "777", "agent": None}, ADMIN),
]


@pytest.fixture
def ids(cast, admin_actor, connection) -> dict[str, int]:
    from performance.services.connectors import connection_create

    ScenarioFactory(tenant=cast.tenant, code="complaint")
    spare = connection_create(actor=admin_actor, kind="zendesk", account="spare", start_date=dt.date(2026, 10, 1),
                              credentials={"email": EMAIL, "api_token": TOKEN})
    run = ConnectionRun.objects.create(tenant=cast.tenant, connection=connection, status="succeeded")
    return {"c": connection.pk, "spare": spare.pk, "run": run.pk}


@pytest.mark.parametrize("caller", CALLERS)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, caller, name, method, path, body, expected):
    response = call(client_for(cast, client_as, caller), method, cast.url(path.format(**ids)), body)
    assert response.status_code == expected[caller], response.content[:300]


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsiders_get_404_and_anonymous_401(cast, client_as, ids, name, method, path, body, expected):
    url = cast.url(path.format(**ids))
    response = call(client_as(cast.outsider), method, url, body)
    assert response.status_code == 404 and response["Content-Type"] == "application/problem+json"
    assert call(client_as(None), method, url, body).status_code == 401


def test_another_tenants_connection_is_404(cast, client_as):
    from tests.isolation_registry import MAKERS

    theirs = MAKERS["connections"](cast)
    admin = client_as(cast.users["admin"])
    assert admin.get(cast.url(f"connections/{theirs}/")).status_code == 404
    assert admin.post(cast.url(f"connections/{theirs}/sync/")).status_code == 404
    assert admin.get(cast.url(f"connections/{theirs}/runs/")).status_code == 404


def test_credentials_are_encrypted_at_rest_and_never_returned(cast, client_as, django_capture_on_commit_callbacks):
    admin = client_as(cast.users["admin"])
    secret = NEW["credentials"]["api_token"]
    created = admin.post(cast.url("connections/"), NEW, format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["credentials_hint"] == "eu@acme.test · …ijkl" and "credentials" not in body
    assert secret not in created.content.decode()
    changed = admin.patch(cast.url(f"connections/{body['id']}/"), {"credentials": {
        "email": "eu@acme.test", "api_token": "second-secret-token-99"}}, format="json")
    assert changed.status_code == 200 and "second-secret-token-99" not in changed.content.decode()
    stored = Connection.objects.get(pk=body["id"])
    assert crypto.decrypt(stored.credentials_encrypted) == ('{"email": "eu@acme.test", "api_token": '
                                                            '"second-secret-token-99"}')
    # A dump of every table the feature writes to, and of the audit trail: no secret in clear.
    with db.cursor() as cursor:
        dump = []
        for table in ("performance_connection", "performance_connectionrun", "accounts_auditevent"):
            cursor.execute(f"SELECT row_to_json(t)::text FROM {table} t")  # noqa: S608 - fixed names
            dump += [row[0] for row in cursor.fetchall()]
    text = "\n".join(dump)
    assert stored.credentials_encrypted in text
    assert secret not in text and "second-secret-token-99" not in text


@pytest.mark.parametrize(("change", "field"), [
    ({"account": "127.0.0.1"}, "account"),
    ({"account": "evil.example.com"}, "account"),
    ({"account": "acme:8080"}, "account"),
    ({"credentials": {"email": "x@acme.test"}}, "credentials.api_token"),
    ({"credentials": {"email": "x@acme.test", "api_token": "t" * 20, "base_url": "http://10.0.0.1"}},
     "credentials.base_url"),
    ({"base_url": "http://127.0.0.1:8000"}, "base_url"),
    ({"schedule_minutes": 1}, "schedule_minutes"),
    ({"csat_mapping": {"good": 9}}, "csat_mapping"),
])
def test_bad_input_is_refused_and_writes_nothing(cast, client_as, change, field):
    response = client_as(cast.users["admin"]).post(cast.url("connections/"), {**NEW, **change}, format="json")
    assert response.status_code == 400, response.content
    fields = [error["field"] for error in response.json()["errors"]]
    assert any(name.startswith(field) for name in fields), fields
    assert not Connection.objects.exists()


def test_one_connection_per_account(cast, client_as, connection):
    response = client_as(cast.users["admin"]).post(cast.url("connections/"), {**NEW, "account": "acme"},
                                                   format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "account"


def test_the_address_comes_from_the_account_only():
    assert zendesk_base_url("acme") == "https://acme.zendesk.com"
    for account in ("127.0.0.1", "acme.evil.com", "acme:80", "", "-acme"):
        with pytest.raises(ValueError):
            zendesk_base_url(account)
    desk = ZendeskHelpDesk(account="acme", credentials={"email": EMAIL, "api_token": TOKEN})
    assert desk.base_url == "https://acme.zendesk.com"


def test_test_action_reports_who_signs_in_or_why_not(cast, client_as, connection, zendesk):
    admin = client_as(cast.users["admin"])
    zendesk.state.user(501, "agent@acme.test", "Ann Agent")
    zendesk.state.user(503, "new.hire@zd.test", "Nia New")
    zendesk.state.user(9000, "customer@example.com", "A Customer", role="end-user")
    ok = admin.post(cast.url(f"connections/{connection.pk}/test/")).json()
    assert ok == {"ok": True, "remote_user": f"Ops Bot <{EMAIL}> (admin)", "error": "", "remote_agents": 2}
    listed = admin.get(cast.url(f"connections/{connection.pk}/remote-agents/")).json()["results"]
    assert [(a["remote_id"], a["agent_code"]) for a in listed] == [("501", "N000"), ("503", None)]  # 501 by email
    wrong = {"credentials": {"email": EMAIL, "api_token": "wrong-1234567"}}
    admin.patch(cast.url(f"connections/{connection.pk}/"), wrong, format="json")
    refused = admin.post(cast.url(f"connections/{connection.pk}/test/")).json()
    assert refused["ok"] is False and "credentials were refused (HTTP 401)" in refused["error"]


def test_new_credentials_clear_needs_attention(cast, client_as, connection):
    Connection.objects.filter(pk=connection.pk).update(status="needs_attention", last_error="401")
    response = client_as(cast.users["admin"]).patch(cast.url(f"connections/{connection.pk}/"), {
        "credentials": {"email": EMAIL, "api_token": TOKEN}}, format="json")
    assert (response.json()["status"], response.json()["last_error"]) == ("new", "")


def test_sync_queues_one_run_at_a_time(cast, client_as, connection, django_capture_on_commit_callbacks):
    admin = client_as(cast.users["admin"])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = admin.post(cast.url(f"connections/{connection.pk}/sync/"))
        second = admin.post(cast.url(f"connections/{connection.pk}/sync/"))
    assert first.status_code == 202 and first.json()["status"] == "queued" and first.json()["trigger"] == "manual"
    assert second.status_code == 409 and second.json()["code"] == "run_in_progress"
    assert len(callbacks) == 1


def test_mappings_replace_and_read_back(cast, client_as, connection):
    ScenarioFactory(tenant=cast.tenant, code="complaint")
    admin = client_as(cast.users["admin"])
    url = cast.url(f"connections/{connection.pk}/mappings/")
    assert admin.put(url, MAPPINGS, format="json").json() == MAPPINGS
    assert admin.get(url).json() == MAPPINGS
    unknown = {**MAPPINGS, "scenarios": [{"match": "tag", "remote_value": "x", "scenario": "nope"}]}
    assert admin.put(url, unknown, format="json").status_code == 400
    assert admin.get(url).json() == MAPPINGS


def test_remote_agents_list_and_mapping(cast, client_as, connection, django_capture_on_commit_callbacks):
    ConnectionAgent.objects.create(tenant=cast.tenant, connection=connection, remote_id="503", email="n@zd.test")
    ConnectionAgent.objects.create(tenant=cast.tenant, connection=connection, remote_id="501",
                                   agent=cast.own_agent)
    PendingRemoteTicket.objects.create(tenant=cast.tenant, connection=connection, external_id="4",
                                       remote_agent_id="503", row={}, remote_updated_at=timezone.now())
    admin = client_as(cast.users["admin"])
    url = cast.url(f"connections/{connection.pk}/remote-agents/")
    unmapped = admin.get(url, {"mapped": "false"}).json()["results"]
    assert [(a["remote_id"], a["pending_tickets"], a["agent"]) for a in unmapped] == [("503", 1, None)]
    assert [a["remote_id"] for a in admin.get(url, {"mapped": "true"}).json()["results"]] == ["501"]
    assert admin.get(url, {"mapped": "maybe"}).status_code == 400
    assert admin.get(url, {"nope": "1"}).status_code == 400
    detail = admin.get(cast.url(f"connections/{connection.pk}/")).json()
    assert (detail["unmapped_agents"], detail["pending_tickets"]) == (1, 1)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        mapped = admin.post(cast.url(f"connections/{connection.pk}/map-agent/"),
                            {"remote_id": "503", "agent": cast.north_agents[2].pk}, format="json")
    assert mapped.status_code == 200 and mapped.json()["agent_code"] == "N002"
    assert len(callbacks) == 1 and ConnectionRun.objects.get(connection=connection).trigger == "mapping"
    foreign = admin.post(cast.url(f"connections/{connection.pk}/map-agent/"),
                         {"remote_id": "503", "agent": cast.other_agent.pk}, format="json")
    assert foreign.status_code == 400


def test_runs_list_and_detail_with_failures(cast, client_as, connection, desk, zendesk, admin_actor):
    from tests.connectors.conftest import seed_remote

    seed_remote(cast, admin_actor, connection, zendesk)
    run = run_sync(connection, desk())
    admin = client_as(cast.users["admin"])
    listed = admin.get(cast.url(f"connections/{connection.pk}/runs/")).json()["results"]
    assert [r["id"] for r in listed] == [run.pk] and listed[0]["created"] == 4 and listed[0]["pages"] == 4
    assert admin.get(cast.url(f"connections/{connection.pk}/runs/"), {"status": "failed"}).json()["results"] == []
    detail = admin.get(cast.url(f"connections/{connection.pk}/runs/{run.pk}/")).json()
    assert [f["external_id"] for f in detail["failures"]] == ["6"]
    assert detail["duration_ms"] is not None and detail["cursor_reached"] == connection.cursor
    other = ConnectionRun.objects.create(tenant=cast.tenant, connection=Connection.objects.create(
        tenant=cast.tenant, kind="zendesk", account="other", credentials_encrypted="x",
        start_date=dt.date(2026, 10, 1)))
    assert admin.get(cast.url(f"connections/{connection.pk}/runs/{other.pk}/")).status_code == 404


def _list_queries(cast, client_as, connection, start: int, size: int) -> dict[str, int]:
    for n in range(start, start + size):
        other = Connection.objects.create(tenant=cast.tenant, kind="zendesk", account=f"acme{n}",
                                          credentials_encrypted="x", start_date=dt.date(2026, 10, 1))
        ConnectionAgent.objects.create(tenant=cast.tenant, connection=connection, remote_id=str(n))
        ConnectionRun.objects.create(tenant=cast.tenant, connection=connection)
        ConnectionAgent.objects.create(tenant=cast.tenant, connection=other, remote_id=str(n))
        PendingRemoteTicket.objects.create(tenant=cast.tenant, connection=connection, external_id=str(n),
                                           remote_agent_id=str(n), row={}, remote_updated_at=timezone.now())
    admin = client_as(cast.users["admin"])
    counts = {}
    for path in ("connections/", f"connections/{connection.pk}/runs/", f"connections/{connection.pk}/remote-agents/"):
        with CaptureQueriesContext(db) as queries:
            response = admin.get(cast.url(path))
        assert response.status_code == 200 and len(response.json()["results"]) >= size
        counts[path.split("/")[-2]] = len(queries)
    return counts


def test_list_queries_do_not_grow_with_rows(cast, client_as, connection, django_assert_max_num_queries):
    one = _list_queries(cast, client_as, connection, 0, 1)
    many = _list_queries(cast, client_as, connection, 1, 20)
    assert one == many, (one, many)
    assert max(many.values()) <= 8, many
