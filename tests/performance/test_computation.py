"""Computation jobs: results, revisions, fingerprints, idempotence under duplicate delivery and crashes."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from common.errors import Conflict
from performance.models import AgentPeriodScore, AgentSchemeScore, ComputationJob, ScoreRevision
from performance.services.scoring import computation, computation_job_run, period_compute
from tests.factories import AgentFactory, InteractionFactory
from tests.performance.conftest import admin_actor, compute_now, make_period, make_version

D = Decimal
OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def scored_month(cast):
    """North agents 1 and 2 and south agent 0 with CSAT ratings; one scheme version for everyone
    (csat only: floor 0, target 100, so points = raw value)."""
    ratings = {cast.north_agents[1]: [5, 5, 1, 1], cast.north_agents[2]: [5, 5, 5, 1], cast.south_agents[0]: [5, 1]}
    for agent, values in ratings.items():
        for csat in values:
            InteractionFactory(agent=agent, started_at=OCT, csat=csat)
    version = make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 2)])
    return make_period(cast.tenant), version


def rows_of(revision):
    return sorted(AgentPeriodScore.objects.filter(revision=revision).values_list("agent_id", "total", "rank"))


def test_compute_writes_a_complete_revision_with_ranks(cast, scored_month):
    period, version = scored_month
    job = compute_now(period)
    assert job.status == "succeeded" and job.progress == 100 and job.attempts == 1
    assert period.status == "computed"
    revision = period.current_revision
    assert (revision.number, revision.is_complete, revision.job_id) == (1, True, job.pk)
    north1, north2, south0 = cast.north_agents[1], cast.north_agents[2], cast.south_agents[0]
    scores = {s.agent_id: s for s in revision.scores.all()}
    # csat: north1 2/4 = 50, north2 3/4 = 75, south0 1/2 = 50; the other agents have no ratings → unscored
    assert (scores[north2.pk].total, scores[north2.pk].rank) == (D("75.00"), 1)
    assert (scores[north1.pk].total, scores[north1.pk].rank) == (D("50.00"), 2)
    assert (scores[south0.pk].total, scores[south0.pk].rank) == (D("50.00"), 2)
    assert scores[north2.pk].percentile == D("66.67")  # 2 of 3 scored strictly below
    unscored = [s for s in scores.values() if s.total is None]
    assert len(unscored) == 3 and {s.unscored_reason for s in unscored} == {"insufficient data"}
    assert all(s.rank is None for s in unscored)
    assert job.counts == {"agents": 6, "scored": 3, "unscored": 3, "scheme_versions": 1,
                          "scoped_interactions": 10, "unchanged": False, "rows": 12,
                          "awards": 0}
    assert set(job.timings) >= {"gather_seconds", "score_seconds", "write_seconds", "total_seconds"}
    version.refresh_from_db()
    assert version.is_locked
    assert AuditEvent.objects.filter(action="period.computed", object_id=str(period.pk)).count() == 1


def test_agent_matched_by_no_scheme_is_listed_unscored_with_the_reason(cast):
    make_version(cast.tenant, teams=[cast.north], kpis=[("offered", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    compute_now(period)
    south = period.current_revision.scores.get(agent=cast.south_agents[0])
    assert south.total is None and south.unscored_reason == "no scoring scheme applies to this agent's team"
    assert not south.scheme_scores.exists()
    assert period.current_revision.scores.get(agent=cast.north_agents[0]).total == D("0.00")


def test_version_in_effect_at_the_period_start_is_used(cast):
    old = make_version(cast.tenant, effective_from=datetime(2026, 1, 1).date(),
                       effective_to=datetime(2026, 10, 2).date(), kpis=[("offered", 1, 0, 10, 0)])
    make_version(cast.tenant, effective_from=datetime(2026, 10, 2).date(), kpis=[("handled", 1, 0, 10, 0)])
    period = make_period(cast.tenant)
    compute_now(period)
    assert set(AgentSchemeScore.objects.values_list("scheme_version_id", flat=True)) == {old.pk}


def test_unchanged_inputs_write_no_new_revision(cast, scored_month):
    period, _ = scored_month
    compute_now(period)
    first = rows_of(period.current_revision)
    job = compute_now(period)
    assert job.status == "succeeded" and job.counts["unchanged"] is True and job.revision is None
    assert ScoreRevision.objects.filter(period=period).count() == 1
    assert AgentPeriodScore.objects.count() == len(first)


def test_changed_inputs_write_a_new_revision_and_keep_the_old_one(cast, scored_month):
    period, _ = scored_month
    compute_now(period)
    first_revision = period.current_revision
    first = rows_of(first_revision)
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)  # north1: 3 of 5 = 60
    job = compute_now(period)
    assert job.counts["unchanged"] is False
    assert period.current_revision.number == 2 and job.revision_id == period.current_revision_id
    assert rows_of(first_revision) == first  # the old revision is untouched
    assert period.current_revision.scores.get(agent=cast.north_agents[1]).total == D("60.00")


def test_new_scheme_version_changes_the_fingerprint(cast, scored_month):
    period, version = scored_month
    compute_now(period)
    make_version(cast.tenant, name="Extra", teams=[cast.south], kpis=[("offered", 1, 0, 10, 0)])
    assert compute_now(period).counts["unchanged"] is False
    assert period.current_revision.number == 2


def test_duplicate_delivery_after_success_is_a_no_op(cast, scored_month):
    period, _ = scored_month
    job = compute_now(period)
    before = rows_of(period.current_revision)
    assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "noop"
    assert ScoreRevision.objects.count() == 1 and rows_of(period.current_revision) == before
    job.refresh_from_db()
    assert job.attempts == 1


class WorkerDied(BaseException):
    """Not an Exception: like a killed worker, nothing in the job catches it."""


def test_a_run_that_died_half_way_is_taken_over_and_leaves_one_runs_rows(cast, scored_month, monkeypatch, settings):
    period, _ = scored_month
    settings.JOB_WRITE_CHUNK_AGENTS = 2
    real_write_chunk = computation._write_chunk
    calls = []

    def dying_write_chunk(job, revision, chunk):
        calls.append(len(chunk))
        real_write_chunk(job, revision, chunk)
        if len(calls) == 2:
            raise WorkerDied

    monkeypatch.setattr(computation, "_write_chunk", dying_write_chunk)
    job = period_compute(actor=admin_actor(cast.tenant), period=period)
    with pytest.raises(WorkerDied):
        computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk)
    job.refresh_from_db()
    period.refresh_from_db()
    assert job.status == "running" and period.status == "computing" and period.current_revision is None
    incomplete = ScoreRevision.objects.get(period=period)
    assert not incomplete.is_complete and incomplete.scores.count() == 2  # the first chunk was committed

    monkeypatch.setattr(computation, "_write_chunk", real_write_chunk)
    assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "done"  # the redelivery
    job.refresh_from_db()
    period.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2
    assert ScoreRevision.objects.filter(period=period).count() == 1
    revision = period.current_revision
    assert revision.number == 1 and revision.is_complete
    assert AgentPeriodScore.objects.count() == 6 and AgentSchemeScore.objects.count() == 6
    clean_run = make_period(cast.tenant, kind="custom")  # the same month, computed without a crash
    compute_now(clean_run)
    assert rows_of(revision) == rows_of(clean_run.current_revision)


def test_a_delivery_while_another_runs_the_job_backs_off(cast, scored_month):
    period, _ = scored_month
    job = period_compute(actor=admin_actor(cast.tenant), period=period)
    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"], port=settings["PORT"], user=settings["USER"],
                         dbname=settings["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [computation.LOCK_NAMESPACE, job.pk])
        assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "busy"
        other.execute("SELECT pg_advisory_unlock(%s, %s)", [computation.LOCK_NAMESPACE, job.pk])
    job.refresh_from_db()
    assert job.status == "queued" and job.attempts == 0
    assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "done"


def test_a_failing_run_records_the_error_and_restores_the_period(cast, scored_month, monkeypatch):
    period, _ = scored_month
    compute_now(period)
    period.status = "in_review"
    period.save()
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)

    def broken(*args, **kwargs):
        raise ValueError("the scoring engine broke")

    monkeypatch.setattr(computation, "score_period", broken)
    job = compute_now(period)
    assert job.status == "failed"
    assert job.errors == [{"code": "ValueError", "message": "the scoring engine broke"}]
    assert period.status == "in_review" and period.current_revision.number == 1
    assert ScoreRevision.objects.filter(period=period).count() == 1
    assert AuditEvent.objects.filter(action="period.compute_failed").exists()


def test_recompute_in_review_keeps_the_period_in_review(cast, scored_month):
    period, _ = scored_month
    compute_now(period)
    period.status = "in_review"
    period.save()
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)
    compute_now(period)
    assert period.status == "in_review" and period.current_revision.number == 2


@pytest.mark.parametrize(("status", "code"), [("closed", "period_closed"), ("computing", "period_computing")])
def test_compute_is_refused_when_closed_or_already_computing(cast, status, code):
    period = make_period(cast.tenant, status=status)
    with pytest.raises(Conflict) as refused:
        period_compute(actor=admin_actor(cast.tenant), period=period)
    assert refused.value.get_codes() == code
    assert not ComputationJob.objects.exists()


def test_compute_enqueues_the_task_only_after_commit(cast, django_capture_on_commit_callbacks, monkeypatch):
    from performance import tasks

    sent = []
    monkeypatch.setattr(tasks.compute_period_scores, "delay", lambda **kwargs: sent.append(kwargs))
    period = make_period(cast.tenant)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = period_compute(actor=admin_actor(cast.tenant), period=period)
    assert sent == [] and len(callbacks) == 1
    callbacks[0]()
    assert sent == [{"job_id": job.pk, "tenant_id": cast.tenant.pk}]


def test_computation_query_count_does_not_grow_with_agents(cast):
    """Aggregation is per period and writes per chunk: 5 or 50 more agents cost the same number of queries."""
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1), ("attendance", 1, 80, 100, 1)])

    def queries_to_compute(extra_agents: int, start_day: int) -> int:
        for _ in range(extra_agents):
            InteractionFactory(agent=AgentFactory(team=cast.north), started_at=OCT, csat=4)
        period = make_period(cast.tenant, kind="custom", start=OCT.date().replace(day=start_day))
        job = period_compute(actor=admin_actor(cast.tenant), period=period)
        with CaptureQueriesContext(connection) as queries:
            computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk)
        return len(queries), AgentPeriodScore.objects.filter(period=period).count()

    small, agents_small = queries_to_compute(5, start_day=1)
    large, agents_large = queries_to_compute(45, start_day=2)
    assert (agents_small, agents_large) == (6 + 5, 6 + 50)
    # 4 of them announce the result: the admins, their notifications, their email choice, the webhooks; 8 write the
    # result rows (per table: drop-if-exists, create, COPY into a staging table and INSERT … SELECT from it, since
    # row-level security refuses COPY into the table itself); 5 are the award step with no reward rule (the rule
    # versions in effect, the tenant's currency, the period's provisional awards and outcomes, their revision link);
    # 3 are the gather's transaction with JIT off (here a savepoint in the test's transaction, SET LOCAL, release)
    assert large == small <= 55, (small, large)


def test_results_keep_their_agent_but_go_with_their_period(cast, client_as, scored_month):
    period, version = scored_month
    compute_now(period)
    listed_only = cast.south_agents[1]  # no interactions, but listed (unscored) in the results
    response = client_as(cast.users["admin"]).delete(cast.url(f"agents/{listed_only.pk}/"))
    assert response.status_code == 409  # RESTRICT: the agent's score rows still refer to it
    period.delete()  # a whole period (or tenant) cascades through its jobs, revisions and scores
    assert not AgentPeriodScore.objects.exists() and not AgentSchemeScore.objects.exists()
    assert not ComputationJob.objects.exists()


def test_a_temporary_database_error_leaves_the_job_to_a_retry(cast, scored_month, monkeypatch):
    from django.db import OperationalError

    period, _ = scored_month
    job = period_compute(actor=admin_actor(cast.tenant), period=period)

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(computation, "gather_inputs", database_gone)
    with pytest.raises(OperationalError):
        computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk)
    job.refresh_from_db()
    assert job.status == "running" and job.errors == []

    monkeypatch.undo()
    assert computation_job_run(job_id=job.pk, tenant_id=cast.tenant.pk) == "done"  # the retry takes over
    job.refresh_from_db()
    assert job.status == "succeeded" and job.attempts == 2


def test_a_job_that_keeps_hitting_temporary_errors_fails_in_the_end(cast, scored_month, monkeypatch):
    from django.db import OperationalError

    from performance import tasks

    period, _ = scored_month
    job = period_compute(actor=admin_actor(cast.tenant), period=period)

    def database_gone(**kwargs):
        raise OperationalError("could not connect")

    monkeypatch.setattr(computation, "gather_inputs", database_gone)
    # eagerly applied, each retry runs at once: the first delivery and 5 retries, then the job fails
    result = tasks.compute_period_scores.apply(kwargs={"job_id": job.pk, "tenant_id": cast.tenant.pk})
    assert result.state == "FAILURE"
    job.refresh_from_db()
    period.refresh_from_db()
    assert job.status == "failed" and job.attempts == 1 + tasks.TEMPORARY_ERROR_RETRIES
    assert job.errors[0]["code"] == "OperationalError"
    assert period.status == "open"


def test_a_version_edited_during_the_computation_fails_the_job(cast, scored_month, monkeypatch):
    from performance.models import SchemeKpi

    period, version = scored_month
    real_score_period = computation.score_period

    def edit_meanwhile(inputs):
        SchemeKpi.objects.filter(version=version).update(target=90)  # an admin's edit lands mid-run
        return real_score_period(inputs)

    monkeypatch.setattr(computation, "score_period", edit_meanwhile)
    job = compute_now(period)
    assert job.status == "failed" and job.errors[0]["code"] == "SchemeVersionChanged"
    version.refresh_from_db()
    assert not version.is_locked and period.current_revision is None
    assert not ScoreRevision.objects.exists() and not AgentPeriodScore.objects.exists()


def test_every_version_reads_the_period_once_with_its_own_inputs(cast):
    """Versions scoped by team and scenario share one interaction aggregate (grouped by scoped scenario); each
    version's members get exactly what an aggregate of its own scope would give (scenario and team filters, its
    own fields), so scores and fingerprints do not depend on which other versions exist."""
    from performance.selectors import VersionSpec, interaction_aggregates, period_bounds, versions_with_details
    from performance.services.scoring.engine import gather_inputs
    from tests.factories import ScenarioFactory

    complaint, billing = ScenarioFactory(tenant=cast.tenant, code="complaint"), ScenarioFactory(tenant=cast.tenant,
                                                                                                  code="billing")
    for i, agent in enumerate(cast.north_agents[1:] + cast.south_agents):
        for day, scenario in enumerate([complaint, billing, None, complaint][: 2 + i % 3], start=1):
            InteractionFactory(agent=agent, started_at=OCT.replace(day=day), scenario=scenario, csat=1 + (i + day) % 5,
                               answered=day != 2, first_contact_resolved=day % 2 == 1, talk_seconds=60 * (i + day))
    InteractionFactory(agent=cast.south_agents[0], started_at=OCT.replace(month=9))  # outside the period
    made = [
        make_version(cast.tenant, name="Everyone", kpis=[("aht", 1, 600, 300, 1)]),
        make_version(cast.tenant, name="North", teams=[cast.north], kpis=[("csat", 1, 0, 100, 1)]),
        make_version(cast.tenant, name="Complaints", scenario=complaint, kpis=[("fcr", 1, 0, 100, 1)]),
        make_version(cast.tenant, name="South complaints", scenario=complaint, teams=[cast.south],
                     kpis=[("answer_rate", 1, 0, 100, 1), ("csat", 1, 0, 100, 1)]),
        make_version(cast.tenant, name="Billing", scenario=billing, kpis=[("abandon_rate", 1, 50, 0, 1)]),
    ]
    versions = [VersionSpec.of(v) for v in versions_with_details(type(made[0]).objects.filter(
        pk__in=[v.pk for v in made]).order_by("scheme_id", "number"))]
    period = make_period(cast.tenant)
    start, end = period_bounds(period)
    with CaptureQueriesContext(connection) as queries:
        inputs = gather_inputs(period=period, versions=versions)
    assert sum("performance_interaction" in q["sql"] for q in queries.captured_queries) == 1
    for version in versions:  # the reference: one aggregate per version, filtered by its scenario and teams
        own = interaction_aggregates(tenant_id=cast.tenant.pk, start=start, end=end, scenario_id=version.scenario_id,
                                     team_ids=version.team_ids, fields=version.interaction_fields)
        expected = {a.id: own.get(a.id, {}) for a in inputs.roster.values()
                    if version.applies_to(a.team_id) and (a.id in own or a.is_active)}
        assert inputs.populations[version.id] == expected, version.scheme_name
