"""An appeal decided while its period is being computed: the running job may have read the review before the
decision, so it queues another computation when it finishes, and the appeal follows that one (whose results hold
the decision's effect)."""

from datetime import datetime
from unittest import mock
from zoneinfo import ZoneInfo

import pytest

from performance.models import AgentPeriodScore, ComputationJob, KpiPeriod
from performance.services.scoring import computation, computation_job_run, period_compute, period_compute_after_change
from tests.factories import InteractionFactory
from tests.feedback.appeal_helpers import decide_all, file_review_appeal, own_review
from tests.performance.conftest import admin_actor, compute_now, make_period
from tests.performance.conftest import make_version as make_scheme_version

pytestmark = pytest.mark.django_db

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def current_total(period: KpiPeriod, agent) -> str:
    revision = KpiPeriod.objects.get(pk=period.pk).current_revision_id
    return str(AgentPeriodScore.objects.get(revision_id=revision, agent=agent).total)


def run_with_change_after_gather(job: ComputationJob, change) -> None:
    """Run the job in this process; `change()` happens after its inputs were gathered, before it writes."""
    real = computation.gather_inputs

    def gather_then_change(**kwargs):
        inputs = real(**kwargs)
        change()
        return inputs

    with mock.patch.object(computation, "gather_inputs", gather_then_change):
        assert computation_job_run(job_id=job.pk, tenant_id=job.tenant_id) == "done"
    job.refresh_from_db()


def test_an_appeal_decided_during_a_computation_gets_a_computation_after_it(cast, version):
    make_scheme_version(cast.tenant, kpis=[("qa_score", 1, 0, 100, 1)])
    period = make_period(cast.tenant)
    review = own_review(cast, version, interaction=InteractionFactory(agent=cast.own_agent, started_at=OCT))
    assert compute_now(period).status == "succeeded"
    appeal = file_review_appeal(cast, review)  # C1: 3 → 5, review total 91.50 → 94.00
    running = period_compute(actor=admin_actor(cast.tenant), period=period)

    decided = {}
    run_with_change_after_gather(running, lambda: decided.update(
        appeal=decide_all(appeal, cast.users["admin"])))

    appeal = decided["appeal"]
    assert appeal.status == "overturned"
    assert running.status == "succeeded" and running.rerun_requested is True
    # It read the review before the decision: its inputs were unchanged, the old total stays current.
    assert running.counts["unchanged"] is True and current_total(period, cast.own_agent) == "91.50"
    rerun = running.rerun_job
    assert rerun is not None and rerun.status == "queued" and rerun.previous_period_status == "computed"
    appeal.refresh_from_db()
    assert appeal.computation_job_id == rerun.pk  # the appeal follows the job that reads its effect
    assert KpiPeriod.objects.get(pk=period.pk).status == "computing"

    assert computation_job_run(job_id=rerun.pk, tenant_id=cast.tenant.pk) == "done"
    rerun.refresh_from_db()
    assert rerun.status == "succeeded" and rerun.rerun_requested is False and rerun.rerun_job is None
    assert rerun.revision.number == 2 and current_total(period, cast.own_agent) == "94.00"
    assert KpiPeriod.objects.get(pk=period.pk).status == "computed"


def test_a_change_while_nothing_computes_starts_a_job_and_a_second_change_flags_it_once(cast):
    make_scheme_version(cast.tenant, kpis=[("handled", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    actor = admin_actor(cast.tenant)
    first = period_compute_after_change(actor=actor, period=period)
    assert first.status == "queued" and not KpiPeriod.objects.get(pk=period.pk).recompute_pending
    again = period_compute_after_change(actor=actor, period=period)
    assert again.pk == first.pk and KpiPeriod.objects.get(pk=period.pk).recompute_pending
    assert period_compute_after_change(actor=actor, period=period).pk == first.pk
    assert ComputationJob.objects.filter(period=period).count() == 1

    assert computation_job_run(job_id=first.pk, tenant_id=cast.tenant.pk) == "done"
    first.refresh_from_db()
    assert first.rerun_requested and first.rerun_job is not None
    assert not KpiPeriod.objects.get(pk=period.pk).recompute_pending  # cleared by the finish that queued it
    assert ComputationJob.objects.filter(period=period).count() == 2  # one rerun, however many changes


def test_a_failed_job_flagged_for_a_rerun_still_queues_it(cast):
    make_scheme_version(cast.tenant, kpis=[("handled", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    actor = admin_actor(cast.tenant)
    job = period_compute(actor=actor, period=period)
    period_compute_after_change(actor=actor, period=period)
    with mock.patch.object(computation, "score_period", side_effect=ValueError("boom")):
        assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "failed"
    job.refresh_from_db()
    assert job.status == "failed" and job.rerun_job is not None and job.rerun_job.status == "queued"
    assert job.rerun_job.previous_period_status == "open"
