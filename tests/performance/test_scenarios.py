"""Scenario codes: admins define, rename and delete them (audited); everyone in the tenant may list them."""

from __future__ import annotations

import pytest

from accounts.models import AuditEvent
from performance.models import Scenario
from tests.factories import InteractionFactory, ScenarioFactory


@pytest.fixture
def admin(cast, client_as):
    return client_as(cast.users["admin"])


def test_an_admin_defines_a_scenario_and_it_is_audited(cast, admin):
    response = admin.post(cast.url("scenarios/"), {"code": "tech_support", "name": "Tech support"}, format="json")

    assert response.status_code == 201
    scenario = Scenario.objects.get(pk=response.json()["id"])
    assert (scenario.tenant, scenario.code, scenario.name) == (cast.tenant, "tech_support", "Tech support")
    event = AuditEvent.objects.get(action="scenario.created")
    assert (event.object_id, event.changes) == (str(scenario.pk), {"after": {"code": "tech_support",
                                                                            "name": "Tech support"}})


@pytest.mark.parametrize(("body", "field"), [
    ({"code": "Tech Support", "name": "x"}, "code"),
    ({"code": "inquiry", "name": "Again"}, "code"),
    ({"code": "", "name": "x"}, "code"),
    ({"code": "ok_code"}, "name"),
])
def test_invalid_or_taken_codes_are_refused(cast, admin, body, field):
    ScenarioFactory(tenant=cast.tenant, code="inquiry")

    response = admin.post(cast.url("scenarios/"), body, format="json")

    assert response.status_code == 400
    assert [error["field"] for error in response.json()["errors"]] == [field]
    assert Scenario.objects.filter(tenant=cast.tenant).count() == 1


def test_the_same_code_may_exist_in_another_tenant(cast, admin):
    ScenarioFactory(tenant=cast.other_tenant, code="inquiry")

    assert admin.post(cast.url("scenarios/"), {"code": "inquiry", "name": "Inquiry"}, format="json").status_code == 201


def test_renaming_keeps_interactions_pointing_at_the_scenario(cast, admin):
    scenario = ScenarioFactory(tenant=cast.tenant, code="inquiry")
    interaction = InteractionFactory(agent=cast.own_agent, scenario=scenario)
    ScenarioFactory(tenant=cast.tenant, code="complaint")
    url = cast.url(f"scenarios/{scenario.pk}/")

    taken = admin.patch(url, {"code": "complaint"}, format="json")
    renamed = admin.patch(url, {"code": "question", "name": "Question"}, format="json")

    assert taken.status_code == 400
    assert renamed.status_code == 200
    interaction.refresh_from_db()
    assert interaction.scenario.code == "question"
    event = AuditEvent.objects.get(action="scenario.updated")
    assert event.changes == {"before": {"code": "inquiry", "name": "Inquiry"},
                             "after": {"code": "question", "name": "Question"}}


def test_a_stale_if_match_is_refused(cast, admin):
    scenario = ScenarioFactory(tenant=cast.tenant, code="inquiry")
    url = cast.url(f"scenarios/{scenario.pk}/")
    etag = admin.get(url)["ETag"]
    admin.patch(url, {"name": "First"}, format="json", HTTP_IF_MATCH=etag)

    stale = admin.patch(url, {"name": "Second"}, format="json", HTTP_IF_MATCH=etag)

    assert stale.status_code == 412
    scenario.refresh_from_db()
    assert scenario.name == "First"


def test_an_unused_scenario_is_deleted_a_used_one_is_409(cast, admin):
    unused = ScenarioFactory(tenant=cast.tenant, code="unused")
    used = ScenarioFactory(tenant=cast.tenant, code="inquiry")
    InteractionFactory(agent=cast.own_agent, scenario=used)

    assert admin.delete(cast.url(f"scenarios/{unused.pk}/")).status_code == 204
    refused = admin.delete(cast.url(f"scenarios/{used.pk}/"))

    assert refused.status_code == 409
    assert refused["Content-Type"] == "application/problem+json"
    assert list(Scenario.objects.filter(tenant=cast.tenant).values_list("code", flat=True)) == ["inquiry"]
    assert list(AuditEvent.objects.filter(action="scenario.deleted").values_list("object_id", flat=True)) == [
        str(unused.pk)]


def test_everyone_in_the_tenant_lists_its_scenarios_by_code(cast, client_as):
    for code in ("tech_support", "complaint", "inquiry"):
        ScenarioFactory(tenant=cast.tenant, code=code)
    ScenarioFactory(tenant=cast.other_tenant, code="billing")

    response = client_as(cast.users["agent"]).get(cast.url("scenarios/"))

    assert response.status_code == 200
    assert [row["code"] for row in response.json()["results"]] == ["complaint", "inquiry", "tech_support"]
    searched = client_as(cast.users["agent"]).get(cast.url("scenarios/?search=tech"))
    assert [row["code"] for row in searched.json()["results"]] == ["tech_support"]
