"""Role x endpoint matrix for the QA endpoints, plus outsiders (404) and anonymous callers (401).

North is granted to the supervisor (manage) and the inspector (review); the agent user is agent N000 of north.
"""

from datetime import date

import pytest

from feedback.models import CalibrationSession
from feedback.services import calibration as calibration_services
from feedback.services import reviews as review_services
from feedback.services.sampling import qa_assignments_generate
from tests.conftest import ROLES
from tests.factories import InteractionFactory
from tests.feedback.factories import actor_for, answers_for, make_version, published_review

FULL = [5, 1, 10, 3]


def only(**codes) -> dict[str, int]:
    """Expected status per role: the given ones, 403 for the rest."""
    return {role: codes.get(role, 403) for role in ROLES}


READERS_OK = only(admin=200, supervisor=200, qa_lead=200, qa_inspector=200)
MANAGERS_OK = only(admin=200, qa_lead=200)
ALL_OK = {role: 200 for role in ROLES}

# (name, method, path, body, expected status per role)
MATRIX = [
    ("rubrics list", "get", "rubrics/", None, READERS_OK),
    ("rubric get", "get", "rubrics/{rubric}/", None, READERS_OK),
    ("rubric create", "post", "rubrics/", {"name": "New", "sections": [
        {"title": "S", "criteria": [{"label": "L", "weight": "1", "scale": "binary"}]}]}, only(admin=201, qa_lead=201)),
    ("rubric rename", "patch", "rubrics/{rubric}/", {"description": "d"}, MANAGERS_OK),
    ("rubric delete (never published)", "delete", "rubrics/{draft_rubric}/", None, only(admin=204, qa_lead=204)),
    ("rubric versions list", "get", "rubric-versions/", None, READERS_OK),
    ("rubric version get", "get", "rubric-versions/{version}/", None, READERS_OK),
    ("rubric version create", "post", "rubric-versions/", {"rubric": "{rubric}"}, only(admin=201, qa_lead=201)),
    ("rubric version edit draft", "patch", "rubric-versions/{draft}/", {"notes": "n"}, MANAGERS_OK),
    ("rubric version publish", "post", "rubric-versions/{draft}/publish/", None, MANAGERS_OK),
    ("reviews list", "get", "qa-reviews/", None, ALL_OK),
    ("review of north", "get", "qa-reviews/{pub_north}/", None, ALL_OK | {"agent": 404}),
    ("review of the agent", "get", "qa-reviews/{pub_own}/", None, ALL_OK),
    ("review of south", "get", "qa-reviews/{pub_south}/", None,
     {"admin": 200, "qa_lead": 200, "supervisor": 404, "qa_inspector": 404, "agent": 404}),
    ("review revisions", "get", "qa-reviews/{pub_north}/revisions/", None, ALL_OK | {"agent": 404}),
    ("review create", "post", "qa-reviews/", {"interaction": "{fresh_ix}", "rubric_version": "{version}"},
     only(qa_inspector=201, qa_lead=201)),
    ("review edit draft", "patch", "qa-reviews/{draft_review}/", {"overall_comment": "c"}, only(qa_inspector=200)),
    ("review delete draft", "delete", "qa-reviews/{draft_review}/", None, only(qa_inspector=204)),
    ("review submit", "post", "qa-reviews/{draft_review}/submit/", None, only(qa_inspector=200)),
    ("review publish", "post", "qa-reviews/{submitted}/publish/", None, only(admin=200, qa_lead=200, qa_inspector=200)),
    ("review amend", "post", "qa-reviews/{pub_north}/amend/",
     {"answers": [{"criterion": "{criterion}", "rating": 1}], "reason": "r"}, only(admin=201, qa_lead=201)),
    ("assignments list", "get", "qa-assignments/", None, READERS_OK),
    ("assignment get", "get", "qa-assignments/{assignment}/", None,
     {"admin": 200, "qa_lead": 200, "qa_inspector": 200, "supervisor": 404, "agent": 403}),
    ("assignments generate", "post", "qa-assignments/generate/",
     {"date_from": "2026-03-01", "date_to": "2026-04-01", "teams": ["{north}"], "inspectors": ["{inspector}"],
      "per_agent": 1}, only(admin=201, qa_lead=201)),
    ("assignment skip", "post", "qa-assignments/{assignment}/skip/", {"reason": "r"},
     only(admin=200, qa_lead=200, qa_inspector=200)),
    ("coverage", "get", "qa-assignments/coverage/?date_from=2026-03-01&date_to=2026-04-01", None,
     only(admin=200, qa_lead=200, supervisor=200)),
    ("batches list", "get", "qa-assignment-batches/", None, MANAGERS_OK),
    ("batch get", "get", "qa-assignment-batches/{batch}/", None, MANAGERS_OK),
    ("calibrations list", "get", "calibrations/", None, only(admin=200, qa_lead=200, qa_inspector=200)),
    ("calibration get", "get", "calibrations/{session}/", None, only(admin=200, qa_lead=200, qa_inspector=200)),
    ("calibration create", "post", "calibrations/", {"title": "t", "rubric_version": "{version}",
     "interactions": ["{fresh_ix}"], "inspectors": ["{inspector}"]}, only(qa_lead=201)),
    ("calibration close", "post", "calibrations/{session}/close/", None, MANAGERS_OK),
    ("calibration results", "get", "calibrations/{closed}/results/", None,
     only(admin=200, qa_lead=200, qa_inspector=200)),
]


@pytest.fixture
def ids(cast, version) -> dict[str, int]:
    users = cast.users
    lead, inspector = actor_for(users["qa_lead"], cast.tenant), actor_for(users["qa_inspector"], cast.tenant)
    draft_version = make_version(cast.tenant, name="Draft", status="draft")
    pub_north = published_review(inspector=users["qa_inspector"], version=version, ratings=FULL,
                                 interaction=InteractionFactory(agent=cast.north_agents[1]))
    pub_own = published_review(inspector=users["qa_lead"], version=version, ratings=FULL,
                               interaction=InteractionFactory(agent=cast.own_agent))
    pub_south = published_review(inspector=users["qa_lead"], version=version, ratings=FULL,
                                 interaction=InteractionFactory(agent=cast.south_agents[0]))
    draft_review = review_services.qa_review_create(
        actor=inspector, interaction=InteractionFactory(agent=cast.north_agents[2]), rubric_version=version,
        answers=answers_for(version, FULL))
    submitted = review_services.qa_review_submit(actor=inspector, review=review_services.qa_review_create(
        actor=inspector, interaction=InteractionFactory(agent=cast.north_agents[2]), rubric_version=version,
        answers=answers_for(version, FULL)))
    InteractionFactory(agent=cast.south_agents[1], started_at=date(2026, 3, 3).isoformat() + "T10:00:00+08:00")
    batch = qa_assignments_generate(actor=lead, date_from=date(2026, 3, 1), date_to=date(2026, 4, 1),
                                    teams=[cast.south], inspectors=[users["qa_inspector"]], per_agent=1, seed=1)
    sessions = []
    for _ in range(2):
        item = InteractionFactory(agent=cast.south_agents[2])
        session = calibration_services.calibration_create(
            actor=lead, title="c", rubric_version=version, interactions=[item], inspectors=[users["qa_inspector"]])
        reference = review_services.qa_review_create(actor=lead, interaction=item, rubric_version=version,
                                                     calibration=session, answers=answers_for(version, FULL))
        review_services.qa_review_submit(actor=lead, review=reference)
        sessions.append(session)
    calibration_services.calibration_close(actor=lead, session=sessions[1])
    return {
        "rubric": version.rubric_id, "version": version.pk, "draft": draft_version.pk,
        "draft_rubric": draft_version.rubric_id, "pub_north": pub_north.pk, "pub_own": pub_own.pk,
        "pub_south": pub_south.pk, "draft_review": draft_review.pk, "submitted": submitted.pk,
        "fresh_ix": InteractionFactory(agent=cast.north_agents[1]).pk,
        "criterion": version.criteria.order_by("position").first().pk, "north": cast.north.pk,
        "inspector": users["qa_inspector"].pk, "assignment": batch.assignments.get().pk, "batch": batch.pk,
        "session": sessions[0].pk, "closed": sessions[1].pk,
    }


def fill(value, ids: dict[str, int]):
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in ids:
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {k: fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, ids) for v in value]
    return value


def call(client, cast, ids, method, path, body, tenant=None):
    return getattr(client, method)(cast.url(path.format(**ids), tenant), fill(body, ids), format="json")


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, role, name, method, path, body, expected):
    response = call(client_as(cast.users[role]), cast, ids, method, path, body)
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_everywhere(cast, client_as, ids, name, method, path, body, expected):
    response = call(client_as(cast.outsider), cast, ids, method, path, body)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_ids_of_another_tenant_are_404_in_its_own_tenant(cast, client_as, ids, name, method, path, body, expected):
    """The outsider is admin of globex: acme's ids under /tenants/globex/ do not exist."""
    if "{" not in path:
        pytest.skip("no object id in the path")
    response = call(client_as(cast.outsider), cast, ids, method, path, body, tenant=cast.other_tenant)
    assert response.status_code in (403, 404)
    if response.status_code == 403:  # the role rule comes first for actions admins may not do at all
        assert expected["admin"] == 403


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_anonymous_gets_401(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(None), cast, ids, method, path, body).status_code == 401


def test_calibration_is_still_open_for_the_matrix(ids):
    assert CalibrationSession.objects.get(pk=ids["session"]).status == "open"
