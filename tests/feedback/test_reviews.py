"""QA reviews: draft -> submitted -> published, validation, and amendments as revisions."""

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.models import AuditEvent
from feedback.models import QAReview
from feedback.selectors import qa_kpi_inputs
from feedback.services.reviews import qa_review_amend
from tests.factories import AgentFactory, InteractionFactory, MembershipFactory, grant
from tests.feedback.factories import actor_for, answers_for, published_review

# STANDARD rubric: 10 (1-5), 20 (binary, critical), 30 (0-10, N/A ok), 40 (1-3)


@pytest.fixture
def inspector(cast, client_as):
    return client_as(cast.users["qa_inspector"])


def start(cast, client, interaction, version, ratings=None, **extra):
    body = {"interaction": interaction.pk, "rubric_version": version.pk, **extra}
    if ratings is not None:
        body["answers"] = answers_for(version, ratings)
    return client.post(cast.url("qa-reviews/"), body, format="json")


def test_draft_submit_publish(cast, inspector, version, north_ix):
    response = start(cast, inspector, north_ix, version, overall_comment="ok", time_spent_seconds=300)
    assert response.status_code == 201, response.content
    review = response.json()
    assert (review["status"], review["total"], review["answers"]) == ("draft", None, [])
    url = cast.url(f"qa-reviews/{review['id']}/")

    # partial answers keep the total empty
    partial = answers_for(version, [4, 1, 7, 2])[:2]
    body = inspector.patch(url, {"answers": partial}, format="json").json()
    assert body["total"] is None and len(body["answers"]) == 2

    # 4 of 1-5 = .75 x 10 = 7.5; pass 20; 7 of 0-10 = .7 x 30 = 21; 2 of 1-3 = .5 x 40 = 20 -> 68.5 of 100
    answers = answers_for(version, [4, 1, 7, 2])
    answers[0]["comment"] = "good"
    body = inspector.patch(url, {"answers": answers}, format="json").json()
    assert body["total"] == "68.50" and body["would_be_total"] == "68.50" and body["auto_failed"] is False
    assert [(a["label"], a["rating"], a["normalized"], a["earned"], a["possible"]) for a in body["answers"]] == [
        ("C1", 4, "0.7500", "7.5000", "10.00"), ("C2", 1, "1.0000", "20.0000", "20.00"),
        ("C3", 7, "0.7000", "21.0000", "30.00"), ("C4", 2, "0.5000", "20.0000", "40.00")]
    assert body["answers"][0]["comment"] == "good"

    body = inspector.post(url + "submit/").json()
    assert body["status"] == "submitted" and body["submitted_at"]
    assert inspector.patch(url, {"overall_comment": "late"}, format="json").status_code == 409

    response = inspector.post(url + "publish/")
    assert response.status_code == 200
    reviewed = QAReview.objects.get(pk=review["id"])
    assert reviewed.status == "published" and reviewed.published_by == cast.users["qa_inspector"]
    assert reviewed.appeal_deadline == reviewed.published_at + timedelta(days=7)
    actions = list(AuditEvent.objects.filter(object_type="qareview", object_id=str(review["id"]))
                   .order_by("at", "id").values_list("action", flat=True))
    assert actions == ["qa_review.created", "qa_review.submitted", "qa_review.published"]


def test_critical_fail_and_na_through_the_api(cast, inspector, version, north_ix):
    # critical binary failed: total 0; would be (10 x .5 + 0 + 40 x 1) of (10 + 20 + 40) = 45/70 = 64.29 (30 is N/A)
    review = start(cast, inspector, north_ix, version, [3, 0, None, 3]).json()
    assert (review["total"], review["would_be_total"], review["auto_failed"]) == ("0.00", "64.29", True)
    assert [a["critical_failed"] for a in review["answers"]] == [False, True, False, False]
    assert review["answers"][2]["na"] is True and review["answers"][2]["possible"] == "0.00"


def test_submit_refuses_incomplete_answers(cast, inspector, version, north_ix):
    review = start(cast, inspector, north_ix, version, [4, 1, 7, 2]).json()
    inspector.patch(cast.url(f"qa-reviews/{review['id']}/"), {"answers": answers_for(version, [4, 1, 7, 2])[:3]},
                    format="json")
    response = inspector.post(cast.url(f"qa-reviews/{review['id']}/submit/"))
    assert response.status_code == 400
    assert "missing: C4" in response.json()["detail"]
    assert QAReview.objects.get(pk=review["id"]).status == "draft"


@pytest.mark.parametrize(
    ("ratings", "field"),
    [([6, 1, 7, 2], "answers.0.rating"), ([4, 1, 7, None], "answers.3.na"), ([4, 2, 7, 2], "answers.1.rating")],
)
def test_answers_off_the_scale_are_refused(cast, inspector, version, north_ix, ratings, field):
    response = start(cast, inspector, north_ix, version, ratings)
    assert response.status_code == 400
    assert [e["field"] for e in response.json()["errors"]] == [field]
    assert not QAReview.objects.exists()


def test_a_criterion_of_another_version_is_refused(cast, inspector, version, north_ix):
    from tests.feedback.factories import make_version

    other = make_version(cast.tenant, name="Other")
    response = start(cast, inspector, north_ix, version, answers=answers_for(other, [1, 1, 1, 1]))
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "answers.0.criterion"


def test_inspector_may_review_only_granted_or_assigned_interactions(cast, inspector, version, south_ix):
    response = start(cast, inspector, south_ix, version)
    assert response.status_code == 400
    assert "does not exist" in response.json()["errors"][0]["message"]
    foreign = InteractionFactory(agent=cast.other_agent)
    response = start(cast, inspector, foreign, version)
    assert response.status_code == 400 and "does not exist" in response.json()["errors"][0]["message"]
    # a QA lead may review anywhere in the tenant
    lead = pytest.importorskip("rest_framework.test").APIClient()
    lead.force_authenticate(cast.users["qa_lead"])
    assert start(cast, lead, south_ix, version).status_code == 201


def test_inspector_cannot_review_their_own_interaction(cast, client_as, version):
    user = MembershipFactory(tenant=cast.tenant, role="qa_inspector").user
    grant(user, cast.north, "review")
    themselves = AgentFactory(team=cast.north, user=user, employee_code="QA1")
    response = start(cast, client_as(user), InteractionFactory(agent=themselves), version)
    assert response.status_code == 400
    assert "handled yourself" in response.json()["errors"][0]["message"]


def test_one_review_per_interaction_per_inspector(cast, inspector, client_as, version, north_ix):
    first = start(cast, inspector, north_ix, version).json()
    response = start(cast, inspector, north_ix, version)
    assert response.status_code == 400 and "already have a review" in response.json()["detail"]
    # another inspector may review the same interaction
    assert start(cast, client_as(cast.users["qa_lead"]), north_ix, version).status_code == 201
    # and once the draft is deleted, the inspector may start again
    assert inspector.delete(cast.url(f"qa-reviews/{first['id']}/")).status_code == 204
    assert start(cast, inspector, north_ix, version).status_code == 201


def test_only_submitted_reviews_are_published_and_only_drafts_edited(cast, inspector, version, north_ix):
    review = start(cast, inspector, north_ix, version, [5, 1, 10, 3]).json()
    url = cast.url(f"qa-reviews/{review['id']}/")
    assert inspector.post(url + "publish/").status_code == 409
    inspector.post(url + "submit/")
    assert inspector.post(url + "submit/").status_code == 409
    assert inspector.delete(url).status_code == 409
    assert inspector.post(url + "publish/").status_code == 200
    assert inspector.post(url + "publish/").status_code == 409


def test_inspector_cannot_publish_someone_elses_review(cast, client_as, version, north_ix):
    lead = client_as(cast.users["qa_lead"])
    review = start(cast, lead, north_ix, version, [5, 1, 10, 3]).json()
    lead.post(cast.url(f"qa-reviews/{review['id']}/submit/"))
    inspector = client_as(cast.users["qa_inspector"])
    assert inspector.post(cast.url(f"qa-reviews/{review['id']}/publish/")).status_code == 403
    assert client_as(cast.users["admin"]).post(cast.url(f"qa-reviews/{review['id']}/publish/")).status_code == 200


def test_amend_creates_the_next_revision_and_kpis_read_the_latest(cast, actors, version, north_ix, client_as):
    review = published_review(inspector=cast.users["qa_inspector"], interaction=north_ix, version=version,
                              ratings=[5, 1, 10, 3])
    assert review.total == Decimal("100.00")
    criteria = list(version.criteria.order_by("position"))
    # lower C4 (weight 40) from 3 to 1: 60 of 100
    new = qa_review_amend(review=review, amended_by=actors["qa_lead"], reason="appeal 12: closing was missing",
                          answers=[{"criterion": criteria[3].pk, "rating": 1}])
    assert (new.revision, new.total, new.is_current, new.chain) == (2, Decimal("60.00"), True, review.chain)
    assert new.amended_from_id == review.pk and new.appeal_deadline == review.appeal_deadline
    assert list(new.answers.order_by("criterion__position").values_list("rating", flat=True)) == [5, 1, 10, 1]
    old = QAReview.objects.get(pk=review.pk)
    assert (old.is_current, old.total, old.status) == (False, Decimal("100.00"), "published")
    assert list(old.answers.order_by("criterion__position").values_list("rating", flat=True)) == [5, 1, 10, 3]
    assert AuditEvent.objects.filter(action="qa_review.amended", object_id=str(new.pk)).exists()

    day = north_ix.started_at
    inputs = qa_kpi_inputs(tenant_id=cast.tenant.pk, start=day - timedelta(days=1), end=day + timedelta(days=1))
    assert inputs[north_ix.agent_id].reviews == 1 and inputs[north_ix.agent_id].mean_total == Decimal("60.00")

    # a third revision through the API, by the lead; the old revision can no longer be amended
    lead = client_as(cast.users["qa_lead"])
    response = lead.post(cast.url(f"qa-reviews/{new.pk}/amend/"),
                         {"answers": [{"criterion": criteria[1].pk, "rating": 0}], "reason": "policy breach"},
                         format="json")
    assert response.status_code == 201, response.content
    assert (response.json()["revision"], response.json()["total"], response.json()["auto_failed"]) == (3, "0.00", True)
    assert lead.post(cast.url(f"qa-reviews/{review.pk}/amend/"),
                     {"answers": [{"criterion": criteria[1].pk, "rating": 1}], "reason": "x"},
                     format="json").status_code == 409

    history = lead.get(cast.url(f"qa-reviews/{review.pk}/revisions/")).json()
    assert [(r["revision"], r["total"], r["is_current"]) for r in history] == [
        (1, "100.00", False), (2, "60.00", False), (3, "0.00", True)]
    assert lead.get(cast.url("qa-reviews/")).json()["count"] == 1
    assert lead.get(cast.url("qa-reviews/?history=true")).json()["count"] == 3
    # the agent reads every published revision of their review
    agent_url = cast.url(f"qa-reviews/{review.pk}/")
    assert client_as(cast.users["supervisor"]).get(agent_url).json()["total"] == "100.00"


def test_amend_needs_a_reason_and_a_published_review(cast, actors, version, north_ix):
    from rest_framework.exceptions import ValidationError

    from common.errors import Conflict

    review = published_review(inspector=cast.users["qa_inspector"], interaction=north_ix, version=version,
                              ratings=[5, 1, 10, 3])
    criterion = version.criteria.order_by("position").first()
    with pytest.raises(ValidationError):
        qa_review_amend(review=review, amended_by=actors["qa_lead"], reason="  ",
                        answers=[{"criterion": criterion.pk, "rating": 1}])
    with pytest.raises(ValidationError):  # off the scale
        qa_review_amend(review=review, amended_by=actors["qa_lead"], reason="r",
                        answers=[{"criterion": criterion.pk, "rating": 9}])
    draft = QAReview.objects.create(tenant=cast.tenant, interaction=InteractionFactory(agent=cast.north_agents[2]),
                                    rubric_version=version, inspector=cast.users["qa_lead"])
    with pytest.raises(Conflict):
        qa_review_amend(review=draft, amended_by=actors["qa_lead"], reason="r",
                        answers=[{"criterion": criterion.pk, "rating": 1}])
    assert QAReview.objects.filter(chain=review.chain).count() == 1


def test_amend_is_for_leads_and_admins(cast, client_as, version, north_ix):
    review = published_review(inspector=cast.users["qa_inspector"], interaction=north_ix, version=version,
                              ratings=[5, 1, 10, 3])
    criterion = version.criteria.order_by("position").first()
    body = {"answers": [{"criterion": criterion.pk, "rating": 1}], "reason": "x"}
    url = cast.url(f"qa-reviews/{review.pk}/amend/")
    assert client_as(cast.users["qa_inspector"]).post(url, body, format="json").status_code == 403
    assert client_as(cast.users["admin"]).post(url, body, format="json").status_code == 201


def test_review_list_has_bounded_queries(cast, client_as, version, django_assert_max_num_queries):
    lead = client_as(cast.users["qa_lead"])
    actor = actor_for(cast.users["qa_lead"], cast.tenant)

    def add(n):
        from feedback.services.reviews import qa_review_create

        for _ in range(n):
            qa_review_create(actor=actor, interaction=InteractionFactory(agent=cast.south_agents[1]),
                             rubric_version=version, answers=answers_for(version, [1, 1, 1, 1]))

    add(5)
    with django_assert_max_num_queries(6):
        assert lead.get(cast.url("qa-reviews/")).json()["count"] == 5
    add(45)
    with django_assert_max_num_queries(6):
        assert len(lead.get(cast.url("qa-reviews/?page_size=100")).json()["results"]) == 50


def test_stale_if_match_is_refused_on_a_draft(cast, inspector, version, north_ix):
    review = start(cast, inspector, north_ix, version).json()
    url = cast.url(f"qa-reviews/{review['id']}/")
    etag = inspector.get(url)["ETag"]
    assert inspector.patch(url, {"overall_comment": "first"}, format="json", HTTP_IF_MATCH=etag).status_code == 200
    response = inspector.patch(url, {"overall_comment": "second"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 412
    assert QAReview.objects.get(pk=review["id"]).overall_comment == "first"


def test_the_database_enforces_one_current_review_per_interaction_and_inspector(cast, version, north_ix):
    from django.db import IntegrityError, transaction

    row = {"tenant": cast.tenant, "interaction": north_ix, "rubric_version": version,
           "inspector": cast.users["qa_inspector"]}
    QAReview.objects.create(**row)
    with pytest.raises(IntegrityError), transaction.atomic():
        QAReview.objects.create(**row)
    QAReview.objects.create(**row, is_current=False)  # an older revision of another chain is fine
