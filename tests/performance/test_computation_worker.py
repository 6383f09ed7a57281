"""End to end with a real Celery worker on Redis: compute through the API, poll the job, read the scores.

Also delivers a finished job's task twice more (at-least-once delivery) and checks nothing changes.
"""

import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from performance.models import ComputationJob, ScoreRevision
from performance.tasks import compute_period_scores
from tests.factories import InteractionFactory
from tests.performance.conftest import make_period, make_version

pytestmark = pytest.mark.celery_worker

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT_SECONDS = 60


def wait_for(client, url, worker) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"The job did not finish within {WAIT_SECONDS} s; worker log:\n{worker.log()}")


def test_compute_poll_and_read_scores_with_a_real_worker(celery_worker, cast, client_as):
    admin = client_as(cast.users["admin"])
    for csat in (5, 5, 4, 1):  # north1: 3 of 4 rated >= 4 → 75
        InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=csat)
    for csat in (5, 1):  # south0: 1 of 2 → 50
        InteractionFactory(agent=cast.south_agents[0], started_at=OCT, csat=csat)
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 2)])
    period = make_period(cast.tenant)
    period_url = cast.url(f"periods/{period.pk}/")

    accepted = admin.post(period_url + "compute/")
    assert accepted.status_code == 202, accepted.content
    first = wait_for(admin, cast.url(f"jobs/{accepted.json()['id']}/"), celery_worker)
    assert first["status"] == "succeeded", (first, celery_worker.log())
    assert first["revision"] == 1 and first["progress"] == 100 and first["counts"]["scored"] == 2
    scores = admin.get(period_url + "scores/", {"scored": "true"}).json()["results"]
    assert [(s["agent"]["employee_code"], s["total"], s["rank"]) for s in scores] == [
        ("N001", "75.00", 1), ("S000", "50.00", 2)]
    assert admin.get(period_url).json()["status"] == "computed"

    # The same job delivered twice more, then an unchanged recompute queued behind them (the queue is FIFO).
    compute_period_scores.delay(job_id=first["id"], tenant_id=cast.tenant.pk)
    compute_period_scores.delay(job_id=first["id"], tenant_id=cast.tenant.pk)
    again = wait_for(admin, cast.url(f"jobs/{admin.post(period_url + 'compute/').json()['id']}/"), celery_worker)
    assert again["status"] == "succeeded" and again["counts"]["unchanged"] is True and again["revision"] is None
    assert ComputationJob.objects.get(pk=first["id"]).attempts == 1
    assert ScoreRevision.objects.filter(period=period).count() == 1

    InteractionFactory(agent=cast.south_agents[0], started_at=OCT, csat=5)  # south0: 2 of 3 → 66.67
    changed = wait_for(admin, cast.url(f"jobs/{admin.post(period_url + 'compute/').json()['id']}/"), celery_worker)
    assert changed["revision"] == 2
    latest = admin.get(period_url + "scores/", {"agent": cast.south_agents[0].pk}).json()["results"][0]
    previous = admin.get(period_url + "scores/", {"agent": cast.south_agents[0].pk, "revision": 1}).json()
    assert (latest["total"], previous["results"][0]["total"]) == ("66.67", "50.00")

    assert admin.post(period_url + "open-review/").status_code == 200
    assert admin.post(period_url + "close/").status_code == 200
    refused = admin.post(period_url + "compute/")
    assert refused.status_code == 409 and refused.json()["code"] == "period_closed"
