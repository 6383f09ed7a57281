"""End to end with a real Celery worker: computing a period through the API ends in a signed webhook delivery
received by a local receiver, after the computation committed."""

from __future__ import annotations

import json
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from common.webhooks.signing import verify
from tests.factories import InteractionFactory
from tests.performance.conftest import make_period, make_version

pytestmark = pytest.mark.celery_worker

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def celery_worker_env():
    return {"WEBHOOK_ALLOW_PRIVATE_URLS": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.2"}


def test_computing_a_period_delivers_a_signed_webhook(receiver, celery_worker, cast, client_as):
    admin = client_as(cast.users["admin"])
    receiver.statuses = [500, 200]  # the first attempt fails; the worker retries after the backoff
    created = admin.post(cast.url("webhooks/"), {"url": receiver.url, "events": ["period.computed"]}, format="json")
    assert created.status_code == 201, created.content
    secret, webhook_id = created.json()["secret"], created.json()["id"]
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    period = make_period(cast.tenant)

    assert admin.post(cast.url(f"periods/{period.pk}/compute/")).status_code == 202
    received = receiver.wait_for(2)
    assert len(received) == 2, celery_worker.log()
    for request in received:
        assert request.headers["Jixiao-Event"] == "period.computed"
        assert verify(secret=secret, body=request.body, header=request.headers["Jixiao-Signature"])
    envelope = json.loads(received[1].body)
    assert envelope["tenant"] == "acme" and envelope["data"]["period"]["id"] == period.pk
    assert envelope["data"]["period"]["status"] == "computed"  # sent after the computation committed

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        deliveries = admin.get(cast.url(f"webhooks/{webhook_id}/deliveries/")).json()["results"]
        if deliveries and deliveries[0]["status"] == "succeeded":
            break
        time.sleep(0.2)
    [delivery] = deliveries
    assert delivery["status"] == "succeeded", celery_worker.log()
    assert [(a["number"], a["status_code"]) for a in delivery["attempts"]] == [(1, 500), (2, 200)]
    assert received[0].headers["Jixiao-Delivery"] == str(delivery["id"])
    notices = admin.get(cast.url("notifications/"), {"event": "period.computed"}).json()["results"]
    assert notices[0]["message"] == "The scores of period 2026-10 are ready (revision 1)."
