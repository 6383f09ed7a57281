"""Interaction direction (inbound/outbound): ingestion (JSON, CSV), the list filter, the streamed interactions
export, and the direction KPIs (outbound_calls, connect_rate, occupancy per direction) against hand-computed values.

Tenant "acme" runs on Asia/Shanghai (UTC+8); north (N000-N002) is the supervisor's team.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from performance.kpis import CATALOG, kpi_value
from performance.models import AgentSchemeScore, Interaction
from performance.selectors import interaction_aggregates, period_bounds, shift_aggregates
from tests.factories import InteractionFactory, ShiftFactory
from tests.performance.conftest import compute_now, make_period, make_version

D = Decimal
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=SHANGHAI)


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def row(external_id: str, **overrides) -> dict:
    return {"agent": "N001", "channel": "phone", "external_id": external_id,
            "started_at": "2026-10-01T09:30:00+08:00", **overrides}


def test_direction_is_ingested_defaults_to_inbound_and_is_validated(cast, admin):
    response = admin.post(cast.url("interactions/bulk/"), {"rows": [row("a"), row("b", direction="outbound")]},
                          format="json")
    assert response.status_code == 200, response.json()
    stored = dict(Interaction.objects.filter(tenant=cast.tenant).values_list("external_id", "direction"))
    assert stored == {"a": "inbound", "b": "outbound"}
    bad = admin.post(cast.url("interactions/bulk/"), {"rows": [row("c", direction="sideways")]}, format="json")
    assert bad.status_code == 400
    assert [(e["field"], e["code"]) for e in bad.json()["errors"]] == [("rows.0.direction", "invalid_choice")]
    one = admin.post(cast.url("interactions/"), row("d", direction="OUTBOUND"), format="json")
    assert one.status_code == 201 and one.json()["direction"] == "outbound"


def test_direction_is_read_from_csv(cast, admin):
    text = ("agent,channel,direction,external_id,started_at\n"
            "N001,phone,outbound,x-1,2026-10-01T09:30:00+08:00\n"
            "N001,phone,,x-2,2026-10-01T09:40:00+08:00\n")
    upload = SimpleUploadedFile("i.csv", text.encode(), content_type="text/csv")
    response = admin.post(cast.url("interactions/import/"), {"file": upload}, format="multipart")
    assert response.status_code == 200, response.json()
    stored = dict(Interaction.objects.filter(tenant=cast.tenant).values_list("external_id", "direction"))
    assert stored == {"x-1": "outbound", "x-2": "inbound"}


def test_the_list_filters_by_direction(cast, admin):
    agent = cast.north_agents[1]
    outbound = InteractionFactory(agent=agent, direction="outbound")
    InteractionFactory(agent=agent)
    response = admin.get(cast.url("interactions/"), {"direction": "outbound"})
    assert [r["id"] for r in response.json()["results"]] == [outbound.pk]
    assert admin.get(cast.url("interactions/"), {"direction": "up"}).status_code == 400


@pytest.fixture
def mixed_month(cast):
    """One agent's October: 3 inbound (2 answered) and 3 outbound (2 connected) contacts, and two shifts."""
    agent = cast.north_agents[1]
    rows = [
        # direction, answered, talk, hold, acw
        ("inbound", True, 100, 20, 30),  # 150 s
        ("inbound", True, 200, 0, 60),  # 260 s
        ("inbound", False, 0, 0, 0),
        ("outbound", True, 300, 0, 0),  # 300 s
        ("outbound", False, 0, 0, 0),
        ("outbound", True, 50, 10, 30),  # 90 s
    ]
    for day, (direction, answered, talk, hold, acw) in enumerate(rows, start=2):
        InteractionFactory(agent=agent, started_at=at(day), direction=direction, answered=answered,
                           talk_seconds=talk, hold_seconds=hold, acw_seconds=acw)
    ShiftFactory(agent=agent, date=date(2026, 10, 2), scheduled_minutes=480, worked_minutes=480,
                 logged_in_minutes=10)
    ShiftFactory(agent=agent, date=date(2026, 10, 3), scheduled_minutes=480, worked_minutes=480,
                 logged_in_minutes=20)
    return agent


EXPECTED = {
    "outbound_calls": (D("3"), 3),
    "connect_rate": (D("66.6667"), 3),  # 2 connected / 3 outbound
    "occupancy_inbound": (D("22.7778"), 2),  # (150 + 260) / (30 × 60) = 0.227777…
    "occupancy_outbound": (D("21.6667"), 2),  # (300 + 90) / 1800
    "occupancy": (D("44.4444"), 2),  # 800 / 1800: both directions
    "handled": (D("4"), 6),  # existing KPIs count both directions
}


def test_direction_kpis_from_the_sql_aggregate(cast, mixed_month):
    period = make_period(cast.tenant)
    start, end = period_bounds(period)
    inputs = {**interaction_aggregates(tenant_id=cast.tenant.pk, start=start, end=end)[mixed_month.pk],
              **shift_aggregates(tenant_id=cast.tenant.pk, start=period.start, end=period.end)[mixed_month.pk]}
    assert {code: kpi_value(code, inputs) for code in EXPECTED} == EXPECTED
    assert CATALOG["connect_rate"].unit == "percent" and CATALOG["outbound_calls"].direction == "higher"


def test_direction_kpis_score_in_a_scheme(cast, mixed_month):
    make_version(cast.tenant, kpis=[("connect_rate", 50, 0, 100, 1), ("occupancy_inbound", 50, 0, 50, 1)])
    period = make_period(cast.tenant)
    assert compute_now(period).status == "succeeded"
    kpis = {k["kpi_code"]: k for k in AgentSchemeScore.objects.get(agent=mixed_month).kpis}
    assert kpis["connect_rate"]["raw_value"] == "66.6667" and kpis["connect_rate"]["points"] == "66.67"
    assert kpis["occupancy_inbound"]["raw_value"] == "22.7778" and kpis["occupancy_inbound"]["points"] == "45.56"


def test_a_scheme_version_accepts_the_new_kpis_through_the_api(cast, admin):
    scheme = admin.post(cast.url("schemes/"), {"name": "Outbound desk"}, format="json")
    assert scheme.status_code == 201, scheme.json()
    body = {"effective_from": "2026-01-01", "kpis": [
        {"kpi_code": "outbound_calls", "weight": "40", "floor": "100", "target": "300", "min_sample": 1},
        {"kpi_code": "connect_rate", "weight": "30", "floor": "20", "target": "60", "min_sample": 10},
        {"kpi_code": "occupancy_outbound", "weight": "30", "floor": "30", "target": "80", "min_sample": 1}]}
    response = admin.post(cast.url(f"schemes/{scheme.json()['id']}/versions/"), body, format="json")
    assert response.status_code == 201, response.json()


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8"))))


def test_the_interactions_export_streams_csv_and_xlsx_equal_to_the_list(cast, admin, client_as, mixed_month):
    InteractionFactory(agent=cast.south_agents[0], started_at=at(20), direction="outbound")
    response = admin.get(cast.url("interactions/export/"), {"direction": "outbound"})
    assert response.status_code == 200 and response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="interactions.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    listed = admin.get(cast.url("interactions/"), {"direction": "outbound"}).json()["results"]
    assert header[:7] == ["Id", "Employee code", "Agent", "Team", "Channel", "Direction", "Scenario"]
    assert [int(r[0]) for r in rows] == [r["id"] for r in listed] and len(rows) == 4
    assert {r[5] for r in rows} == {"outbound"}
    first = listed[0]
    local = datetime.fromisoformat(first["started_at"]).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M:%S")
    assert rows[0][9] == local and rows[0][10] == "yes"
    plain = admin.get(cast.url("interactions/export/"), {"bom": "false"})
    assert not b"".join(plain.streaming_content).startswith("\ufeff".encode())
    xlsx = admin.get(cast.url("interactions/export/"), {"file_format": "xlsx", "direction": "outbound"})
    sheet = list(load_workbook(io.BytesIO(b"".join(xlsx.streaming_content))).active.values)
    assert [r[0] for r in sheet[1:]] == [r["id"] for r in listed]
    assert sheet[1][13] == first["talk_seconds"]
    # Scoped like the list: the agent gets their own rows only; unknown parameters are refused.
    own = client_as(cast.users["agent"]).get(cast.url("interactions/export/"))
    assert len(_csv(own)) == 1
    assert admin.get(cast.url("interactions/export/"), {"bom": "maybe"}).status_code == 400
    assert admin.get(cast.url("interactions/export/"), {"cursor": "x"}).status_code == 400
