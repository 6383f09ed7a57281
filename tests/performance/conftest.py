"""Helpers for the performance tests: scheme versions, periods, synchronous computation and
a real Celery worker for the end-to-end tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from common.actor import Actor
from performance.models import (
    ComputationJob,
    KpiPeriod,
    SchemeKpi,
    SchemeVersion,
    SchemeVersionTeam,
    ScoringScheme,
)

ROOT = Path(__file__).resolve().parents[2]


def admin_actor(tenant, user=None) -> Actor:
    return Actor(tenant=tenant, role="admin", user=user)


def make_version(
    tenant, *, scheme: ScoringScheme | None = None, name: str = "Standard", number: int | None = None,
    effective_from: date = date(2026, 1, 1), effective_to: date | None = None, scenario=None, teams=(),
    policy: str = "redistribute", kpis=(("csat", 60, 50, 90, 1), ("aht", 40, 600, 300, 1)),
) -> SchemeVersion:
    """A saved scheme version; kpis as (code, weight, floor, target, min_sample)."""
    if scheme is None:
        scheme, _ = ScoringScheme.objects.get_or_create(tenant=tenant, name=name)
    if number is None:
        number = scheme.versions.count() + 1
    version = SchemeVersion.objects.create(tenant=tenant, scheme=scheme, number=number,
                                           effective_from=effective_from, effective_to=effective_to,
                                           scenario=scenario, missing_data_policy=policy)
    SchemeVersionTeam.objects.bulk_create([SchemeVersionTeam(tenant=tenant, version=version, team=t) for t in teams])
    SchemeKpi.objects.bulk_create([
        SchemeKpi(tenant=tenant, version=version, position=i, kpi_code=code, weight=Decimal(str(w)),
                  floor=Decimal(str(f)), target=Decimal(str(t)), min_sample=m)
        for i, (code, w, f, t, m) in enumerate(kpis)
    ])
    return version


def make_period(tenant, *, start: date = date(2026, 10, 1), end: date = date(2026, 11, 1),
                kind: str = "monthly", status: str = "open") -> KpiPeriod:
    return KpiPeriod.objects.create(tenant=tenant, name=f"{start:%Y-%m}", kind=kind, start=start, end=end,
                                    status=status)


def compute_now(period: KpiPeriod) -> ComputationJob:
    """Queue a computation as the API does and run it in this process, as the worker would."""
    from performance.services.scoring import computation_job_run, period_compute

    job = period_compute(actor=admin_actor(period.tenant), period=period)
    computation_job_run(job_id=job.pk, tenant_id=period.tenant_id)
    job.refresh_from_db()
    period.refresh_from_db()
    return job


@dataclass
class RunningWorker:
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path):
    """A real Celery worker (solo pool) on Redis, consuming a queue unique to this test, against the test database.

    This process publishes to the same queue. The worker is stopped after the test.
    """
    from config.celery import app

    queue = f"jixiao-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log_path = tmp_path / "celery-worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo", "-Q", queue,
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_worker(worker, log_path)
        yield RunningWorker(queue, log_path)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.conf.task_default_queue, app.conf.task_always_eager = previous


def _wait_for_worker(worker: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The Celery worker exited early:\n{log_path.read_text()}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"The Celery worker did not become ready:\n{log_path.read_text()}")


def globex_scoring_ids(cast) -> dict:
    """Scoring objects of the other tenant (globex), for the isolation test: made once per cast."""
    if not hasattr(cast, "_globex_scoring"):
        version = make_version(cast.other_tenant, name="Globex standard", kpis=[("offered", 1, 0, 10, 0)])
        period = make_period(cast.other_tenant)
        job = compute_now(period)
        cast._globex_scoring = {
            "kpis": "not-a-kpi",  # the catalog is global: there is no other tenant's KPI, only unknown codes
            "schemes": version.scheme_id,
            "periods": period.pk,
            "jobs": job.pk,
        }
    return cast._globex_scoring
