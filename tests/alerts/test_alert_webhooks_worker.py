"""End to end with a real Celery worker: an alert's events reach a local receiver, signed, with retries; the
evaluation answers before any receiver is called, and failures show on the alert's delivery log."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from common.webhooks.signing import verify
from tests.alerts.helpers import contacts

pytestmark = pytest.mark.celery_worker


@pytest.fixture
def celery_worker_env():
    return {"WEBHOOK_ALLOW_PRIVATE_URLS": "true", "WEBHOOK_RETRY_BASE_SECONDS": "0.2", "WEBHOOK_MAX_ATTEMPTS": "2"}


def _log(client, cast, alert_id, count, done):
    deadline = time.monotonic() + 30
    rows = []
    while time.monotonic() < deadline:
        rows = client.get(cast.url(f"alerts/{alert_id}/deliveries/")).json()["results"]
        if len(rows) == count and all(row["delivery"]["status"] == done for row in rows[-1:]):
            return rows
        time.sleep(0.2)
    return rows


def test_alert_events_are_delivered_with_retries_and_failures_logged(receiver, celery_worker, cast, client_as):
    admin = client_as(cast.users["admin"])
    receiver.statuses = [500, 200, 500, 500]  # raised: fails once then succeeds; resolved: fails both attempts
    created = admin.post(cast.url("webhooks/"), {"url": receiver.url, "events": ["alert.raised", "alert.resolved"]},
                         format="json")
    assert created.status_code == 201, created.content
    secret = created.json()["secret"]
    contacts(cast.north_agents[0], timezone.now() - timedelta(minutes=5), n=2)
    rule = admin.post(cast.url("alert-rules/"), {
        "name": "Slow", "kpi": "aht", "comparison": "gt", "threshold": "300", "window": "hours", "window_size": 1,
        "min_sample": 2, "deliver_webhooks": True}, format="json").json()

    started = time.monotonic()
    evaluation = admin.post(cast.url(f"alert-rules/{rule['id']}/evaluate/")).json()
    assert time.monotonic() - started < 2 and evaluation["outcome"] == "raised"
    alert_id = evaluation["alert"]["id"]
    received = receiver.wait_for(2)
    assert len(received) == 2, celery_worker.log()
    for request in received:
        assert request.headers["Jixiao-Event"] == "alert.raised"
        assert verify(secret=secret, body=request.body, header=request.headers["Jixiao-Signature"])
    data = json.loads(received[1].body)["data"]["alert"]
    assert (data["id"], data["value"], data["threshold"], data["sample"]) == (alert_id, "400.0000", "300.0000", 2)
    [raised] = _log(admin, cast, alert_id, 1, "succeeded")
    assert [(a["number"], a["status_code"]) for a in raised["delivery"]["attempts"]] == [(1, 500), (2, 200)]

    assert admin.post(cast.url(f"alerts/{alert_id}/resolve/"), {}, format="json").status_code == 200
    assert len(receiver.wait_for(4)) == 4, celery_worker.log()
    rows = _log(admin, cast, alert_id, 2, "failed")
    assert [row["event"] for row in rows] == ["alert.raised", "alert.resolved"]
    failed = rows[1]["delivery"]
    assert failed["status"] == "failed", celery_worker.log()
    assert [(a["number"], a["status_code"]) for a in failed["attempts"]] == [(1, 500), (2, 500)]
    assert failed["attempts"][1]["error"] == "The receiver answered HTTP 500."
