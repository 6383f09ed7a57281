"""A sync asked for through the API and run by a real Celery worker against the local Zendesk server."""

from __future__ import annotations

import json
import time

import pytest

from performance.models import Interaction
from tests.connectors.conftest import seed_remote
from tests.connectors.zendesk_server import TOKEN


@pytest.fixture
def celery_worker_env(zendesk):
    return {"CONNECTOR_BASE_URL_OVERRIDES": json.dumps({"zendesk:acme": zendesk.url})}


def _wait_for_run(client, url: str, timeout: float = 60) -> dict:
    deadline = time.monotonic() + timeout
    run = {}
    while time.monotonic() < deadline:
        run = client.get(url).json()
        if run["status"] not in ("queued", "running"):
            return run
        time.sleep(0.2)
    return run


def test_a_requested_sync_runs_on_a_worker(celery_worker, cast, client_as, admin_actor, connection, zendesk):
    seed_remote(cast, admin_actor, connection, zendesk)
    admin = client_as(cast.users["admin"])

    queued = admin.post(cast.url(f"connections/{connection.pk}/sync/"))
    assert queued.status_code == 202, queued.content
    run = _wait_for_run(admin, cast.url(f"connections/{connection.pk}/runs/{queued.json()['id']}/"))

    assert run["status"] == "succeeded", (run, celery_worker.log()[-3000:])
    assert (run["pages"], run["created"], run["failed"], run["pending"]) == (4, 4, 1, 1)
    assert Interaction.objects.filter(source="zendesk:acme").count() == 4
    detail = admin.get(cast.url(f"connections/{connection.pk}/")).json()
    assert detail["status"] == "ok" and detail["running"] is False and detail["pending_tickets"] == 1
    assert TOKEN not in celery_worker.log()  # the worker logs requests, never the credentials
