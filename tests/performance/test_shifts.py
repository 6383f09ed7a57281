"""Shifts: ingestion (upsert by source and external_id, validation) and the scoped, filtered list."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import AuditEvent
from performance.models import Shift
from tests.factories import ShiftFactory


def shift(external_id: str = "s-1", **overrides) -> dict:
    return {"agent": "N001", "external_id": external_id, "date": "2026-10-01", "scheduled_minutes": 480,
            "worked_minutes": 470, "logged_in_minutes": 450, **overrides}


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def bulk(client, cast, rows):
    return client.post(cast.url("shifts/bulk/"), {"rows": rows}, format="json")


def error_fields(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


def test_shifts_are_upserted_by_source_and_external_id(cast, admin):
    first = bulk(admin, cast, [shift("s-1"), shift("s-2", agent="S001", date="2026-10-02", worked_minutes=0)])
    again = bulk(admin, cast, [shift("s-1", worked_minutes=300), shift("s-2", agent="S001", date="2026-10-02",
                                                                        worked_minutes=0)])

    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    assert again.json() == {"created": 0, "updated": 2, "unchanged": 1, "rows": 2}
    one, two = Shift.objects.get(external_id="s-1"), Shift.objects.get(external_id="s-2")
    assert (one.team, one.date, one.scheduled_minutes, one.worked_minutes) == (cast.north, dt.date(2026, 10, 1), 480,
                                                                              300)
    assert (two.team, two.source, two.worked_minutes) == (cast.south, "api", 0)
    events = AuditEvent.objects.filter(action="shifts.ingested").order_by("id")
    assert [e.changes["after"]["created"] for e in events] == [2, 0]


def test_one_shift_answers_201_then_200(cast, admin):
    created = admin.post(cast.url("shifts/"), shift("s-1"), format="json")
    updated = admin.post(cast.url("shifts/"), shift("s-1", logged_in_minutes=460), format="json")

    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["id"] == updated.json()["id"]
    assert (updated.json()["agent_code"], updated.json()["logged_in_minutes"]) == ("N001", 460)


def test_invalid_shift_rows_are_all_reported_and_nothing_is_written(cast, admin):
    response = bulk(admin, cast, [
        shift("s-1"),
        shift("s-2", date="2026-02-30", worked_minutes=1441),
        shift("s-3", date="1/10/2026", scheduled_minutes=-5, agent="G000"),
        shift("s-4", logged_in_minutes="lots", channel="phone"),
    ])

    assert response.status_code == 400
    assert response.json()["detail"] == "3 rows are invalid; nothing was written."
    assert error_fields(response) == [
        ("rows.1.date", "invalid"),
        ("rows.1.worked_minutes", "max_value"),
        ("rows.2.date", "invalid"),
        ("rows.2.scheduled_minutes", "min_value"),
        ("rows.2.agent", "does_not_exist"),
        ("rows.3.logged_in_minutes", "invalid"),
        ("rows.3.channel", "unknown_field"),
    ]
    assert Shift.objects.count() == 0


def test_a_supervisor_records_shifts_only_for_their_teams(cast, client_as):
    response = bulk(client_as(cast.users["supervisor"]), cast, [shift("s-1"), shift("s-2", agent="S000")])

    assert error_fields(response) == [("rows.1.agent", "does_not_exist")]


@pytest.fixture
def shifts(cast):
    n1, s1 = cast.north_agents[1], cast.south_agents[1]
    return {
        "n1-1": ShiftFactory(agent=n1, date=dt.date(2026, 10, 1)),
        "n1-2": ShiftFactory(agent=n1, date=dt.date(2026, 10, 2)),
        "s1-2": ShiftFactory(agent=s1, date=dt.date(2026, 10, 2)),
        "s1-3": ShiftFactory(agent=s1, date=dt.date(2026, 10, 3)),
        "other": ShiftFactory(agent=cast.other_agent, date=dt.date(2026, 10, 2)),
    }


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["s1-3", "s1-2", "n1-2", "n1-1"]),  # latest day first, then newest id
    ("agent={n1}", ["n1-2", "n1-1"]),
    ("agent_code=S001", ["s1-3", "s1-2"]),
    ("team={south}", ["s1-3", "s1-2"]),
    ("date_from=2026-10-02&date_to=2026-10-02", ["s1-2", "n1-2"]),
    ("date_from=2026-10-03", ["s1-3"]),
    ("ordering=date", ["n1-1", "n1-2", "s1-2", "s1-3"]),
])
def test_shift_filters(cast, admin, shifts, query, expected):
    ids = {"n1": cast.north_agents[1].pk, "south": cast.south.pk, "other": cast.other_agent.pk}
    by_id = {row.pk: name for name, row in shifts.items()}

    response = admin.get(cast.url(f"shifts/?{query.format(**ids)}"))

    assert response.status_code == 200
    assert [by_id[row["id"]] for row in response.json()["results"]] == expected


def test_a_supervisor_sees_the_shifts_of_their_teams_only(cast, client_as, shifts):
    response = client_as(cast.users["supervisor"]).get(cast.url("shifts/"))

    assert {row["id"] for row in response.json()["results"]} == {shifts["n1-1"].pk, shifts["n1-2"].pk}


@pytest.mark.parametrize("role", ["admin", "supervisor", "agent"])
def test_the_shift_list_query_count_does_not_grow(cast, client_as, role):
    client = client_as(cast.users[role])

    def count() -> tuple[int, int]:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(cast.url("shifts/"), {"page_size": 100})
        return len(queries), len(response.json()["results"])

    for i in range(5):
        ShiftFactory(agent=cast.own_agent, date=dt.date(2026, 10, 1) + dt.timedelta(days=i))
    few, few_rows = count()
    for i in range(45):
        ShiftFactory(agent=cast.own_agent, date=dt.date(2026, 11, 1) + dt.timedelta(days=i))
    many, many_rows = count()

    assert (few_rows, many_rows) == (5, 50)
    assert many == few <= 6
