"""No list endpoint's query count grows with the number of rows it returns."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from accounts.services import api_key_create
from common.actor import Actor
from tests.factories import AgentFactory, MembershipFactory, TeamFactory, grant


def make_rows(cast, resource: str, n: int, start: int = 0) -> None:
    actor = Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])
    for i in range(start, start + n):
        if resource == "agents/":
            AgentFactory(team=cast.north, employee_code=f"Q{i:04d}")
        elif resource == "teams/":
            grant(cast.users["supervisor"], TeamFactory(tenant=cast.tenant, name=f"Q{i}"), "view")
        elif resource == "members/":
            MembershipFactory(tenant=cast.tenant, role="agent")
        elif resource == "grants/":
            grant(MembershipFactory(tenant=cast.tenant, role="supervisor").user, cast.south, "view")
        elif resource == "api-keys/":
            api_key_create(actor=actor, name=f"key {i}")
        elif resource == "audit-log/":
            AuditEvent.objects.create(tenant=cast.tenant, actor_user=cast.users["admin"], action="x", object_type="t",
                                      object_id=str(i))


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("resource", ["agents/", "teams/", "members/", "grants/", "api-keys/", "audit-log/"])
@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_list_query_count_does_not_grow(cast, client_as, resource, role):
    if role != "admin" and resource not in {"agents/", "teams/"}:
        pytest.skip("admin-only list")
    client = client_as(cast.users[role])
    make_rows(cast, resource, 5)
    few, few_rows = count_queries(client, cast.url(resource))
    make_rows(cast, resource, 45, start=5)
    many, many_rows = count_queries(client, cast.url(resource))
    assert many_rows > few_rows
    assert many == few
    assert few <= 8


# The read endpoints under load (README "Benchmark"): the same queries whatever the number of rows, and for a
# supervisor (team grants) no more than that (on the dashboard, one more for the supervisor's own agent, which the
# appeals' scope reads): the grants are a semi-join inside the rows' query. Each request: the membership with its
# tenant (1), then the endpoint's own (the leaderboard: its period, its count, its page).
READ_QUERIES = {
    "admin": {"score detail": 4, "scores": 6, "leaderboard": 4, "interactions": 2, "dashboard": 8,
              "teams report": 4},
    "supervisor": {"score detail": 4, "scores": 6, "leaderboard": 4, "interactions": 2, "dashboard": 9,
                   "teams report": 4},
}


NOT_PAGED = frozenset({"score detail", "dashboard", "teams report"})


def computed_period(cast, agents_per_team: int):
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from tests.factories import InteractionFactory
    from tests.performance.conftest import compute_now, make_period, make_version

    when = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
    for team in (cast.north, cast.south):
        for i in range(agents_per_team):
            agent = AgentFactory(team=team, employee_code=f"{team.name[0]}R{agents_per_team}-{i}")
            for csat in (5, 4, 1):
                InteractionFactory(agent=agent, started_at=when, csat=csat)
    from performance.models import SchemeVersion

    if not SchemeVersion.objects.filter(tenant=cast.tenant).exists():
        make_version(cast.tenant, kpis=[("csat", 60, 0, 100, 1), ("aht", 40, 600, 300, 1)])
    period = make_period(cast.tenant, kind="custom", end=datetime(2026, 11, agents_per_team % 28 + 1).date())
    compute_now(period)
    return period


def read_urls(cast, period) -> dict[str, str]:
    from performance.models import AgentPeriodScore

    score = AgentPeriodScore.objects.filter(period=period, agent__team=cast.north, total__isnull=False).first()
    return {"score detail": cast.url(f"periods/{period.pk}/scores/{score.pk}/"),
            "scores": cast.url(f"periods/{period.pk}/scores/"),
            "leaderboard": cast.url(f"periods/{period.pk}/leaderboard/"),
            "interactions": cast.url("interactions/"),
            "dashboard": cast.url(f"reports/dashboard/?period={period.pk}"),
            "teams report": cast.url(f"reports/teams/?period={period.pk}")}


@pytest.mark.parametrize("role", ["admin", "supervisor"])
def test_read_endpoints_run_a_constant_number_of_queries(cast, client_as, role):
    client = client_as(cast.users[role])
    few = read_urls(cast, computed_period(cast, 2))
    many = read_urls(cast, computed_period(cast, 20))
    for name, expected in READ_QUERIES[role].items():
        counts = []
        for urls in (few, many):
            params = {} if name in NOT_PAGED else {"page_size": 100}
            # In the steady state dashboards see: a first request fills the cached scheme version references and
            # a revision's KPI codes (one query more each, tests/performance/test_read_caching.py and
            # tests/reports/test_reports_recomputed.py).
            client.get(urls[name], params)
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(urls[name], params)
            assert response.status_code == 200, (name, response.content)
            counts.append(len(ctx))
        assert counts == [expected] * 2, (name, counts)
