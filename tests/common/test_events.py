"""The two events wired today: a finished computation tells the admins and the webhooks; a published QA review
tells the agent (when a user is linked) and the webhooks."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from common.models import Notification, WebhookDelivery
from common.webhooks.services import webhook_create
from tests.common.conftest import admin_of
from tests.factories import InteractionFactory, MembershipFactory
from tests.feedback.factories import make_version as make_rubric
from tests.feedback.factories import published_review
from tests.performance.conftest import compute_now, make_period, make_version

OCT = datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai"))
PUBLIC_URL = "https://93.184.216.34/hooks/jixiao"


def test_a_computed_period_notifies_the_admins_and_emits_the_webhook(cast, client_as):
    second_admin = MembershipFactory(tenant=cast.tenant, role="admin").user
    MembershipFactory(tenant=cast.tenant, role="admin", is_active=False)
    webhook, _ = webhook_create(actor=admin_of(cast), url=PUBLIC_URL, events=["period.computed"])
    InteractionFactory(agent=cast.north_agents[1], started_at=OCT, csat=5)
    make_version(cast.tenant, kpis=[("csat", 1, 0, 100, 1)])
    period = make_period(cast.tenant)
    job = compute_now(period)
    notices = Notification.objects.filter(tenant=cast.tenant, event="period.computed")
    assert sorted(notices.values_list("recipient_id", flat=True)) == sorted([cast.users["admin"].pk,
                                                                            second_admin.pk])
    rows = client_as(cast.users["admin"]).get(cast.url("notifications/")).json()["results"]
    assert rows[0]["message"] == "The scores of period 2026-10 are ready (revision 1)."
    assert rows[0]["object"] == {"type": "kpiperiod", "id": str(period.pk)}
    delivery = WebhookDelivery.objects.get(webhook=webhook)
    data = delivery.payload["data"]
    assert data["period"] == {"id": period.pk, "name": "2026-10", "kind": "monthly", "start": "2026-10-01",
                              "end": "2026-11-01", "status": "computed", "revision": 1}
    assert data["job"] == {"id": job.pk, "unchanged": False, "agents": 6, "scored": 1, "unscored": 5}

    compute_now(period)  # nothing changed: still announced, saying so
    latest = client_as(cast.users["admin"]).get(cast.url("notifications/")).json()["results"][0]
    assert latest["message"] == "Period 2026-10 was computed again; nothing changed since revision 1."
    assert WebhookDelivery.objects.filter(webhook=webhook).count() == 2
    assert not Notification.objects.filter(recipient__in=[cast.users["supervisor"], cast.users["agent"]]).exists()


def test_a_published_review_notifies_the_linked_agent_and_emits_the_webhook(cast, client_as):
    webhook, _ = webhook_create(actor=admin_of(cast), url=PUBLIC_URL, events=["qa_review.published"])
    version = make_rubric(cast.tenant)
    inspector = cast.users["qa_inspector"]
    own = published_review(inspector=inspector, interaction=InteractionFactory(agent=cast.own_agent),
                           version=version, ratings=[5, 1, 10, 3])
    unlinked = published_review(inspector=inspector, interaction=InteractionFactory(agent=cast.north_agents[1]),
                                version=version, ratings=[5, 1, 10, 3])
    [notice] = Notification.objects.filter(event="qa_review.published")
    assert (notice.recipient, notice.object_type, notice.object_id) == (cast.users["agent"], "qareview", str(own.pk))
    rows = client_as(cast.users["agent"]).get(cast.url("notifications/")).json()["results"]
    assert rows[0]["message"] == (f"A QA review of your interaction {own.interaction_id} was published: "
                                  "100.00 points.")
    payloads = [d.payload["data"]["review"] for d in WebhookDelivery.objects.filter(webhook=webhook)
                .order_by("id")]
    assert [(p["id"], p["agent"], p["total"]) for p in payloads] == [
        (own.pk, cast.own_agent.pk, "100.00"), (unlinked.pk, cast.north_agents[1].pk, "100.00")]
