"""What decisions apply: an overturned review appeal makes a new revision and recomputes the period (a real Celery
worker), an accepted KPI appeal is an adjustment that follows recomputations, an escalation can change it, and a
period with open appeals cannot be closed."""

import time
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from feedback.models import Appeal
from feedback.services import appeals as services
from performance.models import KpiPeriod, ScoreAdjustment
from performance.services.scoring import period_close, period_open_review
from tests.factories import InteractionFactory
from tests.feedback.appeal_helpers import criteria, decide_all, file_review_appeal, own_review
from tests.feedback.factories import actor_for
from tests.performance.conftest import admin_actor, compute_now, make_period
from tests.performance.conftest import make_version as make_scheme_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT_SECONDS = 60


def wait_for_job(client, url, worker) -> dict:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.2)
    pytest.fail(f"The job did not finish within {WAIT_SECONDS} s; worker log:\n{worker.log()}")


@pytest.mark.celery_worker
def test_an_overturn_makes_a_new_revision_and_recomputes_the_score(celery_worker, cast, client_as, version):
    make_scheme_version(cast.tenant, kpis=[("qa_score", 1, 0, 100, 1)])
    period = make_period(cast.tenant)
    admin, agent = client_as(cast.users["admin"]), client_as(cast.users["agent"])
    review = own_review(cast, version, interaction=InteractionFactory(agent=cast.own_agent, started_at=OCT))
    job = wait_for_job(admin, cast.url(f"jobs/{admin.post(cast.url(f'periods/{period.pk}/compute/')).json()['id']}/"),
                       celery_worker)
    assert job["status"] == "succeeded", celery_worker.log()

    c1 = criteria(version)[0]
    filed = agent.post(cast.url("appeals/"), {"review": review.pk, "reason": "I used the greeting.",
                                              "items": [{"criterion": c1.pk, "proposed_rating": 5}]}, format="json")
    assert filed.status_code == 201, filed.content
    appeal = filed.json()
    assert appeal["period"] == period.pk and appeal["reviewer"]["id"] == cast.users["admin"].pk
    decided = admin.post(cast.url(f"appeals/{appeal['id']}/decide/"), {
        "outcome": "overturned", "rationale": "The recording has the greeting.",
        "items": [{"item": appeal["items"][0]["id"], "accepted": True}]}, format="json")
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "overturned" and body["score_before"] == "91.50"
    assert body["computation_job"] is not None and body["decisions"][0]["review_revision"] is not None

    job = wait_for_job(admin, cast.url(f"jobs/{body['computation_job']}/"), celery_worker)
    assert job["status"] == "succeeded" and job["revision"] == 2, celery_worker.log()
    after = agent.get(cast.url(f"appeals/{appeal['id']}/")).json()
    assert (after["score_before"], after["score_after"]) == ("91.50", "94.00")  # C1: 7.5 → 10 points
    revisions = agent.get(cast.url(f"qa-reviews/{review.pk}/revisions/")).json()
    assert [(r["revision"], r["total"], r["is_current"]) for r in revisions] == [(1, "91.50", False),
                                                                               (2, "94.00", True)]
    assert revisions[1]["amend_reason"].startswith(f"Appeal {appeal['id']}: ")
    score = agent.get(cast.url(f"periods/{period.pk}/scores/")).json()["results"][0]
    assert score["total"] == "94.00" and score["revision"] == 2


def test_an_upheld_appeal_changes_nothing(cast, version):
    review = own_review(cast, version)
    appeal = decide_all(file_review_appeal(cast, review), cast.users["admin"], accepted=False)
    assert appeal.status == "upheld" and appeal.computation_job is None
    assert review.__class__.objects.filter(chain=review.chain).count() == 1


def test_the_reviewer_may_amend_the_proposed_rating(cast, version):
    appeal = file_review_appeal(cast, own_review(cast, version), proposals={3: 3})  # C4 is 3 already → 2 counter
    item = appeal.items.get()
    services.appeal_decide(appeal=appeal, decided_by=actor_for(cast.users["admin"], cast.tenant),
                           outcome="overturned", rationale="Partly right: 2, not 3.",
                           items=[{"item": item.pk, "accepted": True, "value": Decimal(2)}])
    current = appeal.review.__class__.objects.get(chain=appeal.review_chain, is_current=True)
    assert current.revision == 2 and current.answers.get(criterion=item.criterion).rating == 2


@pytest.fixture
def scored(cast):
    """A computed October period with the agent user's csat score: 1 of 2 contacts rated ≥ 4 → 50."""
    make_scheme_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    for csat in (5, 1):
        InteractionFactory(agent=cast.own_agent, started_at=OCT, csat=csat)
    period = make_period(cast.tenant)
    compute_now(period)
    return period


def file_score_appeal(cast, period, **kwargs) -> Appeal:
    return services.appeal_file(actor=actor_for(cast.users["agent"], cast.tenant), period=period,
                                reason="Two surveys were lost.", **kwargs)


def test_an_accepted_kpi_appeal_is_an_adjustment_that_follows_recomputation(cast, client_as, scored):
    appeal = file_score_appeal(cast, scored, kpi="csat", proposed_value=Decimal(100))
    assert appeal.items.get().original_value == Decimal(50)
    decide_all(appeal, appeal.reviewer)
    adjustment = ScoreAdjustment.objects.get(appeal=appeal)
    assert adjustment.points == Decimal(50) and adjustment.reason.startswith(f"Appeal {appeal.pk}: ")
    url = cast.url(f"periods/{scored.pk}/scores/")
    supervisor = client_as(cast.users["supervisor"])
    score = next(s for s in supervisor.get(url).json()["results"] if s["agent"]["id"] == cast.own_agent.pk)
    assert (score["total"], score["adjusted_total"]) == ("50.00", "100.00")
    assert score["adjustments"][0]["appeal"] == appeal.pk
    InteractionFactory(agent=cast.own_agent, started_at=OCT, csat=5)  # 2 of 3 → 66.67, a new revision
    compute_now(scored)
    score = next(s for s in supervisor.get(url).json()["results"] if s["agent"]["id"] == cast.own_agent.pk)
    assert score["revision"] == 2 and (score["total"], score["adjusted_total"]) == ("66.67", "116.67")


def test_a_total_appeal_and_an_escalation_that_reverses_the_first_decision(cast, scored):
    appeal = file_score_appeal(cast, scored, proposed_value=Decimal(80))
    first = appeal.reviewer
    decide_all(appeal, first, accepted=False)
    assert not ScoreAdjustment.objects.filter(appeal=appeal).exists()
    appeal = services.appeal_escalate(appeal=appeal, escalated_by=actor_for(cast.users["agent"], cast.tenant),
                                      reason="Please look again.")
    assert appeal.reviewer_id not in (None, first.pk)
    item = appeal.items.get()
    services.appeal_decide(appeal=appeal, decided_by=actor_for(appeal.reviewer, cast.tenant), outcome="overturned",
                           rationale="The lost surveys were good.",
                           items=[{"item": item.pk, "accepted": True, "value": Decimal(75)}])
    assert [a.points for a in ScoreAdjustment.objects.filter(appeal=appeal)] == [Decimal(25)]
    assert appeal.decisions.count() == 2


def test_score_appeals_name_a_kpi_of_the_score_and_a_period_with_a_score(cast, client_as, scored):
    agent = client_as(cast.users["agent"])
    wrong = agent.post(cast.url("appeals/"), {"period": scored.pk, "kpi": "aht", "reason": "r"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "kpi"
    empty = make_period(cast.tenant, start=scored.end, end=datetime(2026, 12, 1).date())
    none = agent.post(cast.url("appeals/"), {"period": empty.pk, "reason": "r"}, format="json")
    assert none.status_code == 400 and none.json()["errors"][0]["field"] == "period"


def test_a_period_with_open_appeals_cannot_be_closed(cast, client_as, scored, version):
    period_open_review(actor=admin_actor(cast.tenant, cast.users["admin"]), period=scored)
    score_appeal = file_score_appeal(cast, scored)
    review_appeal = file_review_appeal(cast, own_review(cast, version, interaction=InteractionFactory(
        agent=cast.own_agent, started_at=OCT)))
    response = client_as(cast.users["admin"]).post(cast.url(f"periods/{scored.pk}/close/"))
    assert response.status_code == 409 and response.json()["code"] == "period_has_open_appeals"
    assert f"{score_appeal.pk}, {review_appeal.pk}" in response.json()["detail"]
    for appeal in (score_appeal, review_appeal):
        services.appeal_withdraw(appeal=appeal, withdrawn_by=actor_for(cast.users["agent"], cast.tenant))
    period_close(actor=admin_actor(cast.tenant, cast.users["admin"]), period=scored)
    assert KpiPeriod.objects.get(pk=scored.pk).status == "closed"
    late = file_score_appeal
    with pytest.raises(Exception) as refused:
        late(cast, scored)
    assert refused.value.get_codes() == "period_closed"
