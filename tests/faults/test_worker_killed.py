"""A Celery worker killed with SIGKILL in the middle of a period computation; a new worker finishes the job.

The gate (see conftest) holds the run at a known point: `mid_write`, inside the COPY of the 4th of 6 chunks (3
committed, progress 50 %); `before_finish`, with every chunk written (progress 99 %) and the last transaction waiting
to mark the revision complete. The worker is killed there; a beat process (its own supervised process in production)
runs the stall sweep every second; a new worker is started. The job must succeed, and every field of every result
row must equal those of an undisturbed run on the same inputs (computed first, in this process).
"""

import time

import pytest
from django.utils import timezone

from performance.models import AgentPeriodScore, ComputationJob
from tests.faults.conftest import (
    CHUNK,
    agents_in_write_order,
    gate_on_agent,
    gate_on_completion,
    score_rows,
    wait_until,
)

pytestmark = pytest.mark.faults

WORKER_ENV = {"JOB_WRITE_CHUNK_AGENTS": str(CHUNK), "JOB_STALL_SWEEP_SECONDS": "1", "JOB_LOST_RUN_SECONDS": "2"}


@pytest.mark.parametrize("point", ["mid_write", "before_finish"])
def test_a_worker_killed_mid_computation_is_replaced_and_the_rows_equal_an_undisturbed_run(
        point, month, cast, client_as, processes):
    period, expected = month
    processes.env.update(WORKER_ENV)
    worker = processes.worker()
    processes.beat()
    admin = client_as(cast.users["admin"])

    first_of_4th_chunk = agents_in_write_order(period)[3 * CHUNK]
    with gate_on_agent(first_of_4th_chunk) if point == "mid_write" else gate_on_completion() as gate:
        accepted = admin.post(cast.url(f"periods/{period.pk}/compute/"))
        assert accepted.status_code == 202, accepted.content
        job_id = accepted.json()["id"]
        wait_until(gate.waiting, what="the run to reach the gate", log=processes.logs)
        job = ComputationJob.objects.get(pk=job_id)
        written = AgentPeriodScore.objects.filter(job_id=job_id).count()
        if point == "mid_write":
            assert (job.status, job.progress, written) == ("running", 50, 3 * CHUNK)
        else:
            assert (job.status, job.progress, written) == ("running", 99, 24)
        worker.kill()
        killed_at, killed_wall = time.monotonic(), timezone.now()
        gate.release()  # the dead worker's session ends at its next read from the client and frees its locks

    # A new worker: the beat's sweep (run by it) sees the run is gone and queues the job again, which it then runs.
    processes.worker()
    seen = []

    def finished():
        job = ComputationJob.objects.get(pk=job_id)
        seen.append((job.requeues, job.attempts, job.status, job.progress))
        return job if job.status in ("succeeded", "failed") else None

    done = wait_until(finished, what="the new worker to finish the job", log=processes.logs)
    recovered_seconds = time.monotonic() - killed_at
    assert done.status == "succeeded", (done.errors, processes.logs())
    assert (done.attempts, done.requeues, done.progress) == (2, 1, 100)
    detected_seconds = (done.requeued_at - killed_wall).total_seconds()
    assert 0 < detected_seconds < 2 + 1 + 5  # JOB_LOST_RUN_SECONDS + sweep interval + slack
    # Once sent again, the job never shows the dead run's progress: queued at 0, then the new run's own.
    assert all(progress == 0 for requeues, attempts, status, progress in seen if requeues and attempts == 1), seen
    period.refresh_from_db()
    assert period.status == "computed" and period.current_revision_id == done.revision_id
    assert score_rows(period.current_revision) == expected
    # Exactly one run's rows: the dead run's incomplete revision was discarded.
    assert AgentPeriodScore.objects.filter(period=period).count() == 24
    print(f"FAULT worker SIGKILL at {point}: detected and re-sent after {detected_seconds:.1f} s, "
          f"finished {recovered_seconds:.1f} s after the kill; 24 overall and "
          f"{len(expected['schemes'])} scheme rows equal")
