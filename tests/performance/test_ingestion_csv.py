"""CSV import of interactions and shifts: the same rows as JSON, read from an uploaded file line by line.

Error fields name file lines, the header being line 1. Tenant "acme" runs on Asia/Shanghai (UTC+8).
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import AuditEvent
from performance.models import Interaction, Shift
from tests.factories import ScenarioFactory

HEADER = "agent,channel,scenario,external_id,started_at,answered,talk_seconds,csat,customer_ref,metadata"


def csv_file(text: str | bytes, name: str = "interactions.csv") -> SimpleUploadedFile:
    data = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, data, content_type="text/csv")


def upload(client, cast, data: str | bytes, path: str = "interactions/import/"):
    return client.post(cast.url(path), {"file": csv_file(data)}, format="multipart")


def error_fields(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


@pytest.fixture
def admin(cast, client_as):
    ScenarioFactory(tenant=cast.tenant, code="complaint")
    return client_as(cast.users["admin"])


def test_a_utf8_file_with_bom_and_crlf_is_imported_and_re_imported_as_updates(cast, admin):
    text = (
        f"\ufeff{HEADER}\r\n"
        'N001,phone,complaint,c-1,2026-10-01T09:30:00+08:00,true,300,5,"Zhang, Wei","{""queue"": ""vip""}"\r\n'
        "S001,chat,,c-2,2026-10-01T10:00:00+08:00,false,,,王小明,\r\n"
    )

    first = upload(admin, cast, text)

    assert first.status_code == 200, first.content
    assert first.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    one, two = Interaction.objects.get(external_id="c-1"), Interaction.objects.get(external_id="c-2")
    assert (one.team, one.scenario.code, one.csat, one.talk_seconds) == (cast.north, "complaint", 5, 300)
    assert (one.customer_ref, one.metadata) == ("Zhang, Wei", {"queue": "vip"})
    assert one.started_at == dt.datetime(2026, 10, 1, 1, 30, tzinfo=dt.UTC)
    # empty cells are absent fields: defaults, or null
    assert (two.scenario, two.answered, two.talk_seconds, two.csat) == (None, False, 0, None)
    assert two.customer_ref == "王小明"

    again = upload(admin, cast, text.replace(",5,", ",4,"))

    assert again.json() == {"created": 0, "updated": 2, "unchanged": 1, "rows": 2}
    assert Interaction.objects.get(external_id="c-1").csat == 4
    event = AuditEvent.objects.filter(action="interactions.ingested").latest("id")
    assert event.changes["after"]["via"] == "csv"


def test_a_file_without_bom_and_only_required_columns_is_fine(cast, admin):
    text = "agent,channel,external_id,started_at\nN001,email,e-1,2026-10-02T08:00:00+08:00\n"

    response = upload(admin, cast, text)

    assert response.json()["created"] == 1
    assert Interaction.objects.get().channel == "email"


def test_a_file_that_is_not_utf8_is_refused_with_a_clear_message(cast, admin):
    text = "agent,channel,external_id,started_at,customer_ref\nN001,phone,c-1,2026-10-01T09:30:00+08:00,王小明\n"

    response = upload(admin, cast, text.encode("gbk"))

    assert response.status_code == 400
    body = response.json()
    assert error_fields(response) == [("line.2", "encoding")]
    assert "not valid UTF-8" in body["detail"] and "CSV UTF-8" in body["detail"]
    assert Interaction.objects.count() == 0


def test_unknown_and_missing_columns_are_listed(cast, admin):
    text = "agent,channel,extid,started_at,score\nN001,phone,c-1,2026-10-01T09:30:00+08:00,5\n"

    response = upload(admin, cast, text)

    assert response.status_code == 400
    assert error_fields(response) == [("line.1", "unknown_column"), ("line.1", "missing_column")]
    messages = [error["message"] for error in response.json()["errors"]]
    assert messages[0].startswith('Unknown columns: "extid", "score".')
    assert messages[1] == 'Missing required columns: "external_id".'
    assert Interaction.objects.count() == 0


def test_a_column_named_twice_is_refused(cast, admin):
    response = upload(admin, cast, "agent,channel,external_id,started_at,agent\n")

    assert error_fields(response) == [("line.1", "duplicate_column")]


def test_bad_values_are_reported_by_line_and_nothing_is_written(cast, admin):
    text = (
        "agent,channel,external_id,started_at,csat,customer_ref\n"                 # line 1
        "N001,phone,c-1,2026-10-01T09:30:00+08:00,5,ok\n"                          # line 2
        'N001,phone,c-2,2026-10-01T09:31:00+08:00,4,"two\nlines"\n'               # lines 3-4
        "N001,phone,c-3,2026-10-01T09:32:00+08:00,9,\n"                            # line 5
        "\n"                                                                         # line 6, blank
        "NOPE,phone,c-4,2026-10-01 09:33,,\n"                                       # line 7
        "N001,phone,c-5,2026-10-01T09:34:00+08:00\n"                                # line 8, two cells short
    )

    response = upload(admin, cast, text)

    assert response.status_code == 400
    assert response.json()["detail"] == "3 rows are invalid; nothing was written."
    assert error_fields(response) == [
        ("line.5.csat", "max_value"),
        ("line.7.started_at", "naive_datetime"),
        ("line.7.agent", "does_not_exist"),
        ("line.8", "wrong_column_count"),
    ]
    assert response.json()["errors"][-1]["message"] == "Expected 6 values (one per column), found 4."
    assert Interaction.objects.count() == 0


def test_broken_quoting_is_refused(cast, admin):
    text = 'agent,channel,external_id,started_at\nN001,phone,"c-1,2026-10-01T09:30:00+08:00\n'

    response = upload(admin, cast, text)

    assert response.status_code == 400
    assert error_fields(response) == [("line.2", "csv")]


def test_a_file_of_10001_rows_is_refused_and_10000_are_taken(cast, admin):
    def file_of(n: int) -> str:
        lines = [f"N00{i % 3},phone,c-{i},2026-10-01T09:30:00+08:00" for i in range(n)]
        return "agent,channel,external_id,started_at\n" + "\n".join(lines) + "\n"

    refused = upload(admin, cast, file_of(10_001))

    assert refused.status_code == 400
    assert error_fields(refused) == [("file", "too_many_rows")]
    assert "at most 10,000 rows" in refused.json()["detail"]
    assert Interaction.objects.count() == 0

    taken = upload(admin, cast, file_of(10_000))

    assert taken.json()["created"] == 10_000


@pytest.mark.parametrize(("data", "field", "code"), [
    (b"", "file", "empty"),
    (b"agent,channel,external_id,started_at\n", "rows", "empty"),
])
def test_an_empty_file_is_refused(cast, admin, data, field, code):
    response = upload(admin, cast, data)

    assert response.status_code == 400
    assert error_fields(response) == [(field, code)]


def test_the_file_field_is_required_and_the_only_one(cast, admin):
    response = admin.post(cast.url("interactions/import/"), {"other": csv_file("x")}, format="multipart")

    assert response.status_code == 400
    assert error_fields(response) == [("other", "unknown_field"), ("file", "required")]


def test_a_json_body_is_not_a_file(cast, admin):
    response = admin.post(cast.url("interactions/import/"), {"rows": []}, format="json")

    assert response.status_code == 415


def test_a_file_spooled_to_disk_is_read_the_same_way(cast, admin, settings):
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 1024  # the upload goes to a temporary file
    lines = [f"N001,chat,c-{i},2026-10-03T12:00:00+08:00" for i in range(300)]
    text = "agent,channel,external_id,started_at\n" + "\n".join(lines)  # no final newline

    response = upload(admin, cast, text)

    assert response.json()["created"] == 300


def test_shifts_are_imported_from_csv(cast, admin):
    text = (
        "agent,external_id,date,scheduled_minutes,worked_minutes,logged_in_minutes\n"
        "N001,s-1,2026-10-01,480,470,450\n"
        "S001,s-2,2026-10-01,480,,\n"
        "N002,s-3,2026-10-32,480,1500,0\n"
    )

    refused = upload(admin, cast, text, "shifts/import/")

    assert error_fields(refused) == [("line.4.date", "invalid"), ("line.4.worked_minutes", "max_value")]
    assert Shift.objects.count() == 0

    taken = upload(admin, cast, "\n".join(text.splitlines()[:3]), "shifts/import/")

    assert taken.json() == {"created": 2, "updated": 0, "unchanged": 0, "rows": 2}
    first = Shift.objects.get(external_id="s-1")
    assert (first.team, first.date, first.worked_minutes, first.logged_in_minutes) == (
        cast.north, dt.date(2026, 10, 1), 470, 450)
    assert Shift.objects.get(external_id="s-2").worked_minutes == 0
