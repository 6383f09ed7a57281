"""The QA reviews export: CSV and XLSX streamed, equal to the list (same scoping and filters), parsed back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from tests.factories import InteractionFactory
from tests.feedback.factories import make_version as make_rubric_version
from tests.feedback.factories import published_review


@pytest.fixture
def reviews(cast):
    version = make_rubric_version(cast.tenant)
    inspector = cast.users["qa_lead"]  # reviews every team
    made = []
    for n, agent in enumerate([cast.own_agent, cast.north_agents[1], cast.south_agents[0]]):
        interaction = InteractionFactory(agent=agent, started_at=datetime(2026, 10, 3 + n, 9, tzinfo=UTC),
                                         channel="chat" if n == 2 else "phone")
        made.append(published_review(inspector=inspector, interaction=interaction, version=version,
                                     ratings=[4, 1, 8, 3], publisher=cast.users["qa_lead"]))
    return made


def _rows(response) -> tuple[list[str], list[list[str]]]:
    assert response.status_code == 200 and response.streaming, getattr(response, "content", b"")
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    header, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    return header, rows


def test_csv_equals_the_list_with_its_filters(cast, client_as, reviews):
    lead = client_as(cast.users["qa_lead"])
    header, rows = _rows(lead.get(cast.url("qa-reviews/export/"), {"channel": "phone"}))
    listed = lead.get(cast.url("qa-reviews/"), {"channel": "phone"}).json()["results"]
    assert header[:6] == ["Id", "Chain", "Revision", "Latest revision", "Status", "Interaction"]
    assert [int(row[0]) for row in rows] == [review["id"] for review in listed] and len(rows) == 2
    by_id = {review["id"]: review for review in listed}
    for row in rows:
        assert row[4] == "published" and row[3] == "yes"
        assert row[14] == str(by_id[int(row[0])]["total"])
    assert {row[9] for row in rows} == {"phone"}


def test_xlsx_parses_back_to_the_same_rows(cast, client_as, reviews):
    lead = client_as(cast.users["qa_lead"])
    response = lead.get(cast.url("qa-reviews/export/"), {"file_format": "xlsx"})
    assert response["Content-Disposition"] == 'attachment; filename="qa-reviews.xlsx"'
    sheet = list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.values)
    listed = lead.get(cast.url("qa-reviews/")).json()["results"]
    assert [row[0] for row in sheet[1:]] == [review["id"] for review in listed]
    assert sheet[0][6] == "Employee code"


@pytest.mark.parametrize(("role", "codes"), [
    ("admin", ["N000", "N001", "S000"]), ("qa_lead", ["N000", "N001", "S000"]),
    ("supervisor", ["N000", "N001"]), ("agent", ["N000"]),
])
def test_scoped_like_the_list(cast, client_as, reviews, role, codes):
    _, rows = _rows(client_as(cast.users[role]).get(cast.url("qa-reviews/export/")))
    assert sorted(row[6] for row in rows) == codes


def test_plain_utf8_and_strict_parameters(cast, client_as, reviews):
    lead = client_as(cast.users["qa_lead"])
    plain = lead.get(cast.url("qa-reviews/export/"), {"bom": "false"})
    assert not b"".join(plain.streaming_content).startswith("\ufeff".encode())
    assert lead.get(cast.url("qa-reviews/export/"), {"page": "2"}).status_code == 400
    assert lead.get(cast.url("qa-reviews/export/"), {"file_format": "pdf"}).status_code == 400
    assert client_as(cast.outsider).get(cast.url("qa-reviews/export/")).status_code == 404
