"""Celery entry points of the performance app: they take ids and call a service."""

from celery import shared_task

from performance.services.scoring.computation import BUSY, computation_job_run


@shared_task(bind=True, acks_late=True, max_retries=60)
def compute_period_scores(self, job_id: int, tenant_id: int) -> str:
    """Compute a period's scores for the job. Safe to deliver twice: see performance.services.scoring.computation.

    When another delivery of the same job is running right now, try again later: if that run dies, this one
    takes over; if it finishes, this one is a no-op.
    """
    outcome = computation_job_run(job_id=job_id, tenant_id=tenant_id)
    if outcome == BUSY:
        raise self.retry(countdown=10)
    return outcome
