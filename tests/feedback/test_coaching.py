"""Coaching sessions: who records and sees them, links, goals, acknowledgement, notifications, the effect report
(hand-computed) and the per-coach summary; permission matrix, isolation and query counts."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from common.models import Notification
from feedback.models import CoachingSession
from feedback.services.coaching import coaching_session_create
from tests.conftest import ROLES
from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, published_review
from tests.performance.conftest import compute_now, make_period, make_version

SH = ZoneInfo("Asia/Shanghai")
HELD = "2026-10-15T10:00:00+08:00"


def _at(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=SH)


def _review(cast, version, agent, when: datetime, first_rating: int):
    return published_review(inspector=cast.users["qa_inspector"], version=version, ratings=[first_rating, 1, 8, 3],
                            interaction=InteractionFactory(agent=agent, started_at=when))


def _session(cast, agent=None, role="supervisor", **links) -> CoachingSession:
    return coaching_session_create(actor=actor_for(cast.users[role], cast.tenant), agent=agent or cast.own_agent,
                                   held_at=datetime.fromisoformat(HELD), topic="Empathy", **links)


def test_supervisor_records_a_session_for_their_team_and_the_agent_is_notified(cast, client_as, version):
    review = _review(cast, version, cast.own_agent, _at(10, 2), 2)
    criterion = version.criteria.order_by("position").first()
    body = {"agent": cast.own_agent.pk, "held_at": HELD, "topic": "Empathy", "notes": "Listen first.",
            "review": review.pk, "criterion": criterion.pk,
            "goals": [{"description": "Acknowledge the customer's problem", "due_date": "2026-11-01"}]}
    created = client_as(cast.users["supervisor"]).post(cast.url("coaching/"), body, format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["coach"], data["criterion"], data["follow_up_status"], data["acknowledged_at"]) == (
        cast.users["supervisor"].pk, criterion.pk, "open", None)
    assert [g["description"] for g in data["goals"]] == ["Acknowledge the customer's problem"]
    notice = Notification.objects.get(event="coaching.created")
    assert notice.recipient_id == cast.users["agent"].pk and notice.params["topic"] == "Empathy"

    south = client_as(cast.users["supervisor"]).post(cast.url("coaching/"), {**body, "agent": cast.south_agents[0].pk,
                                                                             "review": None, "criterion": None},
                                                     format="json")
    assert south.status_code == 400 and south.json()["errors"][0]["field"] == "agent"


def test_links_must_be_the_agents_and_one_target_only(cast, client_as, version):
    other_review = _review(cast, version, cast.north_agents[1], _at(10, 2), 2)
    lead = client_as(cast.users["qa_lead"])
    base = {"agent": cast.own_agent.pk, "held_at": HELD, "topic": "t"}
    wrong = lead.post(cast.url("coaching/"), {**base, "review": other_review.pk}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "review"
    both = lead.post(cast.url("coaching/"), {**base, "kpi": "csat",
                                             "criterion": version.criteria.first().pk}, format="json")
    assert both.status_code == 400 and both.json()["errors"][0]["field"] == "kpi"
    unknown = lead.post(cast.url("coaching/"), {**base, "kpi": "nope"}, format="json")
    assert unknown.status_code == 400
    assert lead.post(cast.url("coaching/"), {**base, "kpi": "csat"}, format="json").status_code == 201


def test_the_agent_acknowledges_once_with_a_comment_and_the_coach_is_notified(cast, client_as):
    session = _session(cast)
    agent = client_as(cast.users["agent"])
    url = cast.url(f"coaching/{session.pk}/acknowledge/")
    done = agent.post(url, {"comment": "Thanks, will try."}, format="json")
    assert done.status_code == 200 and done.json()["agent_comment"] == "Thanks, will try."
    assert done.json()["acknowledged_at"] is not None
    again = agent.post(url, {}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "coaching_already_acknowledged"
    assert Notification.objects.get(event="coaching.acknowledged").recipient_id == cast.users["supervisor"].pk


def test_the_coach_updates_goals_and_follow_up_others_may_not(cast, client_as):
    session = _session(cast)
    url = cast.url(f"coaching/{session.pk}/")
    changed = client_as(cast.users["supervisor"]).patch(url, {"follow_up_status": "done", "goals": [
        {"description": "g1", "due_date": "2026-11-01", "status": "met"}]}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["follow_up_status"], changed.json()["goals"][0]["status"]) == ("done", "met")
    assert client_as(cast.users["qa_lead"]).patch(url, {"notes": "x"}, format="json").status_code == 403
    assert client_as(cast.users["admin"]).patch(url, {"notes": "x"}, format="json").status_code == 200


def test_criterion_effect_against_hand_computed_values(cast, client_as, version):
    criterion = version.criteria.order_by("position").first()  # scale 1-5: normalized (r - 1) / 4 × 100
    agent = cast.own_agent
    _review(cast, version, agent, _at(9, 1), 1)  # before, but third nearest: outside n=2
    _review(cast, version, agent, _at(10, 1), 3)  # 50
    _review(cast, version, agent, _at(10, 10), 2)  # 25  → before mean 37.50
    _review(cast, version, agent, _at(10, 20), 5)  # 100
    _review(cast, version, agent, _at(11, 3), 4)  # 75  → after mean 87.50
    _review(cast, version, cast.north_agents[1], _at(10, 20), 1)  # another agent: ignored
    session = _session(cast, criterion=criterion)
    effect = client_as(cast.users["agent"]).get(cast.url(f"coaching/{session.pk}/effect/"), {"n": 2}).json()
    assert effect["target"] == "criterion" and effect["n"] == 2
    assert [p["value"] for p in effect["before"]] == ["50.00", "25.00"]
    assert [p["value"] for p in effect["after"]] == ["100.00", "75.00"]
    assert (effect["before_mean"], effect["after_mean"], effect["change"]) == ("37.50", "87.50", "50.00")
    wide = client_as(cast.users["agent"]).get(cast.url(f"coaching/{session.pk}/effect/")).json()
    assert wide["before_mean"] == "25.00"  # n=3: (0 + 50 + 25) / 3


def test_kpi_effect_reads_periods_before_and_after_and_the_coach_summary(cast, client_as):
    agent = cast.own_agent
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    for month, ratings in ((8, (5, 1)), (9, (5, 5)), (10, (1, 1)), (11, (5, 5, 5, 1))):  # 50, 100, (0), 75
        for rating in ratings:
            InteractionFactory(agent=agent, started_at=_at(month, 5), csat=rating)
        compute_now(make_period(cast.tenant, start=date(2026, month, 1), end=date(2026, month + 1, 1)))
    kpi_session = _session(cast, kpi="csat")  # 15 October: the October period spans it and counts on no side
    effect = client_as(cast.users["supervisor"]).get(cast.url(f"coaching/{kpi_session.pk}/effect/")).json()
    assert [p["value"] for p in effect["before"]] == ["50.00", "100.00"]
    assert [p["value"] for p in effect["after"]] == ["75.00"]
    assert (effect["before_mean"], effect["after_mean"], effect["change"]) == ("75.00", "75.00", "0.00")

    _session(cast, role="qa_lead")  # no target: counted, never measured
    report = client_as(cast.users["admin"]).get(cast.url("reports/coaching/"), {"held_from": "2026-10-01"}).json()
    rows = {row["coach"]: row for row in report["coaches"]}
    assert rows[cast.users["supervisor"].pk] | {} == {
        "coach": cast.users["supervisor"].pk, "sessions": 1, "acknowledged": 0, "follow_ups_done": 0, "goals": 0,
        "goals_met": 0, "measured": 1, "improved": 0, "mean_change": "0.00"}
    assert (rows[cast.users["qa_lead"].pk]["sessions"], rows[cast.users["qa_lead"].pk]["measured"]) == (1, 0)
    empty = client_as(cast.users["admin"]).get(cast.url("reports/coaching/"), {"held_from": "2027-01-01"}).json()
    assert empty["coaches"] == []


# Permissions, isolation, query counts


def only(**codes) -> dict[str, int]:
    return {role: codes.get(role, 403) for role in ROLES}


MATRIX = [
    ("list", "get", "coaching/", None, only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("own session", "get", "coaching/{own}/", None, only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("south session", "get", "coaching/{south}/", None, only(admin=200, supervisor=404, qa_lead=200, agent=404)),
    ("create", "post", "coaching/", {"agent": "{agent}", "held_at": HELD, "topic": "t"},
     only(supervisor=201, qa_lead=201)),
    ("update", "patch", "coaching/{own}/", {"notes": "n"}, only(admin=200, supervisor=200, qa_lead=403)),
    ("acknowledge", "post", "coaching/{own}/acknowledge/", {}, only(agent=200)),
    ("effect", "get", "coaching/{own}/effect/", None, only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("report", "get", "reports/coaching/", None, only(admin=200, supervisor=200, qa_lead=200)),
]


@pytest.fixture
def ids(cast):
    return {"own": _session(cast).pk, "south": _session(cast, agent=cast.south_agents[0], role="qa_lead").pk,
            "agent": cast.own_agent.pk}


def _call(client, cast, ids, method, path, body, tenant=None):
    if body is not None:
        body = {k: ids[v[1:-1]] if isinstance(v, str) and v.startswith("{") else v for k, v in body.items()}
    return getattr(client, method)(cast.url(path.format(**ids), tenant), body, format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, role, name, method, path, body, expected):
    response = _call(client_as(cast.users[role]), cast, ids, method, path, body)
    assert response.status_code == expected[role], response.content[:300]


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsiders_404_and_anonymous_401(cast, client_as, ids, name, method, path, body, expected):
    assert _call(client_as(cast.outsider), cast, ids, method, path, body).status_code == 404
    assert _call(client_as(None), cast, ids, method, path, body).status_code == 401
    if "{" in path:  # acme's ids do not exist under globex
        assert _call(client_as(cast.outsider), cast, ids, method, path, body, cast.other_tenant).status_code in (
            403, 404)


def test_list_query_count_does_not_grow(cast, client_as):
    client = client_as(cast.users["supervisor"])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(cast.url("coaching/"), {"page_size": 100})
        return len(ctx), len(response.json()["results"])

    for _ in range(5):
        _session(cast, goals=[{"description": "g", "due_date": date(2026, 11, 1)}])
    few, few_rows = count()
    for _ in range(45):
        _session(cast, goals=[{"description": "g", "due_date": date(2026, 11, 1)}])
    many, many_rows = count()
    assert many_rows > few_rows and many == few and few <= 8


def test_effect_and_coach_report_query_counts_do_not_grow(cast, client_as, version):
    criterion = version.criteria.order_by("position").first()
    admin = client_as(cast.users["admin"])

    def count(url, params=None) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = admin.get(url, params or {})
        assert response.status_code == 200, response.content
        return len(ctx)

    session = _session(cast, criterion=criterion)
    for day in (1, 20):
        _review(cast, version, cast.own_agent, _at(10, day), 3)
    effect = cast.url(f"coaching/{session.pk}/effect/")
    report = cast.url("reports/coaching/")
    few = (count(effect, {"n": 10}), count(report, {"n": 10}))
    for day in range(2, 14):
        _review(cast, version, cast.own_agent, _at(10, day), 4)
        _session(cast, criterion=criterion, role="qa_lead" if day % 2 else "supervisor")
    many = (count(effect, {"n": 10}), count(report, {"n": 10}))
    assert many == few
