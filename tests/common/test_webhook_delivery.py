"""Webhook deliveries against a local receiver: emitted after commit, signed, retried with backoff, recorded, and
a webhook that keeps failing disabled with its admins notified."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent
from common.models import Notification, Webhook, WebhookAttempt, WebhookDelivery
from common.webhooks.delivery import retry_delay, webhook_deliveries_due, webhook_delivery_attempt
from common.webhooks.services import webhook_create, webhook_emit
from common.webhooks.signing import verify
from tests.common.conftest import admin_of

DATA = {"period": {"id": 7, "name": "2026-10"}}


@pytest.fixture
def hook(cast, receiver):
    webhook, secret = webhook_create(actor=admin_of(cast), url=receiver.url, events=["period.computed"])
    webhook.secret = secret
    return webhook


def attempt(delivery: WebhookDelivery):
    return webhook_delivery_attempt(delivery_id=delivery.pk, tenant_id=delivery.tenant_id)


def make_due(delivery: WebhookDelivery) -> None:
    """Let the scheduled wait pass."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))


def test_emit_queues_one_delivery_per_subscribed_active_webhook_after_commit(
        cast, hook, django_capture_on_commit_callbacks, django_assert_num_queries):
    webhook_create(actor=admin_of(cast), url=hook.url, events=["qa_review.published"])
    webhook_create(actor=admin_of(cast), url=hook.url, events=["period.computed"], is_active=False)
    with django_capture_on_commit_callbacks() as callbacks:
        with django_assert_num_queries(2):
            deliveries = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)
    assert [d.webhook_id for d in deliveries] == [hook.pk]
    assert len(callbacks) == 1  # the task is sent only once the transaction commits
    envelope = WebhookDelivery.objects.get().payload
    assert set(envelope) == {"id", "event", "created_at", "tenant", "data"}
    assert (envelope["event"], envelope["tenant"], envelope["data"]) == ("period.computed", "acme", DATA)
    assert webhook_emit(tenant=cast.other_tenant, event="period.computed", payload=DATA) == []
    with pytest.raises(KeyError):
        webhook_emit(tenant=cast.tenant, event="no.such_event", payload=DATA)


def test_a_delivery_is_signed_so_the_receiver_can_verify_it(cast, hook, receiver):
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    assert attempt(delivery) is None
    [request] = receiver.received
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["content-type"] == "application/json" and request.path == "/hooks/jixiao"
    assert (headers["jixiao-event"], headers["jixiao-delivery"]) == ("period.computed", str(delivery.pk))
    signature = headers["jixiao-signature"]
    assert verify(secret=hook.secret, body=request.body, header=signature)
    assert not verify(secret=hook.secret, body=request.body + b" ", header=signature)
    assert not verify(secret="whsec_wrong", body=request.body, header=signature)
    timestamp = int(signature.split(",")[0].removeprefix("t="))
    assert not verify(secret=hook.secret, body=request.body, header=signature, now=timestamp + 301)  # replayed later
    assert json.loads(request.body)["data"] == DATA

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count, delivery.completed_at is not None) == ("succeeded", 1, True)
    [recorded] = delivery.attempts.all()
    assert (recorded.number, recorded.status_code, recorded.error) == (1, 200, "")
    assert attempt(delivery) is None and len(receiver.received) == 1  # delivered again: nothing is sent twice


def test_failures_are_retried_with_exponential_backoff_and_recorded(cast, hook, receiver, settings):
    settings.WEBHOOK_RETRY_BASE_SECONDS, settings.WEBHOOK_MAX_ATTEMPTS = 10, 4
    receiver.statuses = [500, 503, 200]
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    before = timezone.now()
    assert attempt(delivery) == 10
    delivery.refresh_from_db()
    assert delivery.status == "pending" and 9 <= (delivery.next_attempt_at - before).total_seconds() <= 12
    assert attempt(delivery) is None and len(receiver.received) == 1  # not due yet: an early message does nothing
    make_due(delivery)
    assert attempt(delivery) == 20
    make_due(delivery)
    assert attempt(delivery) is None
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("succeeded", 3)
    attempts = list(delivery.attempts.values_list("number", "status_code", "error"))
    assert attempts == [(1, 500, "The receiver answered HTTP 500."), (2, 503, "The receiver answered HTTP 503."),
                        (3, 200, "")]
    assert len(receiver.received) == 3 and all(verify(secret=hook.secret, body=r.body, header=r.headers[
        "Jixiao-Signature"]) for r in receiver.received)
    assert [retry_delay(n) for n in (1, 2, 3)] == [10, 20, 40]
    settings.WEBHOOK_RETRY_MAX_SECONDS = 25
    assert retry_delay(3) == 25


def test_a_webhook_that_keeps_failing_is_disabled_and_admins_are_told(cast, hook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS, settings.WEBHOOK_DISABLE_AFTER_FAILURES = 2, 2
    receiver.statuses = [500]
    first = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    attempt(first)
    make_due(first)
    assert attempt(first) is None
    first.refresh_from_db()
    hook.refresh_from_db()
    assert (first.status, hook.consecutive_failures, hook.is_active) == ("failed", 1, True)

    second = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    attempt(second)
    make_due(second)
    attempt(second)
    hook.refresh_from_db()
    assert (hook.is_active, hook.consecutive_failures) == (False, 2) and hook.disabled_at is not None
    notice = Notification.objects.get(event="webhook.disabled")
    assert notice.recipient == cast.users["admin"] and notice.object_id == str(hook.pk)
    assert receiver.url in notice.render() and "2 deliveries in a row failed" in notice.render()
    assert AuditEvent.objects.filter(tenant=cast.tenant, action="webhook.disabled").count() == 1
    assert webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA) == []
    assert len(receiver.received) == 4


def test_a_success_resets_the_failure_count(cast, hook, receiver, settings):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    receiver.statuses = [500, 200]
    attempt(webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0])
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 1
    attempt(webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0])
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 0


def test_the_url_is_checked_again_before_sending(cast, hook, receiver, settings):
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = False  # as if the host now resolved to an internal address
    attempt(delivery)
    assert receiver.received == []
    [recorded] = WebhookAttempt.objects.filter(delivery=delivery)
    assert recorded.status_code is None and recorded.error.startswith("Not sent:") and "127.0.0.1" in recorded.error


def test_an_unreachable_receiver_is_an_error_attempt(cast, hook, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 1
    Webhook.objects.filter(pk=hook.pk).update(url="http://127.0.0.1:9/closed")
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    assert attempt(delivery) == settings.WEBHOOK_RETRY_BASE_SECONDS
    [recorded] = WebhookAttempt.objects.filter(delivery=delivery)
    assert recorded.status_code is None and "ConnectError" in recorded.error


def test_a_deactivated_webhook_gets_no_queued_delivery(cast, hook, receiver):
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    Webhook.objects.filter(pk=hook.pk).update(is_active=False)
    assert attempt(delivery) is None
    delivery.refresh_from_db()
    assert delivery.status == "failed" and receiver.received == []
    assert Webhook.objects.get(pk=hook.pk).consecutive_failures == 0


def test_a_run_that_died_is_taken_over_and_overdue_deliveries_are_swept(cast, hook, receiver):
    delivery = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    leased = timezone.now() + timedelta(minutes=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="sending", locked_until=leased, attempt_count=1)
    assert attempt(delivery) is None and receiver.received == []  # another run holds it
    assert webhook_deliveries_due() == []
    WebhookDelivery.objects.filter(pk=delivery.pk).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert webhook_deliveries_due() == [(delivery.pk, cast.tenant.pk)]
    assert attempt(delivery) is None and len(receiver.received) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempt_count) == ("succeeded", 2)
    late = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    assert webhook_deliveries_due() == []  # scheduled, within its minute of grace
    WebhookDelivery.objects.filter(pk=late.pk).update(next_attempt_at=timezone.now() - timedelta(minutes=2))
    assert webhook_deliveries_due() == [(late.pk, cast.tenant.pk)]


def test_the_test_endpoint_sends_a_webhook_test_event(cast, client_as, hook, receiver, celery_eager,
                                                      django_capture_on_commit_callbacks):
    admin = client_as(cast.users["admin"])
    with django_capture_on_commit_callbacks(execute=True):
        response = admin.post(cast.url(f"webhooks/{hook.pk}/test/"))
    assert response.status_code == 202, response.content
    assert response.json()["event"] == "webhook.test" and response.json()["status"] == "pending"
    [request] = receiver.received
    assert request.headers["Jixiao-Event"] == "webhook.test"
    assert verify(secret=hook.secret, body=request.body, header=request.headers["Jixiao-Signature"])
    assert json.loads(request.body)["data"]["webhook"] == hook.pk


def test_deliveries_are_listed_newest_first_with_attempts_and_bounded_queries(
        cast, client_as, hook, receiver, settings, django_assert_max_num_queries):
    settings.WEBHOOK_MAX_ATTEMPTS = 3
    receiver.statuses = [500, 200]
    url = cast.url(f"webhooks/{hook.pk}/deliveries/")
    admin = client_as(cast.users["admin"])
    first = webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0]
    attempt(first)
    make_due(first)
    attempt(first)
    with django_assert_max_num_queries(6) as few:
        assert admin.get(url).status_code == 200
    for _ in range(30):
        attempt(webhook_emit(tenant=cast.tenant, event="period.computed", payload=DATA)[0])
    with django_assert_max_num_queries(len(few)):
        page = admin.get(url, {"page_size": 20}).json()
    assert len(page["results"]) == 20 and page["next"]
    rest = admin.get(page["next"]).json()["results"]
    assert rest[-1]["id"] == first.pk
    oldest = rest[-1]
    assert [(a["number"], a["status_code"]) for a in oldest["attempts"]] == [(1, 500), (2, 200)]
    assert oldest["status"] == "succeeded" and all(a["duration_ms"] >= 0 and a["at"] for a in oldest["attempts"])
    ids = [row["id"] for row in page["results"] + rest]
    assert ids == sorted(ids, reverse=True) and len(ids) == 31
