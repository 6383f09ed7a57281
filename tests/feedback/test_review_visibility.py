"""Who sees which reviews: exactly the rows each role may see, in lists and by id."""

import pytest

from feedback.services import reviews as services
from tests.conftest import ROLES
from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, answers_for, published_review

FULL = [5, 1, 10, 3]


@pytest.fixture
def reviews(cast, version):
    """Five reviews:
    pub     — published by the inspector, north agent N001
    sub     — submitted (not published) by the inspector, the agent user's own record (north)
    draft   — the lead's draft, north
    south   — published by the lead, south
    own_pub — published by the lead, the agent user's own record
    """
    users = cast.users
    lead = actor_for(users["qa_lead"], cast.tenant)
    inspector = actor_for(users["qa_inspector"], cast.tenant)
    pub = published_review(inspector=users["qa_inspector"], interaction=InteractionFactory(agent=cast.north_agents[1]),
                           version=version, ratings=FULL)
    sub = services.qa_review_create(actor=inspector, interaction=InteractionFactory(agent=cast.own_agent),
                                    rubric_version=version, answers=answers_for(version, FULL))
    sub = services.qa_review_submit(actor=inspector, review=sub)
    draft = services.qa_review_create(actor=lead, interaction=InteractionFactory(agent=cast.north_agents[2]),
                                      rubric_version=version)
    south = published_review(inspector=users["qa_lead"], interaction=InteractionFactory(agent=cast.south_agents[0]),
                             version=version, ratings=FULL)
    own_pub = published_review(inspector=users["qa_lead"], interaction=InteractionFactory(agent=cast.own_agent),
                               version=version, ratings=FULL)
    return {"pub": pub, "sub": sub, "draft": draft, "south": south, "own_pub": own_pub}


VISIBLE = {
    "admin": {"pub", "sub", "draft", "south", "own_pub"},
    "qa_lead": {"pub", "sub", "draft", "south", "own_pub"},
    "qa_inspector": {"pub", "sub", "own_pub"},  # own + non-draft of granted north
    "supervisor": {"pub", "own_pub"},  # published of north
    "agent": {"own_pub"},  # own published only
}


@pytest.mark.parametrize("role", ROLES)
def test_each_role_sees_exactly_its_reviews(cast, client_as, reviews, role):
    client = client_as(cast.users[role])
    listed = {r["id"] for r in client.get(cast.url("qa-reviews/?page_size=50")).json()["results"]}
    assert listed == {reviews[name].pk for name in VISIBLE[role]}
    for name, review in reviews.items():
        status = client.get(cast.url(f"qa-reviews/{review.pk}/")).status_code
        assert status == (200 if name in VISIBLE[role] else 404), name


def test_publishing_makes_a_review_visible_to_the_agent_and_supervisor(cast, client_as, reviews):
    sub = reviews["sub"]
    agent, supervisor = client_as(cast.users["agent"]), client_as(cast.users["supervisor"])
    assert agent.get(cast.url(f"qa-reviews/{sub.pk}/")).status_code == 404
    assert supervisor.get(cast.url(f"qa-reviews/{sub.pk}/")).status_code == 404
    services.qa_review_publish(actor=actor_for(cast.users["qa_lead"], cast.tenant), review=sub)
    body = agent.get(cast.url(f"qa-reviews/{sub.pk}/")).json()
    assert body["status"] == "published" and len(body["answers"]) == 4
    assert supervisor.get(cast.url(f"qa-reviews/{sub.pk}/")).status_code == 200


def test_outsider_gets_404_for_every_review(cast, client_as, reviews):
    outsider = client_as(cast.outsider)
    assert outsider.get(cast.url("qa-reviews/")).status_code == 404
    for review in reviews.values():
        assert outsider.get(cast.url(f"qa-reviews/{review.pk}/")).status_code == 404
        # their own tenant does not reveal it either
        assert outsider.get(cast.url(f"qa-reviews/{review.pk}/", cast.other_tenant)).status_code == 404
