"""The period leaderboard: ranks (ties, adjustments, within a team), movement, who sees which rows, pages, and a
number of queries that does not depend on the size of the period.

The board (hand-computed totals; the agent user is N000 of north, the supervisor has north granted):

    October   S000 100, S001 100, N001 90, N000 80, N002 70, S002 60, N900 50, N950 40
    September N000 100, S000 50, everyone else 0; N950 joined in October (no September score)
"""

from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from performance.models import AgentPeriodScore, KpiPeriod, ScoreAdjustment
from tests.factories import AgentFactory
from tests.performance.conftest import compute_now, make_period
from tests.performance.rewards_helpers import give_totals, rule_version, scored_period, tiers

A_B = tiers(("A", 90, True, None, False, 1000), ("B", 70, True, 90, False, 500))
OCTOBER = [(1, "S000"), (1, "S001"), (3, "N001"), (4, "N000"), (5, "N002"), (6, "S002"), (7, "N900"), (8, "N950")]


@pytest.fixture
def board(cast):
    north, south = cast.north_agents, cast.south_agents
    n900 = AgentFactory(team=cast.north, employee_code="N900")
    rule_version(cast.tenant, "Tiers", **A_B)
    september = scored_period(cast.tenant, {north[0]: 100, south[0]: 50}, start=date(2026, 9, 1),
                              end=date(2026, 10, 1))
    n950 = AgentFactory(team=cast.north, employee_code="N950")
    october = scored_period(cast.tenant, {south[0]: 100, south[1]: 100, north[1]: 90, north[0]: 80, north[2]: 70,
                                          south[2]: 60, n900: 50, n950: 40}, version=False)
    return september, october


def adjust(period, code: str, *points: int) -> None:
    """Adjustments of the agent's score in the period's current revision (written directly: the service allows
    manual ones only on closed periods)."""
    score = AgentPeriodScore.objects.get(revision_id=period.current_revision_id, agent__employee_code=code)
    for value in points:
        ScoreAdjustment.objects.create(tenant=period.tenant, period=period, score=score, agent=score.agent,
                                       points=Decimal(value), reason="test")


def get(client_as, cast, role, period, **query):
    response = client_as(cast.users[role]).get(cast.url(f"periods/{period.pk}/leaderboard/"),
                                               {"page_size": 100, **query})
    assert response.status_code == 200, response.content
    return response.json()


def ranks(body) -> list[tuple[int, str | None]]:
    return [(r["rank"], r["agent"] and r["agent"]["employee_code"]) for r in body["results"]]


def test_ties_share_a_rank_and_the_next_rank_skips(cast, client_as, board):
    assert ranks(get(client_as, cast, "admin", board[1])) == OCTOBER
    adjust(board[1], "N002", 10)  # 80, as N000: a tie in the middle, broken by employee code in the order only
    assert ranks(get(client_as, cast, "admin", board[1])) == [
        (1, "S000"), (1, "S001"), (3, "N001"), (4, "N000"), (4, "N002"), (6, "S002"), (7, "N900"), (8, "N950")]


def test_adjustments_change_the_rank_and_the_total(cast, client_as, board):
    adjust(board[1], "N900", 40, 5)  # 95: the adjustments of a score add up
    adjust(board[1], "S000", -1)  # 99: S001 alone first
    body = get(client_as, cast, "admin", board[1])
    assert ranks(body) == [(1, "S001"), (2, "S000"), (3, "N900"), (4, "N001"), (5, "N000"), (6, "N002"),
                           (7, "S002"), (8, "N950")]
    totals = {r["agent"]["employee_code"]: r["total"] for r in body["results"]}
    assert (totals["N900"], totals["S000"], totals["S001"]) == ("95.00", "99.00", "100.00")


def test_movement_is_against_the_previous_period_with_its_adjustments(cast, client_as, board):
    def movement():
        return {r["agent"]["employee_code"]: (r["previous_rank"], r["movement"])
                for r in get(client_as, cast, "admin", board[1])["results"]}

    # September: N000 1st, S000 2nd, the five others tie for 3rd; N950 has no September score.
    assert movement() == {"S000": (2, 1), "S001": (3, 2), "N001": (3, 0), "N000": (1, -3), "N002": (3, -2),
                          "S002": (3, -3), "N900": (3, -4), "N950": (None, None)}
    adjust(board[0], "S001", 70)  # September: N000 100, S001 70, S000 50, the rest 0
    assert movement() == {"S000": (3, 2), "S001": (2, 1), "N001": (4, 1), "N000": (1, -3), "N002": (4, -1),
                          "S002": (4, -2), "N900": (4, -3), "N950": (None, None)}


def test_the_team_filter_ranks_within_the_team_now_and_before(cast, client_as, board):
    rows = get(client_as, cast, "admin", board[1], team=cast.north.pk)["results"]
    assert [(r["rank"], r["agent"]["employee_code"], r["previous_rank"], r["movement"]) for r in rows] == [
        (1, "N001", 2, 1), (2, "N000", 1, -1), (3, "N002", 2, -1), (4, "N900", 2, -2), (5, "N950", None, None)]


def test_supervisors_see_granted_rows_with_whole_population_ranks_page_by_page(cast, client_as, board):
    first = get(client_as, cast, "supervisor", board[1], page_size=2)
    second = get(client_as, cast, "supervisor", board[1], page_size=2, page=2)
    last = get(client_as, cast, "supervisor", board[1], page_size=2, page=3)
    assert [first["count"], second["count"], last["count"]] == [5, 5, 5]
    assert ranks(first) + ranks(second) + ranks(last) == [(3, "N001"), (4, "N000"), (5, "N002"), (7, "N900"),
                                                          (8, "N950")]
    assert last["next"] is None and "page=2" in last["previous"]


def test_pages_continue_the_order_with_the_same_count(cast, client_as, board):
    pages = [get(client_as, cast, "admin", board[1], page_size=3, page=n) for n in (1, 2, 3)]
    assert [p["count"] for p in pages] == [8, 8, 8]
    assert [len(p["results"]) for p in pages] == [3, 3, 2]
    assert sum((ranks(p) for p in pages), []) == OCTOBER
    assert pages[0]["results"] == get(client_as, cast, "admin", board[1])["results"][:3]
    assert pages[0]["previous"] is None and "page=2" in pages[0]["next"] and pages[2]["next"] is None
    beyond = client_as(cast.users["admin"]).get(cast.url(f"periods/{board[1].pk}/leaderboard/"),
                                                {"page_size": 3, "page": 4})
    assert beyond.status_code == 404


@pytest.mark.parametrize(("points", "expected"), [
    (None, [(1, False), (3, False), (4, True), (5, False), (6, False)]),  # two neighbours each side
    (30, [(1, True), (2, False), (2, False)]),  # 110: first, nobody above
    (-50, [(6, False), (7, False), (8, True)]),  # 30: last, nobody below
], ids=["middle", "top", "bottom"])
def test_own_position_shows_the_agent_and_up_to_two_anonymized_neighbours(cast, client_as, board, points,
                                                                          expected):
    cast.tenant.leaderboard_visibility = "own_position"
    cast.tenant.save()
    if points is not None:
        adjust(board[1], "N000", points)
    body = get(client_as, cast, "agent", board[1])
    assert body["count"] == len(expected)
    assert [(r["rank"], r["is_self"]) for r in body["results"]] == expected
    for row in body["results"]:
        if row["is_self"]:
            assert row["agent"]["employee_code"] == "N000" and row["team"] == cast.north.pk
        else:
            assert row["agent"] is None and row["team"] is None and row["titles"] == []
    if points is None:  # an anonymized row keeps its tiers (S001: tier A), not its titles
        assert (body["results"][0]["tiers"], body["results"][0]["titles"]) == (["A"], [])


def test_own_position_within_the_team_and_page_by_page(cast, client_as, board):
    cast.tenant.leaderboard_visibility = "own_position"
    cast.tenant.save()
    team = get(client_as, cast, "agent", board[1], team=cast.north.pk)
    assert [(r["rank"], r["is_self"]) for r in team["results"]] == [(1, False), (2, True), (3, False), (4, False)]
    second = get(client_as, cast, "agent", board[1], page_size=2, page=2)
    assert second["count"] == 5 and [(r["rank"], r["is_self"]) for r in second["results"]] == [(4, True),
                                                                                                 (5, False)]


def test_a_period_without_results_has_an_empty_leaderboard(cast, client_as):
    body = get(client_as, cast, "admin", make_period(cast.tenant))
    assert (body["count"], body["results"]) == (0, [])


def queries(client, url, **query) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 5, **query})
    assert response.status_code == 200, response.content
    return len(ctx)


# Each request: the membership with its tenant, the period, then the leaderboard's count and page. With ?team=, the
# team's visibility check comes first (for an agent, their own team: after looking up their agent record).
@pytest.mark.parametrize(("role", "visibility", "expected", "with_team"), [
    ("admin", "names", 4, 5), ("qa_lead", "names", 4, 5), ("supervisor", "names", 4, 5), ("agent", "names", 4, 6),
    ("agent", "own_position", 4, 6),
])
def test_the_queries_do_not_depend_on_the_size_of_the_period(cast, client_as, board, role, visibility, expected,
                                                             with_team):
    cast.tenant.leaderboard_visibility = visibility
    cast.tenant.save()
    client, url = client_as(cast.users[role]), cast.url(f"periods/{board[1].pk}/leaderboard/")

    def counts():
        return [queries(client, url), queries(client, url, page_size=2, page=2),
                queries(client, url, team=cast.north.pk)]

    small = counts()
    give_totals({AgentFactory(team=team, employee_code=f"Q{i:03d}"): 10 + i
                 for i, team in enumerate([cast.north, cast.south] * 20)})
    compute_now(KpiPeriod.objects.get(pk=board[1].pk))
    assert get(client_as, cast, "admin", board[1])["count"] == 48
    assert small == counts() == [expected, expected, with_team]
