"""360 assessments: the anonymity threshold (K−1 responses show nothing, K only the aggregate), self and supervisor
answers as such, the customer link (single use, expiry, no account), the assessment KPIs in a period computation,
and answering rules."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from accounts.models import AuditEvent
from feedback.models import AssessmentRequest, AssessmentResponse
from feedback.services import assessments as services
from tests.feedback.assessment_helpers import answer_as, answers, campaign_for, peers_with_logins
from tests.performance.conftest import admin_actor, compute_now, make_version

# Q1 on 1–5, Q2 on 0–10 (normalized: (rating − min) / (max − min) × 100)
PEERS = [(5, 10), (3, 5), (2, 8)]  # Q1 points 100, 50, 25 → 58.33; Q2 100, 50, 80 → 76.67; group 67.50
SELF = (4, 6)  # 75, 60 → 67.50
SUPERVISOR = (5, 9)  # 100, 90 → 95.00


def _results(cast, client_as, campaign, user=None):
    client = client_as(user or cast.users["agent"])
    query = {} if user is None else {"agent": cast.own_agent.pk}
    response = client.get(cast.url(f"assessment-campaigns/{campaign.pk}/results/"), query)
    assert response.status_code == 200, response.content
    return {g["rater_kind"]: g for g in response.json()["groups"]}, response.json()


def test_peers_below_the_threshold_show_nothing_and_from_it_only_the_aggregate(cast, client_as):
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers)
    for peer, ratings in zip(peers[:2], PEERS[:2], strict=True):
        answer_as(peer.user, campaign, cast.own_agent, "peer", ratings, ["", f"note from {peer.employee_code}"])
    groups, _ = _results(cast, client_as, campaign)
    assert groups["peer"] == {"rater_kind": "peer", "anonymous": True, "shown": False, "responses": None,
                              "mean": None, "competencies": [], "questions": [], "comments": []}
    answer_as(peers[2].user, campaign, cast.own_agent, "peer", PEERS[2], ["", "Clear and calm"])
    groups, body = _results(cast, client_as, campaign)
    peer = groups["peer"]
    assert (peer["shown"], peer["responses"], peer["mean"]) == (True, 3, "67.50")
    assert [(q["mean_rating"], q["mean"]) for q in peer["questions"]] == [("3.33", "58.33"), ("7.67", "76.67")]
    assert [c["comment"] for c in peer["comments"]] == ["Clear and calm", "note from P000", "note from P001"]
    assert all(set(c) == {"question", "comment"} for c in peer["comments"])
    assert body["min_responses"] == 3


def test_self_and_supervisor_answers_are_shown_as_such_and_the_threshold_is_a_tenant_setting(cast, client_as):
    cast.tenant.assessment_min_responses = 2
    cast.tenant.save()
    peers = peers_with_logins(cast, 2)
    campaign = campaign_for(cast, peers)
    answer_as(cast.users["agent"], campaign, cast.own_agent, "self", SELF)
    answer_as(cast.users["supervisor"], campaign, cast.own_agent, "supervisor", SUPERVISOR)
    answer_as(peers[0].user, campaign, cast.own_agent, "peer", PEERS[0])
    groups, body = _results(cast, client_as, campaign, cast.users["supervisor"])
    assert (groups["self"]["responses"], groups["self"]["mean"]) == (1, "67.50")
    assert (groups["supervisor"]["responses"], groups["supervisor"]["mean"]) == (1, "95.00")
    assert groups["peer"]["shown"] is False
    assert body["overall"] == "81.25"  # (95 + 67.5) / 2: the hidden peer group does not count
    answer_as(peers[1].user, campaign, cast.own_agent, "peer", PEERS[1])
    groups, body = _results(cast, client_as, campaign, cast.users["supervisor"])
    assert (groups["peer"]["responses"], groups["peer"]["mean"]) == (2, "75.00")  # (100 + 50) / 2
    assert body["overall"] == "79.17"  # (95 + 75 + 67.5) / 3


def test_peer_responses_cannot_be_traced_to_their_rater(cast):
    peers = peers_with_logins(cast, 1)
    campaign = campaign_for(cast, peers)
    answer_as(peers[0].user, campaign, cast.own_agent, "peer", PEERS[0])
    answer_as(cast.users["agent"], campaign, cast.own_agent, "self", SELF)
    assert AssessmentResponse.objects.get(rater_kind="peer").request_id is None
    assert AssessmentResponse.objects.get(rater_kind="self").request.rater == cast.users["agent"]
    audit = AuditEvent.objects.filter(action="assessment_request.answered").order_by("id")
    assert [(e.actor_user_id, e.changes["after"]["rater_kind"]) for e in audit] == [
        (None, "peer"), (cast.users["agent"].pk, "self")]


def test_answering_twice_or_out_of_scale_is_refused(cast, client_as):
    peers = peers_with_logins(cast, 1)
    campaign = campaign_for(cast, peers)
    request = AssessmentRequest.objects.get(campaign=campaign, rater=peers[0].user)
    client = client_as(peers[0].user)
    url = cast.url(f"assessment-requests/{request.pk}/answer/")
    bad = client.post(url, {"answers": answers(campaign, [6, 3])}, format="json")
    assert bad.status_code == 400 and bad.json()["errors"][0]["field"] == "answers.0.rating"
    no_comment = client.post(url, {"answers": answers(campaign, [4, 3], ["not allowed here"])}, format="json")
    assert no_comment.status_code == 400 and no_comment.json()["errors"][0]["field"] == "answers.0.comment"
    assert client.post(url, {"answers": answers(campaign, [4, 3])}, format="json").status_code == 204
    again = client.post(url, {"answers": answers(campaign, [4, 3])}, format="json")
    assert again.status_code == 409 and again.json()["code"] == "assessment_already_submitted"
    other = client_as(cast.users["agent"]).post(url, {"answers": answers(campaign, [4, 3])}, format="json")
    assert other.status_code == 404


def test_the_customer_link_needs_no_account_works_once_and_expires(cast, client_as):
    campaign = campaign_for(cast, [])
    admin = client_as(cast.users["admin"])
    made = admin.post(cast.url(f"assessment-campaigns/{campaign.pk}/customer-links/"),
                      {"agent": cast.own_agent.pk, "expires_in_days": 3}, format="json")
    assert made.status_code == 201, made.content
    token = made.json()["token"]
    stored = AssessmentRequest.objects.get(pk=made.json()["id"])
    assert stored.hashed_token != token and token not in str(stored.__dict__)
    anonymous = client_as(None)
    preview = anonymous.get(f"/api/v1/assessment-links/{token}/")
    assert preview.status_code == 200, preview.content
    assert preview.json()["agent_name"] == cast.own_agent.display_name and len(preview.json()["questions"]) == 2
    url = f"/api/v1/assessment-links/{token}/answer/"
    assert anonymous.post(url, {"answers": answers(campaign, [5, 10])}, format="json").status_code == 204
    assert AssessmentResponse.objects.get(rater_kind="customer").request_id is None
    used = anonymous.post(url, {"answers": answers(campaign, [5, 10])}, format="json")
    unknown = anonymous.get("/api/v1/assessment-links/not-a-token/")
    assert used.status_code == unknown.status_code == 404 and used.json()["detail"] == unknown.json()["detail"]
    assert anonymous.get(f"/api/v1/assessment-links/{token}/").status_code == 404

    _, expiring = services.assessment_customer_link_create(actor=admin_actor(cast.tenant), campaign=campaign,
                                                           agent=cast.own_agent)
    AssessmentRequest.objects.filter(rater_kind="customer", answered=False).update(
        expires_at=timezone.now() - timedelta(seconds=1))
    assert anonymous.get(f"/api/v1/assessment-links/{expiring}/").status_code == 404
    expired = anonymous.post(f"/api/v1/assessment-links/{expiring}/answer/",
                             {"answers": answers(campaign, [5, 10])}, format="json")
    assert expired.status_code == 404


def test_assessment_results_are_kpis_of_the_period_computation(cast, client_as):
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers)
    answer_as(cast.users["agent"], campaign, cast.own_agent, "self", SELF)
    answer_as(cast.users["supervisor"], campaign, cast.own_agent, "supervisor", SUPERVISOR)
    for peer, ratings in zip(peers[:2], PEERS[:2], strict=True):
        answer_as(peer.user, campaign, cast.own_agent, "peer", ratings)
    make_version(cast.tenant, kpis=[("assessment_peer", 1, 0, 100, 1), ("assessment_overall", 1, 0, 100, 1),
                                    ("assessment_supervisor", 1, 0, 100, 1)])
    period = campaign.period
    assert compute_now(period).status == "succeeded"
    lines = _kpi_lines(cast, client_as, period)
    assert lines["assessment_peer"][:2] == (None, 0)  # 2 peer responses < 3: no value, no count
    assert lines["assessment_supervisor"][:2] == ("95.0000", 1)
    assert lines["assessment_overall"][:2] == ("81.2500", 2)  # (95 + 67.5) / 2 over 2 responses
    answer_as(peers[2].user, campaign, cast.own_agent, "peer", PEERS[2])
    assert compute_now(period).counts["unchanged"] is False
    lines = _kpi_lines(cast, client_as, period)
    assert lines["assessment_peer"][:3] == ("67.5000", 3, "67.50")
    assert lines["assessment_overall"][:2] == ("76.6667", 5)  # (95 + 67.5 + 67.5) / 3
    assert Decimal(lines["assessment_overall"][2]) == Decimal("76.67")


def _kpi_lines(cast, client_as, period) -> dict:
    scores = client_as(cast.users["admin"]).get(cast.url(f"periods/{period.pk}/scores/"), {"page_size": 100}).json()
    own = next(s for s in scores["results"] if s["agent"]["id"] == cast.own_agent.pk)
    return {k["kpi_code"]: (k["raw_value"], k["sample_size"], k["points"]) for k in own["schemes"][0]["kpis"]}


def test_schemes_accept_the_assessment_kpis_and_the_catalog_lists_them(cast, client_as):
    kpis = client_as(cast.users["admin"]).get(cast.url("kpis/"), {"page_size": 100}).json()["results"]
    assessment = [k["code"] for k in kpis if k["source"] == "assessments"]
    assert assessment == ["assessment_supervisor", "assessment_peer", "assessment_self", "assessment_customer",
                          "assessment_overall"]


def test_raters_are_reminded_once_near_the_deadline_by_the_sweep(cast, settings):
    from common.models import Notification
    from feedback.tasks import remind_assessments

    peers = peers_with_logins(cast, 2)
    campaign = campaign_for(cast, peers)
    answer_as(peers[0].user, campaign, cast.own_agent, "peer", PEERS[0])
    settings.ASSESSMENT_REMINDER_HOURS = 1  # the deadline is 7 days away: nobody yet
    assert remind_assessments() == {}
    settings.ASSESSMENT_REMINDER_HOURS = 24 * 8
    # unanswered: the self request (agent user), the supervisor's and peer 1's; peer 0 answered
    assert remind_assessments() == {cast.tenant.pk: 3}
    reminded = set(Notification.objects.filter(event="assessment.reminder").values_list("recipient_id", flat=True))
    assert reminded == {cast.users["agent"].pk, cast.users["supervisor"].pk, peers[1].user.pk}
    assert remind_assessments() == {}
