"""The interaction list: filters, tenant-local dates, stable cursor pages, and a query count that does not grow.

Tenant "acme" runs on Asia/Shanghai (UTC+8). The four interactions below are written with their local time and
the UTC instant next to it.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import InteractionFactory, ScenarioFactory

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


@pytest.fixture
def data(cast):
    inquiry = ScenarioFactory(tenant=cast.tenant, code="inquiry")
    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")
    n1, n2 = cast.north_agents[1], cast.north_agents[2]
    s1, s2 = cast.south_agents[1], cast.south_agents[2]
    rows = {
        # 2026-10-01 00:30 local = 2026-09-30 16:30 UTC
        "a": InteractionFactory(agent=n1, channel="phone", scenario=inquiry, source="crm", external_id="a",
                                started_at=dt.datetime(2026, 10, 1, 0, 30, tzinfo=SHANGHAI),
                                answered=True, resolved=True, csat=5),
        # 2026-10-01 23:30 local = 2026-10-01 15:30 UTC
        "b": InteractionFactory(agent=n2, channel="chat", scenario=complaint, external_id="b",
                                started_at=dt.datetime(2026, 10, 1, 23, 30, tzinfo=SHANGHAI),
                                answered=False, resolved=False, csat=None),
        # 2026-10-02 08:00 local = 2026-10-02 00:00 UTC
        "c": InteractionFactory(agent=s1, channel="email", scenario=None, external_id="c",
                                started_at=dt.datetime(2026, 10, 2, 8, 0, tzinfo=SHANGHAI),
                                answered=True, resolved=False, csat=2),
        # 2026-09-30 23:59 local = 2026-09-30 15:59 UTC
        "d": InteractionFactory(agent=s2, channel="phone", scenario=inquiry, external_id="d",
                                started_at=dt.datetime(2026, 9, 30, 23, 59, tzinfo=SHANGHAI),
                                answered=True, resolved=False, csat=None),
    }
    InteractionFactory(agent=cast.other_agent, external_id="globex")
    return {"rows": rows, "inquiry": inquiry, "complaint": complaint}


def names(response, data) -> list[str]:
    by_id = {ix.pk: name for name, ix in data["rows"].items()}
    assert response.status_code == 200, response.content
    return [by_id[row["id"]] for row in response.json()["results"]]


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def test_newest_first_with_the_codes_spelled_out(cast, admin, data):
    response = admin.get(cast.url("interactions/"))

    assert names(response, data) == ["c", "b", "a", "d"]
    first = response.json()["results"][2]
    assert (first["agent_code"], first["scenario_code"], first["team"]) == ("N001", "inquiry", cast.north.pk)
    assert first["handle_seconds"] == 240 + 30 + 60  # the factory's talk + hold + acw
    assert first["started_at"] == "2026-09-30T16:30:00Z"


@pytest.mark.parametrize(("query", "expected"), [
    ("agent={n1}", ["a"]),
    ("agent_code=S001", ["c"]),
    ("team={north}", ["b", "a"]),
    ("team={south}", ["c", "d"]),
    ("channel=phone", ["a", "d"]),
    ("channel=phone&channel=chat", ["b", "a", "d"]),
    ("scenario={inquiry}", ["a", "d"]),
    ("scenario_code=complaint", ["b"]),
    ("started_from=2026-10-01T00:00:00%2B08:00&started_before=2026-10-02T00:00:00%2B08:00", ["b", "a"]),
    ("started_from=2026-10-02T00:00:00Z", ["c"]),
    # local days: 2026-10-01 in Shanghai holds a and b, although a falls on 2026-09-30 in UTC
    ("date_from=2026-10-01&date_to=2026-10-01", ["b", "a"]),
    ("date_to=2026-09-30", ["d"]),
    ("answered=false", ["b"]),
    ("resolved=true", ["a"]),
    ("csat_present=true", ["c", "a"]),
    ("csat_present=false", ["b", "d"]),
    ("source=crm", ["a"]),
    ("external_id=d", ["d"]),
    ("ordering=started_at", ["d", "a", "b", "c"]),
])
def test_filters(cast, admin, data, query, expected):
    ids = {"n1": cast.north_agents[1].pk, "north": cast.north.pk, "south": cast.south.pk,
           "inquiry": data["inquiry"].pk, "other_agent": cast.other_agent.pk}

    response = admin.get(cast.url(f"interactions/?{query.format(**ids)}"))

    assert names(response, data) == expected


def test_an_invalid_filter_value_is_a_400(cast, admin, data):
    response = admin.get(cast.url("interactions/?channel=fax"))

    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "channel"


@pytest.mark.parametrize("query", ["agent={other_agent}", "team={other_team}", "agent=999999", "team=999999"])
def test_an_id_of_another_tenant_is_refused_like_one_that_exists_nowhere(cast, admin, data, query):
    ids = {"other_agent": cast.other_agent.pk, "other_team": cast.other_team.pk}
    response = admin.get(cast.url(f"interactions/?{query.format(**ids)}"))

    assert response.status_code == 400
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [(query.split("=")[0], "invalid_choice")]


def test_filters_narrow_a_supervisors_view_never_widen_it(cast, client_as, data):
    supervisor = client_as(cast.users["supervisor"])

    assert names(supervisor.get(cast.url(f"interactions/?team={cast.north.pk}")), data) == ["b", "a"]
    response = supervisor.get(cast.url(f"interactions/?team={cast.south.pk}"))
    assert response.status_code == 400  # a team outside their grants reads as one that does not exist
    assert response.json()["errors"][0]["field"] == "team"


def test_cursor_pages_walk_every_row_once_in_order(cast, admin, data):
    same_moment = dt.datetime(2026, 10, 5, 12, 0, tzinfo=SHANGHAI)
    extra = [InteractionFactory(agent=cast.north_agents[0], started_at=same_moment) for _ in range(5)]
    seen, url = [], cast.url("interactions/?page_size=3")
    while url:
        page = admin.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]

    expected = [ix.pk for ix in sorted(extra, key=lambda ix: -ix.pk)]
    expected += [data["rows"][name].pk for name in ("c", "b", "a", "d")]
    assert seen == expected


def _count(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200
    return len(queries), len(response.json()["results"])


@pytest.mark.parametrize("role", ["admin", "supervisor", "qa_inspector", "agent"])
def test_the_query_count_does_not_grow_with_the_page(cast, client_as, role):
    client = client_as(cast.users[role])
    agents = [cast.own_agent, cast.north_agents[1]]
    scenario = ScenarioFactory(tenant=cast.tenant, code="inquiry")

    def make(n):
        for i in range(n):
            InteractionFactory(agent=agents[i % 2], scenario=scenario if i % 3 else None)

    make(5)
    few, few_rows = _count(client, cast.url("interactions/"))
    make(45)
    many, many_rows = _count(client, cast.url("interactions/"))

    assert many_rows > few_rows >= 3
    assert many == few <= 6
