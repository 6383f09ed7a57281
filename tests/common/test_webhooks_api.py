"""Webhook endpoints: CRUD for admins only, the secret shown once and encrypted at rest, URLs checked (SSRF)."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import AuditEvent
from common import crypto
from common.actor import Actor
from common.models import Webhook, WebhookDelivery
from common.webhooks.services import webhook_create
from tests.common.conftest import admin_of
from tests.conftest import ROLES
from tests.performance.test_ingestion import integration_client

PUBLIC_URL = "https://93.184.216.34/hooks/jixiao"  # a public IP literal: no DNS lookup, and nothing is sent


def create(client, cast, **overrides):
    body = {"url": PUBLIC_URL, "events": ["period.computed"], "description": "BI sync"} | overrides
    return client.post(cast.url("webhooks/"), body, format="json")


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def test_create_shows_the_secret_once_and_stores_it_encrypted(cast, admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = create(admin, cast, events=["qa_review.published", "period.computed", "period.computed"])
    assert response.status_code == 201, response.content
    body = response.json()
    secret = body["secret"]
    assert secret.startswith("whsec_") and len(secret) > 40
    assert (body["url"], body["events"], body["is_active"]) == (PUBLIC_URL, ["period.computed",
                                                                            "qa_review.published"], True)
    assert callbacks == [] and not WebhookDelivery.objects.exists()  # creating sends nothing

    detail = admin.get(cast.url(f"webhooks/{body['id']}/")).json()
    listed = admin.get(cast.url("webhooks/")).json()["results"]
    assert "secret" not in detail and all("secret" not in row for row in listed)
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret_encrypted FROM common_webhook WHERE id = %s", [body["id"]])
        stored = cursor.fetchone()[0]
    assert secret not in stored and secret[6:] not in stored
    assert crypto.decrypt(stored) == secret
    assert AuditEvent.objects.filter(tenant=cast.tenant, action="webhook.created").count() == 1
    assert secret not in str(AuditEvent.objects.get(action="webhook.created").changes)


def test_rotate_secret_replaces_it(cast, admin):
    created = create(admin, cast).json()
    rotated = admin.post(cast.url(f"webhooks/{created['id']}/rotate-secret/"))
    assert rotated.status_code == 200
    new = rotated.json()["secret"]
    assert new != created["secret"] and new.startswith("whsec_")
    assert crypto.decrypt(Webhook.objects.get(pk=created["id"]).secret_encrypted) == new


def test_update_and_delete(cast, admin):
    webhook = create(admin, cast).json()
    url = cast.url(f"webhooks/{webhook['id']}/")
    changed = admin.patch(url, {"events": ["qa_review.published"], "is_active": False}, format="json")
    assert changed.status_code == 200, changed.content
    assert (changed.json()["events"], changed.json()["is_active"], changed.json()["url"]) == (
        ["qa_review.published"], False, PUBLIC_URL)
    replaced = admin.put(url, {"url": "https://93.184.216.35/other", "events": ["period.computed"]}, format="json")
    assert replaced.status_code == 200 and replaced.json()["description"] == ""
    assert replaced.json()["is_active"] is True
    assert admin.delete(url).status_code == 204
    assert not Webhook.objects.exists()
    actions = set(AuditEvent.objects.filter(tenant=cast.tenant).values_list("action", flat=True))
    assert {"webhook.created", "webhook.updated", "webhook.deleted"} <= actions


def test_turning_a_disabled_webhook_on_again_clears_its_failures(cast, admin):
    webhook = create(admin, cast, is_active=False).json()
    Webhook.objects.filter(pk=webhook["id"]).update(consecutive_failures=5, disabled_reason="5 failed")
    on = admin.patch(cast.url(f"webhooks/{webhook['id']}/"), {"is_active": True}, format="json").json()
    assert (on["is_active"], on["consecutive_failures"], on["disabled_reason"]) == (True, 0, "")


@pytest.mark.parametrize(("body", "field"), [
    ({"events": ["no.such_event"]}, "events.0"),
    ({"events": ["webhook.test"]}, "events.0"),
    ({"events": []}, "events"),
    ({"url": "ftp://93.184.216.34/x"}, "url"),
    ({"url": "not a url"}, "url"),
    ({"url": "https://user:pw@93.184.216.34/x"}, "url"),
    ({"description": "x" * 201}, "description"),
])
def test_bad_input_is_400_and_writes_nothing(cast, admin, body, field):
    response = create(admin, cast, **body)
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("url", [
    "http://127.0.0.1/hook", "http://127.8.9.10:8080/hook", "http://10.1.2.3/hook", "http://192.168.1.5/",
    "http://172.16.0.1/", "http://169.254.169.254/latest/meta-data/", "http://[::1]/hook", "http://[fe80::1]/",
    "http://[::ffff:127.0.0.1]/", "http://localhost:8000/hook", "http://0.0.0.0/", "http://224.0.0.1/",
    "http://240.0.0.1/", "http://100.64.0.1/",
])
def test_internal_addresses_are_refused(cast, admin, url):
    response = create(admin, cast, url=url)
    assert response.status_code == 400, (url, response.content)
    error = response.json()["errors"][0]
    assert error["field"] == "url" and "public addresses" in error["message"]
    assert not Webhook.objects.exists()


def test_unresolvable_hosts_are_refused(cast, admin):
    response = create(admin, cast, url="https://no-such-host.invalid/hook")
    assert response.status_code == 400 and "could not be resolved" in response.json()["detail"]


def test_changing_the_url_is_checked_too(cast, admin):
    webhook = create(admin, cast).json()
    response = admin.patch(cast.url(f"webhooks/{webhook['id']}/"), {"url": "http://127.0.0.1/x"}, format="json")
    assert response.status_code == 400
    assert Webhook.objects.get(pk=webhook["id"]).url == PUBLIC_URL


def test_the_setting_allows_private_urls(cast, admin, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    assert create(admin, cast, url="http://127.0.0.1:9/hook").status_code == 201
    assert create(admin, cast, url="ftp://127.0.0.1/hook").status_code == 400  # still http(s) only


def test_event_types_are_listed_with_descriptions(cast, admin):
    rows = admin.get(cast.url("webhooks/event-types/")).json()
    codes = {row["code"]: row for row in rows}
    assert {"period.computed", "qa_review.published", "webhook.test"} <= set(codes)
    assert codes["period.computed"]["subscribable"] and not codes["webhook.test"]["subscribable"]
    assert all(row["description"] for row in rows)


def test_an_inactive_webhook_cannot_be_tested(cast, admin):
    webhook = create(admin, cast, is_active=False).json()
    response = admin.post(cast.url(f"webhooks/{webhook['id']}/test/"))
    assert response.status_code == 409 and response.json()["code"] == "webhook_inactive"
    assert not WebhookDelivery.objects.exists()


ENDPOINTS = [
    ("get", "webhooks/", None), ("post", "webhooks/", "create"), ("get", "webhooks/event-types/", None),
    ("get", "webhooks/{id}/", None), ("patch", "webhooks/{id}/", {"description": "x"}),
    ("put", "webhooks/{id}/", "create"), ("delete", "webhooks/{id}/", None),
    ("post", "webhooks/{id}/rotate-secret/", None), ("post", "webhooks/{id}/test/", None),
    ("get", "webhooks/{id}/deliveries/", None),
]
EXPECTED_FOR_ADMIN = {"post webhooks/": 201, "delete webhooks/{id}/": 204, "post webhooks/{id}/test/": 202}


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_permission_matrix(cast, client_as, method, path, body):
    webhook, _ = webhook_create(actor=admin_of(cast), url=PUBLIC_URL, events=["period.computed"])
    body = {"url": PUBLIC_URL, "events": ["period.computed"]} if body == "create" else body
    url = cast.url(path.replace("{id}", str(webhook.pk)))
    for role in ROLES:
        if role == "admin":
            continue
        response = getattr(client_as(cast.users[role]), method)(url, body, format="json")
        assert response.status_code == 403, (role, response.content)
    assert getattr(integration_client(cast.tenant), method)(url, body, format="json").status_code == 403
    assert getattr(client_as(cast.outsider), method)(url, body, format="json").status_code == 404
    response = getattr(client_as(cast.users["admin"]), method)(url, body, format="json")
    assert response.status_code == EXPECTED_FOR_ADMIN.get(f"{method} {path}", 200), response.content


def test_another_tenants_webhook_is_404(cast, client_as):
    globex, _ = webhook_create(actor=Actor(tenant=cast.other_tenant, role="admin", user=cast.outsider),
                               url=PUBLIC_URL, events=["period.computed"])
    admin = client_as(cast.users["admin"])
    for method, suffix in [("get", ""), ("patch", ""), ("delete", ""), ("post", "rotate-secret/"),
                           ("post", "test/"), ("get", "deliveries/")]:
        response = getattr(admin, method)(cast.url(f"webhooks/{globex.pk}/{suffix}"), {}, format="json")
        assert response.status_code == 404, (method, suffix)
    assert admin.get(cast.url("webhooks/")).json()["count"] == 0
    assert Webhook.objects.get(pk=globex.pk).is_active


def test_without_resolving_ip_literals_are_still_checked(cast):
    from common.webhooks.urls import UnsafeURL, check_webhook_url

    check_webhook_url("https://no-such-host.invalid/hook", resolve=False)  # no lookup: the attempts check it
    with pytest.raises(UnsafeURL):
        check_webhook_url("http://10.0.0.1/hook", resolve=False)
    with pytest.raises(UnsafeURL):
        check_webhook_url("https://no-such-host.invalid/hook")
