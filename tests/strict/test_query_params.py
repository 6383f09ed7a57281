"""Invalid or unknown query parameters are a 400 naming the parameter, never silently ignored."""

import pytest

from accounts.models import AuditEvent
from performance.models import AgentPeriodScore
from tests.factories import InteractionFactory
from tests.strict.conftest import error_fields


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


@pytest.mark.parametrize(("path", "query", "field"), [
    ("agents/", "page_size=abc", "page_size"),
    ("agents/", "page_size=-1", "page_size"),
    ("agents/", "page_size=0", "page_size"),
    ("agents/", "page_size=501", "page_size"),
    ("agents/", "page_size=1e3", "page_size"),
    ("agents/", "page=0", "page"),
    ("agents/", "page=abc", "page"),
    ("agents/", "ordering=zzz", "ordering"),
    ("agents/", "ordering=--employee_code", "ordering"),
    ("agents/", "ordering=%2Bemployee_code", "ordering"),
    ("agents/", "ordering=employee_code,", "ordering"),
    ("agents/", "teem=3", "teem"),
    ("agents/", "is_active=maybe", "is_active"),
    ("audit-log/", "cursor=garbage", "cursor"),
    ("audit-log/", "cursor=!!!", "cursor"),
    ("audit-log/", "page=2", "page"),
    ("audit-log/", "page_size=1001", "page_size"),
    ("interactions/", "cursor=cD0yMDI2LTEwLTAx", "cursor"),  # an unsigned DRF cursor (p=2026-10-01)
    ("interactions/", "ordering=-team", "ordering"),
    ("periods/1/scores/", "ordering=bogus", "ordering"),
    ("qa-reviews/", "channel=fax", "channel"),
    ("kpis/", "search=aht", "search"),
])
def test_an_invalid_query_parameter_is_a_400_naming_it(cast, admin, path, query, field):
    if "periods/1/" in path:
        from tests.performance.conftest import make_period
        path = path.replace("1", str(make_period(cast.tenant).pk))

    response = admin.get(cast.url(f"{path}?{query}"))

    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert [name for name, _code in error_fields(response)] == [field]


def test_an_unknown_parameter_lists_what_the_endpoint_reads(cast, admin):
    response = admin.get(cast.url("agents/?teem=3"))

    assert error_fields(response) == [("teem", "unknown_parameter")]
    message = response.json()["errors"][0]["message"]
    assert "team" in message and "page_size" in message and "ordering" in message and "search" in message


def test_detail_endpoints_and_me_refuse_parameters_they_do_not_read(cast, admin):
    assert error_fields(admin.get(cast.url(f"agents/{cast.own_agent.pk}/?page=2"))) == [("page", "unknown_parameter")]
    assert error_fields(admin.get("/api/v1/me/?verbose=1")) == [("verbose", "unknown_parameter")]
    assert admin.get(cast.url(f"agents/{cast.own_agent.pk}/?format=json")).status_code == 200
    assert admin.get("/api/v1/me/").status_code == 200


def test_valid_parameters_still_work(cast, admin):
    response = admin.get(cast.url(f"agents/?page=1&page_size=2&ordering=-employee_code&team={cast.north.pk}"))

    assert response.status_code == 200
    assert [row["employee_code"] for row in response.json()["results"]] == ["N002", "N001"]


def test_cursors_handed_out_by_a_page_walk_the_list(cast, admin):
    for index in range(5):
        AuditEvent.objects.create(tenant=cast.tenant, action=f"test.{index}", object_type="test", object_id=index)
    seen, url = [], cast.url("audit-log/?page_size=2&action_prefix=test.")
    while url:
        page = admin.get(url)
        assert page.status_code == 200, page.content
        seen += [row["action"] for row in page.json()["results"]]
        url = page.json()["next"]

    assert seen == [f"test.{index}" for index in reversed(range(5))]


def test_a_cursor_of_one_list_is_refused_by_another(cast, admin):
    for index in range(3):
        InteractionFactory(agent=cast.north_agents[1], external_id=f"c{index}")
    next_url = admin.get(cast.url("interactions/?page_size=1")).json()["next"]
    cursor = next_url.split("cursor=")[1].split("&")[0]

    assert admin.get(cast.url(f"interactions/?page_size=1&cursor={cursor}")).status_code == 200
    assert error_fields(admin.get(cast.url(f"shifts/?cursor={cursor}"))) == [("cursor", "invalid")]


def test_parameters_an_action_reads_itself_are_allowed(cast, admin):
    from tests.performance.conftest import compute_now, make_period, make_version

    make_version(cast.tenant)
    period = make_period(cast.tenant)
    compute_now(period)
    assert admin.get(cast.url(f"periods/{period.pk}/scores/?revision=1")).status_code == 200
    score = AgentPeriodScore.objects.filter(period=period).first()
    detail = admin.get(cast.url(f"periods/{period.pk}/scores/{score.pk}/?revision=1"))
    assert error_fields(detail) == [("revision", "unknown_parameter")]
    coverage = admin.get(cast.url(
        f"qa-assignments/coverage/?date_from=2026-10-01&date_to=2026-11-01&page_size=2&team={cast.north.pk}"))
    assert coverage.status_code == 200, coverage.content
    assert error_fields(admin.get(cast.url("qa-assignments/coverage/?date_from=2026-10-01&date_to=2026-11-01"
                                           "&teams=1"))) == [("teams", "unknown_parameter")]
