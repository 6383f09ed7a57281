"""Computation jobs never stay stuck: a job whose task message was lost, or whose run died, is sent again.

A job is stalled when it is queued or running, no run holds its advisory lock (see computation.job_lock), and
nothing happened to it (created, claimed by a run, sent again) for `JOB_STALL_SECONDS`. Liveness is read from
pg_locks, so checking never takes the lock away from a run. Sending again is safe: a run is idempotent and takes
over a dead one. After `JOB_MAX_REQUEUES` sends a job that is still stalled fails, and its period returns to the
status it had before the computation was requested.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Greatest, Mod
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from common import rls
from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from performance.models import ComputationJob, JobStatus
from performance.services.scoring.computation import LOCK_NAMESPACE, JobError, computation_job_fail, job_lock

logger = logging.getLogger(__name__)

ACTIVE = (JobStatus.QUEUED, JobStatus.RUNNING)
FINISHED = (JobStatus.SUCCEEDED, JobStatus.FAILED)
JOB_FINISHED = {
    JobStatus.SUCCEEDED: _("The job already succeeded; compute the period again for new results."),
    JobStatus.FAILED: _("The job already failed; compute the period again for new results."),
}

# The second keys of the job advisory locks granted in this database (pg_locks spans the whole cluster).
_LIVE_RUN_KEYS = (
    "SELECT objid::bigint FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 2"
    " AND classid = %s::oid AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
)


class JobStalled(JobError):
    """The job's task was sent again as often as allowed and the job still did not run to its end."""


def _without_live_run(jobs: QuerySet) -> QuerySet:
    return jobs.annotate(lock_key=Mod(F("id"), Value(2**31))).exclude(
        lock_key__in=RawSQL(_LIVE_RUN_KEYS, [LOCK_NAMESPACE]))


def _stalled_jobs(*, idle_since) -> QuerySet:
    """Active jobs without a live run whose last sign of life (creation, claim or re-send) is before idle_since:
    one query across tenants."""
    return _without_live_run(ComputationJob.objects.filter(status__in=ACTIVE)).annotate(
        last_activity=Greatest("created_at", "started_at", "requeued_at"),  # PostgreSQL's GREATEST skips NULLs
    ).filter(last_activity__lt=idle_since).select_related("tenant").order_by("id")


def _send(job_id: int, tenant_id: int) -> None:
    from performance.tasks import compute_period_scores

    try:
        compute_period_scores.delay(job_id=job_id, tenant_id=tenant_id)
    except Exception:
        # The job stays stalled with its re-send counted; the next sweep tries again.
        logger.exception("Could not send computation job %s again", job_id)


def _requeue(job: ComputationJob, *, actor: Actor | None) -> bool:
    """Count the re-send, audit it, and send the task after commit; False if the job changed meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        changed = ComputationJob.objects.filter(pk=job.pk, status__in=ACTIVE, requeues=job.requeues).update(
            requeues=F("requeues") + 1, requeued_at=now)
        if not changed:
            return False
        audit_record(actor=actor, tenant=job.tenant, action="computation_job.requeued", obj=job,
                     before={"requeues": job.requeues},
                     after={"requeues": job.requeues + 1, "status": job.status, "period": job.period_id})
        transaction.on_commit(partial(_send, job.pk, job.tenant_id))
    job.requeues, job.requeued_at = job.requeues + 1, now
    return True


def _fail_stalled(job: ComputationJob, *, max_requeues: int) -> bool:
    """Fail the job, holding its lock for the moment, so that a run starting right now either finds it failed or
    keeps it (this returns False)."""
    with job_lock(job.pk) as acquired:
        if not acquired:
            return False
        error = JobStalled(gettext_noop("The computation stalled: its task was sent again %(requeues)s times (at "
                                        "most %(max)s) and no worker ran it to the end. Compute the period again."),
                           requeues=job.requeues, max=max_requeues)
        computation_job_fail(job_id=job.pk, tenant_id=job.tenant_id, error=error)
    return True


def computation_jobs_requeue_stalled(*, stall_seconds: int | None = None,
                                     max_requeues: int | None = None) -> dict[str, list[int]]:
    """Send every stalled job's task again, or fail the job once it was sent `max_requeues` times.

    Returns the ids of the jobs sent again and of those failed."""
    stall_seconds = settings.JOB_STALL_SECONDS if stall_seconds is None else stall_seconds
    max_requeues = settings.JOB_MAX_REQUEUES if max_requeues is None else max_requeues
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    with rls.all_tenants():  # the sweep lists every tenant's stalled jobs, then handles each in its tenant's scope
        stalled = list(_stalled_jobs(idle_since=timezone.now() - timedelta(seconds=stall_seconds)))
    for job in stalled:
        with rls.tenant_scope(job.tenant_id):
            if job.requeues >= max_requeues:
                if _fail_stalled(job, max_requeues=max_requeues):
                    outcome["failed"].append(job.pk)
            elif _requeue(job, actor=None):
                outcome["requeued"].append(job.pk)
    if outcome["requeued"] or outcome["failed"]:
        logger.warning("Stalled computation jobs: sent again %s, failed %s", outcome["requeued"], outcome["failed"])
    return outcome


def computation_job_retry(*, actor: Actor, job: ComputationJob) -> ComputationJob:
    """Send a queued or running job's task again now, without waiting for the sweep (an operator's retry).

    Refused (409) when the job finished or a run is working on it right now. The re-send counts towards the
    sweep's bound."""
    job = ComputationJob.objects.select_related("tenant").get(pk=job.pk)
    if job.status in FINISHED:
        raise Conflict(JOB_FINISHED[job.status], code="job_finished")
    if not _without_live_run(ComputationJob.objects.filter(pk=job.pk)).exists():
        raise Conflict(_("A worker is running this job right now; poll it instead."), code="job_running")
    if not _requeue(job, actor=actor):
        raise Conflict(_("The job changed meanwhile; read it again."), code="job_changed")
    return job
