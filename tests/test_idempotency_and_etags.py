"""Safe retries (Idempotency-Key on POST) and no lost updates (ETag / If-Match)."""

from accounts.models import AuditEvent, Team


def test_retried_post_with_the_same_key_acts_once(cast, client_as):
    client = client_as(cast.users["admin"])
    first = client.post(cast.url("teams/"), {"name": "East"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = client.post(cast.url("teams/"), {"name": "East"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(tenant=cast.tenant, name="East").count() == 1
    assert AuditEvent.objects.filter(action="team.created").count() == 1


def test_same_key_for_a_different_request_is_422(cast, client_as):
    client = client_as(cast.users["admin"])
    client.post(cast.url("teams/"), {"name": "East"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    response = client.post(cast.url("teams/"), {"name": "West"}, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused"
    assert not Team.objects.filter(name="West").exists()


def test_keys_are_per_caller(cast, client_as):
    client_as(cast.users["admin"]).post(cast.url("api-keys/"), {"name": "a"}, HTTP_IDEMPOTENCY_KEY="shared")
    admin2 = cast.users["admin"].__class__.objects.create_user(email="admin2@acme.test")
    from tests.factories import MembershipFactory

    MembershipFactory(tenant=cast.tenant, user=admin2, role="admin")
    response = client_as(admin2).post(cast.url("api-keys/"), {"name": "a"}, HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response


def test_validation_errors_are_replayed_too(cast, client_as):
    client = client_as(cast.users["admin"])
    first = client.post(cast.url("teams/"), {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    again = client.post(cast.url("teams/"), {"name": ""}, format="json", HTTP_IDEMPOTENCY_KEY="k-2")
    assert first.status_code == again.status_code == 400
    assert again.json()["errors"] == first.json()["errors"]
    assert again["Content-Type"] == first["Content-Type"] == "application/problem+json"


def test_etag_and_if_match_prevent_lost_updates(cast, client_as):
    alice = client_as(cast.users["admin"])
    url = cast.url(f"teams/{cast.north.pk}/")
    etag = alice.get(url)["ETag"]
    assert etag.startswith('"')
    changed = alice.patch(url, {"description": "first"}, format="json", HTTP_IF_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    stale = alice.patch(url, {"description": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    assert stale.json()["code"] == "precondition_failed"
    cast.north.refresh_from_db()
    assert cast.north.description == "first"
    assert alice.patch(url, {"description": "third"}, format="json", HTTP_IF_MATCH=changed["ETag"]).status_code == 200


def test_if_match_on_delete(cast, client_as):
    client = client_as(cast.users["admin"])
    team = Team.objects.create(tenant=cast.tenant, name="Empty")
    url = cast.url(f"teams/{team.pk}/")
    assert client.delete(url, HTTP_IF_MATCH='"stale"').status_code == 412
    assert client.delete(url, HTTP_IF_MATCH=client.get(url)["ETag"]).status_code == 204


def test_secrets_shown_once_are_not_kept_by_the_idempotency_store(cast, client_as):
    from common.models import IdempotencyRecord

    client = client_as(cast.users["admin"])
    first = client.post(cast.url("api-keys/"), {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    again = client.post(cast.url("api-keys/"), {"name": "ci"}, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert first.json()["key"].startswith("jx_")
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == {**first.json(), "key": None}
    hook = {"url": "https://93.184.216.34/hooks/jixiao", "events": ["period.computed"]}
    created = client.post(cast.url("webhooks/"), hook, format="json", HTTP_IDEMPOTENCY_KEY="hook-1")
    rotated = client.post(cast.url(f"webhooks/{created.json()['id']}/rotate-secret/"), HTTP_IDEMPOTENCY_KEY="rot-1")
    assert created.status_code == 201 and rotated.status_code == 200
    stored = " ".join(str(r.response_body) for r in IdempotencyRecord.objects.all())
    for secret in (first.json()["key"], created.json()["secret"], rotated.json()["secret"]):
        assert secret and secret not in stored
