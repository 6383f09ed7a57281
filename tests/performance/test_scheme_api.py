"""Schemes and versions through the API: validation, warnings, overlaps, superseding and locking."""

from datetime import date

import pytest

from accounts.models import AuditEvent
from performance.models import SchemeKpi, SchemeVersion, ScoringScheme
from tests.factories import ScenarioFactory
from tests.performance.conftest import compute_now, make_period, make_version

KPIS = [
    {"kpi_code": "csat", "weight": "60", "floor": "50", "target": "90", "min_sample": 10},
    {"kpi_code": "aht", "weight": "40", "floor": "600", "target": "300"},
]


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


@pytest.fixture
def scheme(cast):
    return ScoringScheme.objects.create(tenant=cast.tenant, name="Standard")


def versions_url(cast, scheme, suffix=""):
    return cast.url(f"schemes/{scheme.pk}/versions/{suffix}")


def test_create_scheme_and_version(cast, admin):
    response = admin.post(cast.url("schemes/"), {"name": "Standard", "description": "Everyone"})
    assert response.status_code == 201, response.content
    scheme_id = response.json()["id"]
    response = admin.post(cast.url(f"schemes/{scheme_id}/versions/"), {
        "effective_from": "2026-10-01", "teams": [cast.north.pk], "kpis": KPIS})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["number"] == 1 and body["teams"] == [cast.north.pk] and body["scenario"] is None
    assert body["missing_data_policy"] == "redistribute" and body["warnings"] == [] and body["is_locked"] is False
    assert [(k["kpi_code"], k["weight"], k["min_sample"]) for k in body["kpis"]] == [("csat", "60.00", 10),
                                                                                    ("aht", "40.00", 1)]
    detail = admin.get(cast.url(f"schemes/{scheme_id}/")).json()
    assert [v["number"] for v in detail["versions"]] == [1]
    assert AuditEvent.objects.filter(action="scheme_version.created").count() == 1


def test_more_than_five_kpis_warns(cast, admin, scheme):
    codes = ["csat", "aht", "fcr", "asa", "answer_rate", "attendance"]
    kpis = [{"kpi_code": c, "weight": "1", "floor": "0", "target": "100"} for c in codes]
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": kpis})
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        "6 KPIs: more than 5 make a formula hard to explain and to steer by."]


@pytest.mark.parametrize(("kpis", "field"), [
    ([], "kpis"),
    ([{"kpi_code": c, "weight": "1", "floor": "0", "target": "100"} for c in
      ["csat", "aht", "fcr", "asa", "answer_rate", "attendance", "occupancy", "acw", "frt"]], "kpis"),
    ([{**KPIS[0], "weight": "0"}], "kpis.0.weight"),
    ([{**KPIS[0], "weight": "-5"}], "kpis.0.weight"),
    ([{**KPIS[0], "target": "50"}], "kpis.0.target"),
    ([KPIS[0], KPIS[0]], "kpis.1.kpi_code"),
    ([{**KPIS[0], "kpi_code": "happiness"}], "kpis.0.kpi_code"),
    ([{**KPIS[0], "min_sample": -1}], "kpis.0.min_sample"),
])
def test_invalid_versions_are_refused_and_write_nothing(cast, admin, scheme, kpis, field):
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": kpis})
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert field in {e["field"] for e in response.json()["errors"]}
    assert not SchemeVersion.objects.exists() and not SchemeKpi.objects.exists()


def test_effective_range_must_be_forward(cast, admin, scheme):
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "effective_to": "2026-10-01",
                                                       "kpis": KPIS})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "effective_to"


def test_other_tenants_team_or_scenario_is_refused(cast, admin, scheme):
    foreign = ScenarioFactory(tenant=cast.other_tenant, code="complaint")
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": KPIS,
                                                       "teams": [cast.other_team.pk], "scenario": foreign.pk})
    assert response.status_code == 400
    assert {e["field"] for e in response.json()["errors"]} == {"teams", "scenario"}
    assert "does not exist" in response.json()["errors"][0]["message"]


def test_overlapping_scopes_are_refused_across_schemes(cast, admin, scheme):
    make_version(cast.tenant, name="Other", effective_from=date(2026, 9, 1), teams=[cast.north])
    # empty teams = every team, which includes north
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": KPIS})
    assert response.status_code == 400
    assert "Overlaps version 1 of scheme 'Other'" in response.json()["detail"]
    # a different team, or a scenario-specific scope, does not overlap
    assert admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": KPIS,
                                                   "teams": [cast.south.pk]}).status_code == 201
    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")
    assert admin.post(cast.url(f"schemes/{ScoringScheme.objects.create(tenant=cast.tenant, name='C').pk}/versions/"),
                      {"effective_from": "2026-10-01", "kpis": KPIS, "scenario": complaint.pk}).status_code == 201


def test_a_new_version_supersedes_the_open_ended_one(cast, admin, scheme):
    first = make_version(cast.tenant, scheme=scheme, effective_from=date(2026, 1, 1))
    period = make_period(cast.tenant, start=date(2026, 9, 1), end=date(2026, 10, 1))
    compute_now(period)
    first.refresh_from_db()
    assert first.is_locked
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-10-01", "kpis": KPIS})
    assert response.status_code == 201, response.content
    first.refresh_from_db()
    assert first.effective_to == date(2026, 10, 1)  # superseded, not edited: September keeps its results
    assert response.json()["number"] == 2
    assert AuditEvent.objects.filter(action="scheme_version.superseded", object_id=str(first.pk)).exists()


def test_cannot_supersede_from_before_a_period_that_used_the_version(cast, admin, scheme):
    make_version(cast.tenant, scheme=scheme, effective_from=date(2026, 1, 1))
    compute_now(make_period(cast.tenant, start=date(2026, 9, 1), end=date(2026, 10, 1)))
    response = admin.post(versions_url(cast, scheme), {"effective_from": "2026-08-01", "kpis": KPIS})
    assert response.status_code == 400
    assert "was used by a computed period" in response.json()["detail"]
    assert SchemeVersion.objects.get().effective_to is None


def test_locked_versions_cannot_be_edited_or_deleted(cast, admin, scheme):
    version = make_version(cast.tenant, scheme=scheme)
    compute_now(make_period(cast.tenant))
    url = versions_url(cast, scheme, f"{version.pk}/")
    response = admin.patch(url, {"note": "tweak"})
    assert response.status_code == 409 and response.json()["code"] == "scheme_version_locked"
    assert admin.delete(url).status_code == 409
    assert admin.delete(cast.url(f"schemes/{scheme.pk}/")).status_code == 409
    version.refresh_from_db()
    assert version.note == ""


def test_unlocked_version_can_be_edited_and_its_kpis_replaced(cast, admin, scheme):
    version = make_version(cast.tenant, scheme=scheme)
    url = versions_url(cast, scheme, f"{version.pk}/")
    response = admin.patch(url, {"missing_data_policy": "zero", "kpis": [KPIS[1]], "teams": [cast.south.pk]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["missing_data_policy"] == "zero" and body["teams"] == [cast.south.pk]
    assert [k["kpi_code"] for k in body["kpis"]] == ["aht"]
    incomplete = admin.patch(url, {"kpis": [{"kpi_code": "csat", "weight": "1"}]})  # a PATCH still needs whole KPIs
    assert incomplete.status_code == 400
    assert {e["field"] for e in incomplete.json()["errors"]} == {"kpis.0.floor", "kpis.0.target"}
    overlapping = make_version(cast.tenant, name="Other", teams=[cast.north])
    assert admin.patch(url, {"teams": [cast.north.pk]}).status_code == 400  # would overlap "Other"
    overlapping.delete()
    assert admin.delete(url).status_code == 204
    assert not SchemeVersion.objects.exists()


def test_versions_of_another_tenants_scheme_are_404(cast, client_as):
    foreign = ScoringScheme.objects.create(tenant=cast.other_tenant, name="Theirs")
    admin = client_as(cast.users["admin"])
    assert admin.get(cast.url(f"schemes/{foreign.pk}/versions/")).status_code == 404
    assert admin.post(cast.url(f"schemes/{foreign.pk}/versions/"), {"effective_from": "2026-10-01",
                                                                    "kpis": KPIS}).status_code == 404
    assert not SchemeVersion.objects.exists()


def test_kpi_catalog(cast, client_as):
    response = client_as(cast.users["agent"]).get(cast.url("kpis/"))
    assert response.status_code == 200
    assert response.json()["count"] == 25  # 16 from interactions, shifts and QA, 4 by direction, 5 from 360 assessments
    aht = client_as(cast.users["agent"]).get(cast.url("kpis/aht/")).json()
    assert aht == {"code": "aht", "name": "Average handle time", "unit": "seconds", "unit_label": "seconds",
                   "direction": "lower",
                   "formula": "Σ(talk + hold + acw) / handled", "sample": "handled contacts",
                   "source": "interactions", "definition": None, "combine_method": None}
    assert client_as(cast.users["agent"]).get(cast.url("kpis/nope/")).status_code == 404
