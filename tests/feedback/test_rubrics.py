"""Rubrics and their versions through the API: drafts change, published versions never do."""

import pytest

from accounts.models import AuditEvent
from feedback.models import QAReview, Rubric, RubricCriterion, RubricVersion
from tests.factories import InteractionFactory, ScenarioFactory
from tests.feedback.factories import answers_for

SECTIONS = [
    {"title": "Professional knowledge", "criteria": [
        {"label": "Correct answer", "weight": "30", "scale": "1-5"},
        {"label": "Policy followed", "weight": "20", "scale": "binary", "is_critical": True},
    ]},
    {"title": "Communication", "criteria": [
        {"label": "Empathy", "weight": "25", "scale": "0-10", "allow_na": True},
        {"label": "Clear closing", "weight": "25", "scale": "1-3"},
    ]},
]


@pytest.fixture
def lead(cast, client_as):
    return client_as(cast.users["qa_lead"])


def create(cast, lead, **extra):
    response = lead.post(cast.url("rubrics/"), {"name": "Calls", "sections": SECTIONS, **extra}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_create_rubric_starts_a_draft_version_1(cast, lead):
    body = create(cast, lead, channels=["phone", "chat"])
    assert body["published_version"] is None
    assert [(v["number"], v["status"]) for v in body["versions"]] == [(1, "draft")]
    version = lead.get(cast.url(f"rubric-versions/{body['versions'][0]['id']}/")).json()
    assert version["channels"] == ["chat", "phone"]
    assert [s["title"] for s in version["sections"]] == ["Professional knowledge", "Communication"]
    first = version["sections"][0]["criteria"]
    assert [(c["position"], c["label"], c["weight"], c["scale_min"], c["scale_max"], c["is_critical"])
            for c in first] == [(1, "Correct answer", "30.00", 1, 5, False),
                                (2, "Policy followed", "20.00", 0, 1, True)]
    assert AuditEvent.objects.filter(tenant=cast.tenant, action="rubric.created").count() == 1


def test_publish_freezes_the_version(cast, lead):
    rubric = create(cast, lead)
    vid = rubric["versions"][0]["id"]
    edited = [{"title": "Only", "criteria": [{"label": "One", "weight": "5", "scale": "1-3"}]}]
    assert lead.patch(cast.url(f"rubric-versions/{vid}/"), {"sections": edited}, format="json").status_code == 200
    assert RubricCriterion.objects.filter(version_id=vid).count() == 1

    response = lead.post(cast.url(f"rubric-versions/{vid}/publish/"))
    assert response.status_code == 200 and response.json()["status"] == "published"
    assert Rubric.objects.get(pk=rubric["id"]).published_version_id == vid

    response = lead.patch(cast.url(f"rubric-versions/{vid}/"), {"sections": SECTIONS}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert list(RubricCriterion.objects.filter(version_id=vid).values_list("label", flat=True)) == ["One"]
    assert lead.delete(cast.url(f"rubric-versions/{vid}/")).status_code == 409
    assert lead.post(cast.url(f"rubric-versions/{vid}/publish/")).status_code == 409
    assert lead.delete(cast.url(f"rubrics/{rubric['id']}/")).status_code == 409


def test_a_new_version_copies_the_latest_and_reviews_keep_theirs(cast, lead, client_as, actors):
    rubric = create(cast, lead)
    v1 = rubric["versions"][0]["id"]
    lead.post(cast.url(f"rubric-versions/{v1}/publish/"))
    interaction = InteractionFactory(agent=cast.north_agents[1])
    inspector = client_as(cast.users["qa_inspector"])
    version1 = RubricVersion.objects.get(pk=v1)
    response = inspector.post(cast.url("qa-reviews/"), {
        "interaction": interaction.pk, "rubric_version": v1, "answers": answers_for(version1, [5, 1, 10, 3])},
        format="json")
    assert response.status_code == 201, response.content
    review_id = response.json()["id"]

    response = lead.post(cast.url("rubric-versions/"), {"rubric": rubric["id"], "notes": "tighter"}, format="json")
    assert response.status_code == 201, response.content
    v2 = response.json()
    assert (v2["number"], v2["status"], v2["based_on"]) == (2, "draft", v1)
    labels = [c["label"] for s in v2["sections"] for c in s["criteria"]]
    assert labels == ["Correct answer", "Policy followed", "Empathy", "Clear closing"]
    assert not set(RubricCriterion.objects.filter(version_id=v2["id"]).values_list("pk", flat=True)) & set(
        RubricCriterion.objects.filter(version_id=v1).values_list("pk", flat=True))

    # one draft at a time
    assert lead.post(cast.url("rubric-versions/"), {"rubric": rubric["id"]}, format="json").status_code == 409

    assert lead.post(cast.url(f"rubric-versions/{v2['id']}/publish/")).status_code == 200
    assert RubricVersion.objects.get(pk=v1).status == "retired"
    review = QAReview.objects.get(pk=review_id)
    assert review.rubric_version_id == v1
    assert set(review.answers.values_list("criterion__version_id", flat=True)) == {v1}
    # the draft made with v1 can still be finished
    assert inspector.post(cast.url(f"qa-reviews/{review_id}/submit/")).status_code == 200
    # but new reviews must use the published version
    other = InteractionFactory(agent=cast.north_agents[2])
    response = inspector.post(cast.url("qa-reviews/"), {"interaction": other.pk, "rubric_version": v1},
                              format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "rubric_version"


@pytest.mark.parametrize(
    ("sections", "field"),
    [
        ([{"title": "S", "criteria": [{"label": "x", "weight": "0", "scale": "1-5"}]}], "sections.0.criteria.0.weight"),
        ([{"title": "S", "criteria": [{"label": "x", "weight": "1", "scale": "1-7"}]}], "sections.0.criteria.0.scale"),
        ([{"title": "S", "criteria": []}], "sections.0.criteria"),
        ([], "sections"),
    ],
)
def test_invalid_rubrics_are_refused_and_nothing_is_written(cast, lead, sections, field):
    response = lead.post(cast.url("rubrics/"), {"name": "Bad", "sections": sections}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in [e["field"] for e in response.json()["errors"]]
    assert not Rubric.objects.filter(tenant=cast.tenant).exists()


def test_scenarios_of_another_tenant_do_not_exist(cast, lead):
    foreign = ScenarioFactory(tenant=cast.other_tenant, code="complaint")
    response = lead.post(cast.url("rubrics/"), {"name": "X", "sections": SECTIONS, "scenarios": [foreign.pk]},
                         format="json")
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"][0]["message"]
    assert not Rubric.objects.filter(tenant=cast.tenant).exists()


def test_duplicate_rubric_name_is_refused(cast, lead):
    create(cast, lead)
    response = lead.post(cast.url("rubrics/"), {"name": "Calls", "sections": SECTIONS}, format="json")
    assert response.status_code == 400
    assert Rubric.objects.filter(tenant=cast.tenant).count() == 1


def test_rubric_scope_is_checked_when_a_review_is_created(cast, lead, client_as):
    complaint = ScenarioFactory(tenant=cast.tenant, code="complaint")
    rubric = create(cast, lead, channels=["chat"], scenarios=[complaint.pk])
    vid = rubric["versions"][0]["id"]
    lead.post(cast.url(f"rubric-versions/{vid}/publish/"))
    inspector = client_as(cast.users["qa_inspector"])
    phone = InteractionFactory(agent=cast.north_agents[1], channel="phone", scenario=complaint)
    chat_other = InteractionFactory(agent=cast.north_agents[1], channel="chat")
    fits = InteractionFactory(agent=cast.north_agents[1], channel="chat", scenario=complaint)
    for interaction in (phone, chat_other):
        response = inspector.post(cast.url("qa-reviews/"), {"interaction": interaction.pk, "rubric_version": vid},
                                  format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["field"] == "interaction"
    response = inspector.post(cast.url("qa-reviews/"), {"interaction": fits.pk, "rubric_version": vid}, format="json")
    assert response.status_code == 201


def test_rubric_list_filters_and_bounded_queries(cast, lead, django_assert_max_num_queries):
    from tests.feedback.factories import make_version

    for i in range(5):
        make_version(cast.tenant, name=f"r{i}", channels=["chat"] if i % 2 else [])
    with django_assert_max_num_queries(8):
        response = lead.get(cast.url("rubrics/"))
    assert response.json()["count"] == 5
    assert lead.get(cast.url("rubrics/?channel=phone")).json()["count"] == 3
    for i in range(5, 50):
        make_version(cast.tenant, name=f"r{i}")
    with django_assert_max_num_queries(8):
        response = lead.get(cast.url("rubrics/?page_size=100"))
    assert response.json()["count"] == 50
