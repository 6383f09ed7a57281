"""Unknown (and read-only) fields in a body are refused with the field named, at every nesting level, and
nothing is written."""

import pytest

from accounts.models import Agent, Invitation, Team
from feedback.models import QAReview, Rubric
from performance.models import KpiPeriod, SchemeVersion
from tests.strict.conftest import error_fields

KPI = {"kpi_code": "csat", "weight": "100", "floor": "50", "target": "90"}
CRITERION = {"label": "Greets", "weight": "10", "scale": "1-5"}


def _cases(cast, objects):
    scheme, version = objects["scheme_version"].scheme_id, objects["rubric_version"]
    criterion = version.sections.first().criteria.first()
    return {
        "scheme version, nested KPI": (
            "admin", "post", f"schemes/{scheme}/versions/",
            {"effective_from": "2027-01-01", "kpis": [{**KPI, "min_samples": 5}]}, SchemeVersion,
            [("kpis.0.min_samples", "unknown_field")]),
        "team": ("admin", "post", "teams/", {"name": "East", "colour": "red"}, Team, [("colour", "unknown_field")]),
        "team, read-only field": ("admin", "patch", f"teams/{cast.north.pk}/", {"name": "N", "agent_count": 3},
                                  Team, [("agent_count", "read_only")]),
        "agents in bulk": (
            "admin", "post", "agents/bulk/",
            {"agents": [{"employee_code": "X1", "display_name": "X", "team": cast.north.pk},
                        {"employee_code": "X2", "display_name": "Y", "team": cast.north.pk, "nickname": "y"}]},
            Agent, [("agents.1.nickname", "unknown_field")]),
        "invitation": ("admin", "post", "invitations/", {"email": "new@acme.test", "role": "agent", "nick": "n"},
                       Invitation, [("nick", "unknown_field")]),
        "period, with another invalid field": (
            "admin", "post", "periods/", {"kind": "weekly", "start": "2027-01-01", "label": "x"}, KpiPeriod,
            [("kind", "invalid_choice"), ("label", "unknown_field")]),
        "rubric, nested criteria": (
            "qa_lead", "post", "rubrics/",
            {"name": "R", "sections": [{"title": "S", "criteria": [{**CRITERION, "points": 3}]}]}, Rubric,
            [("sections.0.criteria.0.points", "unknown_field")]),
        "review answers": (
            "qa_inspector", "post", "qa-reviews/",
            {"interaction": objects["interaction"].pk, "rubric_version": version.pk,
             "answers": [{"criterion": criterion.pk, "rating": 1, "score": 2}]}, QAReview,
            [("answers.0.score", "unknown_field")]),
    }


CASES = ["scheme version, nested KPI", "team", "team, read-only field", "agents in bulk", "invitation",
         "period, with another invalid field", "rubric, nested criteria", "review answers"]


@pytest.mark.parametrize("case", CASES)
def test_an_unknown_field_is_refused_and_nothing_is_written(cast, client_as, objects, audit_unchanged, case):
    role, method, path, body, model, expected = _cases(cast, objects)[case]
    count = model.objects.count()

    response = getattr(client_as(cast.users[role]), method)(cast.url(path), body, format="json")

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert sorted(error_fields(response)) == sorted(expected)
    assert model.objects.count() == count


def test_the_scheme_version_typo_of_the_report_is_named(cast, client_as, objects):
    scheme = objects["scheme_version"].scheme_id
    response = client_as(cast.users["admin"]).post(
        cast.url(f"schemes/{scheme}/versions/"), {"effective_from": "2027-01-01", "kpis": [{**KPI, "min_samples": 5}]},
        format="json")

    assert response.json()["errors"] == [
        {"field": "kpis.0.min_samples", "message": "Unknown field.", "code": "unknown_field"}]


def test_the_same_body_without_the_unknown_field_is_accepted(cast, client_as, objects):
    scheme = objects["scheme_version"].scheme_id
    response = client_as(cast.users["admin"]).post(
        cast.url(f"schemes/{scheme}/versions/"), {"effective_from": "2027-01-01", "kpis": [{**KPI, "min_sample": 5}]},
        format="json")

    assert response.status_code == 201, response.content
    assert response.json()["kpis"][0]["min_sample"] == 5


def test_a_simulated_version_is_strict_inline(cast, client_as, objects):
    period = objects["period"]
    response = client_as(cast.users["admin"]).post(
        cast.url(f"periods/{period.pk}/simulate/"), {"version": {"kpis": [KPI], "teems": []}}, format="json")

    assert response.status_code == 400
    assert error_fields(response) == [("version.teems", "unknown_field")]


def test_the_login_body_is_strict(cast, client):
    response = client.post("/api/v1/auth/token/", {"email": "admin@acme.test", "password": "x", "remember": True},
                           content_type="application/json")

    assert response.status_code == 400
    assert error_fields(response) == [("remember", "unknown_field")]


def test_ingestion_and_csv_uploads_name_unknown_fields(cast, client_as, audit_unchanged):
    admin = client_as(cast.users["admin"])
    row = {"agent": "N001", "channel": "chat", "external_id": "x1", "started_at": "2026-10-01T09:00:00+08:00",
           "sentiment": "happy"}

    single = admin.post(cast.url("interactions/"), row, format="json")
    bulk = admin.post(cast.url("interactions/bulk/"), {"rows": [row]}, format="json")

    assert error_fields(single) == [("sentiment", "unknown_field")]
    assert error_fields(bulk) == [("rows.0.sentiment", "unknown_field")]
