"""360 assessments: the permission matrix (role × endpoint), no endpoint pairing a peer's identity with an answer
(the schema and the responses), and list and result query counts that do not grow with rows."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import AssessmentRequest
from tests.conftest import ROLES
from tests.factories import AgentFactory, MembershipFactory, grant
from tests.feedback.assessment_helpers import QUESTIONS, answer_as, campaign_for, peers_with_logins
from tests.performance.conftest import make_period


def only(**codes) -> dict[str, int]:
    return {role: codes.get(role, 403) for role in ROLES}


ALL_OK = {role: 200 for role in ROLES}
MATRIX = [
    ("templates list", "get", "assessment-templates/", None, only(admin=200, supervisor=200, qa_lead=200)),
    ("template get", "get", "assessment-templates/{template}/", None, only(admin=200, supervisor=200, qa_lead=200)),
    ("template create", "post", "assessment-templates/", {"name": "New", "questions": QUESTIONS}, only(admin=201)),
    ("template version", "post", "assessment-templates/{template}/versions/", {"questions": QUESTIONS},
     only(admin=201)),
    ("campaigns list", "get", "assessment-campaigns/", None, only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("campaign get", "get", "assessment-campaigns/{campaign}/", None,
     only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("campaign create", "post", "assessment-campaigns/", {"name": "C", "period": "{period}",
                                                          "template_version": "{version}",
                                                          "deadline": "2099-01-01T00:00:00Z"}, only(admin=201)),
    ("campaign progress", "get", "assessment-campaigns/{campaign}/progress/", None, only(admin=200, supervisor=200)),
    ("campaign results", "get", "assessment-campaigns/{campaign}/results/?agent={agent}", None,
     only(admin=200, supervisor=200, agent=200)),
    ("customer link", "post", "assessment-campaigns/{campaign}/customer-links/", {"agent": "{agent}"},
     only(admin=201)),
    ("campaign close", "post", "assessment-campaigns/{campaign}/close/", None, only(admin=200)),
    ("campaign update", "patch", "assessment-campaigns/{campaign}/", {"description": "Peers by the lead."},
     only(admin=200)),
    ("campaign cancel", "post", "assessment-campaigns/{campaign}/cancel/", None, only(admin=200)),
    ("campaign delete", "delete", "assessment-campaigns/{campaign}/", None, only(admin=204)),
    ("campaign raters", "get", "assessment-campaigns/{campaign}/raters/", None, only(admin=200)),
    ("raters add", "post", "assessment-campaigns/{campaign}/raters/",
     {"raters": [{"agent": "{agent}", "peers": ["{spare}"]}]}, only(admin=201)),
    ("rater remove", "delete", "assessment-campaigns/{campaign}/raters/{peer_request}/", None, only(admin=204)),
    ("campaigns filtered", "get", "assessment-campaigns/?status=open&team={team}&agent={agent}&period={period0}",
     None, only(admin=200, supervisor=200, qa_lead=200, agent=200)),
    ("my requests filtered", "get", "assessment-requests/?answered=false&status=open&campaign={campaign}", None,
     ALL_OK),
    ("my requests", "get", "assessment-requests/", None, ALL_OK),
    ("own request", "get", "assessment-requests/{own_request}/", None, ALL_OK | {r: 404 for r in ROLES
                                                                               if r != "agent"}),
]


@pytest.fixture
def world(cast):
    peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, peers)
    spare = AgentFactory(team=cast.north, employee_code="P900", user=MembershipFactory(
        tenant=cast.tenant, role="agent", user__email="spare@acme.test").user)
    return {"cast": cast, "campaign": campaign, "peers": peers, "ids": {
        "spare": spare.pk, "team": cast.north.pk, "period0": campaign.period_id,
        "peer_request": AssessmentRequest.objects.get(campaign=campaign, rater=peers[0].user).pk,
        "template": campaign.template_version.template_id, "campaign": campaign.pk, "agent": cast.own_agent.pk,
        "version": campaign.template_version_id,
        "period": make_period(cast.tenant, start=campaign.period.end, end=date(2026, 12, 1)).pk,
        "own_request": AssessmentRequest.objects.get(campaign=campaign, rater=cast.users["agent"]).pk}}


def _fill(value, ids):
    if isinstance(value, str):
        for key, id_ in ids.items():
            value = value.replace("{" + key + "}", str(id_))
        return int(value) if value.isdigit() else value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[m[0] for m in MATRIX])
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(world, client_as, name, method, path, body, expected, role):
    cast = world["cast"]
    client = client_as(cast.users[role])
    response = getattr(client, method)(cast.url(_fill(path, world["ids"])), _fill(body, world["ids"]), format="json")
    assert response.status_code == expected[role], (role, response.content)


def test_outsiders_get_404_and_anonymous_401(world, client_as):
    cast = world["cast"]
    url = cast.url(f"assessment-campaigns/{world['campaign'].pk}/results/")
    assert client_as(cast.outsider).get(url, {"agent": cast.own_agent.pk}).status_code == 404
    assert client_as(None).get(url, {"agent": cast.own_agent.pk}).status_code == 401


def test_supervisors_see_results_only_of_their_teams(world, client_as):
    cast = world["cast"]
    grant(MembershipFactory(tenant=cast.tenant, role="supervisor").user, cast.south, "manage")  # south's rater
    campaign = campaign_for(cast, [], agents=[cast.south_agents[0]], period=world["campaign"].period)
    url = cast.url(f"assessment-campaigns/{campaign.pk}/results/")
    assert client_as(cast.users["supervisor"]).get(url, {"agent": cast.south_agents[0].pk}).status_code == 404
    assert client_as(cast.users["admin"]).get(url, {"agent": cast.south_agents[0].pk}).status_code == 200
    own = cast.url(f"assessment-campaigns/{world['campaign'].pk}/results/")
    assert client_as(cast.users["agent"]).get(own, {"agent": cast.north_agents[1].pk}).status_code == 404


IDENTITY = {"rater", "rater_id", "user", "email", "author", "filed_by", "created_by", "peer"}
ANSWER = {"rating", "comment", "mean_rating", "answers"}


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}.{key}")
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value, path)


def test_no_assessment_schema_pairs_a_rater_with_an_answer(client_as, cast):
    schema = client_as(cast.users["admin"]).get("/api/schema/?format=json").json()
    components = schema["components"]["schemas"]
    names = [n for n in components if n.startswith("Assessment")]
    assert len(names) > 10
    for name in names:
        for path, node in _walk(components[name]):
            props = set(node.get("properties") or {})
            assert not (props & IDENTITY and props & ANSWER), (name, path, props)


def test_no_assessment_response_names_a_peer(world, client_as):
    """Every assessment endpoint, read as every role, after all peers answered: no peer's id or email anywhere."""
    cast, campaign, peers = world["cast"], world["campaign"], world["peers"]
    for peer, ratings in zip(peers, [(5, 10), (3, 5), (2, 8)], strict=True):
        answer_as(peer.user, campaign, cast.own_agent, "peer", ratings, ["", f"by {peer.employee_code}?"])
    peer_users = {p.user.pk for p in peers}
    urls = ["assessment-templates/", "assessment-campaigns/", f"assessment-campaigns/{campaign.pk}/",
            f"assessment-campaigns/{campaign.pk}/progress/",
            f"assessment-campaigns/{campaign.pk}/results/?agent={cast.own_agent.pk}", "assessment-requests/"]
    for role in ROLES:
        client = client_as(cast.users[role])
        for url in urls:
            response = client.get(cast.url(url))
            if response.status_code != 200:
                continue
            text = response.content.decode()
            assert not any(p.user.email in text for p in peers), (role, url)
            for _path, node in _walk(response.json()):
                for key in IDENTITY & set(node):
                    assert node[key] not in peer_users, (role, url, node)
    # a peer sees their own (answered) request, with no answer in it
    mine = client_as(peers[0].user).get(cast.url("assessment-requests/")).json()["results"]
    assert [(r["rater"], r["answered"]) for r in mine] == [(peers[0].user.pk, True)]
    assert not ANSWER & set(mine[0])


def _queries(client, url, params=None) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(ctx)


def test_query_counts_do_not_grow_with_agents_or_responses(cast, client_as):
    admin = client_as(cast.users["admin"])
    few_peers = peers_with_logins(cast, 3)
    campaign = campaign_for(cast, few_peers, agents=[cast.own_agent, *few_peers])
    for peer in few_peers:
        answer_as(peer.user, campaign, cast.own_agent, "peer", (4, 7), ["", "fine"])
    progress = cast.url(f"assessment-campaigns/{campaign.pk}/progress/")
    results = cast.url(f"assessment-campaigns/{campaign.pk}/results/")
    few = (_queries(admin, progress, {"page_size": 100}), _queries(admin, results, {"agent": cast.own_agent.pk}),
           _queries(admin, cast.url("assessment-templates/")))
    many_peers = list(few_peers)
    for i in range(20):
        user = MembershipFactory(tenant=cast.tenant, role="agent", user__email=f"more{i}@acme.test").user
        many_peers.append(AgentFactory(team=cast.north, user=user, employee_code=f"M{i:03d}"))
    campaign2 = campaign_for(cast, many_peers, agents=[cast.own_agent, *many_peers], period=campaign.period)
    for peer in many_peers:
        answer_as(peer.user, campaign2, cast.own_agent, "peer", (4, 7), ["", "fine"])
    progress2 = cast.url(f"assessment-campaigns/{campaign2.pk}/progress/")
    results2 = cast.url(f"assessment-campaigns/{campaign2.pk}/results/")
    many = (_queries(admin, progress2, {"page_size": 100}), _queries(admin, results2, {"agent": cast.own_agent.pk}),
            _queries(admin, cast.url("assessment-templates/")))
    assert many == few
