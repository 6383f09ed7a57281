"""Running a computation job: claim it, gather and score the period, write a new revision in chunks.

Idempotent by construction, because Celery delivers with `acks_late` at least once:
- a job that already finished is a no-op when delivered again;
- while a run holds the job's PostgreSQL advisory lock, another delivery does nothing (the task retries later);
- a run starts by deleting any incomplete revision of the period (left by a run that died half-way), writes its
  rows for a new revision that only becomes complete — and the period's current revision — in the last
  transaction, so readers never see partial results and a re-run leaves exactly one run's rows;
- if the input fingerprint equals the current revision's, nothing new is written (counts.unchanged = true).

A job whose message was lost or whose run died is sent again by the periodic sweep (see stalls.py).
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from itertools import islice

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, Max, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext_noop

from common.audit import audit_record
from common.dberrors import TEMPORARY_DB_ERRORS, is_temporary_db_error
from performance.models import (
    AgentPeriodScore,
    AgentSchemeScore,
    ComputationJob,
    JobStatus,
    KpiPeriod,
    PeriodStatus,
    SchemeVersion,
    ScoreAdjustment,
    ScoreRevision,
)
from performance.selectors import VersionSpec, scheme_versions_effective, versions_with_details
from performance.services.events import period_computed_announce
from performance.services.scoring.engine import gather_inputs, input_fingerprint, score_period
from performance.services.scoring.scorecard import OverallResult

logger = logging.getLogger(__name__)

LOCK_NAMESPACE = 0x6A78  # first key of the two-key advisory lock ("jx")

DONE, BUSY, NOOP, FAILED = "done", "busy", "noop", "failed"
TEMPORARY_ERRORS = TEMPORARY_DB_ERRORS  # the database went away or gave up (Django's or psycopg's classes)


@contextmanager
def job_lock(job_id: int):
    """A session-level advisory lock on the job; PostgreSQL frees it if the worker's connection dies."""
    key = [LOCK_NAMESPACE, job_id % 2**31]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", key)
        acquired = cursor.fetchone()[0]
    try:
        yield acquired
    finally:
        if acquired:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", key)
            except TEMPORARY_DB_ERRORS:
                connection.close()  # the session is gone (PostgreSQL freed the lock with it): keep the first error


def computation_job_run(*, job_id: int, tenant_id: int) -> str:
    """Run the job once: "done" (or "failed", recorded on the job), "busy" when another delivery is running it
    right now, "noop" when it already finished or does not exist."""
    job = ComputationJob.objects.filter(pk=job_id, tenant_id=tenant_id).first()
    if job is None or job.status in (JobStatus.SUCCEEDED, JobStatus.FAILED):
        return NOOP
    with job_lock(job.pk) as acquired:
        if not acquired:
            return BUSY
        # A run starts from zero: a re-sent job never shows the dead run's progress (attempts counts the runs).
        claim = {"started_at": timezone.now(), "attempts": F("attempts") + 1, "progress": 0}
        claimed = ComputationJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(
            status=JobStatus.RUNNING, **claim)
        # Running but not locked by anyone: the run that claimed it died; this delivery takes over.
        if not claimed and not ComputationJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING).update(**claim):
            return NOOP
        job.refresh_from_db()
        try:
            _run(job)
        except Exception as exc:
            if is_temporary_db_error(exc):
                raise  # the job stays running; a retried delivery takes it over (see computation_job_requeue)
            logger.exception("Computation job %s failed", job.pk)
            _fail(job, exc)
            return FAILED
    return DONE


def computation_job_fail(*, job_id: int, tenant_id: int, error: Exception) -> None:
    """Give up on a job that kept hitting temporary errors: it fails and the period returns to its state."""
    job = ComputationJob.objects.filter(pk=job_id, tenant_id=tenant_id, status__in=["queued", "running"]).first()
    if job is not None:
        _fail(job, error)


def computation_job_requeue(*, job_id: int, tenant_id: int) -> None:
    """A run stopped on a temporary error and its task will be delivered again: the job is queued again (progress
    0), so that it reads as waiting and the stall sweep gives it the queued job's delay. Best effort: with the
    database still away the job stays running, and the sweep re-sends it once its run is seen to be gone."""
    try:
        ComputationJob.objects.filter(pk=job_id, tenant_id=tenant_id, status=JobStatus.RUNNING).update(
            status=JobStatus.QUEUED, progress=0)
    except TEMPORARY_DB_ERRORS:
        connection.close()


def _run(job: ComputationJob) -> None:
    started = time.perf_counter()
    period = KpiPeriod.objects.select_related("tenant", "current_revision").get(pk=job.period_id)
    _discard_incomplete_revisions(period)
    versions = scheme_versions_effective(tenant_id=period.tenant_id, on=period.start)
    inputs = gather_inputs(period=period, versions=versions)
    gathered = time.perf_counter()
    results = score_period(inputs)
    fingerprint = input_fingerprint(inputs, results)
    scored = time.perf_counter()
    counts = {
        "agents": len(results),
        "scored": sum(1 for r in results.values() if r.total is not None),
        "unscored": sum(1 for r in results.values() if r.total is None),
        "scheme_versions": len(versions),
        "scoped_interactions": sum(data.get("offered", 0) for members in inputs.populations.values()
                                   for data in members.values()),
        "unchanged": False,
    }
    timings = {"gather_seconds": round(gathered - started, 3), "score_seconds": round(scored - gathered, 3)}
    current = period.current_revision
    if current is not None and current.fingerprint == fingerprint:
        counts["unchanged"] = True
        timings["total_seconds"] = round(time.perf_counter() - started, 3)
        _finish(job, period, revision=None, counts=counts, timings=timings, versions=[])
        return
    revision = _write(job, period, results, fingerprint)
    written = time.perf_counter()
    counts["rows"] = len(results) + sum(len(r.schemes) for r in results.values())
    timings.update(write_seconds=round(written - scored, 3), total_seconds=round(written - started, 3))
    _finish(job, period, revision=revision, counts=counts, timings=timings, versions=versions)


def _discard_incomplete_revisions(period: KpiPeriod) -> None:
    with transaction.atomic():
        ScoreRevision.objects.filter(period=period, is_complete=False).delete()


def _chunks(items, size: int):
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _write(job: ComputationJob, period: KpiPeriod, results: dict[int, OverallResult],
           fingerprint: str) -> ScoreRevision:
    with transaction.atomic():
        last = ScoreRevision.objects.filter(period=period).aggregate(last=Max("number"))["last"] or 0
        revision = ScoreRevision.objects.create(tenant_id=period.tenant_id, period=period, number=last + 1,
                                                job=job, fingerprint=fingerprint)
    ordered = sorted(results.values(), key=lambda r: r.agent_id)
    done = 0
    for chunk in _chunks(ordered, settings.JOB_WRITE_CHUNK_AGENTS):
        with transaction.atomic():
            _write_chunk(job, revision, chunk)
            done += len(chunk)
            ComputationJob.objects.filter(pk=job.pk).update(progress=min(99, done * 100 // len(ordered)))
    return revision


OVERALL_COLUMNS = ["id", "tenant", "period", "revision", "job", "agent", "team", "total", "rank", "percentile",
                   "handled", "unscored_reason"]
SCHEME_COLUMNS = ["tenant", "overall", "revision", "agent", "scheme_version", "total", "rank", "percentile",
                  "handled", "unscored_reason", "kpis"]


def _copy(cursor, model, names: list[str], rows) -> None:
    """COPY into a temporary staging table, then INSERT … SELECT into the table: PostgreSQL refuses COPY FROM
    into a table under row-level security, while the INSERT is checked by its policy like any other write."""
    table = model._meta.db_table
    columns = ", ".join(model._meta.get_field(name).column for name in names)
    stage = f"jx_stage_{table}"
    cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{stage}")
    cursor.execute(f"CREATE TEMP TABLE {stage} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
    with cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage}")


def _write_chunk(job: ComputationJob, revision: ScoreRevision, chunk: list[OverallResult]) -> None:
    """COPY the chunk's overall rows (ids drawn from their sequence up front) and per-scheme rows.

    COPY rather than bulk_create: on this path the client-side quoting of bulk parameters cost more than the
    aggregation itself (see bench/computation.py)."""
    tenant_id, revision_id = revision.tenant_id, revision.pk
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                       [AgentPeriodScore._meta.db_table, len(chunk)])
        ids = [row[0] for row in cursor.fetchall()]
        _copy(cursor, AgentPeriodScore, OVERALL_COLUMNS, (
            (pk, tenant_id, revision.period_id, revision_id, job.pk, r.agent_id, r.team_id, r.total, r.rank,
             r.percentile, r.handled, r.unscored_reason)
            for pk, r in zip(ids, chunk, strict=True)
        ))
        _copy(cursor, AgentSchemeScore, SCHEME_COLUMNS, (
            (tenant_id, pk, revision_id, r.agent_id, version_id, s.total, s.rank, s.percentile, s.handled,
             s.unscored_reason, s.kpis_json)
            for pk, r in zip(ids, chunk, strict=True)
            for version_id, s in r.schemes.items()
        ))


def _status_after_success(job: ComputationJob) -> str:
    # A recompute during the appeal window (e.g. after an overturned appeal) keeps the period in review.
    return PeriodStatus.IN_REVIEW if job.previous_period_status == PeriodStatus.IN_REVIEW else PeriodStatus.COMPUTED


class JobError(Exception):
    """A failure the job records in English, as a msgid (marked with gettext_noop) with its params, so that it is
    shown in the reader's language (see the job serializer)."""

    def __init__(self, message: str, **params):
        super().__init__(message % params if params else message)
        self.message, self.params = message, params

    def as_stored(self) -> dict:
        stored = {"code": type(self).__name__, "message": self.message}
        return {**stored, "params": self.params} if self.params else stored


class SchemeVersionChanged(JobError):
    pass


def _lock_versions(versions: list[VersionSpec], now) -> None:
    """Lock the versions the results were computed with, making sure none was edited meanwhile (their rows stay
    locked until the results are complete, so an edit now waits and then finds the version locked)."""
    rows = SchemeVersion.objects.select_for_update(of=("self",)).filter(pk__in=[v.id for v in versions])
    current = {v.pk: VersionSpec.of(v).content() for v in versions_with_details(rows)}
    if any(current.get(v.id) != v.content() for v in versions):
        raise SchemeVersionChanged(gettext_noop(
            "A scheme version changed during the computation; compute the period again."))
    rows.filter(locked_at__isnull=True).update(locked_at=now)


@transaction.atomic
def _finish(job: ComputationJob, period: KpiPeriod, *, revision: ScoreRevision | None, counts: dict,
            timings: dict, versions: list[VersionSpec]) -> None:
    now = timezone.now()
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    before = {"status": period.status, "current_revision": period.current_revision_id}
    if revision is not None:
        ScoreRevision.objects.filter(pk=revision.pk).update(is_complete=True, completed_at=now)
        period.current_revision = revision
        _lock_versions(versions, now)
        _carry_appeal_adjustments(period, revision)
    period.status = _status_after_success(job)
    rerun = period.recompute_pending
    period.recompute_pending = False
    # The award step: the reward rules evaluated on the results just written (or kept), in this transaction.
    from performance.services.rewards.awards import period_awards_refresh

    counts["awards"] = period_awards_refresh(period=period, revision=period.current_revision)
    period.save(update_fields=["status", "current_revision", "recompute_pending", "updated_at"])
    ComputationJob.objects.filter(pk=job.pk).update(
        status=JobStatus.SUCCEEDED, progress=100, counts=counts, timings=timings, revision=revision,
        finished_at=now)
    audit_record(actor=None, tenant=period.tenant, action="period.computed", obj=period, before=before,
                 after={"status": period.status, "current_revision": period.current_revision_id, "job": job.pk,
                        "unchanged": counts["unchanged"]})
    period_computed_announce(period=period, job=job, counts=counts)
    _rerun_if_requested(job, period, requested=rerun)


def _rerun_if_requested(job: ComputationJob, period: KpiPeriod, *, requested: bool) -> ComputationJob | None:
    """The period's inputs changed while the job was queued or running (period_compute_after_change marked the
    period; the caller holds the period's row lock and read the mark with it, so it is final): queue the next
    computation in the same transaction, and move the appeals that waited on this job to the one that reads
    their effect. `requested`: the mark as read under the lock (the caller cleared it when saving the period)."""
    if not requested:
        return None
    from feedback.models import Appeal
    from performance.services.scoring.periods import period_compute

    rerun = period_compute(actor=None, period=period, requested_by=job.requested_by)
    ComputationJob.objects.filter(pk=job.pk).update(rerun_requested=True, rerun_job=rerun)
    Appeal.objects.filter(tenant_id=job.tenant_id, computation_job=job).update(computation_job=rerun)
    return rerun


def _carry_appeal_adjustments(period: KpiPeriod, revision: ScoreRevision) -> None:
    """Accepted appeals stay applied: their adjustments move to the agent's row of the new revision (manual
    adjustments exist only on closed periods, which are never recomputed)."""
    row = AgentPeriodScore.objects.filter(revision=revision, agent_id=OuterRef("agent_id"))
    ScoreAdjustment.objects.filter(period=period, appeal__isnull=False).filter(Exists(row)).update(
        score=Subquery(row.values("pk")[:1]))


def _fail(job: ComputationJob, exc: Exception) -> None:
    with transaction.atomic():
        period = KpiPeriod.objects.select_for_update().select_related("tenant").get(pk=job.period_id)
        _discard_incomplete_revisions(period)
        rerun = period.recompute_pending
        if period.status == PeriodStatus.COMPUTING or rerun:
            if period.status == PeriodStatus.COMPUTING:
                period.status = job.previous_period_status
            period.recompute_pending = False
            period.save(update_fields=["status", "recompute_pending", "updated_at"])
        ComputationJob.objects.filter(pk=job.pk).update(
            status=JobStatus.FAILED, finished_at=timezone.now(),
            errors=[_stored_error(exc)])
        audit_record(actor=None, tenant=period.tenant, action="period.compute_failed", obj=period,
                     after={"status": period.status, "job": job.pk, "error": type(exc).__name__})
        _rerun_if_requested(job, period, requested=rerun)


def _stored_error(exc: Exception) -> dict:
    if isinstance(exc, JobError):
        return exc.as_stored()
    return {"code": type(exc).__name__, "message": str(exc) or repr(exc)}  # unforeseen: stored as raised
