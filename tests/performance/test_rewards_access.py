"""Who may do what with rewards (role × endpoint), leaderboard privacy per role and setting, and query counts
that do not grow with the rows listed.

North is granted to the supervisor (manage) and the inspector (review); the agent user is agent N000 of north.
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from performance.models import Award
from tests.conftest import ROLES
from tests.factories import AgentFactory
from tests.feedback.test_permission_matrix import call
from tests.performance.rewards_helpers import rule_version, scored_period, tiers

A_B = tiers(("A", 90, True, None, False, 1000), ("B", 70, True, 90, False, 500))


def only(**codes) -> dict[str, int]:
    return {role: codes.get(role, 403) for role in ROLES}


MATRIX = [
    ("rules list", "get", "reward-rules/", None, only(admin=200, supervisor=200)),
    ("rule create", "post", "reward-rules/", {"name": "New"}, only(admin=201)),
    ("rule versions", "get", "reward-rules/{rule}/versions/", None, only(admin=200, supervisor=200)),
    ("version create", "post", "reward-rules/{rule}/versions/",
     {"effective_from": "2027-01-01", "kind": "rank", "params": {"top_n": 1}, "amount": "1"}, only(admin=201)),
    ("awards list", "get", "awards/", None, only(admin=200, supervisor=200, agent=200)),
    ("award of the agent", "get", "awards/{own}/", None, only(admin=200, supervisor=200, agent=200)),
    ("award of south", "get", "awards/{south}/", None, {**only(admin=200, agent=404), "supervisor": 404}),
    ("award propose", "post", "awards/", {"period": "{period}", "agent": "{own_agent}", "reason": "r",
                                          "title": "Thanks"}, only(admin=201, supervisor=201)),
    ("award approve", "post", "awards/{own}/approve/", {}, only(admin=409)),  # provisional: period open
    ("award reject", "post", "awards/{own}/reject/", {}, only(admin=409)),  # rule awards are not rejected
    ("award pay", "post", "awards/{own}/pay/", {}, only(admin=409)),
    ("awards bulk approve", "post", "awards/approve/", {"awards": ["{own}"]}, only(admin=409)),
    ("awards export", "get", "awards/export/", None, only(admin=200)),
    ("outcomes", "get", "reward-outcomes/", None, only(admin=200, supervisor=200, agent=200)),
    ("simulate", "post", "periods/{period}/simulate-rewards/", {"rule_versions": ["{version}"]}, only(admin=200)),
    ("leaderboard", "get", "periods/{period}/leaderboard/", None,
     only(admin=200, supervisor=200, qa_lead=200, agent=200)),
]


@pytest.fixture
def ids(cast) -> dict[str, int]:
    version = rule_version(cast.tenant, "Tiers", **A_B)
    north, south = cast.north_agents, cast.south_agents
    period = scored_period(cast.tenant, {north[0]: 90, north[1]: 80, south[0]: 100})
    return {"rule": version.rule_id, "version": version.pk, "period": period.pk, "own_agent": cast.own_agent.pk,
            "own": Award.objects.get(agent=cast.own_agent).pk, "south": Award.objects.get(agent=south[0]).pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, role, name, method, path, body, expected):
    response = call(client_as(cast.users[role]), cast, ids, method, path, body)
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_and_anonymous_401(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(cast.outsider), cast, ids, method, path, body).status_code == 404
    assert call(client_as(None), cast, ids, method, path, body).status_code == 401


def test_awards_lists_follow_visibility(cast, client_as, ids):
    codes = {role: sorted(a["agent"]["employee_code"] for a in client_as(cast.users[role]).get(
        cast.url("awards/")).json()["results"]) for role in ("admin", "supervisor", "agent")}
    assert codes == {"admin": ["N000", "N001", "S000"], "supervisor": ["N000", "N001"], "agent": ["N000"]}


@pytest.fixture
def board(cast):
    """Seven ranked agents: N000 (the agent user) 4th; S000 and S001 tie for 1st."""
    north, south = cast.north_agents, cast.south_agents
    extra = [AgentFactory(team=cast.north, employee_code="N900")]
    totals = {south[0]: 100, south[1]: 100, north[1]: 90, north[0]: 80, north[2]: 70, south[2]: 60, extra[0]: 50}
    rule_version(cast.tenant, "Tiers", **A_B)
    previous = scored_period(cast.tenant, {north[0]: 100, south[0]: 50}, start=date(2026, 9, 1),
                             end=date(2026, 10, 1))
    return previous, scored_period(cast.tenant, totals, version=False)


def leaderboard(client_as, cast, role, period, query=""):
    response = client_as(cast.users[role]).get(cast.url(f"periods/{period.pk}/leaderboard/{query}"))
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_leaderboard_ranks_ties_as_ties_with_tiers_and_movement(cast, client_as, board):
    rows = leaderboard(client_as, cast, "admin", board[1])
    assert [(r["rank"], r["agent"]["employee_code"]) for r in rows] == [
        (1, "S000"), (1, "S001"), (3, "N001"), (4, "N000"), (5, "N002"), (6, "S002"), (7, "N900")]
    by_code = {r["agent"]["employee_code"]: r for r in rows}
    assert by_code["S000"]["tiers"] == ["A"] and by_code["N001"]["titles"] == ["Tier A"]
    # September: N000 100 (1st of the tenant's ranked agents), S000 50 — everyone else scored 0.
    assert (by_code["N000"]["previous_rank"], by_code["N000"]["movement"]) == (1, -3)
    assert (by_code["S000"]["previous_rank"], by_code["S000"]["movement"]) == (2, 1)
    team = leaderboard(client_as, cast, "admin", board[1], f"?team={cast.north.pk}")
    assert [(r["rank"], r["agent"]["employee_code"]) for r in team] == [(1, "N001"), (2, "N000"), (3, "N002"),
                                                                         (4, "N900")]


def test_supervisors_see_their_granted_teams_with_tenant_ranks(cast, client_as, board):
    rows = leaderboard(client_as, cast, "supervisor", board[1])
    assert [(r["rank"], r["agent"]["employee_code"]) for r in rows] == [(3, "N001"), (4, "N000"), (5, "N002"),
                                                                        (7, "N900")]
    refused = client_as(cast.users["supervisor"]).get(
        cast.url(f"periods/{board[1].pk}/leaderboard/?team={cast.south.pk}"))
    assert refused.status_code == 400


def test_agents_see_names_or_only_their_position_per_the_tenant_setting(cast, client_as, board):
    rows = leaderboard(client_as, cast, "agent", board[1])
    assert len(rows) == 7 and all(r["agent"] for r in rows)
    cast.tenant.leaderboard_visibility = "own_position"
    cast.tenant.save()
    rows = leaderboard(client_as, cast, "agent", board[1])
    assert [(r["rank"], r["is_self"], r["agent"] and r["agent"]["employee_code"]) for r in rows] == [
        (1, False, None), (3, False, None), (4, True, "N000"), (5, False, None), (6, False, None)]
    assert all(r["titles"] == [] and r["team"] is None for r in rows if not r["is_self"])
    admin_rows = leaderboard(client_as, cast, "admin", board[1])
    assert all(r["agent"] for r in admin_rows)


def test_the_qa_inspector_gets_no_leaderboard(cast, client_as, board):
    response = client_as(cast.users["qa_inspector"]).get(cast.url(f"periods/{board[1].pk}/leaderboard/"))
    assert response.status_code == 403


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("path", ["awards/", "reward-outcomes/", "leaderboard"])
@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_list_query_counts_do_not_grow(cast, client_as, path, role):
    from performance.models import KpiPeriod
    from tests.performance.conftest import compute_now
    from tests.performance.rewards_helpers import give_totals

    rule_version(cast.tenant, "Rank", kind="rank", params={"top_n": 100}, amount=Decimal(10))
    period = scored_period(cast.tenant, {a: 50 for a in cast.north_agents})
    url = cast.url(f"periods/{period.pk}/leaderboard/" if path == "leaderboard" else path)
    client = client_as(cast.users[role])
    few, few_rows = count_queries(client, url)
    more = [AgentFactory(team=cast.north, employee_code=f"Q{i:03d}") for i in range(45)]
    give_totals({a: 40 for a in more})
    compute_now(KpiPeriod.objects.get(pk=period.pk))
    many, many_rows = count_queries(client, url)
    assert many_rows > few_rows + 40
    assert many == few and few <= 10
