"""Tasks for the queue routing test only (tests/platform/queue_worker_settings.py makes its workers import them):
named like the tasks of each kind, each writes where it was delivered (queue, worker) to a file."""

from __future__ import annotations

import json

from celery import shared_task

# One probe per kind of queue, named to match config.queues.PATTERNS (none matches "default").
PROBE_NAMES = {
    "ingestion": "tests.platform.tasks.ingest_probe",
    "connectors": "performance.tasks.sync_connection_probe",
    "default": "tests.platform.tasks.default_probe",
}


def _record(task, out_path: str) -> None:
    with open(out_path, "w") as out:
        json.dump({"routing_key": task.request.delivery_info.get("routing_key"), "hostname": task.request.hostname},
                  out)


@shared_task(bind=True, name=PROBE_NAMES["ingestion"])
def ingest_probe(self, out_path: str) -> None:
    _record(self, out_path)


@shared_task(bind=True, name=PROBE_NAMES["connectors"])
def sync_connection_probe(self, out_path: str) -> None:
    _record(self, out_path)


@shared_task(bind=True, name=PROBE_NAMES["default"])
def default_probe(self, out_path: str) -> None:
    _record(self, out_path)
