"""Every report's CSV and XLSX parsed back equal its JSON, row by row and column by column (including empty
values), and trends over a computed period in which the scope has no scored agent."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tests.factories import InteractionFactory
from tests.reports.conftest import month, write_revision
from tests.reports.test_reports import admin, get, october  # noqa: F401 (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHANNEL_KPIS = ["offered", "handled", "answer_rate", "asa", "abandon_rate", "aht", "acw", "fcr", "csat", "frt",
                "outbound_calls", "connect_rate"]
DASHBOARD = ["volume", "handled", "answer_rate", "aht", "fcr", "csat", "qa_score", "qa_reviews", "scored_agents"]


def _cell(value) -> str:
    """One spelling for a JSON value, a CSV cell and an XLSX cell: numbers compare as numbers, days as ISO days."""
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, bool):
        return str(value)
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return format(number.normalize(), "f") if number.is_finite() else str(value)


def _files(client, cast, report: str, params: dict) -> tuple[list[list[str]], list[list[str]]]:
    response = client.get(cast.url(f"reports/{report}/"), {**params, "file_format": "csv"})
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    csv_rows = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))]
    xlsx = client.get(cast.url(f"reports/{report}/"), {**params, "file_format": "xlsx"})
    assert xlsx.status_code == 200
    xlsx_rows = [[_cell(v) for v in row] for row in load_workbook(io.BytesIO(xlsx.content)).active.values]
    return csv_rows, xlsx_rows


def _expect(header: list[str], rows: list[list]) -> list[list[str]]:
    return [header, *([_cell(v) for v in row] for row in rows)]


@pytest.fixture
def contacts(cast):
    """October contacts (Shanghai time): north N001 two phone (one missed, one outbound), south S000 one chat."""
    moment = datetime(2026, 10, 5, 10, tzinfo=SHANGHAI)
    InteractionFactory(agent=cast.north_agents[1], started_at=moment, csat=5)
    InteractionFactory(agent=cast.north_agents[1], started_at=moment, answered=False, direction="outbound")
    InteractionFactory(agent=cast.south_agents[0], started_at=moment.replace(day=6), channel="chat", csat=2,
                       talk_seconds=100, hold_seconds=0, acw_seconds=20, first_contact_resolved=True)


def test_trend_exports_equal_the_json(cast, admin, october, contacts):  # noqa: F811
    september = month(cast.tenant, date(2026, 9, 1))
    write_revision(september, {cast.north_agents[0]: (40, {"csat": 50})})
    params = {"metric": "total", "level": "team", "team": cast.south.pk}
    body = get(admin, cast, "trends", **params)
    # September has a revision but no scored agent of the south team: a point with no value
    assert [(p["name"], p["value"], p["agents"], p["sample_size"]) for p in body["points"]] == [
        ("2026-09", None, 0, 0), ("2026-10", "85.0000", 2, 20)]
    expected = _expect(["Period", "Start", "End", "Revision", "Value", "Agents", "Sample size"], [
        [p["name"], p["start"], p["end"], p["revision"]["number"], p["value"], p["agents"], p["sample_size"]]
        for p in body["points"]])
    csv_rows, xlsx_rows = _files(admin, cast, "trends", params)
    assert csv_rows == expected and xlsx_rows == expected

    daily = {"metric": "aht", "period": october.pk, "interval": "day"}
    points = get(admin, cast, "trends", **daily)["points"]
    assert [(p["start"], p["value"]) for p in points[4:6]] == [("2026-10-05", "330.0000"), ("2026-10-06", "120.0000")]
    expected = _expect(["Period", "Start", "End", "Revision", "Value", "Agents", "Sample size"], [
        [None, p["start"], None, None, p["value"], None, p["sample_size"]] for p in points])
    csv_rows, xlsx_rows = _files(admin, cast, "trends", daily)
    assert len(csv_rows) == 32 and csv_rows == expected and xlsx_rows == expected


def test_channel_and_dashboard_exports_equal_the_json(cast, admin, october, contacts):  # noqa: F811
    rows = get(admin, cast, "channels", period=october.pk)["rows"]
    expected = _expect(["Dimension", "Key", *CHANNEL_KPIS], [
        [r["dimension"], r["key"], *(r[code] for code in CHANNEL_KPIS)] for r in rows])
    csv_rows, xlsx_rows = _files(admin, cast, "channels", {"period": october.pk})
    assert len(csv_rows) == 1 + 5 and csv_rows == expected and xlsx_rows == expected

    body = get(admin, cast, "dashboard", period=october.pk)
    expected = _expect(["Team id", "Team", "Volume", *DASHBOARD[1:]], [
        [None, "All teams", *(body["tenant"][k] for k in DASHBOARD)],
        *([t["team"], t["name"], *(t[k] for k in DASHBOARD)] for t in body["teams"])])
    csv_rows, xlsx_rows = _files(admin, cast, "dashboard", {"period": october.pk})
    assert csv_rows[1][:5] == ["", "All teams", "3", "2", "66.6667"]  # 3 contacts, 2 answered
    assert csv_rows == expected and xlsx_rows == expected


def test_distribution_and_correlation_exports_equal_the_json(cast, admin, october):  # noqa: F811
    body = get(admin, cast, "distribution", period=october.pk, bins="0,60,80,100")
    expected = _expect(["Lower bound", "Upper bound", "Agents"], [[b["lower"], b["upper"], b["count"]]
                                                                  for b in body["bins"]])
    assert expected[1:] == [["0", "60", "1"], ["60", "80", "2"], ["80", "100", "2"]]  # 50 | 60 60 | 80 90
    csv_rows, xlsx_rows = _files(admin, cast, "distribution", {"period": october.pk, "bins": "0,60,80,100"})
    assert csv_rows == expected and xlsx_rows == expected

    points = get(admin, cast, "correlations", period=october.pk, x="frt", y="csat")["points"]
    expected = _expect(["Agent id", "frt", "csat"], [[p["agent"], p["x"], p["y"]] for p in points])
    csv_rows, xlsx_rows = _files(admin, cast, "correlations", {"period": october.pk, "x": "frt", "y": "csat"})
    assert len(csv_rows) == 5 and csv_rows == expected and xlsx_rows == expected
