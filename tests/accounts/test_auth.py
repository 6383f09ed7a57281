"""JWT for people, API keys for integrations, sessions for the browsable API; /me/; throttling."""

from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from accounts.services import api_key_create, api_key_revoke
from common.actor import Actor
from tests.factories import PASSWORD, MembershipFactory


def admin_actor(cast) -> Actor:
    return Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])


def login(client, email, password=PASSWORD):
    return client.post("/api/v1/auth/token/", {"email": email, "password": password}, format="json")


def test_jwt_login_and_use(cast):
    client = APIClient()
    tokens = login(client, "supervisor@acme.test").json()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tokens['access']}")
    response = client.get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["email"] == "supervisor@acme.test"
    assert response.json()["tenants"] == [
        {"slug": "acme", "name": "Acme Support", "time_zone": "Asia/Shanghai", "currency": "CNY",
         "default_language": "en", "role": "supervisor"}
    ]
    assert client.get(cast.url("teams/")).status_code == 200


def test_wrong_password_is_401_in_problem_format(cast):
    response = login(APIClient(), "supervisor@acme.test", "wrong-password")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 401


def test_refresh_rotates_and_blacklists_the_old_token(cast):
    client = APIClient()
    tokens = login(client, "agent@acme.test").json()
    first = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert first.status_code == 200
    assert first.json()["refresh"] != tokens["refresh"]
    replay = client.post("/api/v1/auth/token/refresh/", {"refresh": tokens["refresh"]}, format="json")
    assert replay.status_code == 401


def test_me_lists_every_tenant_with_its_role(cast):
    MembershipFactory(tenant=cast.other_tenant, user=cast.users["agent"], role="qa_lead")
    client = APIClient()
    client.force_authenticate(cast.users["agent"])
    roles = {t["slug"]: t["role"] for t in client.get("/api/v1/me/").json()["tenants"]}
    assert roles == {"acme": "agent", "globex": "qa_lead"}


def test_anonymous_me_is_401():
    response = APIClient().get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_api_key_authenticates_integration_and_is_tenant_bound(cast):
    key, plain = api_key_create(actor=admin_actor(cast), name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    # an integration may only ingest: accounts endpoints are refused, other tenants do not exist
    assert client.get(cast.url("teams/")).status_code == 403
    assert client.get(cast.url("teams/", cast.other_tenant)).status_code == 404
    key.refresh_from_db()
    assert key.last_used_at is not None


def test_revoked_and_forged_api_keys_are_rejected(cast):
    key, plain = api_key_create(actor=admin_actor(cast), name="crm")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain[:-2]}xx")
    assert client.get(cast.url("teams/")).status_code == 401
    api_key_revoke(actor=admin_actor(cast), key=key)
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {plain}")
    response = client.get(cast.url("teams/"))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_api_key_secret_is_shown_once_and_stored_hashed(cast, client_as):
    client = client_as(cast.users["admin"])
    created = client.post(cast.url("api-keys/"), {"name": "crm"}, format="json").json()
    assert created["key"].startswith(f"jx_{created['prefix']}.")
    listed = client.get(cast.url(f"api-keys/{created['id']}/")).json()
    assert "key" not in listed
    from accounts.models import APIKey

    assert created["key"] not in APIKey.objects.get(pk=created["id"]).hashed_secret


def test_session_auth_for_browsable_api(cast):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(email="admin@acme.test", password=PASSWORD)
    assert client.get(cast.url("members/")).status_code == 200
    # unsafe methods under a session need the CSRF token
    assert client.post(cast.url("teams/"), {"name": "East"}, format="json").status_code == 403


def test_login_is_throttled(db, monkeypatch):
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", {"auth": "3/min"})
    client = APIClient()
    statuses = [login(client, "nobody@acme.test", "x").status_code for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert client.post("/api/v1/auth/token/refresh/", {"refresh": "x"}, format="json").status_code == 429
