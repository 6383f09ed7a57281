"""Role × endpoint matrix for the scoring endpoints, the integration key, outsiders, anonymous callers, and what
each role's lists contain.

North is granted to the supervisor (manage) and the inspector (review); the agent is north agent N000.
"""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from rest_framework.test import APIClient

from accounts.services import api_key_create
from performance.models import AgentPeriodScore, KpiPeriod
from tests.conftest import ROLES
from tests.factories import InteractionFactory, ScenarioFactory
from tests.performance.conftest import admin_actor, compute_now, make_period, make_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))


def only(ok: int, *roles: str, others: int = 403) -> dict[str, int]:
    return {role: (ok if role in roles else others) for role in ROLES}


ALL = only(200, *ROLES)
ADMIN = only(200, "admin")
SCHEME_READERS = only(200, "admin", "qa_lead", "supervisor")
JOB_READERS = SCHEME_READERS
SCORE_READERS = only(200, "admin", "qa_lead", "supervisor", "agent")
KPIS = [{"kpi_code": "aht", "weight": "1", "floor": "600", "target": "300"}]

# (name, method, path, body, expected status per role)
MATRIX = [
    ("kpi catalog", "get", "kpis/", None, ALL),
    ("kpi", "get", "kpis/aht/", None, ALL),
    ("schemes list", "get", "schemes/", None, SCHEME_READERS),
    ("scheme", "get", "schemes/{scheme}/", None, SCHEME_READERS),
    ("scheme create", "post", "schemes/", {"name": "New"}, only(201, "admin")),
    ("scheme rename", "patch", "schemes/{scheme}/", {"name": "Renamed"}, ADMIN),
    ("scheme delete", "delete", "schemes/{spare_scheme}/", None, only(204, "admin")),
    ("versions list", "get", "schemes/{scheme}/versions/", None, SCHEME_READERS),
    ("version", "get", "schemes/{scheme}/versions/{version}/", None, SCHEME_READERS),
    ("version create", "post", "schemes/{scheme}/versions/", {"effective_from": "2027-01-01", "kpis": KPIS},
     only(201, "admin")),
    ("version edit", "patch", "schemes/{spare_scheme}/versions/{spare_version}/", {"note": "x"}, ADMIN),
    ("version delete", "delete", "schemes/{spare_scheme}/versions/{spare_version}/", None, only(204, "admin")),
    ("periods list", "get", "periods/", None, ALL),
    ("period", "get", "periods/{period}/", None, ALL),
    ("period create", "post", "periods/", {"kind": "monthly", "start": "2026-12-01"}, only(201, "admin")),
    ("period rename", "patch", "periods/{period}/", {"name": "Oct"}, ADMIN),
    ("period delete", "delete", "periods/{open_period}/", None, only(204, "admin")),
    ("compute", "post", "periods/{period}/compute/", None, only(202, "admin")),
    ("open review", "post", "periods/{period}/open-review/", None, ADMIN),
    ("close", "post", "periods/{review_period}/close/", None, ADMIN),
    ("simulate", "post", "periods/{period}/simulate/", {"scheme_version": "{version}"}, ADMIN),
    ("jobs list", "get", "jobs/", None, JOB_READERS),
    ("job", "get", "jobs/{job}/", None, JOB_READERS),
    ("scores list", "get", "periods/{period}/scores/", None, SCORE_READERS),
    ("own score", "get", "periods/{period}/scores/{own_score}/", None, SCORE_READERS),
    ("north score", "get", "periods/{period}/scores/{north_score}/", None, SCORE_READERS | {"agent": 404}),
    ("south score", "get", "periods/{period}/scores/{south_score}/", None,
     SCORE_READERS | {"agent": 404, "supervisor": 404}),
    ("adjustments list", "get", "periods/{closed_period}/adjustments/", None, SCORE_READERS),
    ("adjustment create", "post", "periods/{closed_period}/adjustments/",
     {"agent": "{north_agent}", "points": "2", "reason": "Outage"}, only(201, "admin")),
    ("own history", "get", "agents/{own_agent}/score-history/", None, SCORE_READERS),
    ("south history", "get", "agents/{south_agent}/score-history/", None,
     SCORE_READERS | {"agent": 404, "supervisor": 404}),
]


@pytest.fixture
def world(cast) -> dict[str, int]:
    """A computed October (everyone scored on handled contacts), a period in review, a closed one, an open one,
    and a spare scheme with an unlocked version."""
    for agent in cast.north_agents + cast.south_agents:
        InteractionFactory(agent=agent, started_at=OCT)
    version = make_version(cast.tenant, kpis=[("handled", 1, 0, 10, 1)])
    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")
    spare = make_version(cast.tenant, name="Spare", effective_from=date(2030, 1, 1), scenario=complaint)
    period = make_period(cast.tenant)
    job = compute_now(period)
    review = make_period(cast.tenant, kind="custom")
    compute_now(review)
    KpiPeriod.objects.filter(pk=review.pk).update(status="in_review")
    closed = make_period(cast.tenant, kind="quarterly", end=date(2027, 1, 1))
    compute_now(closed)
    KpiPeriod.objects.filter(pk=closed.pk).update(status="closed")
    score = AgentPeriodScore.objects.filter(revision=period.current_revision)
    return {
        "scheme": version.scheme_id, "version": version.pk, "spare_scheme": spare.scheme_id,
        "spare_version": spare.pk, "period": period.pk, "review_period": review.pk, "closed_period": closed.pk,
        "open_period": make_period(cast.tenant, start=date(2027, 1, 1), end=date(2027, 2, 1)).pk, "job": job.pk,
        "own_score": score.get(agent=cast.own_agent).pk, "north_score": score.get(agent=cast.north_agents[1]).pk,
        "south_score": score.get(agent=cast.south_agents[0]).pk, "own_agent": cast.own_agent.pk,
        "north_agent": cast.north_agents[1].pk, "south_agent": cast.south_agents[0].pk,
    }


def fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, world, role, name, method, path, body, expected):
    url = cast.url(path.format(**world))
    response = getattr(client_as(cast.users[role]), method)(url, fill(body, world), format="json")
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_integration_keys_get_nothing_here(cast, world, name, method, path, body, expected):
    _, plain = api_key_create(actor=admin_actor(cast.tenant, cast.users["admin"]), name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    response = getattr(client, method)(cast.url(path.format(**world)), fill(body, world), format="json")
    assert response.status_code == 403, response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_and_anonymous_401(cast, client_as, world, name, method, path, body, expected):
    url = cast.url(path.format(**world))
    outsider = getattr(client_as(cast.outsider), method)(url, fill(body, world), format="json")
    assert outsider.status_code == 404 and outsider["Content-Type"] == "application/problem+json"
    assert getattr(client_as(None), method)(url, fill(body, world), format="json").status_code == 401


def test_other_tenants_objects_are_404_for_an_admin(cast, client_as):
    from tests.performance.conftest import globex_scoring_ids

    theirs = globex_scoring_ids(cast)
    score = AgentPeriodScore.objects.filter(period_id=theirs["periods"]).first()
    admin = client_as(cast.users["admin"])
    for path in [f"schemes/{theirs['schemes']}/", f"schemes/{theirs['schemes']}/versions/",
                 f"periods/{theirs['periods']}/", f"periods/{theirs['periods']}/scores/",
                 f"periods/{theirs['periods']}/scores/{score.pk}/", f"jobs/{theirs['jobs']}/",
                 f"agents/{cast.other_agent.pk}/score-history/"]:
        assert admin.get(cast.url(path)).status_code == 404, path
    assert admin.post(cast.url(f"periods/{theirs['periods']}/compute/")).status_code == 404
    assert admin.get(cast.url("jobs/")).json()["count"] == 0


LIST_SIZES = {
    # north has 3 agents (one is the agent's own), south 3
    "periods/{period}/scores/": {"admin": 6, "qa_lead": 6, "supervisor": 3, "agent": 1},
    "agents/{own_agent}/score-history/": {"admin": 3, "qa_lead": 3, "supervisor": 3, "agent": 3},
    "periods/{closed_period}/adjustments/": {"admin": 2, "qa_lead": 2, "supervisor": 1, "agent": 0},
}


@pytest.mark.parametrize("role", ["admin", "qa_lead", "supervisor", "agent"])
@pytest.mark.parametrize("path", list(LIST_SIZES))
def test_lists_show_exactly_what_the_role_may_see(cast, client_as, world, role, path):
    from performance.services.scoring import score_adjustment_create

    actor = admin_actor(cast.tenant, cast.users["admin"])
    closed = KpiPeriod.objects.get(pk=world["closed_period"])
    for agent in (cast.north_agents[1], cast.south_agents[0]):
        score_adjustment_create(actor=actor, period=closed, agent=agent, points=1, reason="Correction")
    response = client_as(cast.users[role]).get(cast.url(path.format(**world)))
    assert response.status_code == 200
    assert response.json()["count"] == LIST_SIZES[path][role]
