"""The database connection lost in the middle of a request (pg_terminate_backend from the test): a 503 problem,
nothing half-written, and the next request works; an interrupted ingestion batch leaves none of its rows, and the
retry with the same Idempotency-Key writes it exactly once.

The request runs in a thread (its own connection, as under gunicorn); a gate trigger on the interaction table holds
it at one row in the middle of the batch, where the test terminates its backend.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from accounts.services import api_key_create
from performance.models import Interaction
from tests.faults.conftest import gate_on, wait_until

pytestmark = pytest.mark.faults

ROWS = 400


def batch(cast) -> dict:
    return {"rows": [{"external_id": f"batch-{n}", "agent": cast.north_agents[n % 3].employee_code, "channel": "chat",
                      "started_at": "2026-10-05T09:00:00+08:00", "answered": True, "talk_seconds": 100 + n}
                     for n in range(ROWS)]}


def _backend_at_gate() -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database ="
                       " (SELECT oid FROM pg_database WHERE datname = current_database())")
        row = cursor.fetchone()
    return row and row[0]


def test_a_batch_whose_connection_is_killed_writes_nothing_and_the_retry_writes_it_once(transactional_db, cast):
    from rest_framework.test import APIClient

    _, key = api_key_create(actor=_admin(cast), name="loader")
    url = cast.url("interactions/bulk/")
    headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}", "HTTP_IDEMPOTENCY_KEY": "load-2026-10-05"}
    body = batch(cast)
    before = Interaction.objects.count()
    answers = []

    def send():
        try:
            answers.append(APIClient().post(url, body, format="json", **headers))
        finally:
            connection.close()

    with gate_on(Interaction._meta.db_table, "INSERT", f"NEW.external_id = 'batch-{ROWS // 2}'") as gate:
        thread = threading.Thread(target=send)
        thread.start()
        pid = wait_until(_backend_at_gate, what="the batch to reach its middle row")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        gate.release()
        thread.join(60)
    [killed] = answers
    assert killed.status_code == 503, killed.content
    assert killed["Content-Type"] == "application/problem+json" and killed["Retry-After"] == "5"
    problem = killed.json()
    assert (problem["code"], problem["status"], problem["retry_after_seconds"]) == ("service_unavailable", 503, 5)
    assert "Traceback" not in killed.content.decode() and "SELECT" not in killed.content.decode()
    assert Interaction.objects.count() == before  # nothing of the batch

    retried = APIClient().post(url, body, format="json", **headers)
    assert retried.status_code in (200, 201), retried.content
    assert Interaction.objects.filter(external_id__startswith="batch-").count() == ROWS
    replayed = APIClient().post(url, body, format="json", **headers)
    assert replayed["Idempotent-Replayed"] == "true" and replayed.json() == retried.json()
    assert Interaction.objects.count() == before + ROWS
    print(f"FAULT connection terminated mid-batch ({ROWS} rows, at row {ROWS // 2}): 503, 0 rows; retry wrote "
          f"{ROWS} once, replay wrote none")


def _admin(cast):
    from common.actor import Actor

    return Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])


def test_a_request_whose_connection_is_killed_gets_a_503_and_the_next_request_works(transactional_db, cast):
    """A plain JSON write (a team) killed while it waits inside its transaction."""
    from rest_framework.test import APIClient

    from accounts.models import AuditEvent, Team

    client = APIClient()
    client.force_authenticate(cast.users["admin"])
    teams, audits = Team.objects.filter(tenant=cast.tenant).count(), AuditEvent.objects.count()
    answers = []

    def send():
        try:
            answers.append(client.post(cast.url("teams/"), {"name": "Night shift"}, format="json"))
            answers.append(client.get(cast.url("teams/")))  # the same thread, on a fresh connection
        finally:
            connection.close()

    with gate_on(Team._meta.db_table, "INSERT", "NEW.name = 'Night shift'") as gate:
        thread = threading.Thread(target=send)
        thread.start()
        pid = wait_until(_backend_at_gate, what="the request to reach its insert")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        gate.release()
        thread.join(60)
    killed, following = answers
    assert killed.status_code == 503 and killed.json()["code"] == "service_unavailable", killed.content
    assert (Team.objects.filter(tenant=cast.tenant).count(), AuditEvent.objects.count()) == (teams, audits)
    assert following.status_code == 200 and following.json()["count"] == teams
