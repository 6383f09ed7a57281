"""Celery entry points of the performance app: they take ids and call a service."""

from celery import shared_task
from django.conf import settings

from common.dberrors import close_broken_connections, is_temporary_db_error
from performance.services.scoring.computation import (
    BUSY,
    computation_job_fail,
    computation_job_requeue,
    computation_job_run,
)
from performance.services.scoring.stalls import computation_jobs_requeue_stalled

TEMPORARY_ERROR_RETRIES = 5


@shared_task(bind=True, acks_late=True, max_retries=60)
def compute_period_scores(self, job_id: int, tenant_id: int) -> str:
    """Compute a period's scores for the job. Safe to deliver twice: see performance.services.scoring.computation.

    When another delivery of the same job is running right now, try again later: if that run dies, this one
    takes over; if it finishes, this one is a no-op. A temporary database error is retried a few times, then the
    job fails. A temporary error is one of Django's or psycopg's own (COPY raises those), see common.dberrors; the
    retry starts on a fresh connection and from a clean state (the run's incomplete revision is discarded).
    """
    try:
        outcome = computation_job_run(job_id=job_id, tenant_id=tenant_id)
    except Exception as exc:
        if not is_temporary_db_error(exc):
            raise
        close_broken_connections()
        if self.request.retries < TEMPORARY_ERROR_RETRIES:
            computation_job_requeue(job_id=job_id, tenant_id=tenant_id)
            countdown = settings.JOB_RETRY_BASE_SECONDS * 2**self.request.retries
            raise self.retry(exc=exc, countdown=countdown) from exc
        computation_job_fail(job_id=job_id, tenant_id=tenant_id, error=exc)
        raise
    if outcome == BUSY:
        raise self.retry(countdown=10)
    return outcome


@shared_task(ignore_result=True)
def requeue_stalled_jobs() -> dict[str, list[int]]:
    """Periodic (Celery beat, CELERY_BEAT_SCHEDULE): send stalled computation jobs again, fail those sent too
    often. Running it twice at once is harmless: each re-send is claimed with a conditional update."""
    return computation_jobs_requeue_stalled()


@shared_task(ignore_result=True)
def evaluate_alert_rules() -> dict[str, int]:
    """Periodic (Celery beat, every ALERT_EVALUATION_SECONDS): evaluate every enabled alert rule. Two runs at once
    take turns per rule (its row is locked), so a breach still raises one alert."""
    from performance.services.alerts import alert_rules_evaluate_enabled

    return alert_rules_evaluate_enabled()


@shared_task(acks_late=True)
def sync_connection(run_id: int, tenant_id: int) -> str:
    """Execute one connection run. Safe to deliver twice: a finished run is a no-op and the connection's lease
    keeps two deliveries from running at once (see performance.services.connectors.sync). A failed run is not
    retried: the next scheduled run resumes from the saved cursor."""
    from performance.services.connectors import connection_run_execute

    return connection_run_execute(run_id=run_id)


@shared_task(ignore_result=True)
def sync_due_connections() -> int:
    """Periodic (Celery beat, every CONNECTOR_SWEEP_SECONDS): queue a run for each due connection. Two sweeps at
    once queue each connection once (its next_run_at is claimed with a conditional update)."""
    from performance.services.connectors import connections_sync_due

    return connections_sync_due()
