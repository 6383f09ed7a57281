"""Freshdesk connections through the API: the account stored as the helpdesk's domain, the API key encrypted and
never shown, one connection per helpdesk whatever form the account was typed in, the test action."""

from __future__ import annotations

import pytest
from django.db import connection as db

from common import crypto
from performance.models import Connection
from tests.connectors.freshdesk_server import API_KEY

SECRET = "fd-key-Qx7a9LmN2pR4"
NEW = {"kind": "freshdesk", "account": "Acme", "start_date": "2026-10-01", "credentials": {"api_key": SECRET}}


def test_a_freshdesk_connection_keeps_its_domain_and_hides_its_key(cast, client_as):
    created = client_as(cast.users["admin"]).post(cast.url("connections/"), NEW, format="json")

    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["kind"], body["account"], body["credentials_hint"]) == ("freshdesk", "acme.freshdesk.com", "…2pR4")
    assert SECRET not in created.content.decode()
    stored = Connection.objects.get(pk=body["id"])
    assert stored.source == "freshdesk:acme.freshdesk.com"
    assert crypto.decrypt(stored.credentials_encrypted) == f'{{"api_key": "{SECRET}"}}'
    with db.cursor() as cursor:
        cursor.execute("SELECT row_to_json(t)::text FROM performance_connection t")
        assert SECRET not in "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.parametrize("account", ["https://acme.freshdesk.com", "acme.freshdesk.com/a", "acme.evil.com",
                                     "127.0.0.1", "acme.freshdesk.com:443"])
def test_an_account_that_is_not_a_freshdesk_domain_is_refused(cast, client_as, account):
    response = client_as(cast.users["admin"]).post(cast.url("connections/"), {**NEW, "account": account},
                                                   format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "account"
    assert not Connection.objects.exists()


def test_one_connection_per_helpdesk_whichever_form_the_account_takes(cast, client_as):
    admin = client_as(cast.users["admin"])
    assert admin.post(cast.url("connections/"), NEW, format="json").status_code == 201
    again = admin.post(cast.url("connections/"), {**NEW, "account": "acme.freshdesk.com"}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "account"


def test_the_test_action_signs_in_with_the_saved_key(cast, client_as, freshdesk, settings):
    settings.CONNECTOR_BASE_URL_OVERRIDES = {"freshdesk:acme.freshdesk.com": freshdesk.url}
    freshdesk.put_agent(601, "agent@acme.test", "Ann Agent")
    admin = client_as(cast.users["admin"])
    good = admin.post(cast.url("connections/"), {**NEW, "credentials": {"api_key": API_KEY}}, format="json").json()
    bad = admin.post(cast.url("connections/"), {**NEW, "account": "other", "credentials": {"api_key": "nope"}},
                     format="json").json()
    settings.CONNECTOR_BASE_URL_OVERRIDES["freshdesk:other.freshdesk.com"] = freshdesk.url

    ok = admin.post(cast.url(f"connections/{good['id']}/test/")).json()
    refused = admin.post(cast.url(f"connections/{bad['id']}/test/")).json()

    assert ok == {"ok": True, "remote_user": "Ann Agent <agent@acme.test> on acme.freshdesk.com", "error": "",
                  "remote_agents": 1}
    assert refused["ok"] is False and "the credentials were refused (HTTP 401)" in refused["error"]
