"""Notifications and webhooks of appeals (signed deliveries to a local receiver, retried), the comment thread,
and the SLA sweep that marks overdue appeals once."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from common.models import Notification, WebhookDelivery
from common.webhooks.delivery import webhook_delivery_attempt
from common.webhooks.services import webhook_create
from common.webhooks.signing import verify
from feedback.models import Appeal
from feedback.services import appeals as services
from feedback.services.appeal_sla import appeals_mark_overdue
from feedback.tasks import mark_overdue_appeals
from tests.common.conftest import admin_of
from tests.common.receiver import Receiver
from tests.feedback.appeal_helpers import decide_all, file_review_appeal, own_review
from tests.feedback.factories import actor_for


def events_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("event", flat=True))


def test_each_step_notifies_the_people_on_the_appeal(cast, version):
    users = cast.users
    appeal = file_review_appeal(cast, own_review(cast, version))
    assert events_of(users["qa_inspector"]) == ["appeal.filed"]
    assert events_of(users["admin"]) == ["appeal.assigned"]
    services.appeal_comment(appeal=appeal, author=actor_for(users["agent"], cast.tenant), body="See the recording.")
    assert events_of(users["admin"])[-1] == "appeal.commented" and events_of(users["qa_inspector"])[-1] == \
        "appeal.commented"
    assert "appeal.commented" not in events_of(users["agent"])  # not the author
    decide_all(appeal, users["admin"], accepted=False)
    assert events_of(users["agent"])[-1] == "appeal.decided"
    services.appeal_escalate(appeal=appeal, escalated_by=actor_for(users["agent"], cast.tenant), reason="Again.")
    assert events_of(users["admin"])[-1] == "appeal.escalated"
    assert events_of(users["qa_lead"]) == ["appeal.assigned"]
    note = Notification.objects.filter(recipient=users["agent"], event="appeal.decided").get()
    assert note.params == {"appeal": appeal.pk, "outcome": "upheld"} and note.object_id == str(appeal.pk)


@pytest.fixture
def local_receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    server = Receiver(statuses=(500, 200))
    yield server
    server.close()


def test_appeal_events_reach_webhooks_signed_and_retried(cast, version, local_receiver):
    receiver = local_receiver
    webhook, secret = webhook_create(actor=admin_of(cast), url=receiver.url, events=["appeal.decided"])
    appeal = file_review_appeal(cast, own_review(cast, version))
    decide_all(appeal, cast.users["admin"], accepted=False)
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    assert delivery.event == "appeal.decided"
    webhook_delivery_attempt(delivery_id=delivery.pk, tenant_id=cast.tenant.pk)  # 500: retried later
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now() - timedelta(seconds=1))
    webhook_delivery_attempt(delivery_id=delivery.pk, tenant_id=cast.tenant.pk)
    delivery.refresh_from_db()
    assert delivery.status == "succeeded" and delivery.attempts.count() == 2
    last = receiver.received[-1]
    headers = {k.lower(): v for k, v in last.headers.items()}
    assert verify(secret=secret, body=last.body, header=headers["jixiao-signature"])
    data = json.loads(last.body)["data"]["appeal"]
    assert (data["id"], data["status"], data["review"]) == (appeal.pk, "upheld", appeal.review_id)


def test_the_sla_sweep_marks_overdue_appeals_once_and_tells_the_reviewer_and_lead(cast, version):
    appeal = file_review_appeal(cast, own_review(cast, version))  # the admin reviews it; the QA lead is the lead
    fresh = file_review_appeal(cast, own_review(cast, version))
    Appeal.objects.filter(pk=appeal.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert mark_overdue_appeals() == {cast.tenant.pk: [appeal.pk]}
    assert appeals_mark_overdue(tenant_id=cast.tenant.pk) == []  # idempotent
    appeal.refresh_from_db()
    assert appeal.overdue_at is not None
    overdue = Notification.objects.filter(event="appeal.overdue")
    assert sorted(overdue.values_list("recipient_id", flat=True)) == sorted(
        [cast.users["admin"].pk, cast.users["qa_lead"].pk])
    assert appeal.events.filter(kind="overdue").count() == 1
    fresh.refresh_from_db()
    assert fresh.overdue_at is None


def test_lists_flag_overdue_appeals(cast, client_as, version):
    late = file_review_appeal(cast, own_review(cast, version))
    file_review_appeal(cast, own_review(cast, version))
    Appeal.objects.filter(pk=late.pk).update(due_at=timezone.now() - timedelta(minutes=5))
    admin = client_as(cast.users["qa_lead"])
    rows = admin.get(cast.url("appeals/"), {"overdue": "true"}).json()["results"]
    assert [(r["id"], r["is_overdue"]) for r in rows] == [(late.pk, True)]
    assert admin.get(cast.url("appeals/"), {"overdue": "maybe"}).status_code == 400


def test_comments_through_the_api(cast, client_as, version):
    appeal = file_review_appeal(cast, own_review(cast, version))
    url = cast.url(f"appeals/{appeal.pk}/comments/")
    inspector = client_as(cast.users["qa_inspector"])  # the original inspector reads and comments
    assert inspector.post(url, {"body": "I heard no greeting."}, format="json").status_code == 201
    assert client_as(cast.users["agent"]).post(url, {"body": "It is at 0:03."}, format="json").status_code == 201
    assert inspector.post(url, {"body": "  "}, format="json").status_code == 400
    events = client_as(cast.users["supervisor"]).get(cast.url(f"appeals/{appeal.pk}/history/")).json()["results"]
    thread = [(e["actor"]["email"], e["data"]["body"]) for e in events if e["kind"] == "commented"]
    assert thread == [("qa_inspector@acme.test", "I heard no greeting."), ("agent@acme.test", "It is at 0:03.")]
