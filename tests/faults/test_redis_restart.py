"""Redis (the broker, owned by the test on its own port) restarted while a task is in flight.

Before config/broker.py, the worker's main process died after such a restart (kombu: "Unrecoverable error:
AttributeError('NoneType' object has no attribute 'hostname')" while restoring unacknowledged messages) and nothing
consumed the queue any more. Now the in-flight computation finishes with the rows of an undisturbed run, the worker
reconnects and keeps consuming, and a webhook delivery in flight across the restart succeeds exactly once.
"""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from common.models import WebhookDelivery
from common.webhooks import tasks as webhook_tasks
from common.webhooks.services import webhook_create, webhook_send_test
from config.celery import app
from performance import tasks as performance_tasks
from performance.models import ComputationJob
from tests.common.conftest import admin_of
from tests.factories import InteractionFactory
from tests.faults.conftest import CHUNK, OCT, agents_in_write_order, gate_on_agent, score_rows, wait_until

pytestmark = pytest.mark.faults


@pytest.fixture
def via_owned_redis(owned_redis, processes, monkeypatch):
    """The worker and beat use the test's Redis; so do the tasks this process sends."""
    processes.env.update({"CELERY_BROKER_URL": owned_redis.url, "JOB_WRITE_CHUNK_AGENTS": str(CHUNK),
                          "JOB_STALL_SWEEP_SECONDS": "1", "JOB_LOST_RUN_SECONDS": "2",
                          "WEBHOOK_ALLOW_PRIVATE_URLS": "true", "WEBHOOK_TIMEOUT_SECONDS": "60"})
    for task in (performance_tasks.compute_period_scores, webhook_tasks.send_webhook_delivery):
        def send(task=task, **kwargs):
            with app.connection_for_write(owned_redis.url) as connection:
                return task.apply_async(kwargs=kwargs, connection=connection)
        monkeypatch.setattr(task, "delay", send)
    return owned_redis


def _connected(worker) -> int:
    return worker.log().count("Connected to ")


def test_a_redis_restart_during_a_computation_loses_nothing_and_the_worker_keeps_consuming(
        month, cast, client_as, processes, via_owned_redis):
    period, expected = month
    worker = processes.worker(pool="prefork")  # the main process consumes while a child runs the task
    admin = client_as(cast.users["admin"])

    with gate_on_agent(agents_in_write_order(period)[3 * CHUNK]) as gate:
        job_id = admin.post(cast.url(f"periods/{period.pk}/compute/")).json()["id"]
        wait_until(gate.waiting, what="the run to reach the gate", log=processes.logs)
        before = _connected(worker)
        via_owned_redis.restart()
        wait_until(lambda: _connected(worker) > before, timeout=60, what="the worker to reconnect",
                   log=processes.logs)
        gate.release()

    job = wait_until(lambda: ComputationJob.objects.filter(pk=job_id, status__in=["succeeded", "failed"]).first(),
                     what="the job to finish", log=processes.logs)
    assert job.status == "succeeded", (job.errors, processes.logs())
    period.refresh_from_db()
    assert score_rows(period.current_revision) == expected
    assert worker.alive() and "Unrecoverable error" not in worker.log(), worker.log()

    # The worker still consumes: a new computation (one more contact) is run to its end.
    InteractionFactory(agent=cast.south_agents[0], started_at=OCT, csat=5)
    again = admin.post(cast.url(f"periods/{period.pk}/compute/"))
    assert again.status_code == 202, again.content
    next_job = wait_until(lambda: ComputationJob.objects.filter(pk=again.json()["id"], status="succeeded").first(),
                          what="the worker to run the next job", log=processes.logs)
    assert next_job.revision_id is not None and worker.alive()
    print(f"FAULT Redis restart during a computation: job {job.status} after {job.attempts} run(s), 24 rows equal; "
          "the worker reconnected and ran the next job")


class HeldReceiver:
    """A webhook receiver that holds each request until `release` is set, then answers 200."""

    def __init__(self):
        self.release, self.received = threading.Event(), []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.received.append(self.rfile.read(int(self.headers.get("Content-Length", 0))))
                receiver.release.wait(60)
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks"

    def close(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_a_webhook_delivery_in_flight_across_a_redis_restart_succeeds_once(
        cast, processes, via_owned_redis, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    receiver = HeldReceiver()
    try:
        worker = processes.worker(pool="prefork")
        webhook, _secret = webhook_create(actor=admin_of(cast), url=receiver.url, events=["period.computed"])
        delivery = webhook_send_test(actor=admin_of(cast), webhook=webhook)
        wait_until(lambda: receiver.received, what="the delivery to reach the receiver", log=processes.logs)
        before = _connected(worker)
        via_owned_redis.restart()
        wait_until(lambda: _connected(worker) > before, timeout=60, what="the worker to reconnect",
                   log=processes.logs)
        receiver.release.set()
        done = wait_until(lambda: WebhookDelivery.objects.filter(pk=delivery.pk, status="succeeded").first(),
                          what="the delivery to succeed", log=processes.logs)
        time.sleep(2)  # a duplicate message (restored after the restart) would be attempted by now
        done.refresh_from_db()
        assert (done.status, done.attempt_count, len(receiver.received)) == ("succeeded", 1, 1)
        assert worker.alive() and "Unrecoverable error" not in worker.log(), worker.log()
        print("FAULT Redis restart during a webhook delivery: succeeded with 1 attempt, received once")
    finally:
        receiver.close()
