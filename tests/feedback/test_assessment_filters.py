"""Filters of the 360 assessment campaign and request lists and of the coaching list: by period, status, team,
agent (strict: unknown parameters, bad values and ids out of scope are a 400), within the caller's scope, and with a
number of queries that does not grow with the rows."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from feedback.models import AssessmentRequest
from feedback.services import assessment_campaign_edits as edits
from feedback.services.assessments import assessment_campaign_close
from feedback.services.coaching import coaching_session_create, coaching_session_update
from tests.factories import MembershipFactory, grant
from tests.feedback.assessment_helpers import answer_as, campaign_for, peers_with_logins
from tests.feedback.factories import actor_for
from tests.performance.conftest import admin_actor, make_period

SH = ZoneInfo("Asia/Shanghai")


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def _campaigns(cast):
    """October: north (N000) open and south (S000) closed; November: north cancelled."""
    october, november = make_period(cast.tenant), make_period(cast.tenant, start=date(2026, 11, 1),
                                                              end=date(2026, 12, 1))
    north = campaign_for(cast, [], period=october)
    grant(MembershipFactory(tenant=cast.tenant, role="supervisor").user, cast.south, "manage")
    south = campaign_for(cast, [], period=october, agents=[cast.south_agents[0]])
    edits.assessment_campaign_update(actor=admin_actor(cast.tenant), campaign=south, name="South")
    assessment_campaign_close(actor=admin_actor(cast.tenant), campaign=south)
    later = campaign_for(cast, [], period=november)
    edits.assessment_campaign_cancel(actor=admin_actor(cast.tenant), campaign=later)
    return october, november, north, south, later


def test_campaigns_filter_by_period_status_team_and_agent(cast, client_as):
    october, november, north, south, later = _campaigns(cast)
    admin = client_as(cast.users["admin"])
    url = cast.url("assessment-campaigns/")
    assert _ids(admin.get(url)) == [later.pk, south.pk, north.pk]
    assert _ids(admin.get(url, {"period": october.pk})) == [south.pk, north.pk]
    assert _ids(admin.get(url, {"status": "cancelled"})) == [later.pk]
    assert _ids(admin.get(url, {"status": "closed", "period": october.pk})) == [south.pk]
    assert _ids(admin.get(url, {"team": cast.south.pk})) == [south.pk]
    assert _ids(admin.get(url, {"agent": cast.own_agent.pk})) == [later.pk, north.pk]
    assert _ids(admin.get(url, {"agent": cast.own_agent.pk, "period": november.pk})) == [later.pk]
    # an agent sees only the campaigns assessing them, whatever the filter
    assert _ids(client_as(cast.users["agent"]).get(url, {"period": october.pk})) == [north.pk]
    for bad in ({"status": "archived"}, {"team": cast.other_team.pk}, {"agent": cast.other_agent.pk},
                {"period": "x"}, {"rater": cast.users["agent"].pk}):
        assert admin.get(url, bad).status_code == 400, bad
    # a supervisor may not filter by a team they are not granted (the same 400 as another tenant's)
    assert client_as(cast.users["supervisor"]).get(url, {"team": cast.south.pk}).status_code == 400


def test_my_requests_filter_by_campaign_period_status_answered_and_agent(cast, client_as):
    peers = peers_with_logins(cast, 2)
    october = make_period(cast.tenant)
    first = campaign_for(cast, peers, period=october, agents=[cast.own_agent, peers[1]])
    answer_as(cast.users["supervisor"], first, cast.own_agent, "supervisor", (4, 7))
    supervisor = client_as(cast.users["supervisor"])
    url = cast.url("assessment-requests/")
    mine = AssessmentRequest.objects.filter(rater=cast.users["supervisor"])
    own = mine.get(agent=cast.own_agent).pk
    other = mine.get(agent=peers[1]).pk
    assert sorted(_ids(supervisor.get(url))) == sorted([own, other])
    assert _ids(supervisor.get(url, {"answered": "false"})) == [other]
    assert _ids(supervisor.get(url, {"agent": cast.own_agent.pk})) == [own]
    assert _ids(supervisor.get(url, {"team": cast.north.pk, "answered": "true"})) == [own]
    assert _ids(supervisor.get(url, {"period": october.pk + 1000})) == []
    assert sorted(_ids(supervisor.get(url, {"campaign": first.pk, "status": "open"}))) == sorted([own, other])
    assert _ids(supervisor.get(url, {"status": "closed"})) == []
    assert _ids(supervisor.get(url, {"rater_kind": "peer"})) == []
    # a peer filtering by another agent's id sees nothing but their own requests
    assert _ids(client_as(peers[0].user).get(url, {"agent": cast.own_agent.pk})) == [
        mine.model.objects.get(rater=peers[0].user, agent=cast.own_agent).pk]
    for bad in ({"answered": "maybe"}, {"agent": "abc"}, {"campaign": "1.5"}, {"status": "done"}, {"agent": 0},
                {"rater": 1}):
        assert supervisor.get(url, bad).status_code == 400, bad


def _session(cast, agent, held: datetime, role="qa_lead", **extra):
    return coaching_session_create(actor=actor_for(cast.users[role], cast.tenant), agent=agent, held_at=held,
                                   topic="Empathy", **extra)


def test_coaching_filters_by_agent_coach_team_status_and_date_range(cast, client_as):
    north = _session(cast, cast.own_agent, datetime(2026, 10, 5, 10, tzinfo=SH), role="supervisor")
    south = _session(cast, cast.south_agents[0], datetime(2026, 10, 20, 10, tzinfo=SH))
    november = coaching_session_update(
        actor=actor_for(cast.users["qa_lead"], cast.tenant), follow_up_status="done",
        session=_session(cast, cast.north_agents[1], datetime(2026, 11, 3, 10, tzinfo=SH)))
    lead = client_as(cast.users["qa_lead"])
    url = cast.url("coaching/")
    assert _ids(lead.get(url)) == [november.pk, south.pk, north.pk]
    assert _ids(lead.get(url, {"team": cast.north.pk})) == [november.pk, north.pk]
    assert _ids(lead.get(url, {"agent": cast.south_agents[0].pk})) == [south.pk]
    assert _ids(lead.get(url, {"coach": cast.users["supervisor"].pk})) == [north.pk]
    assert _ids(lead.get(url, {"follow_up_status": "done"})) == [november.pk]
    assert _ids(lead.get(url, {"held_from": "2026-10-10T00:00:00+08:00",
                               "held_before": "2026-11-01T00:00:00+08:00"})) == [south.pk]
    for bad in ({"team": cast.other_team.pk}, {"follow_up_status": "later"}, {"held_from": "yesterday"},
                {"topic": "Empathy"}):
        assert lead.get(url, bad).status_code == 400, bad
    # the supervisor sees north only, and may not filter by south
    supervisor = client_as(cast.users["supervisor"])
    assert _ids(supervisor.get(url, {"team": cast.north.pk})) == [november.pk, north.pk]
    assert supervisor.get(url, {"team": cast.south.pk}).status_code == 400


def test_filtered_lists_take_a_bounded_number_of_queries(cast, client_as, django_assert_max_num_queries):
    peers = peers_with_logins(cast, 6)
    october = make_period(cast.tenant)
    for _ in range(12):
        last = campaign_for(cast, peers, period=october, agents=[cast.own_agent, *peers])
    for day in range(1, 21):
        _session(cast, cast.own_agent, datetime(2026, 10, day, 10, tzinfo=SH))
    admin, supervisor = client_as(cast.users["admin"]), client_as(cast.users["supervisor"])
    with django_assert_max_num_queries(8):
        rows = admin.get(cast.url("assessment-campaigns/"), {"team": cast.north.pk, "agent": cast.own_agent.pk,
                                                             "period": october.pk, "status": "open",
                                                             "page_size": 100})
    assert len(_ids(rows)) == 12
    with django_assert_max_num_queries(8):
        rows = supervisor.get(cast.url("assessment-requests/"), {"team": cast.north.pk, "answered": "false",
                                                                 "period": october.pk, "page_size": 100})
    assert len(_ids(rows)) == 12 * 7  # each campaign: the supervisor rates N000 and the six peers
    with django_assert_max_num_queries(8):
        rows = admin.get(cast.url(f"assessment-campaigns/{last.pk}/raters/"), {"page_size": 100})
    assert len(_ids(rows)) == 7 + 7 + 6  # supervisor and self for each of the 7 agents, 6 peers of N000
    with django_assert_max_num_queries(8):
        rows = supervisor.get(cast.url("coaching/"), {"team": cast.north.pk, "agent": cast.own_agent.pk,
                                                      "held_from": "2026-10-01T00:00:00+08:00", "page_size": 100})
    assert len(_ids(rows)) == 20
