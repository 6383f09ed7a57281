"""The Django admin for platform operators: every model listed, scoring and QA history read-only, change lists
with a bounded number of queries."""

from datetime import date

import pytest
from django.contrib import admin

from accounts.operators import platform_operators_group
from performance.models import AgentPeriodScore
from tests.factories import InteractionFactory, UserFactory
from tests.feedback.factories import make_version as make_rubric_version
from tests.feedback.factories import published_review
from tests.performance.conftest import compute_now, make_period, make_version

ROWS = 8  # per list: enough that a query per row would break the bound


@pytest.fixture
def operator(db, client):
    user = UserFactory(is_staff=True)
    user.groups.add(platform_operators_group())
    client.force_login(user)
    return user


@pytest.fixture
def history(cast):
    """Scores for two periods and ROWS published QA reviews in acme, and a scored period in globex."""
    agents = cast.north_agents + cast.south_agents
    for agent in agents:
        InteractionFactory(agent=agent)
    make_version(cast.tenant, kpis=[("offered", 1, 0, 10, 0)])
    for month in (9, 10):
        compute_now(make_period(cast.tenant, start=date(2026, month, 1), end=date(2026, month + 1, 1)))
    make_version(cast.other_tenant, kpis=[("offered", 1, 0, 10, 0)])
    compute_now(make_period(cast.other_tenant))
    rubric = make_rubric_version(cast.tenant)
    for _ in range(ROWS):
        published_review(inspector=cast.users["qa_inspector"], interaction=InteractionFactory(agent=agents[1]),
                         version=rubric, ratings=[5, 1, 10, 3])
    assert AgentPeriodScore.objects.filter(tenant=cast.tenant).count() >= ROWS


def registered_changelists(app_label: str) -> list[str]:
    return [f"/admin/{app_label}/{model._meta.model_name}/" for model in admin.site._registry
            if model._meta.app_label == app_label]


def test_the_index_lists_scoring_and_qa_models_to_an_operator(operator, client):
    response = client.get("/admin/")
    assert response.status_code == 200
    text = response.content.decode()
    assert "You don’t have permission" not in text
    for name in ("Kpi periods", "Agent period scores", "Score revisions", "Computation jobs", "Qa reviews",
                 "Rubric versions", "Qa assignments", "Calibration sessions", "Tenants", "Audit events"):
        assert name in text, name


@pytest.mark.parametrize("app_label", ["accounts", "performance", "feedback"])
def test_every_change_list_opens_for_an_operator(history, operator, client, app_label):
    urls = registered_changelists(app_label)
    assert len(urls) >= 5
    for url in urls:
        assert client.get(url).status_code == 200, url
        assert client.get(f"{url}?q=x").status_code == 200, url


@pytest.mark.parametrize("url", ["/admin/performance/kpiperiod/", "/admin/performance/agentperiodscore/",
                                 "/admin/performance/scorerevision/", "/admin/performance/computationjob/",
                                 "/admin/feedback/qareview/", "/admin/accounts/auditevent/",
                                 "/admin/accounts/membership/", "/admin/accounts/agent/"])
def test_change_lists_have_a_bounded_number_of_queries(history, operator, client, django_assert_max_num_queries,
                                                       url):
    with django_assert_max_num_queries(10):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2


def test_a_change_list_filters_by_tenant(history, operator, client, cast):
    response = client.get("/admin/performance/kpiperiod/", {"tenant__id__exact": cast.other_tenant.pk})
    assert {period.tenant_id for period in response.context["cl"].result_list} == {cast.other_tenant.pk}


def test_score_rows_and_reviews_are_read_only_even_for_a_superuser(history, client, cast):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    score = AgentPeriodScore.objects.filter(tenant=cast.tenant).first()
    url = f"/admin/performance/agentperiodscore/{score.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.post(url, {"total": "99"}).status_code == 403
    assert client.get("/admin/performance/agentperiodscore/add/").status_code == 403
    assert client.post(f"/admin/performance/agentperiodscore/{score.pk}/delete/", {"post": "yes"}).status_code == 403
    review_page = client.get("/admin/feedback/qareview/").content.decode()
    assert "/admin/feedback/qareview/add/" not in review_page


def test_a_staff_user_outside_the_group_sees_nothing(db, client):
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/performance/kpiperiod/").status_code == 403
