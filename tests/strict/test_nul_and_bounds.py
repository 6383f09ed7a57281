"""NUL characters anywhere, UTC offsets PostgreSQL refuses and dates the arithmetic cannot reach are a 400
naming the field or parameter (they were 500s), and nothing is written."""

import io

import pytest

from accounts.models import Team
from performance.models import Interaction, KpiPeriod, SchemeVersion, Shift
from tests.strict.conftest import error_fields

ROW = {"agent": "N001", "channel": "chat", "external_id": "x1", "started_at": "2026-10-01T09:00:00+08:00"}
NUL = "null_characters_not_allowed"


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def csv_upload(text: str):
    upload = io.BytesIO(text.encode())
    upload.name = "rows.csv"
    return upload


def test_nul_in_ingestion_single_bulk_and_csv(cast, admin, audit_unchanged):
    single = admin.post(cast.url("interactions/"), {**ROW, "external_id": "a\x00b"}, format="json")
    bulk = admin.post(cast.url("interactions/bulk/"),
                      {"rows": [ROW, {**ROW, "external_id": "x2", "metadata": {"note": ["ok", "a\x00"]}}]},
                      format="json")
    csv_cell = admin.post(cast.url("interactions/import/"), {"file": csv_upload(
        "agent,channel,external_id,started_at\nN001,chat,a\x00b,2026-10-01T09:00:00+08:00\n")}, format="multipart")
    csv_json = admin.post(cast.url("interactions/import/"), {"file": csv_upload(
        'agent,channel,external_id,started_at,metadata\nN001,chat,x3,2026-10-01T09:00:00+08:00,"{""a"": '
        '""\\u0000""}"\n')}, format="multipart")

    assert error_fields(single) == [("external_id", NUL)]
    assert error_fields(bulk) == [("rows.1.metadata.note.1", NUL)]
    assert error_fields(csv_cell) in ([("line.2.external_id", NUL)], [("line.2", "csv")])
    assert error_fields(csv_json) == [("line.2.metadata", NUL)]
    assert Interaction.objects.count() == 0


def test_nul_in_any_body_field_or_key(cast, admin, audit_unchanged):
    name = admin.post(cast.url("teams/"), {"name": "Ea\x00st"}, format="json")
    key = admin.post(cast.url("teams/"), {"name": "East", "na\x00me": 1}, format="json",
                     HTTP_IDEMPOTENCY_KEY="nul-key")
    shift = admin.post(cast.url("shifts/bulk/"), {"rows": [{"agent": "N0\x0001", "external_id": "s", "date":
                                                            "2026-10-01"}]}, format="json")

    assert error_fields(name) == [("name", NUL)]
    assert error_fields(key) == [("na\\u0000me", NUL)]
    assert error_fields(shift) == [("rows.0.agent", NUL)]
    assert Team.objects.filter(tenant=cast.tenant).count() == 2


@pytest.mark.parametrize(("path", "query", "field"), [
    ("agents/", "search=a%00b", "search"),
    ("interactions/", "agent_code=N%00", "agent_code"),
    ("audit-log/", "action=x%00", "action"),
])
def test_nul_in_a_query_parameter(cast, admin, path, query, field):
    assert error_fields(admin.get(cast.url(f"{path}?{query}"))) == [(field, NUL)]


MOMENT_FILTERS = [
    ("audit-log/", "since"), ("audit-log/", "until"),
    ("interactions/", "started_from"), ("interactions/", "started_before"),
    ("qa-reviews/", "published_after"), ("qa-reviews/", "published_before"),
    ("qa-reviews/", "started_after"), ("qa-reviews/", "started_before"),
    ("qa-assignments/", "assigned_after"),
]
DATE_FILTERS = [
    ("interactions/", "date_from"), ("interactions/", "date_to"), ("shifts/", "date_from"), ("shifts/", "date_to"),
    ("periods/", "start_from"), ("periods/", "start_before"), ("agents/{agent}/score-history/", "start_from"),
]


@pytest.mark.parametrize(("path", "param"), MOMENT_FILTERS)
@pytest.mark.parametrize(("value", "code"), [
    ("2026-10-01T00:00:00%2B16:00", "offset_out_of_range"),
    ("2026-10-01T00:00:00-23:30", "offset_out_of_range"),
    ("9999-12-31T23:59:59Z", "date_out_of_range"),
    ("0001-01-01T00:00:00%2B01:00", "date_out_of_range"),
])
def test_moment_filters_refuse_what_postgresql_or_python_cannot_hold(cast, admin, path, param, value, code):
    response = admin.get(cast.url(f"{path}?{param}={value}"))

    assert response.status_code == 400, response.content
    assert error_fields(response) == [(param, code)]


@pytest.mark.parametrize(("path", "param"), MOMENT_FILTERS[:4])
def test_moment_filters_accept_the_extremes(cast, admin, path, param):
    assert admin.get(cast.url(f"{path}?{param}=2026-10-01T00:00:00%2B15:59")).status_code == 200
    assert admin.get(cast.url(f"{path}?{param}=2100-12-31T23:59:59-15:59")).status_code == 200


@pytest.mark.parametrize(("path", "param"), DATE_FILTERS)
@pytest.mark.parametrize("value", ["9999-12-31", "1999-12-31"])
def test_date_filters_stay_within_the_bounds(cast, admin, path, param, value):
    path = path.format(agent=cast.own_agent.pk)

    response = admin.get(cast.url(f"{path}?{param}={value}"))

    assert response.status_code == 400, response.content
    assert error_fields(response) == [(param, "date_out_of_range")]
    assert admin.get(cast.url(f"{path}?{param}=2100-12-31")).status_code == 200


def test_the_bounds_are_documented(cast, admin):
    schema = admin.get("/api/schema/?format=json").json()
    parameters = schema["paths"]["/api/v1/tenants/{tenant_slug}/interactions/"]["get"]["parameters"]
    described = {p["name"]: p.get("description", "") for p in parameters}

    assert "2100-12-31" in described["date_to"] and "15:59" in described["started_from"]


@pytest.mark.parametrize(("body", "field"), [
    ({"kind": "monthly", "start": "9999-12-01"}, "start"),
    ({"kind": "custom", "start": "2026-10-01", "end": "9999-12-31"}, "end"),
    ({"kind": "quarterly", "start": "1999-10-01"}, "start"),
])
def test_periods_stay_within_the_bounds(cast, admin, audit_unchanged, body, field):
    response = admin.post(cast.url("periods/"), body, format="json")

    assert error_fields(response) == [(field, "date_out_of_range")]
    assert not KpiPeriod.objects.exists()


def test_scheme_versions_and_sampling_ranges_stay_within_the_bounds(cast, admin, client_as, audit_unchanged):
    from tests.performance.conftest import make_version

    scheme = make_version(cast.tenant).scheme_id
    version = admin.post(cast.url(f"schemes/{scheme}/versions/"), {"effective_from": "9999-12-31", "kpis": [
        {"kpi_code": "csat", "weight": "1", "floor": "1", "target": "5"}]}, format="json")
    sampling = client_as(cast.users["qa_lead"]).post(cast.url("qa-assignments/generate/"), {
        "date_from": "2026-10-01", "date_to": "9999-12-31", "teams": [cast.north.pk],
        "inspectors": [cast.users["qa_inspector"].pk], "per_agent": 1}, format="json")
    coverage = admin.get(cast.url("qa-assignments/coverage/?date_from=2026-10-01&date_to=9999-12-31"))

    assert error_fields(version) == [("effective_from", "date_out_of_range")]
    assert error_fields(sampling) == [("date_to", "date_out_of_range")]
    assert error_fields(coverage) == [("date_to", "date_out_of_range")]
    assert SchemeVersion.objects.count() == 1


@pytest.mark.parametrize(("started_at", "code"), [
    ("2026-10-01T09:00:00+20:00", "offset_out_of_range"),
    ("9999-12-31T23:00:00-05:00", "date_out_of_range"),
    ("0001-01-01T00:30:00+01:00", "date_out_of_range"),
])
def test_ingested_moments_stay_within_the_bounds(cast, admin, audit_unchanged, started_at, code):
    single = admin.post(cast.url("interactions/"), {**ROW, "started_at": started_at}, format="json")
    bulk = admin.post(cast.url("interactions/bulk/"), {"rows": [{**ROW, "started_at": started_at}]}, format="json")

    assert error_fields(single) == [("started_at", code)]
    assert error_fields(bulk) == [("rows.0.started_at", code)]
    assert not Interaction.objects.exists()


def test_shift_dates_stay_within_the_bounds(cast, admin, audit_unchanged):
    response = admin.post(cast.url("shifts/"), {"agent": "N001", "external_id": "s1", "date": "9999-12-31"},
                          format="json")

    assert error_fields(response) == [("date", "date_out_of_range")]
    assert not Shift.objects.exists()
