"""Scores, revisions, score history and what-if simulations through the API."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from performance.models import AgentPeriodScore, SchemeVersion, ScoreRevision
from tests.factories import AgentFactory, InteractionFactory
from tests.performance.conftest import compute_now, make_period, make_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
NOV = datetime(2026, 11, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def rate(agent, good: int, bad: int, when=OCT):
    for csat in [5] * good + [1] * bad:
        InteractionFactory(agent=agent, started_at=when, csat=csat)


@pytest.fixture
def october(cast):
    """csat (floor 0, target 100, min 2 ratings): north1 3/4 = 75, north2 1/2 = 50, south0 1/2 = 50,
    south1 1/1 (below the minimum) → unscored; everyone else has no ratings → unscored."""
    rate(cast.north_agents[1], 3, 1)
    rate(cast.north_agents[2], 1, 1)
    rate(cast.south_agents[0], 1, 1)
    rate(cast.south_agents[1], 1, 0)
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 2)])
    period = make_period(cast.tenant)
    compute_now(period)
    return period


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def scores_url(cast, period, suffix=""):
    return cast.url(f"periods/{period.pk}/scores/{suffix}")


def test_scores_are_ranked_with_ties_and_unscored_last(cast, admin, october):
    body = admin.get(scores_url(cast, october)).json()
    rows = [(r["agent"]["employee_code"], r["total"], r["rank"], r["percentile"]) for r in body["results"]]
    assert rows[:3] == [("N001", "75.00", 1, "66.67"), ("N002", "50.00", 2, "0.00"), ("S000", "50.00", 2, "0.00")]
    assert [r[1:] for r in rows[3:]] == [(None, None, None)] * 3
    assert body["count"] == 6
    by_total = admin.get(scores_url(cast, october), {"ordering": "-total"}).json()["results"]
    assert [r["total"] for r in by_total] == ["75.00", "50.00", "50.00", None, None, None]
    ascending = admin.get(scores_url(cast, october), {"ordering": "total"}).json()["results"]
    assert [r["total"] for r in ascending][:3] == ["50.00", "50.00", "75.00"]


def test_score_detail_has_the_full_breakdown(cast, admin, october):
    score = AgentPeriodScore.objects.get(agent=cast.north_agents[1])
    body = admin.get(scores_url(cast, october, f"{score.pk}/")).json()
    assert body["revision"] == 1 and body["job"] == october.current_revision.job_id and body["handled"] == 4
    (scheme,) = body["schemes"]
    assert scheme["scheme_version"]["scheme_name"] == "Standard" and scheme["rank"] == 1
    assert scheme["kpis"] == [{
        "kpi_code": "csat", "name": "Customer satisfaction", "unit": "percent", "direction": "higher",
        "weight": "1.00", "floor": "0.0000", "target": "100.0000", "min_sample": 2, "raw_value": "75.0000",
        "sample_size": 4, "status": "scored", "points": "75.00", "weight_used": "1.00", "contribution": "75.00"}]
    unscored = AgentPeriodScore.objects.get(agent=cast.south_agents[1])
    body = admin.get(scores_url(cast, october, f"{unscored.pk}/")).json()
    assert body["unscored_reason"] == "insufficient data"
    assert body["schemes"][0]["kpis"][0]["status"] == "insufficient"


def test_filters(cast, admin, october):
    url = scores_url(cast, october)
    assert admin.get(url, {"team": cast.south.pk}).json()["count"] == 3
    assert admin.get(url, {"scored": "true"}).json()["count"] == 3
    assert admin.get(url, {"scored": "false"}).json()["count"] == 3
    only = admin.get(url, {"agent": cast.north_agents[2].pk}).json()["results"]
    assert [r["agent"]["id"] for r in only] == [cast.north_agents[2].pk]


def test_revisions_stay_readable(cast, admin, october):
    rate(cast.north_agents[2], 3, 0)  # north2: 4 of 5 = 80 → first place
    compute_now(october)
    assert october.current_revision.number == 2
    latest = admin.get(scores_url(cast, october), {"scored": "true"}).json()["results"]
    assert [(r["agent"]["employee_code"], r["total"], r["revision"]) for r in latest][:2] == [
        ("N002", "80.00", 2), ("N001", "75.00", 2)]
    first = admin.get(scores_url(cast, october), {"revision": 1, "scored": "true"}).json()["results"]
    assert [(r["agent"]["employee_code"], r["total"], r["revision"]) for r in first][:2] == [
        ("N001", "75.00", 1), ("N002", "50.00", 1)]
    missing = admin.get(scores_url(cast, october), {"revision": 3})
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "revision"


def test_incomplete_revisions_are_never_served(cast, admin, october):
    revision = ScoreRevision.objects.create(tenant=cast.tenant, period=october, number=2, fingerprint="x",
                                            job=october.current_revision.job)
    row = AgentPeriodScore.objects.create(tenant=cast.tenant, period=october, revision=revision,
                                          job=revision.job, agent=cast.north_agents[1])
    assert admin.get(scores_url(cast, october), {"revision": 2}).status_code == 400
    assert admin.get(scores_url(cast, october, f"{row.pk}/")).status_code == 404


def test_period_without_results_lists_nothing(cast, admin):
    period = make_period(cast.tenant)
    assert admin.get(scores_url(cast, period)).json()["count"] == 0


def test_score_history_across_periods(cast, client_as, october):
    agent = cast.own_agent
    rate(agent, 2, 2, when=NOV)
    november = make_period(cast.tenant, start=date(2026, 11, 1), end=date(2026, 12, 1))
    compute_now(november)
    body = client_as(cast.users["agent"]).get(cast.url(f"agents/{agent.pk}/score-history/")).json()
    assert [(r["period"]["name"], r["total"], r["unscored_reason"]) for r in body["results"]] == [
        ("2026-11", "50.00", ""), ("2026-10", None, "insufficient data")]
    other = client_as(cast.users["agent"]).get(cast.url(f"agents/{cast.north_agents[1].pk}/score-history/"))
    assert other.status_code == 404


def test_simulate_an_inline_version_without_saving(cast, admin, october):
    # inline: csat with min 1 sample, so south1 (1 of 1 = 100) becomes scored and first
    response = admin.post(cast.url(f"periods/{october.pk}/simulate/"), {"version": {
        "kpis": [{"kpi_code": "csat", "weight": "1", "floor": "0", "target": "100", "min_sample": 1}]}})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["population"] == 6 and body["scored"] == 4 and body["scheme_version"] is None
    rows = [(r["agent"]["employee_code"], r["total"], r["rank"], r["current_rank"], r["rank_change"])
            for r in body["results"]]
    assert rows[:4] == [("S001", "100.00", 1, None, None), ("N001", "75.00", 2, 1, -1),
                        ("N002", "50.00", 3, 2, -1), ("S000", "50.00", 3, 2, -1)]
    assert SchemeVersion.objects.count() == 1 and ScoreRevision.objects.count() == 1


def test_simulate_an_existing_version(cast, admin, october):
    teams_only = make_version(cast.tenant, name="South only", teams=[cast.south], effective_from=date(2030, 1, 1),
                              kpis=[("csat", 1, 0, 50, 1)])
    body = admin.post(cast.url(f"periods/{october.pk}/simulate/"), {"scheme_version": teams_only.pk}).json()
    assert body["scheme_version"] == teams_only.pk
    # south0 1/2 = 50% → 100 points (target 50); south1 1/1 = 100% → 100 points; south2 no ratings
    assert [(r["agent"]["employee_code"], r["total"], r["rank"]) for r in body["results"]] == [
        ("S000", "100.00", 1), ("S001", "100.00", 1), ("S002", None, None)]


@pytest.mark.parametrize("body", [{}, {"scheme_version": None, "version": None},
                                  {"version": {"kpis": []}},
                                  {"version": {"kpis": [{"kpi_code": "csat", "weight": "1", "floor": "1",
                                                         "target": "1"}]}}])
def test_simulate_rejects_bad_input(cast, admin, october, body):
    assert admin.post(cast.url(f"periods/{october.pk}/simulate/"), body).status_code == 400


def test_simulate_refuses_another_tenants_version(cast, admin, october):
    foreign = make_version(cast.other_tenant, name="Theirs")
    response = admin.post(cast.url(f"periods/{october.pk}/simulate/"), {"scheme_version": foreign.pk})
    assert response.status_code == 400 and "does not exist" in response.json()["detail"]


@pytest.mark.parametrize("path", ["periods/{period}/scores/", "agents/{agent}/score-history/", "jobs/",
                                  "periods/", "schemes/"])
def test_list_query_count_does_not_grow_with_rows(cast, admin, django_assert_max_num_queries, path):
    """5 vs 50 agents (and 1 vs 10 periods, schemes): the same number of queries per page."""
    from performance.models import ScoringScheme

    def build(agents: int, periods: int) -> dict:
        for index in range(agents):
            rate(AgentFactory(team=cast.north, employee_code=f"Q{agents}-{index}"), 2, 1)
        made = []
        for index in range(periods):
            ScoringScheme.objects.create(tenant=cast.tenant, name=f"Extra {agents}-{index}")
            period = make_period(cast.tenant, kind="custom", start=date(2026, 10, 1 + index),
                                 end=date(2026, 11, 1 + agents % 2))
            compute_now(period)
            made.append(period)
        return {"period": made[-1].pk, "agent": cast.north_agents[1].pk}

    if not SchemeVersion.objects.exists():
        make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    small = build(5, 1)
    with django_assert_max_num_queries(12) as captured:
        assert admin.get(cast.url(path.format(**small)), {"page_size": 100}).status_code == 200
    baseline = len(captured)
    large = build(50, 10)
    with django_assert_max_num_queries(baseline):
        assert admin.get(cast.url(path.format(**large)), {"page_size": 100}).status_code == 200
