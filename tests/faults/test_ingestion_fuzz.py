"""Fuzzing ingestion: JSON and CSV bodies of arbitrary shape, encodings and sizes within the limits. Every answer
is a 2xx or a 4xx problem-details answer, never a 500; a refused batch writes nothing and an accepted one writes
exactly the rows it reports (interaction count checked after every example)."""

from __future__ import annotations

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.services import api_key_create
from common.actor import Actor
from performance.models import Interaction

pytestmark = [pytest.mark.faults, pytest.mark.django_db]

FIELDS = ["external_id", "agent", "channel", "started_at", "answered", "talk_seconds", "hold_seconds", "csat",
          "queue_seconds", "ring_count", "resolved", "scenario", "team", "unknown", ""]
scalars = (st.none() | st.booleans() | st.integers(-2**40, 2**40) | st.floats(allow_nan=True)
           | st.text(max_size=30) | st.sampled_from(["N000", "N001", "chat", "phone", "2026-10-05T09:00:00+08:00",
                                                      "2026-13-45", "true", "1e9", "\x00", "9" * 40]))
row = st.dictionaries(st.sampled_from(FIELDS), scalars, max_size=10)
good_row = st.builds(lambda n, agent, talk, csat: {
    "external_id": f"fz-{n}", "agent": agent, "channel": "chat", "started_at": "2026-10-05T09:00:00+08:00",
    "answered": True, "talk_seconds": talk, "csat": csat},
    st.integers(0, 10**6), st.sampled_from(["N000", "N001", "S000", "G000", "nobody"]), st.integers(-5, 10**5),
    st.none() | st.integers(0, 7))
json_bodies = (st.fixed_dictionaries({"rows": st.lists(good_row | row, max_size=25)})
               | st.dictionaries(st.text(max_size=8), scalars, max_size=3)
               | st.lists(row, max_size=3) | scalars)
EXAMPLES = 60


@pytest.fixture
def loader(cast):
    _, key = api_key_create(actor=Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"]), name="fuzz")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def check(response, before: int) -> None:
    assert response.status_code < 500, response.content
    after = Interaction.objects.count()
    if response.status_code >= 400:
        assert response["Content-Type"] == "application/problem+json", response.content
        body = response.json()
        assert body["status"] == response.status_code and body["code"]
        assert after == before, "a refused batch wrote rows"
    else:
        assert after - before == response.json()["created"], "the rows written differ from the rows reported"


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(body=json_bodies, raw=st.booleans(), encoding=st.sampled_from(["utf-8", "utf-16", "latin-1", "gb18030"]))
def test_json_batches_never_fail_or_half_write(cast, loader, body, raw, encoding):
    before = Interaction.objects.count()
    text = json.dumps(body, ensure_ascii=False)
    payload = (text[: len(text) // 2] if raw else text).encode(encoding, errors="replace")
    response = loader.generic("POST", cast.url("interactions/bulk/"), payload,
                              content_type=f"application/json; charset={encoding}")
    check(response, before)


csv_cells = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\r"), max_size=20) | st.sampled_from(
    ["N000", "chat", "2026-10-05T09:00:00+08:00", "true", "false", "12", "-1", "", "x" * 300])


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                       HealthCheck.too_slow])
@given(header=st.lists(st.sampled_from(FIELDS), max_size=9), cells=st.lists(st.lists(csv_cells, max_size=10),
                                                                            max_size=20),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "gb18030", "latin-1"]),
       field=st.sampled_from(["file", "file", "upload"]))
def test_csv_imports_never_fail_or_half_write(cast, loader, header, cells, encoding, field):
    before = Interaction.objects.count()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(cells)
    data = out.getvalue().encode(encoding, errors="replace")
    upload = SimpleUploadedFile("rows.csv", data, content_type="text/csv")
    response = loader.post(cast.url("interactions/import/"), {field: upload}, format="multipart")
    check(response, before)
