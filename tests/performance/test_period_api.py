"""Periods through the API: creation rules, the lifecycle, compute (202 + job), close and adjustments."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from accounts.models import AuditEvent
from performance.models import ComputationJob, KpiPeriod, ScoreAdjustment
from performance.services.scoring import computation_job_run
from tests.factories import InteractionFactory
from tests.performance.conftest import compute_now, make_period, make_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


@pytest.mark.parametrize(("body", "expected"), [
    ({"kind": "monthly", "start": "2026-10-01"}, ("2026-10", "2026-10-01", "2026-11-01")),
    ({"kind": "monthly", "start": "2026-12-01"}, ("2026-12", "2026-12-01", "2027-01-01")),
    ({"kind": "quarterly", "start": "2026-10-01"}, ("2026-Q4", "2026-10-01", "2027-01-01")),
    ({"kind": "custom", "start": "2026-10-05", "end": "2026-10-19", "name": "Promo fortnight"},
     ("Promo fortnight", "2026-10-05", "2026-10-19")),
])
def test_create_periods(cast, admin, body, expected):
    response = admin.post(cast.url("periods/"), body)
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["name"], data["start"], data["end"]) == expected
    assert data["status"] == "open" and data["current_revision"] is None and data["time_zone"] == "Asia/Shanghai"


def test_period_instants_are_in_the_tenant_time_zone(cast, admin):
    data = admin.post(cast.url("periods/"), {"kind": "monthly", "start": "2026-10-01"}).json()
    assert data["starts_at"] == "2026-10-01T00:00:00+08:00" and data["ends_at"] == "2026-11-01T00:00:00+08:00"


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "monthly", "start": "2026-10-02"}, "start"),
    ({"kind": "monthly", "start": "2026-10-01", "end": "2026-10-31"}, "end"),
    ({"kind": "quarterly", "start": "2026-11-01"}, "start"),
    ({"kind": "custom", "start": "2026-10-05"}, "end"),
    ({"kind": "custom", "start": "2026-10-05", "end": "2026-10-05"}, "end"),
    ({"kind": "custom", "start": "2026-01-01", "end": "2027-06-01"}, "end"),
    ({"kind": "weekly", "start": "2026-10-05"}, "kind"),
])
def test_invalid_periods_are_refused(cast, admin, body, field):
    response = admin.post(cast.url("periods/"), body)
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == field
    assert not KpiPeriod.objects.exists()


def test_duplicate_period_is_refused(cast, admin):
    assert admin.post(cast.url("periods/"), {"kind": "monthly", "start": "2026-10-01"}).status_code == 201
    response = admin.post(cast.url("periods/"), {"kind": "monthly", "start": "2026-10-01"})
    assert response.status_code == 400
    assert KpiPeriod.objects.count() == 1


def test_compute_returns_202_with_a_job_and_enqueues_after_commit(cast, admin, django_capture_on_commit_callbacks,
                                                                  monkeypatch):
    from performance import tasks

    sent = []
    monkeypatch.setattr(tasks.compute_period_scores, "delay", lambda **kwargs: sent.append(kwargs))
    make_version(cast.tenant)
    period = make_period(cast.tenant)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(cast.url(f"periods/{period.pk}/compute/"))
    assert response.status_code == 202, response.content
    job = response.json()
    assert job["status"] == "queued" and job["period"] == period.pk and job["revision"] is None
    assert sent == [{"job_id": job["id"], "tenant_id": cast.tenant.pk}]
    assert admin.get(cast.url(f"periods/{period.pk}/")).json()["status"] == "computing"
    again = admin.post(cast.url(f"periods/{period.pk}/compute/"))
    assert again.status_code == 409 and again.json()["code"] == "period_computing"

    computation_job_run(job_id=job["id"], tenant_id=cast.tenant.pk)  # what the worker does
    polled = admin.get(cast.url(f"jobs/{job['id']}/")).json()
    assert polled["status"] == "succeeded" and polled["progress"] == 100 and polled["revision"] == 1
    assert polled["counts"]["agents"] == 6 and polled["started_at"] and polled["finished_at"]
    assert admin.get(cast.url(f"periods/{period.pk}/")).json()["current_revision"]["number"] == 1


def test_lifecycle_review_close_and_frozen_results(cast, admin):
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)
    period = make_period(cast.tenant)
    url = cast.url(f"periods/{period.pk}/")
    refused = admin.post(url + "open-review/")
    assert refused.status_code == 409 and refused.json()["code"] == "period_not_computed"
    compute_now(period)
    assert admin.post(url + "close/").json()["code"] == "period_not_in_review"
    assert admin.post(url + "open-review/").json()["status"] == "in_review"
    closed = admin.post(url + "close/")
    assert closed.status_code == 200 and closed.json()["status"] == "closed" and closed.json()["closed_at"]

    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=1)
    response = admin.post(url + "compute/")
    assert response.status_code == 409
    assert response.json()["code"] == "period_closed"
    assert "frozen" in response.json()["detail"]
    assert ComputationJob.objects.filter(period=period).count() == 1
    assert admin.delete(url).status_code == 409
    actions = set(AuditEvent.objects.filter(object_type="kpiperiod").values_list("action", flat=True))
    assert {"period.compute_requested", "period.computed", "period.review_opened", "period.closed"} <= actions


def test_adjustments_only_on_closed_periods_and_listed_with_the_score(cast, admin):
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    agent = cast.north_agents[1]
    InteractionFactory(agent=agent, started_at=OCT, csat=5)
    InteractionFactory(agent=agent, started_at=OCT, csat=2)
    period = make_period(cast.tenant)
    compute_now(period)
    url = cast.url(f"periods/{period.pk}/adjustments/")
    body = {"agent": agent.pk, "points": "5.5", "reason": "Outage on 12 Oct dropped calls"}
    assert admin.post(url, body).json()["code"] == "period_not_closed"
    KpiPeriod.objects.filter(pk=period.pk).update(status="closed")

    assert admin.post(url, {**body, "points": "0"}).status_code == 400
    assert admin.post(url, {**body, "reason": ""}).status_code == 400
    assert admin.post(url, {**body, "agent": cast.other_agent.pk}).json()["errors"][0]["field"] == "agent"
    unscored = admin.post(url, {**body, "agent": cast.south_agents[0].pk})  # no ratings → unscored
    assert unscored.status_code == 400 and "no score" in unscored.json()["detail"]
    assert not ScoreAdjustment.objects.exists()

    created = admin.post(url, body)
    assert created.status_code == 201, created.content
    score = admin.get(cast.url(f"periods/{period.pk}/scores/"), {"agent": agent.pk}).json()["results"][0]
    assert score["total"] == "50.00" and score["adjusted_total"] == "55.50"  # csat 1 of 2 good → 50
    assert [a["reason"] for a in score["adjustments"]] == ["Outage on 12 Oct dropped calls"]
    assert admin.get(url).json()["count"] == 1
    assert AuditEvent.objects.filter(action="score.adjusted").count() == 1


def test_rename_and_delete_an_open_period(cast, admin):
    period = make_period(cast.tenant)
    url = cast.url(f"periods/{period.pk}/")
    assert admin.patch(url, {"name": "October"}).json()["name"] == "October"
    assert admin.delete(url).status_code == 204
    assert not KpiPeriod.objects.exists()
