"""Role × endpoint matrix for appeals, outsiders (404), anonymous callers (401), and bounded query counts.

North is granted to the supervisor (manage) and the inspector (review); the agent user is agent N000 of north.
A second agent user works in south, which nobody but admins and QA leads sees.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.services import appeals as services
from tests.conftest import ROLES
from tests.factories import AgentFactory, InteractionFactory, MembershipFactory
from tests.feedback.appeal_helpers import RATINGS, decide_all, file_review_appeal, own_review
from tests.feedback.factories import actor_for, published_review
from tests.feedback.test_permission_matrix import call


def only(**codes) -> dict[str, int]:
    return {role: codes.get(role, 403) for role in ROLES}


ALL_OK = {role: 200 for role in ROLES}
ALL_CREATED = {role: 201 for role in ROLES}

MATRIX = [
    ("appeals list", "get", "appeals/", None, ALL_OK),
    ("appeal of the agent", "get", "appeals/{own}/", None, ALL_OK),
    ("appeal of south", "get", "appeals/{south}/", None,
     {"admin": 200, "qa_lead": 200, "supervisor": 404, "qa_inspector": 404, "agent": 404}),
    ("appeal file", "post", "appeals/", {"review": "{fresh_review}", "reason": "r"}, only(agent=201)),
    ("appeal assign", "post", "appeals/{own}/assign/", {}, only(admin=200, qa_lead=200)),
    ("appeal decide", "post", "appeals/{own}/decide/",
     {"outcome": "upheld", "rationale": "r", "items": [{"item": "{own_item}", "accepted": False}]}, only(admin=200)),
    ("appeal withdraw", "post", "appeals/{own}/withdraw/", {}, only(agent=200)),
    ("appeal escalate", "post", "appeals/{decided}/escalate/", {"reason": "r"}, only(agent=200)),
    ("appeal comment", "post", "appeals/{own}/comments/", {"body": "b"}, ALL_CREATED),
    ("appeal history", "get", "appeals/{own}/history/", None, ALL_OK),
    ("appeal attachments", "get", "appeals/{own}/attachments/", None, ALL_OK),
    ("appeals report", "get", "reports/appeals/?period={period}", None, only(admin=200, qa_lead=200)),
]


@pytest.fixture
def ids(cast, version) -> dict[str, int]:
    from tests.performance.conftest import make_period

    own = file_review_appeal(cast, own_review(cast, version))  # inspector: qa_inspector; reviewer: the admin
    second = file_review_appeal(cast, own_review(cast, version))  # reviewer: the QA lead (least loaded)
    decided = decide_all(second, second.reviewer, accepted=False)
    south_user = MembershipFactory(tenant=cast.tenant, role="agent", user__email="south@acme.test").user
    south_agent = AgentFactory(team=cast.south, user=south_user, employee_code="S900")
    south_review = published_review(inspector=cast.users["qa_lead"], version=version, ratings=RATINGS,
                                    interaction=InteractionFactory(agent=south_agent))
    south = services.appeal_file(actor=actor_for(south_user, cast.tenant), review=south_review, reason="r")
    return {"own": own.pk, "own_item": own.items.get().pk, "decided": decided.pk, "south": south.pk,
            "fresh_review": own_review(cast, version).pk, "period": make_period(cast.tenant).pk}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_role_matrix(cast, client_as, ids, role, name, method, path, body, expected):
    response = call(client_as(cast.users[role]), cast, ids, method, path, body)
    assert response.status_code == expected[role], response.content


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_outsider_gets_404_everywhere(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(cast.outsider), cast, ids, method, path, body).status_code == 404


@pytest.mark.parametrize(("name", "method", "path", "body", "expected"), MATRIX, ids=[row[0] for row in MATRIX])
def test_anonymous_gets_401(cast, client_as, ids, name, method, path, body, expected):
    assert call(client_as(None), cast, ids, method, path, body).status_code == 401


def count_queries(client, url) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, {"page_size": 100})
    assert response.status_code == 200, response.content
    return len(ctx), len(response.json()["results"])


@pytest.mark.parametrize("role", ["qa_lead", "supervisor", "agent", "qa_inspector"])
def test_the_appeal_list_query_count_does_not_grow(cast, client_as, version, role):
    client = client_as(cast.users[role])
    for _ in range(2):
        file_review_appeal(cast, own_review(cast, version), proposals={0: 5, 1: 1})
    few, few_rows = count_queries(client, cast.url("appeals/"))
    for _ in range(8):
        file_review_appeal(cast, own_review(cast, version), proposals={0: 5, 1: 1})
    many, many_rows = count_queries(client, cast.url("appeals/"))
    assert (few_rows, many_rows) == (2, 10)
    assert many == few and few <= 8


@pytest.mark.parametrize("child", ["history", "attachments"])
def test_the_thread_lists_query_count_does_not_grow(cast, client_as, version, child, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from feedback.services.appeal_attachments import appeal_attachment_add

    settings.MEDIA_ROOT = tmp_path
    appeal = file_review_appeal(cast, own_review(cast, version))
    agent = actor_for(cast.users["agent"], cast.tenant)
    client = client_as(cast.users["supervisor"])
    url = cast.url(f"appeals/{appeal.pk}/{child}/")

    def add(n):
        for i in range(n):
            if child == "attachments":
                appeal_attachment_add(appeal=appeal, actor=agent, upload=SimpleUploadedFile(f"{i}.txt", b"note"))
            else:
                services.appeal_comment(appeal=appeal, author=agent, body=f"comment {i}")

    add(1)
    few, few_rows = count_queries(client, url)
    add(6)
    many, many_rows = count_queries(client, url)
    assert many_rows > few_rows and many == few and few <= 8


def test_the_report_takes_a_bounded_number_of_queries(cast, client_as, version, django_assert_max_num_queries):
    from tests.performance.conftest import make_period

    period = make_period(cast.tenant)
    with django_assert_max_num_queries(14):
        response = client_as(cast.users["qa_lead"]).get(cast.url("reports/appeals/"), {"period": period.pk})
    assert response.status_code == 200
