"""Tasks land on the queue of their kind (config/queues.py): two real Celery workers, one consuming only the
computation queue, the other the default and notifications queues (a third consumes ingestion and connectors), and
each task is run by the worker of its queue."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from config.queues import all_queues, kind_of, queue_name
from performance.models import ComputationJob
from tests.conftest import ROOT, _wait_for_worker
from tests.performance.conftest import make_period, make_version
from tests.platform.queue_probe_tasks import PROBE_NAMES

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]

WAIT_SECONDS = 60


def test_task_names_route_by_kind():
    assert kind_of("performance.tasks.compute_period_scores") == "computation"
    assert kind_of("common.webhooks.tasks.send_webhook_delivery") == "notifications"
    assert kind_of("common.webhooks.tasks.send_due_webhook_deliveries") == "notifications"
    assert kind_of("common.notifications.tasks.send_notification_emails") == "notifications"
    assert kind_of("performance.tasks.sync_connection") == "connectors"
    assert kind_of("performance.tasks.sync_connections_due") == "connectors"
    assert kind_of("performance.tasks.requeue_stalled_jobs") is None
    assert kind_of("feedback.tasks.mark_overdue_appeals") is None
    assert all_queues("jx") == ["jx", "jx.ingestion", "jx.computation", "jx.notifications", "jx.connectors"]


@pytest.fixture
def workers(transactional_db, tmp_path):
    """Three solo workers on a prefix unique to this test: computation only; default + notifications;
    ingestion + connectors. Yields {name: log path}."""
    from config.celery import app

    prefix = f"jixiao-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = prefix, False
    database = settings.DATABASES["default"]
    env = {**os.environ, "CELERY_QUEUE": prefix, "CELERY_TASK_ALWAYS_EAGER": "false",
           "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
           "DJANGO_SETTINGS_MODULE": "tests.platform.queue_worker_settings"}
    consumes = {"computation": ["computation"], "general": [None, "notifications"],
                "intake": ["ingestion", "connectors"]}
    running, logs = [], {}
    try:
        for name, kinds in consumes.items():
            logs[name] = tmp_path / f"{name}.log"
            with open(logs[name], "w") as log:
                running.append(subprocess.Popen(
                    [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
                     "-n", f"{name}@%h", "-Q", ",".join(queue_name(prefix, kind) for kind in kinds),
                     "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
                    cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT))
            _wait_for_worker(running[-1], logs[name])
        yield prefix, logs
    finally:
        for worker in running:
            worker.terminate()
        for worker in running:
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
        app.conf.task_default_queue, app.conf.task_always_eager = previous


def wait_for_file(path: Path, logs: dict) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while not path.exists() or not path.stat().st_size:
        if time.monotonic() > deadline:
            pytest.fail("The task did not run; logs:\n" + "\n".join(p.read_text() for p in logs.values()))
        time.sleep(0.2)
    time.sleep(0.1)
    return json.loads(path.read_text())


def test_each_task_runs_on_the_worker_of_its_queue(workers, cast, client_as, tmp_path):
    from config.celery import app

    prefix, logs = workers
    expected = {"ingestion": ("ingestion", "intake"), "connectors": ("connectors", "intake"),
                "default": (None, "general")}
    for kind, name in PROBE_NAMES.items():
        out = tmp_path / f"{kind}.json"
        app.send_task(name, kwargs={"out_path": str(out)})
        seen = wait_for_file(out, logs)
        queue_kind, worker = expected[kind]
        assert seen["routing_key"] == queue_name(prefix, queue_kind), seen
        assert seen["hostname"].startswith(f"{worker}@"), seen

    # The real computation task: run by the computation worker, never by the others.
    make_version(cast.tenant, kpis=[("handled", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    admin = client_as(cast.users["admin"])
    accepted = admin.post(cast.url(f"periods/{period.pk}/compute/"))
    assert accepted.status_code == 202, accepted.content
    deadline = time.monotonic() + WAIT_SECONDS
    while ComputationJob.objects.get(pk=accepted.json()["id"]).status != "succeeded":
        assert time.monotonic() < deadline, logs["computation"].read_text()
        time.sleep(0.2)
    task = "performance.tasks.compute_period_scores"
    assert f"Task {task}[" in logs["computation"].read_text()
    assert f"Task {task}[" not in logs["general"].read_text() + logs["intake"].read_text()

    # A real webhook delivery task (of a delivery that does not exist: a no-op) lands on the notifications queue.
    from common.webhooks.tasks import send_webhook_delivery

    send_webhook_delivery.delay(delivery_id=0, tenant_id=cast.tenant.pk)
    deadline = time.monotonic() + WAIT_SECONDS
    task = "Task common.webhooks.tasks.send_webhook_delivery["
    while task not in logs["general"].read_text():
        assert time.monotonic() < deadline, logs["general"].read_text()
        time.sleep(0.2)
    assert task not in logs["computation"].read_text() + logs["intake"].read_text()
