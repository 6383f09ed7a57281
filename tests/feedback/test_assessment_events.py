"""Events of 360 assessment campaigns: raters are told what is asked of them, answers are announced with counts
only, results are announced to the agent and their supervisor; a signed delivery to a local receiver; and, over a
whole campaign, no notification or webhook payload names a peer or a customer or carries an answer."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from common.models import Notification, WebhookDelivery
from common.webhooks.delivery import webhook_delivery_attempt
from common.webhooks.services import webhook_create
from common.webhooks.signing import verify
from feedback.services import assessment_campaign_edits as edits
from feedback.services import assessments as services
from tests.common.conftest import admin_of
from tests.common.receiver import Receiver
from tests.factories import AgentFactory, MembershipFactory, grant
from tests.feedback.assessment_helpers import answer_as, answers, campaign_for, peers_with_logins
from tests.performance.conftest import admin_actor

ASSESSMENT_EVENTS = ["assessment.answered", "assessment.campaign_cancelled", "assessment.campaign_closed",
                     "assessment.campaign_opened", "assessment.deadline_changed", "assessment.raters_added"]


def _notes(event: str) -> dict[int, dict]:
    return {n.recipient_id: n.params for n in Notification.objects.filter(event=event)}


def _payloads(event: str | None = None) -> list[dict]:
    rows = WebhookDelivery.objects.order_by("id")
    if event:
        rows = rows.filter(event=event)
    return [row.payload["data"] for row in rows]


@pytest.fixture
def hook(cast):
    webhook, secret = webhook_create(actor=admin_of(cast), url="https://hooks.example.com/jixiao",
                                     events=ASSESSMENT_EVENTS, resolve_url=False)
    return webhook


def test_a_new_campaign_tells_each_rater_how_many_assessments_it_asks_of_them(cast, hook):
    peers = peers_with_logins(cast, 3)
    # assessed: N000 (supervisor, self, 3 peers) and P000 (supervisor, self): the supervisor and P000 give 2 each
    campaign = campaign_for(cast, peers, agents=[cast.own_agent, peers[0]])
    notes = _notes("assessment.campaign_opened")
    assert {user: params["count"] for user, params in notes.items()} == {
        cast.users["supervisor"].pk: 2, peers[0].user.pk: 2, cast.users["agent"].pk: 1, peers[1].user.pk: 1,
        peers[2].user.pk: 1}
    assert set(notes[peers[1].user.pk]) == {"campaign", "count", "deadline"}
    (data,) = _payloads("assessment.campaign_opened")
    assert data["campaign"]["id"] == campaign.pk and data["campaign"]["counts"] == {
        "supervisor": {"requested": 2, "answered": 0}, "peer": {"requested": 3, "answered": 0},
        "self": {"requested": 2, "answered": 0}, "customer": {"requested": 0, "answered": 0}}


def test_an_answer_is_announced_with_counts_only_and_notifies_nobody(cast, hook):
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers)
    before = Notification.objects.count()
    answer_as(peers[1].user, campaign, cast.own_agent, "peer", (4, 7), ["", "Calm on the phone"])
    answer_as(peers[2].user, campaign, cast.own_agent, "peer", (5, 9))
    assert Notification.objects.count() == before
    assert _payloads("assessment.answered") == [
        {"campaign": {"id": campaign.pk, "name": "Q4 360", "period": campaign.period_id}, "agent": cast.own_agent.pk,
         "rater_kind": "peer", "requested": 3, "answered": answered} for answered in (1, 2)]


def test_closing_tells_the_agent_and_their_supervisor_that_results_are_ready(cast, hook, client_as):
    south_lead = MembershipFactory(tenant=cast.tenant, role="supervisor", user__email="south@acme.test").user
    grant(south_lead, cast.south, "manage")
    campaign = campaign_for(cast, [], agents=[cast.own_agent, cast.south_agents[0]])
    response = client_as(cast.users["admin"]).post(cast.url(f"assessment-campaigns/{campaign.pk}/close/"))
    assert response.status_code == 200, response.content
    # N000 (its login) and the supervisors of north and south; S000 has no login; never the admin who closed it
    assert set(_notes("assessment.campaign_closed")) == {cast.users["agent"].pk, cast.users["supervisor"].pk,
                                                         south_lead.pk}
    (data,) = _payloads("assessment.campaign_closed")
    assert data["campaign"]["status"] == "closed"
    assert data["assessed_agents"] == sorted([cast.own_agent.pk, cast.south_agents[0].pk])


def test_cancelling_tells_the_raters_who_had_not_answered(cast, hook):
    peers = peers_with_logins(cast, 2)
    campaign = campaign_for(cast, peers)
    answer_as(peers[0].user, campaign, cast.own_agent, "peer", (4, 7))
    edits.assessment_campaign_cancel(actor=admin_actor(cast.tenant), campaign=campaign)
    assert set(_notes("assessment.campaign_cancelled")) == {cast.users["agent"].pk, cast.users["supervisor"].pk,
                                                            peers[1].user.pk}
    assert _payloads("assessment.campaign_cancelled")[0]["campaign"]["status"] == "cancelled"


def test_a_deadline_change_notifies_the_raters_who_have_not_answered(cast, hook):
    peers = peers_with_logins(cast, 1)
    campaign = campaign_for(cast, peers)
    answer_as(cast.users["agent"], campaign, cast.own_agent, "self", (4, 7))
    new = (timezone.now() + timedelta(days=3)).replace(microsecond=0)
    edits.assessment_campaign_update(actor=admin_actor(cast.tenant), campaign=campaign, deadline=new)
    assert set(_notes("assessment.deadline_changed")) == {cast.users["supervisor"].pk, peers[0].user.pk}


@pytest.fixture
def local_receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    server = Receiver(statuses=(200,))
    yield server
    server.close()


def test_the_results_event_reaches_a_webhook_signed(cast, client_as, local_receiver):
    webhook, secret = webhook_create(actor=admin_of(cast), url=local_receiver.url,
                                     events=["assessment.campaign_closed", "assessment.answered"])
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers)
    for peer in peers:
        answer_as(peer.user, campaign, cast.own_agent, "peer", (4, 7))
    client_as(cast.users["admin"]).post(cast.url(f"assessment-campaigns/{campaign.pk}/close/"))
    deliveries = list(WebhookDelivery.objects.filter(webhook=webhook).order_by("id"))
    assert [d.event for d in deliveries] == ["assessment.answered"] * 3 + ["assessment.campaign_closed"]
    for delivery in deliveries:
        webhook_delivery_attempt(delivery_id=delivery.pk, tenant_id=cast.tenant.pk)
        delivery.refresh_from_db()
        assert delivery.status == "succeeded"
    assert len(local_receiver.received) == 4
    last = local_receiver.received[-1]
    headers = {k.lower(): v for k, v in last.headers.items()}
    assert verify(secret=secret, body=last.body, header=headers["jixiao-signature"])
    body = json.loads(last.body)
    assert body["event"] == "assessment.campaign_closed"
    assert body["data"]["campaign"]["counts"]["peer"] == {"requested": 3, "answered": 3}
    received = b"".join(r.body for r in local_receiver.received).decode()
    assert not any(peer.user.email in received for peer in peers)


# (the rater groups' own names, "peer" or "customer", key the counts and name nobody)
IDENTITY = {"rater", "rater_id", "raters", "user", "users", "email", "author", "respondent", "created_by",
            "recipient"}
ANSWER = {"rating", "ratings", "comment", "comments", "answers", "mean", "mean_rating"}


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_no_payload_or_notification_names_a_peer_or_a_customer_or_carries_an_answer(cast, hook, client_as):
    """A whole campaign: opened, a peer added, the deadline moved, every peer, the agent, the supervisor and a
    customer answering, then closed. Nothing any webhook or member receives names a peer or holds an answer."""
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers[:2])
    admin = admin_actor(cast.tenant)
    edits.assessment_raters_add(actor=admin, campaign=campaign, agents=[],
                                raters=[{"agent": cast.own_agent, "peers": [peers[2]]}])
    edits.assessment_campaign_update(actor=admin, campaign=campaign,
                                     deadline=(timezone.now() + timedelta(days=5)).replace(microsecond=0))
    for peer, ratings in zip(peers, [(5, 10), (3, 5), (2, 8)], strict=True):
        answer_as(peer.user, campaign, cast.own_agent, "peer", ratings, ["", f"by {peer.employee_code}"])
    answer_as(cast.users["agent"], campaign, cast.own_agent, "self", (4, 6))
    answer_as(cast.users["supervisor"], campaign, cast.own_agent, "supervisor", (5, 9))
    _, token = services.assessment_customer_link_create(actor=admin, campaign=campaign, agent=cast.own_agent)
    services.assessment_link_answer(token=token, answers=answers(campaign, [4, 8], ["", "Fixed my order"]))
    services.assessment_campaign_close(actor=admin, campaign=campaign)

    payloads = _payloads()
    assert {p_event for p_event in WebhookDelivery.objects.values_list("event", flat=True)} == {
        "assessment.campaign_opened", "assessment.raters_added", "assessment.deadline_changed",
        "assessment.answered", "assessment.campaign_closed"}
    assert [p["rater_kind"] for p in _payloads("assessment.answered")] == ["peer"] * 3 + [
        "self", "supervisor", "customer"]
    params = list(Notification.objects.values_list("params", flat=True))
    text = json.dumps(payloads) + json.dumps(params)
    peer_users = {p.user.pk for p in peers}
    assert not any(p.user.email in text or p.employee_code in text for p in peers)
    assert "Fixed my order" not in text and "by P00" not in text
    for node in _walk([payloads, params]):
        assert not IDENTITY & set(node), node
        assert not ANSWER & set(node), node
    # the peers were notified (what they are asked), but nobody was notified of an answer
    notified = set(Notification.objects.filter(event__startswith="assessment.").values_list("recipient_id",
                                                                                            flat=True))
    assert peer_users <= notified
    assert not Notification.objects.filter(event="assessment.answered").exists()


def test_raters_added_later_are_notified(cast, hook):
    campaign = campaign_for(cast, [])
    user = MembershipFactory(tenant=cast.tenant, role="agent", user__email="late@acme.test").user
    late = AgentFactory(team=cast.north, user=user, employee_code="L001")
    edits.assessment_raters_add(actor=admin_actor(cast.tenant), campaign=campaign, agents=[late],
                                raters=[{"agent": cast.own_agent, "peers": [late]}])
    # L001 rates N000 (peer) and itself (self); the supervisor rates L001
    assert {u: p["count"] for u, p in _notes("assessment.raters_added").items()} == {
        user.pk: 2, cast.users["supervisor"].pk: 1}
    assert _payloads("assessment.raters_added")[0]["added"] == 3
