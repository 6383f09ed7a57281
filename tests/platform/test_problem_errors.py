"""Under /api/, every error is a problem document, with debug on or off: unknown paths, uncaught exceptions,
methods a resource does not have, unsupported media types and invalid tokens."""

import logging
from datetime import timedelta

import pytest
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import AccessToken

from tests.platform.raising_urls import SECRET_DETAIL


@pytest.fixture(params=[False, True], ids=["debug-off", "debug-on"])
def debug(request, settings):
    settings.DEBUG = request.param
    return request.param


def assert_problem(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["code"] == code and body["type"] == f"urn:jixiao:problem:{code}"
    assert "{" not in body["title"] and "{" not in body["detail"]
    return body


@pytest.mark.parametrize("path", ["/api/v1/nope/", "/api/nope", "/api/v1/tenants/acme/nope/", "/api/"])
def test_unknown_paths_are_problem_404s(db, debug, path):
    body = assert_problem(APIClient().get(path), 404, "not_found")
    assert body["instance"] == path


def test_a_missing_trailing_slash_is_named_in_the_404(db, debug):
    body = assert_problem(APIClient().post("/api/v1/auth/token", {}), 404, "not_found")
    assert "/api/v1/auth/token/" in body["detail"]


@pytest.mark.urls("tests.platform.raising_urls")
@pytest.mark.parametrize("path", ["/api/v1/test-only/drf-fails/", "/api/v1/test-only/django-fails/"])
def test_uncaught_exceptions_are_a_bare_500_logged_with_the_request_id(db, debug, path, caplog):
    with caplog.at_level(logging.ERROR, logger="jixiao.errors"):
        response = APIClient().get(path, HTTP_X_REQUEST_ID="req-500")
    body = assert_problem(response, 500, "server_error")
    assert body["request_id"] == "req-500" and response["X-Request-ID"] == "req-500"
    text = response.content.decode()
    for leak in ("SELECT", "password", "settings.py", "Traceback", "DatabaseLeak"):
        assert leak not in text
    [record] = [r for r in caplog.records if r.name == "jixiao.errors"]
    assert "req-500" in record.getMessage() and record.exc_info[1].args == (SECRET_DETAIL,)


def test_a_method_the_resource_does_not_have_is_405_with_allow(cast, client_as, debug):
    for role in ("admin", "agent"):  # before the role check: the agent is not told "forbidden"
        response = client_as(cast.users[role]).delete(cast.url("periods/"))
        body = assert_problem(response, 405, "method_not_allowed")
        assert body["title"] == "Method not allowed." and '"DELETE"' in body["detail"]
        assert set(response["Allow"].split(", ")) == {"GET", "POST", "HEAD", "OPTIONS"}
    # a method the view excludes altogether
    assert_problem(client_as(cast.users["admin"]).put(cast.url("members/"), {}), 405, "method_not_allowed")


def test_a_non_member_still_gets_404_before_the_method_check(cast, client_as):
    assert_problem(client_as(cast.outsider).delete(cast.url("periods/")), 404, "not_found")
    assert_problem(APIClient().delete(cast.url("periods/")), 401, "not_authenticated")


def test_an_unsupported_media_type_is_named(cast, client_as, debug):
    response = client_as(cast.users["admin"]).post(cast.url("teams/"), "name=East", content_type="text/plain")
    body = assert_problem(response, 415, "unsupported_media_type")
    assert body["title"] == "Unsupported media type."
    assert '"text/plain"' in body["detail"]


def expired_access_token(user) -> str:
    token = AccessToken.for_user(user)
    token.set_exp(lifetime=-timedelta(minutes=1))
    return str(token)


@pytest.mark.parametrize("token", ["not-a-jwt", "expired"])
def test_an_invalid_or_expired_token_gets_a_plain_message(cast, debug, token):
    if token == "expired":
        token = expired_access_token(cast.users["admin"])
    response = APIClient().get("/api/v1/me/", HTTP_AUTHORIZATION=f"Bearer {token}")
    body = assert_problem(response, 401, "token_not_valid")
    assert body["detail"] == "The token is invalid or has expired. Log in again, or refresh the access token."
    assert "errors" not in body


def test_an_invalid_refresh_token_gets_a_plain_message(db):
    response = APIClient().post("/api/v1/auth/token/refresh/", {"refresh": "garbage"}, format="json")
    assert_problem(response, 401, "token_not_valid")


def test_the_api_index_links_to_the_entry_points(db, debug):
    client = APIClient()
    response = client.get("/api/v1/", HTTP_AUTHORIZATION="Bearer not-a-jwt")  # public: credentials are ignored
    assert response.status_code == 200
    body = response.json()
    assert body["auth"]["token"] == "http://testserver/api/v1/auth/token/"
    links = [body["schema"], body["docs"]["swagger_ui"], body["auth"]["refresh"], body["me"]]
    assert [client.get(link).status_code for link in links] == [200, 200, 405, 401]
    assert body["tenants"] == "http://testserver/api/v1/tenants/{tenant_slug}/"
    assert body["docs"]["redoc"] == "http://testserver/api/redoc/"
