"""The OpenAPI schema is complete and valid; errors have one shape everywhere."""

from django.core.management import call_command
from rest_framework.test import APIClient


def test_schema_validates_without_warnings(db, tmp_path):
    out = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/tenants/{tenant_slug}/agents/bulk/" in text
    assert "ApiKeyAuth" in text and "jwtAuth" in text


def test_docs_and_schema_are_served(db):
    client = APIClient()
    assert client.get("/api/docs/").status_code == 200
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "jixiao API"


def test_unknown_url_is_a_problem_document(db):
    response = APIClient().get("/api/v1/nope/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_unknown_url_with_a_session_cookie_is_a_problem_document_for_every_method(db):
    """A DELETE with a cookie (a browser) to an address that matches no route: 404 in the one format, not the CSRF
    page of the framework (which answered 403 in HTML before the catch-all view was exempted)."""
    client = APIClient(enforce_csrf_checks=True)
    client.cookies["sessionid"] = "anything"
    response = client.delete("/api/v1/tenants/acme/assessment-campaigns/3/raters/not-a-number/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


def test_validation_error_lists_every_field(cast, client_as):
    response = client_as(cast.users["admin"]).post(cast.url("invitations/"), {"email": "not-an-email", "role": "boss"})
    body = response.json()
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert body["type"] == "urn:jixiao:problem:validation_error"
    assert body["instance"] == "/api/v1/tenants/acme/invitations/"
    assert sorted(e["field"] for e in body["errors"]) == ["email", "role"]
    assert {e["code"] for e in body["errors"]} == {"invalid", "invalid_choice"}


def test_forbidden_is_a_problem_document(cast, client_as):
    response = client_as(cast.users["agent"]).post(cast.url("teams/"), {"name": "X"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "agent" in response.json()["detail"]


def test_request_id_is_echoed_or_generated(db):
    client = APIClient()
    assert client.get("/api/v1/me/", HTTP_X_REQUEST_ID="abc-1")["X-Request-ID"] == "abc-1"
    assert len(client.get("/api/v1/me/", HTTP_X_REQUEST_ID="bad id!")["X-Request-ID"]) == 32
