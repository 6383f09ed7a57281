"""Editing 360 assessment campaigns: name, description and deadline while open (audited, strict input), raters
added and removed before they answer, delete only without responses (else 409: cancel), cancel (results leave the
KPIs)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from accounts.models import AuditEvent
from feedback.assessment_selectors import assessment_kpi_inputs
from feedback.models import AssessmentCampaign, AssessmentRequest
from feedback.services import assessment_campaign_edits as edits
from feedback.services import assessments as services
from tests.factories import AgentFactory, MembershipFactory
from tests.feedback.assessment_helpers import answer_as, answers, campaign_for, peers_with_logins
from tests.performance.conftest import admin_actor, make_period


def _later(days: int) -> str:
    return (timezone.now() + timedelta(days=days)).replace(microsecond=0).isoformat()


def test_an_open_campaign_is_renamed_and_its_deadline_moved_audited(cast, client_as):
    campaign = campaign_for(cast, [])
    _, token = services.assessment_customer_link_create(actor=admin_actor(cast.tenant), campaign=campaign,
                                                        agent=cast.own_agent, expires_in_days=6)
    admin = client_as(cast.users["admin"])
    url = cast.url(f"assessment-campaigns/{campaign.pk}/")
    response = admin.patch(url, {"name": "Q4 360 (north)", "description": "Peers chosen by the lead.",
                                 "deadline": _later(2)}, format="json")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["description"]) == ("Q4 360 (north)", "Peers chosen by the lead.")
    link = AssessmentRequest.objects.get(rater_kind="customer")
    assert link.expires_at == AssessmentCampaign.objects.get(pk=campaign.pk).deadline  # 6 days cut to 2
    event = AuditEvent.objects.get(action="assessment_campaign.updated")
    assert event.actor_user_id == cast.users["admin"].pk
    assert (event.changes["before"]["name"], event.changes["after"]["name"]) == ("Q4 360", "Q4 360 (north)")
    # a longer deadline leaves the link's expiry as it is
    assert admin.patch(url, {"deadline": _later(9)}, format="json").status_code == 200
    assert AssessmentRequest.objects.get(rater_kind="customer").expires_at == link.expires_at


def test_campaign_edits_are_strict(cast, client_as):
    campaign = campaign_for(cast, [])
    admin = client_as(cast.users["admin"])
    url = cast.url(f"assessment-campaigns/{campaign.pk}/")
    assert admin.patch(url, {"status": "closed"}, format="json").status_code == 400  # unknown field
    assert admin.patch(url, {}, format="json").status_code == 400
    past = admin.patch(url, {"deadline": _later(-1)}, format="json")
    assert past.status_code == 400 and past.json()["errors"][0]["field"] == "deadline"
    assert admin.patch(url, {"name": ""}, format="json").status_code == 400
    assert not AuditEvent.objects.filter(action="assessment_campaign.updated").exists()
    services.assessment_campaign_close(actor=admin_actor(cast.tenant), campaign=campaign)
    closed = admin.patch(url, {"name": "Later"}, format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "assessment_campaign_closed"


def test_raters_are_added_to_an_open_campaign_and_duplicates_refused(cast, client_as):
    peers = peers_with_logins(cast, 2)
    campaign = campaign_for(cast, peers[:1])
    admin = client_as(cast.users["admin"])
    url = cast.url(f"assessment-campaigns/{campaign.pk}/raters/")
    added = admin.post(url, {"agents": [peers[1].pk], "raters": [{"agent": cast.own_agent.pk,
                                                                  "peers": [peers[1].pk]}]}, format="json")
    assert added.status_code == 201, added.content
    # P001 now rates N000 as a peer and itself; north's supervisor rates P001
    assert sorted((r["agent"], r["rater_kind"], r["rater"]) for r in added.json()) == sorted([
        (cast.own_agent.pk, "peer", peers[1].user.pk), (peers[1].pk, "self", peers[1].user.pk),
        (peers[1].pk, "supervisor", cast.users["supervisor"].pk)])
    again = admin.post(url, {"raters": [{"agent": cast.own_agent.pk, "peers": [peers[1].pk]}]}, format="json")
    assert again.status_code == 400 and again.json()["errors"][0]["field"] == "raters"
    south = admin.post(url, {"raters": [{"agent": cast.own_agent.pk, "peers": [cast.south_agents[0].pk]}]},
                       format="json")
    assert south.status_code == 400 and south.json()["errors"][0]["field"] == "raters.0.peers"
    foreign = admin.post(url, {"agents": [cast.other_agent.pk]}, format="json")
    assert foreign.status_code == 400 and foreign.json()["errors"][0]["field"] == "agents"
    assert admin.post(url, {}, format="json").status_code == 400
    assert AuditEvent.objects.get(action="assessment_campaign.raters_added").changes["after"]["requests"] == 3
    listed = admin.get(url).json()["results"]
    assert len(listed) == 6 and not {"answered", "rating", "answers"} & set(listed[0])


def test_a_rater_is_removed_before_answering_but_not_after(cast, client_as):
    peers = peers_with_logins(cast, 2)
    campaign = campaign_for(cast, peers)
    answer_as(peers[0].user, campaign, cast.own_agent, "peer", (4, 7))
    admin = client_as(cast.users["admin"])
    waiting = AssessmentRequest.objects.get(campaign=campaign, rater=peers[1].user)
    answered = AssessmentRequest.objects.get(campaign=campaign, rater=peers[0].user)
    base = cast.url(f"assessment-campaigns/{campaign.pk}/raters/")
    refused = admin.delete(f"{base}{answered.pk}/")
    assert refused.status_code == 409 and refused.json()["code"] == "assessment_request_answered"
    assert admin.delete(f"{base}{waiting.pk}/").status_code == 204
    assert not AssessmentRequest.objects.filter(pk=waiting.pk).exists()
    assert admin.delete(f"{base}{waiting.pk}/").status_code == 404
    other = campaign_for(cast, [], period=campaign.period)
    own_request = AssessmentRequest.objects.filter(campaign=other).first()
    assert admin.delete(f"{base}{own_request.pk}/").status_code == 404  # another campaign's request
    removed = AuditEvent.objects.get(action="assessment_request.removed")
    assert removed.changes["before"]["rater"] == peers[1].user.pk


def test_delete_only_without_responses_else_cancel(cast, client_as):
    admin = client_as(cast.users["admin"])
    period = make_period(cast.tenant)
    empty = campaign_for(cast, [], period=period)
    assert admin.delete(cast.url(f"assessment-campaigns/{empty.pk}/")).status_code == 204
    assert not AssessmentCampaign.objects.filter(pk=empty.pk).exists()
    assert AuditEvent.objects.filter(action="assessment_campaign.deleted", object_id=str(empty.pk)).exists()

    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers, period=period)
    for peer in peers:
        answer_as(peer.user, campaign, cast.own_agent, "peer", (4, 7))
    refused = admin.delete(cast.url(f"assessment-campaigns/{campaign.pk}/"))
    assert refused.status_code == 409 and refused.json()["code"] == "assessment_campaign_has_responses"
    assert "cancel it instead" in refused.json()["detail"]
    assert assessment_kpi_inputs(period=campaign.period)[cast.own_agent.pk]["assessment_peer_responses"] == 3
    cancelled = admin.post(cast.url(f"assessment-campaigns/{campaign.pk}/cancel/"))
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["cancelled_at"] is not None
    assert assessment_kpi_inputs(period=campaign.period) == {}  # a cancelled campaign's results do not count
    request = AssessmentRequest.objects.get(campaign=campaign, rater=cast.users["agent"])
    late = client_as(cast.users["agent"]).post(cast.url(f"assessment-requests/{request.pk}/answer/"),
                                               {"answers": answers(campaign, [4, 7])}, format="json")
    assert late.status_code == 409 and late.json()["code"] == "assessment_campaign_cancelled"
    again = admin.post(cast.url(f"assessment-campaigns/{campaign.pk}/cancel/"))
    assert again.status_code == 409
    assert admin.post(cast.url(f"assessment-campaigns/{campaign.pk}/raters/"),
                      {"agents": [cast.north_agents[1].pk]}, format="json").status_code == 409


def test_a_cancelled_campaigns_customer_link_stops_working(cast, client_as):
    campaign = campaign_for(cast, [])
    _, token = services.assessment_customer_link_create(actor=admin_actor(cast.tenant), campaign=campaign,
                                                        agent=cast.own_agent)
    edits.assessment_campaign_cancel(actor=admin_actor(cast.tenant), campaign=campaign)
    assert client_as(None).get(f"/api/v1/assessment-links/{token}/").status_code == 404


def test_a_new_rater_of_a_south_agent_needs_the_agent_assessed(cast):
    user = MembershipFactory(tenant=cast.tenant, role="agent", user__email="s9@acme.test").user
    peer = AgentFactory(team=cast.south, user=user, employee_code="S009")
    campaign = campaign_for(cast, [])
    with pytest.raises(ValidationError) as refused:
        edits.assessment_raters_add(actor=admin_actor(cast.tenant), campaign=campaign, agents=[],
                                    raters=[{"agent": cast.south_agents[0], "peers": [peer]}])
    assert set(refused.value.detail) == {"raters.0.agent"}
