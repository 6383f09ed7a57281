"""Ingesting interactions as JSON (one row or a batch): upsert, all-or-nothing with row errors, who may ingest.

The cast's tenant "acme" runs on Asia/Shanghai (UTC+8, no DST). North (N000-N002) is managed by the supervisor,
south (S000-S002) by nobody; G000 belongs to the other tenant, "globex".
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Membership
from accounts.services import api_key_create
from common.actor import Actor
from performance.api import ingestion_parsers
from performance.api.ingestion_serializers import InteractionRowSerializer, ShiftRowSerializer
from performance.models import Interaction
from performance.services.ingestion import INTERACTION_ROW, SHIFT_ROW
from tests.factories import InteractionFactory, ScenarioFactory

UTC = dt.UTC


def integration_client(tenant) -> APIClient:
    """A client that authenticates with a fresh integration API key of `tenant`."""
    admin = Membership.objects.filter(tenant=tenant, role="admin").select_related("user").first().user
    _, plain = api_key_create(actor=Actor(tenant=tenant, role="admin", user=admin), name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    return client


def row(external_id: str = "c-1", **overrides) -> dict:
    base = {"agent": "N001", "channel": "phone", "external_id": external_id,
            "started_at": "2026-10-01T09:30:00+08:00"}
    return {**base, **overrides}


@pytest.fixture
def scenarios(cast):
    return {code: ScenarioFactory(tenant=cast.tenant, code=code) for code in ("inquiry", "complaint")}


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def bulk(client, cast, rows, **kwargs):
    return client.post(cast.url("interactions/bulk/"), {"rows": rows}, format="json", **kwargs)


def error_fields(response) -> list[tuple[str, str]]:
    return [(error["field"], error["code"]) for error in response.json()["errors"]]


# --- creating and updating --------------------------------------------------------------------------------------

def test_bulk_creates_rows_with_the_agents_current_team(cast, admin, scenarios):
    response = bulk(admin, cast, [
        row("c-1", scenario="complaint", csat=5, talk_seconds=300, metadata={"queue": "vip"}),
        row("c-2", agent="S001", channel="chat", answered=False, first_response_seconds=40),
        row("c-3", agent="N000", source="crm", started_at="2026-09-30T16:30:00Z"),
    ])

    assert response.status_code == 200, response.content
    assert response.json() == {"created": 3, "updated": 0, "unchanged": 0, "rows": 3}
    first, second, third = (Interaction.objects.get(external_id=f"c-{n}") for n in (1, 2, 3))
    assert (first.tenant, first.agent.employee_code, first.team) == (cast.tenant, "N001", cast.north)
    assert first.scenario == scenarios["complaint"]
    # 09:30 in Shanghai is 01:30 UTC
    assert first.started_at == dt.datetime(2026, 10, 1, 1, 30, tzinfo=UTC)
    assert (first.csat, first.talk_seconds, first.metadata, first.source) == (5, 300, {"queue": "vip"}, "api")
    # defaults of absent fields
    assert (first.answered, first.ring_count, first.resolved, first.customer_ref) == (True, 0, False, "")
    assert (second.team, second.channel, second.answered, second.scenario) == (cast.south, "chat", False, None)
    assert second.first_response_seconds == 40
    assert (third.source, third.started_at) == ("crm", dt.datetime(2026, 9, 30, 16, 30, tzinfo=UTC))


def test_resending_a_record_updates_it_instead_of_duplicating(cast, admin):
    assert bulk(admin, cast, [row("c-1", csat=3), row("c-2", csat=4)]).json()["created"] == 2
    before = {ix.external_id: ix for ix in Interaction.objects.all()}

    response = bulk(admin, cast, [row("c-1", csat=5), row("c-2", csat=4), row("c-3")])

    assert response.json() == {"created": 1, "updated": 2, "unchanged": 1, "rows": 3}
    after = {ix.external_id: ix for ix in Interaction.objects.all()}
    assert sorted(after) == ["c-1", "c-2", "c-3"]
    assert after["c-1"].pk == before["c-1"].pk and after["c-1"].csat == 5
    assert after["c-1"].created_at == before["c-1"].created_at
    assert after["c-1"].updated_at > before["c-1"].updated_at
    # an identical row is left alone, updated_at included
    assert after["c-2"].updated_at == before["c-2"].updated_at


def test_the_key_is_source_and_external_id_within_the_tenant(cast, admin):
    other = InteractionFactory(agent=cast.other_agent, source="api", external_id="c-1", csat=2)

    response = bulk(admin, cast, [row("c-1", csat=5), row("c-1", source="crm", csat=4)])

    assert response.json()["created"] == 2
    assert Interaction.objects.filter(tenant=cast.tenant, external_id="c-1").count() == 2
    other.refresh_from_db()
    assert (other.tenant, other.csat) == (cast.other_tenant, 2)


def test_the_team_stays_what_it_was_at_first_ingestion_unless_the_agent_changes(cast, admin):
    bulk(admin, cast, [row("c-1", agent="N001")])
    moved = cast.north_agents[1]
    moved.team = cast.south
    moved.save()

    bulk(admin, cast, [row("c-1", agent="N001", csat=5), row("c-2", agent="N001")])
    assert Interaction.objects.get(external_id="c-1").team == cast.north  # history keeps the old team
    assert Interaction.objects.get(external_id="c-2").team == cast.south  # new rows get the current one

    bulk(admin, cast, [row("c-1", agent="S002")])
    corrected = Interaction.objects.get(external_id="c-1")
    assert (corrected.agent.employee_code, corrected.team) == ("S002", cast.south)


def test_values_are_read_the_way_drf_reads_them(cast, admin):
    response = bulk(admin, cast, [row(12345, channel=" Chat ", answered="false", ring_count="3", csat=4.0,
                                      customer_ref="  C-9  ")])

    assert response.status_code == 200, response.content
    stored = Interaction.objects.get()
    assert (stored.external_id, stored.channel, stored.answered) == ("12345", "chat", False)
    assert (stored.ring_count, stored.csat, stored.customer_ref) == (3, 4, "C-9")


# --- invalid batches ------------------------------------------------------------------------------------------

def test_an_invalid_batch_writes_nothing_and_lists_every_row_error(cast, admin, scenarios):
    rows = [
        row("ok-1"),
        row("bad-1", csat=6, ring_count=-1),
        row("bad-2", started_at="2026-10-01T09:30:00", agent="NOPE"),
        row("bad-3", channel="fax", scenario="refund", answered="maybe", team=1),
        {"agent": "N001", "channel": "phone", "started_at": "yesterday"},
        "not an object",
        row("ok-2"),
    ]

    response = bulk(admin, cast, rows)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["detail"] == "5 rows are invalid; nothing was written."
    assert body["invalid_rows"] == 5
    assert error_fields(response) == [
        ("rows.1.ring_count", "min_value"),
        ("rows.1.csat", "max_value"),
        ("rows.2.started_at", "naive_datetime"),
        ("rows.2.agent", "does_not_exist"),
        ("rows.3.channel", "invalid_choice"),
        ("rows.3.answered", "invalid"),
        ("rows.3.team", "unknown_field"),
        ("rows.3.scenario", "does_not_exist"),
        ("rows.4.external_id", "required"),
        ("rows.4.started_at", "invalid"),
        ("rows.5", "invalid"),
    ]
    messages = {error["field"]: error["message"] for error in body["errors"]}
    assert messages["rows.1.csat"] == "Ensure this value is less than or equal to 5."
    assert messages["rows.2.agent"] == 'No agent with employee code "NOPE" in this tenant.'
    assert "UTC offset" in messages["rows.2.started_at"]
    assert Interaction.objects.count() == 0
    assert not AuditEvent.objects.filter(action="interactions.ingested").exists()


def test_codes_of_another_tenant_are_unknown(cast, admin, scenarios):
    ScenarioFactory(tenant=cast.other_tenant, code="refund")

    response = bulk(admin, cast, [row("c-1", agent="G000"), row("c-2", scenario="refund")])

    assert error_fields(response) == [("rows.0.agent", "does_not_exist"), ("rows.1.scenario", "does_not_exist")]


def test_a_record_twice_in_one_batch_is_refused(cast, admin):
    response = bulk(admin, cast, [row("c-1"), row("c-2"), row("c-1", csat=5)])

    assert response.status_code == 400
    assert error_fields(response) == [("rows.2.external_id", "duplicate")]
    assert response.json()["errors"][0]["message"].startswith("rows.0 has the same source and external_id")
    assert Interaction.objects.count() == 0


@pytest.mark.parametrize(("body", "field", "code"), [
    ({"rows": []}, "rows", "empty"),
    ({}, "rows", "required"),
    ({"rows": {"agent": "N001"}}, "rows", "invalid"),
    ([row()], "rows", "required"),
])
def test_a_batch_must_be_a_non_empty_list_of_rows(cast, admin, body, field, code):
    response = admin.post(cast.url("interactions/bulk/"), body, format="json")

    assert response.status_code == 400
    assert error_fields(response) == [(field, code)]


def test_malformed_json_is_a_400_problem(cast, admin):
    response = admin.generic("POST", cast.url("interactions/bulk/"), b'{"rows": [', content_type="application/json")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"


def test_a_batch_of_10001_rows_is_refused_with_a_clear_error(cast, admin):
    rows = [row(f"c-{n}") for n in range(10_001)]

    response = bulk(admin, cast, rows)

    assert response.status_code == 400
    assert error_fields(response) == [("rows", "too_many_rows")]
    assert "at most 10,000 rows; this one has 10,001" in response.json()["detail"]
    assert Interaction.objects.count() == 0


def test_a_batch_of_10000_rows_larger_than_djangos_body_limit_is_taken(cast, admin):
    padding = {"customer_ref": "x" * 128, "metadata": {"note": "y" * 100}}
    rows = [row(f"c-{n}", agent=f"N00{n % 3}", csat=n % 5 + 1, **padding) for n in range(10_000)]
    body = json.dumps({"rows": rows}).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = admin.generic("POST", cast.url("interactions/bulk/"), body, content_type="application/json")

    assert response.status_code == 200, response.content[:500]
    assert response.json() == {"created": 10_000, "updated": 0, "unchanged": 0, "rows": 10_000}
    assert Interaction.objects.filter(csat=5).count() == 2_000  # n % 5 == 4
    assert Interaction.objects.filter(agent__employee_code="N000").count() == 3_334  # n % 3 == 0


def test_a_large_batch_retried_with_an_idempotency_key_is_written_once(cast, admin):
    rows = [row(f"c-{n}", customer_ref="x" * 128, metadata={"note": "y" * 150}) for n in range(8_000)]
    body = json.dumps({"rows": rows}).encode()
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    url = cast.url("interactions/bulk/")

    first = admin.generic("POST", url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-7")
    again = admin.generic("POST", url, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="batch-7")

    assert first.status_code == again.status_code == 200, first.content[:300]
    assert again.json() == first.json() == {"created": 8_000, "updated": 0, "unchanged": 0, "rows": 8_000}
    assert again["Idempotent-Replayed"] == "true"
    assert AuditEvent.objects.filter(action="interactions.ingested").count() == 1


def test_a_body_over_the_batch_limit_is_refused_with_413(cast, admin, monkeypatch):
    monkeypatch.setattr(ingestion_parsers, "MAX_BATCH_BYTES", 1_000)

    response = bulk(admin, cast, [row(f"c-{n}") for n in range(20)])

    assert response.status_code == 413
    assert response.json()["code"] == "payload_too_large"
    assert Interaction.objects.count() == 0


# --- single rows --------------------------------------------------------------------------------------------

def test_posting_one_row_answers_201_then_200_with_the_interaction(cast, admin):
    url = cast.url("interactions/")
    created = admin.post(url, row("c-1", csat=3), format="json")
    updated = admin.post(url, row("c-1", csat=4), format="json")
    unchanged = admin.post(url, row("c-1", csat=4), format="json")

    assert (created.status_code, updated.status_code, unchanged.status_code) == (201, 200, 200)
    assert created.json()["id"] == updated.json()["id"] == unchanged.json()["id"]
    assert (created.json()["csat"], updated.json()["csat"]) == (3, 4)
    body = updated.json()
    assert (body["agent_code"], body["team"], body["started_at"]) == ("N001", cast.north.pk, "2026-10-01T01:30:00Z")
    assert Interaction.objects.count() == 1


def test_errors_of_one_row_name_the_fields_without_a_prefix(cast, admin):
    response = admin.post(cast.url("interactions/"), row("c-1", csat=0, agent="NOPE"), format="json")

    assert response.status_code == 400
    assert error_fields(response) == [("csat", "min_value"), ("agent", "does_not_exist")]
    assert response.json()["detail"] == "1 row is invalid; nothing was written."


# --- who may ingest what ------------------------------------------------------------------------------------

def test_a_supervisor_ingests_only_for_agents_of_teams_they_manage(cast, client_as):
    supervisor = client_as(cast.users["supervisor"])

    refused = bulk(supervisor, cast, [row("c-1", agent="N001"), row("c-2", agent="S001")])
    assert error_fields(refused) == [("rows.1.agent", "does_not_exist")]
    assert refused.json()["errors"][0]["message"] == 'No agent with employee code "S001" on a team you manage.'

    assert bulk(supervisor, cast, [row("c-1", agent="N001")]).json()["created"] == 1


def test_a_supervisor_cannot_take_over_a_record_of_a_team_they_do_not_manage(cast, admin, client_as):
    bulk(admin, cast, [row("c-1", agent="S001", csat=2)])
    supervisor = client_as(cast.users["supervisor"])

    response = bulk(supervisor, cast, [row("c-0", agent="N000"), row("c-1", agent="N001", csat=5)])

    assert response.status_code == 400
    assert error_fields(response) == [("rows.1.external_id", "forbidden")]
    kept = Interaction.objects.get(external_id="c-1")
    assert (kept.agent.employee_code, kept.csat) == ("S001", 2)
    assert not Interaction.objects.filter(external_id="c-0").exists()


def test_a_supervisor_can_update_records_of_their_own_team(cast, client_as):
    supervisor = client_as(cast.users["supervisor"])
    bulk(supervisor, cast, [row("c-1", agent="N001", csat=2)])

    response = bulk(supervisor, cast, [row("c-1", agent="N002", csat=5)])

    assert response.json() == {"created": 0, "updated": 1, "unchanged": 0, "rows": 1}
    assert Interaction.objects.get(external_id="c-1").csat == 5


def test_an_integration_key_ingests_for_any_agent_of_its_tenant_and_is_audited(cast):
    client = integration_client(cast.tenant)

    response = bulk(client, cast, [row("c-1", agent="N001"), row("c-2", agent="S001", source="crm")])

    assert response.json()["created"] == 2
    event = AuditEvent.objects.get(action="interactions.ingested")
    assert event.actor_api_key is not None and event.actor_user is None
    assert (event.tenant, event.object_type, event.object_id) == (cast.tenant, "interaction", "")
    assert event.changes == {"after": {"created": 2, "updated": 0, "unchanged": 0, "rows": 2,
                                       "sources": ["api", "crm"], "via": "bulk"}}


def test_one_audit_event_per_batch_not_per_row(cast, admin):
    bulk(admin, cast, [row(f"c-{n}") for n in range(30)])
    bulk(admin, cast, [row(f"c-{n}", csat=5) for n in range(30)])

    events = AuditEvent.objects.filter(action="interactions.ingested").order_by("id")
    assert [(e.changes["after"]["created"], e.changes["after"]["updated"]) for e in events] == [(30, 0), (0, 30)]
    assert events[0].actor_user == cast.users["admin"]


# --- performance of the path -------------------------------------------------------------------------------

def _queries_for(cast, client, rows) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = bulk(client, cast, rows)
    assert response.status_code == 200, response.content[:300]
    return len(queries)


def test_the_number_of_queries_does_not_grow_with_the_rows(cast, admin, scenarios):
    def rows(n, start):
        return [row(f"c-{start + i}", agent=f"N00{i % 3}", scenario="inquiry") for i in range(n)]

    five, fifty = _queries_for(cast, admin, rows(5, 0)), _queries_for(cast, admin, rows(50, 100))
    staged = _queries_for(cast, admin, rows(500, 1000))  # above the VALUES threshold: COPY into a staging table

    assert five == fifty
    assert staged == five + 4  # drop-if-exists, create, COPY into and drop of the staging table
    assert Interaction.objects.count() == 555


def test_the_staged_path_upserts_like_the_values_path(cast, admin):
    rows = [row(f"c-{n}", csat=1) for n in range(250)]
    assert bulk(admin, cast, rows).json() == {"created": 250, "updated": 0, "unchanged": 0, "rows": 250}

    rows[7]["csat"] = 5
    assert bulk(admin, cast, rows).json() == {"created": 0, "updated": 250, "unchanged": 249, "rows": 250}
    assert list(Interaction.objects.filter(csat=5).values_list("external_id", flat=True)) == ["c-7"]


def test_the_documented_row_fields_are_the_validated_ones():
    assert list(InteractionRowSerializer().fields) == [field.name for field in INTERACTION_ROW.fields]
    assert list(ShiftRowSerializer().fields) == [field.name for field in SHIFT_ROW.fields]
