"""Computation jobs never stay stuck: the periodic sweep sends stalled jobs again (bounded), and admins can retry.

A job is stalled when it is queued or running, no run holds its advisory lock, and nothing happened to it for
JOB_STALL_SECONDS (300 by default, set explicitly below). "Lost" messages are simulated by never running the
on-commit send of period_compute (plain `db` tests do not run on-commit callbacks unless captured).
"""

import time
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from accounts.services import api_key_create
from performance import tasks
from performance.api.scoring_serializers import JobSerializer
from performance.models import ComputationJob, KpiPeriod
from performance.services.scoring import (
    computation,
    computation_job_run,
    computation_jobs_requeue_stalled,
    period_compute,
    stalls,
)
from tests.conftest import ROLES
from tests.factories import InteractionFactory
from tests.performance.conftest import admin_actor, compute_now, make_period, make_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
STALL = 300


@pytest.fixture(autouse=True)
def _stall_settings(settings):
    settings.JOB_STALL_SECONDS = STALL
    settings.JOB_MAX_REQUEUES = 3


@pytest.fixture
def sent(monkeypatch) -> list[dict]:
    """The compute tasks sent (instead of reaching the broker)."""
    calls: list[dict] = []
    monkeypatch.setattr(tasks.compute_period_scores, "delay", lambda **kwargs: calls.append(kwargs))
    return calls


@pytest.fixture
def month(cast) -> KpiPeriod:
    """October with contacts for north1 (2) and south0 (1); one version scoring `offered` (floor 0, target 10)."""
    for agent in (cast.north_agents[1], cast.north_agents[1], cast.south_agents[0]):
        InteractionFactory(agent=agent, started_at=OCT)
    make_version(cast.tenant, kpis=[("offered", 1, 0, 10, 0)])
    return make_period(cast.tenant)


def lost_job(period: KpiPeriod, *, idle_seconds: int = STALL + 1, **fields) -> ComputationJob:
    """A computation requested through the service whose task message never arrived, idle for idle_seconds."""
    job = period_compute(actor=admin_actor(period.tenant), period=period)
    then = timezone.now() - timedelta(seconds=idle_seconds)
    ComputationJob.objects.filter(pk=job.pk).update(created_at=then, **fields)
    job.refresh_from_db()
    return job


def sweep(capture) -> dict[str, list[int]]:
    """One run of the periodic task, with its after-commit sends executed."""
    with capture(execute=True):
        return tasks.requeue_stalled_jobs()


@contextmanager
def run_holding_the_lock(job: ComputationJob):
    """Another database session holding the job's advisory lock, as a live run does."""
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"],
                         autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [computation.LOCK_NAMESPACE, job.pk])
        yield
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [computation.LOCK_NAMESPACE, job.pk])


def age(job: ComputationJob, seconds: int = STALL + 1) -> None:
    """Make every timestamp of the job's last activity `seconds` old."""
    then = timezone.now() - timedelta(seconds=seconds)
    ComputationJob.objects.filter(pk=job.pk).update(
        created_at=then, **{f: then for f in ("started_at", "requeued_at") if getattr(job, f) is not None})


# The sweep


def test_a_queued_job_whose_message_was_lost_is_sent_again_and_then_completes(
        cast, month, sent, django_capture_on_commit_callbacks):
    job = lost_job(month)
    assert sweep(django_capture_on_commit_callbacks) == {"requeued": [job.pk], "failed": []}
    assert sent == [{"job_id": job.pk, "tenant_id": cast.tenant.pk}]
    job.refresh_from_db()
    assert (job.status, job.requeues) == ("queued", 1)
    assert timezone.now() - job.requeued_at < timedelta(seconds=5)
    event = AuditEvent.objects.get(action="computation_job.requeued", object_id=str(job.pk))
    assert event.actor_user is None and event.tenant == cast.tenant
    assert event.changes == {"before": {"requeues": 0},
                             "after": {"requeues": 1, "status": "queued", "period": month.pk}}

    # Sent again just now: the next sweep waits another JOB_STALL_SECONDS.
    assert sweep(django_capture_on_commit_callbacks) == {"requeued": [], "failed": []}
    assert len(sent) == 1

    assert computation_job_run(**sent[0]) == "done"  # the re-sent task, as the worker runs it
    job.refresh_from_db()
    month.refresh_from_db()
    assert (job.status, job.attempts, month.status) == ("succeeded", 1, "computed")
    # offered (target 10, min sample 0): north1 2 contacts → 20 points, south0 1 → 10, the 4 others 0
    assert sorted(month.current_revision.scores.values_list("total", flat=True)) == [0, 0, 0, 0, 10, 20]


def test_a_job_queued_less_than_the_stall_time_ago_is_left_alone(cast, month, sent,
                                                                 django_capture_on_commit_callbacks):
    job = lost_job(month, idle_seconds=STALL - 30)
    assert sweep(django_capture_on_commit_callbacks) == {"requeued": [], "failed": []}
    job.refresh_from_db()
    assert sent == [] and job.requeues == 0


def test_a_running_job_with_a_live_run_is_left_alone_and_taken_over_once_the_run_died(
        cast, month, sent, django_capture_on_commit_callbacks):
    # Claimed by a run 20 minutes ago (a long computation), which still holds the lock from another session.
    job = lost_job(month, idle_seconds=1200, status="running", attempts=1, started_at=timezone.now() -
                   timedelta(seconds=1200))
    with run_holding_the_lock(job):
        assert sweep(django_capture_on_commit_callbacks) == {"requeued": [], "failed": []}
        assert sent == []
    # The session is gone (the worker died): no lock, so the run is dead and the job is sent again.
    assert sweep(django_capture_on_commit_callbacks) == {"requeued": [job.pk], "failed": []}
    assert computation_job_run(**sent[0]) == "done"
    job.refresh_from_db()
    assert (job.status, job.attempts, job.requeues) == ("succeeded", 2, 1)  # the re-sent run took over


def test_a_lock_on_another_job_does_not_count_as_a_live_run(cast, month, sent, django_capture_on_commit_callbacks):
    job = lost_job(month)
    other = compute_now(make_period(cast.tenant, kind="custom"))
    with run_holding_the_lock(other):
        assert sweep(django_capture_on_commit_callbacks)["requeued"] == [job.pk]


def test_a_job_still_stalled_after_the_last_resend_fails_and_the_period_goes_back(
        cast, month, sent, django_capture_on_commit_callbacks, settings):
    settings.JOB_MAX_REQUEUES = 2
    compute_now(month)
    KpiPeriod.objects.filter(pk=month.pk).update(status="in_review")  # a recompute during the appeal window
    job = lost_job(month)
    assert job.previous_period_status == "in_review"

    for expected in (1, 2):  # each re-sent task is lost too
        assert sweep(django_capture_on_commit_callbacks) == {"requeued": [job.pk], "failed": []}
        job.refresh_from_db()
        assert job.requeues == expected
        age(job)
    assert sweep(django_capture_on_commit_callbacks) == {"requeued": [], "failed": [job.pk]}
    assert len(sent) == 2  # nothing sent the third time

    job.refresh_from_db()
    month.refresh_from_db()
    assert (job.status, job.requeues) == ("failed", 2) and job.finished_at is not None
    # Stored in English as a msgid with its params; the API shows it in the reader's language (English here).
    assert job.errors == [{"code": "JobStalled", "message": (
        "The computation stalled: its task was sent again %(requeues)s times (at most %(max)s) and no worker ran it "
        "to the end. Compute the period again."), "params": {"requeues": 2, "max": 2}}]
    assert JobSerializer(job).data["errors"] == [{"code": "JobStalled", "message": (
        "The computation stalled: its task was sent again 2 times (at most 2) and no worker ran it to the end. "
        "Compute the period again.")}]
    assert month.status == "in_review" and month.current_revision.number == 1
    failed = AuditEvent.objects.get(action="period.compute_failed", object_id=str(month.pk))
    assert failed.changes["after"] == {"status": "in_review", "job": job.pk, "error": "JobStalled"}
    assert AuditEvent.objects.filter(action="computation_job.requeued", object_id=str(job.pk)).count() == 2

    assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "noop"  # a late delivery
    assert period_compute(actor=admin_actor(cast.tenant), period=month).status == "queued"  # computable again


def test_a_run_starting_while_the_sweep_fails_the_job_keeps_it(cast, month, sent, monkeypatch,
                                                              django_capture_on_commit_callbacks):
    job = lost_job(month, requeues=3)
    idle_since = timezone.now() - timedelta(seconds=STALL)
    found = list(stalls._stalled_jobs(queued_idle_since=idle_since, running_idle_since=idle_since))
    assert [j.pk for j in found] == [job.pk]
    monkeypatch.setattr(stalls, "_stalled_jobs", lambda **kwargs: found)
    with run_holding_the_lock(job):  # a delayed delivery started between the sweep's query and its decision
        assert sweep(django_capture_on_commit_callbacks) == {"requeued": [], "failed": []}
    job.refresh_from_db()
    assert job.status == "queued" and not AuditEvent.objects.filter(action="period.compute_failed").exists()


def test_finding_stalled_jobs_is_one_query_for_every_tenant(cast, sent, django_capture_on_commit_callbacks):
    jobs = [lost_job(make_period(cast.tenant, start=date(2026, m, 1), end=date(2026, m + 1, 1)))
            for m in range(1, 5)]
    jobs.append(lost_job(make_period(cast.other_tenant)))
    lost_job(make_period(cast.tenant, kind="custom"), idle_seconds=10)  # not stalled yet
    compute_now(make_period(cast.tenant, kind="quarterly", end=date(2027, 1, 1)))  # finished
    idle_since = timezone.now() - timedelta(seconds=STALL)
    with CaptureQueriesContext(connection) as queries:
        found = list(stalls._stalled_jobs(queued_idle_since=idle_since, running_idle_since=idle_since))
    assert len(queries) == 1
    assert [j.pk for j in found] == [j.pk for j in jobs]
    assert {j.tenant.slug for j in found} == {"acme", "globex"}  # tenants came with the same query

    with CaptureQueriesContext(connection) as queries:
        assert sweep(django_capture_on_commit_callbacks)["requeued"] == [j.pk for j in jobs]
    per_job = (len(queries) - 1) / len(jobs)
    assert per_job == int(per_job) <= 5, [q["sql"] for q in queries.captured_queries]  # update + audit + savepoints
    assert len(sent) == 5


# The retry endpoint


def retry_url(cast, job) -> str:
    return cast.url(f"jobs/{job.pk}/retry/")


def test_an_admin_retries_a_lost_job_without_waiting(cast, client_as, month, sent,
                                                    django_capture_on_commit_callbacks):
    job = lost_job(month, idle_seconds=5)  # well before the sweep would notice
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(cast.users["admin"]).post(retry_url(cast, job))
    assert response.status_code == 202, response.content
    body = response.json()
    assert (body["id"], body["status"], body["requeues"]) == (job.pk, "queued", 1) and body["requeued_at"]
    assert sent == [{"job_id": job.pk, "tenant_id": cast.tenant.pk}]
    event = AuditEvent.objects.get(action="computation_job.requeued", object_id=str(job.pk))
    assert event.actor_user == cast.users["admin"]
    assert computation_job_run(**sent[0]) == "done"


def test_retry_of_a_running_job_whose_run_died(cast, client_as, month, sent, django_capture_on_commit_callbacks):
    job = lost_job(month, status="running", attempts=1, started_at=timezone.now())
    with django_capture_on_commit_callbacks(execute=True):
        assert client_as(cast.users["admin"]).post(retry_url(cast, job)).status_code == 202
    assert len(sent) == 1


def test_retry_is_refused_while_a_run_is_live(cast, client_as, month, sent):
    job = lost_job(month, status="running", attempts=1, started_at=timezone.now())
    with run_holding_the_lock(job):
        response = client_as(cast.users["admin"]).post(retry_url(cast, job))
    assert response.status_code == 409 and response.json()["code"] == "job_running"
    job.refresh_from_db()
    assert sent == [] and job.requeues == 0
    assert not AuditEvent.objects.filter(action="computation_job.requeued").exists()


@pytest.mark.parametrize("status", ["succeeded", "failed"])
def test_retry_is_refused_once_the_job_finished(cast, client_as, month, sent, status):
    job = compute_now(month)
    ComputationJob.objects.filter(pk=job.pk).update(status=status)
    response = client_as(cast.users["admin"]).post(retry_url(cast, job))
    assert response.status_code == 409 and response.json()["code"] == "job_finished"
    assert sent == []


@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_only_admins_may_retry(cast, client_as, month, sent, role):
    job = lost_job(month)
    assert client_as(cast.users[role]).post(retry_url(cast, job)).status_code == 403
    job.refresh_from_db()
    assert sent == [] and job.requeues == 0


def test_integration_keys_may_not_retry(cast, month, sent):
    job = lost_job(month)
    _, plain = api_key_create(actor=admin_actor(cast.tenant, cast.users["admin"]), name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    assert client.post(retry_url(cast, job)).status_code == 403


def test_outsiders_and_other_tenants_jobs_are_404(cast, client_as, month, sent):
    job = lost_job(month)
    response = client_as(cast.outsider).post(retry_url(cast, job))
    assert response.status_code == 404 and response.json()["status"] == 404
    theirs = lost_job(make_period(cast.other_tenant))
    assert client_as(cast.users["admin"]).post(retry_url(cast, theirs)).status_code == 404
    assert client_as(None).post(retry_url(cast, job)).status_code == 401
    assert sent == [] and set(ComputationJob.objects.values_list("requeues", flat=True)) == {0}


# With a real worker


@pytest.mark.celery_worker
def test_the_sweep_resends_a_lost_job_to_a_real_worker(celery_worker, cast):
    for agent in (cast.north_agents[1], cast.south_agents[0]):
        InteractionFactory(agent=agent, started_at=OCT)
    make_version(cast.tenant, kpis=[("offered", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    # The message is lost: a job and a computing period as period_compute leaves them, but nothing was sent.
    job = ComputationJob.objects.create(tenant=cast.tenant, period=period, previous_period_status="open")
    KpiPeriod.objects.filter(pk=period.pk).update(status="computing")
    age(job)

    assert computation_jobs_requeue_stalled() == {"requeued": [job.pk], "failed": []}
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in ("succeeded", "failed"):
            break
        time.sleep(0.2)
    assert job.status == "succeeded", celery_worker.log()
    period.refresh_from_db()
    assert period.status == "computed" and job.requeues == 1
