"""Scoring: schemes and versions, KPI periods and their lifecycle, computation jobs and what-if simulations."""

from performance.services.scoring.computation import computation_job_run
from performance.services.scoring.periods import (
    period_close,
    period_compute,
    period_compute_after_change,
    period_create,
    period_delete,
    period_open_review,
    period_rename,
    score_adjustment_create,
)
from performance.services.scoring.schemes import (
    scheme_create,
    scheme_delete,
    scheme_update,
    scheme_version_create,
    scheme_version_delete,
    scheme_version_update,
)
from performance.services.scoring.simulation import period_simulate
from performance.services.scoring.stalls import computation_job_retry, computation_jobs_requeue_stalled

__all__ = [
    "computation_job_retry",
    "computation_job_run",
    "computation_jobs_requeue_stalled",
    "period_close",
    "period_compute",
    "period_compute_after_change",
    "period_create",
    "period_delete",
    "period_open_review",
    "period_rename",
    "period_simulate",
    "scheme_create",
    "scheme_delete",
    "scheme_update",
    "scheme_version_create",
    "scheme_version_delete",
    "scheme_version_update",
    "score_adjustment_create",
]
