"""Calibration: blind scoring, the lead's reference, closing, and agreement figures checked by hand."""

from datetime import timedelta

import pytest

from accounts.models import AuditEvent
from feedback.models import QAReview
from feedback.selectors import qa_kpi_inputs
from tests.factories import InteractionFactory, MembershipFactory
from tests.feedback.factories import answers_for

# STANDARD rubric: C1 10 (1-5), C2 20 (binary, critical), C3 30 (0-10, N/A ok), C4 40 (1-3)


@pytest.fixture
def setup(cast, client_as, version):
    second = MembershipFactory(tenant=cast.tenant, role="qa_inspector", user__email="second@acme.test").user
    a = InteractionFactory(agent=cast.north_agents[1])
    b = InteractionFactory(agent=cast.south_agents[0])  # the inspector has no grant on south
    lead = client_as(cast.users["qa_lead"])
    response = lead.post(cast.url("calibrations/"), {
        "title": "March calibration", "rubric_version": version.pk, "interactions": [a.pk, b.pk],
        "inspectors": [cast.users["qa_inspector"].pk, second.pk]}, format="json")
    assert response.status_code == 201, response.content
    return {"session": response.json(), "a": a, "b": b, "lead": lead, "first": client_as(cast.users["qa_inspector"]),
            "second": client_as(second), "second_user": second}


def score(cast, client, session, interaction, version, ratings, submit=True):
    response = client.post(cast.url("qa-reviews/"), {
        "interaction": interaction.pk, "rubric_version": version.pk, "calibration": session["id"],
        "answers": answers_for(version, ratings)}, format="json")
    assert response.status_code == 201, response.content
    review = response.json()
    if submit:
        assert client.post(cast.url(f"qa-reviews/{review['id']}/submit/")).status_code == 200
    return review


def test_blind_scoring_reference_and_results(cast, client_as, setup, version):
    s, a, b = setup["session"], setup["a"], setup["b"]
    lead, first, second = setup["lead"], setup["first"], setup["second"]
    assert s["status"] == "open" and [i["interaction"] for i in s["items"]] == [a.pk, b.pk]

    mine = score(cast, first, s, a, version, [4, 1, 10, 3])  # 97.5
    score(cast, first, s, b, version, [3, 0, 5, 2])  # critical fail: 0 (would be 40)
    theirs = score(cast, second, s, a, version, [5, 1, None, 2])  # 50 of 70 = 71.43
    score(cast, second, s, b, version, [3, 1, 5, 2])  # 60

    # blind: nobody but the author sees a calibration review while the session is open, not even the lead
    for client in (second, lead, client_as(cast.users["admin"])):
        assert client.get(cast.url(f"qa-reviews/{mine['id']}/")).status_code == 404
        assert mine["id"] not in {r["id"] for r in client.get(cast.url("qa-reviews/?page_size=50")).json()["results"]}
    assert first.get(cast.url(f"qa-reviews/{mine['id']}/")).status_code == 200
    assert first.get(cast.url(f"calibrations/{s['id']}/results/")).status_code == 409
    detail = lead.get(cast.url(f"calibrations/{s['id']}/")).json()
    assert [p["submitted"] for p in detail["participants"]] == [2, 2]

    # closing needs the lead's reference for every interaction
    ref_a = score(cast, lead, s, a, version, [5, 1, 10, 3])  # 100
    response = lead.post(cast.url(f"calibrations/{s['id']}/close/"))
    assert response.status_code == 409 and str(b.pk) in response.json()["detail"]
    score(cast, lead, s, b, version, [3, 1, 5, 2])  # 60
    assert lead.post(cast.url(f"calibrations/{s['id']}/close/")).json()["status"] == "closed"
    assert AuditEvent.objects.filter(action="calibration.closed", object_id=str(s["id"])).exists()
    assert lead.post(cast.url(f"calibrations/{s['id']}/close/")).status_code == 409

    # after closing, participants and leads see every answer
    assert second.get(cast.url(f"qa-reviews/{mine['id']}/")).status_code == 200
    assert first.get(cast.url(f"qa-reviews/{ref_a['id']}/")).status_code == 200
    assert lead.get(cast.url(f"qa-reviews/{theirs['id']}/")).status_code == 200

    results = second.get(cast.url(f"calibrations/{s['id']}/results/")).json()
    first_id, second_id = cast.users["qa_inspector"].pk, setup["second_user"].pk
    # first: 97.5 and 0 vs 100 and 60 -> mean 48.75, deviation (-2.5 - 60) / 2 = -31.25, MAD 31.25;
    #        answers equal to the reference: A 3 of 4 (C1 differs), B 3 of 4 (C2 differs) -> 75%
    # second: 71.43 and 60 -> mean 65.715 -> 65.72, deviation -28.57 / 2 = -14.285 -> -14.29, MAD 14.29;
    #         A: C3 N/A vs 10 and C4 2 vs 3 differ -> 2 of 4, B 4 of 4 -> 75%
    assert results["inspectors"] == [
        {"inspector": first_id, "reviews": 2, "mean_total": "48.75", "mean_deviation": "-31.25",
         "mean_absolute_deviation": "31.25", "criterion_agreement": "75.00"},
        {"inspector": second_id, "reviews": 2, "mean_total": "65.72", "mean_deviation": "-14.29",
         "mean_absolute_deviation": "14.29", "criterion_agreement": "75.00"},
    ]
    # per criterion over 4 answers; deviations of the normalized rating in % of the scale, over answers that
    # are rated on both sides: C1 -0.25/4, C2 -1/4, C3 0 (3 rated pairs), C4 (0.5 - 1)/4
    assert [(c["label"], c["answers"], c["agreement"], c["mean_deviation"], c["mean_absolute_deviation"])
            for c in results["criteria"]] == [
        ("C1", 4, "75.00", "-6.25", "6.25"), ("C2", 4, "75.00", "-25.00", "25.00"),
        ("C3", 4, "75.00", "0.00", "0.00"), ("C4", 4, "75.00", "-12.50", "12.50")]
    # per interaction: A 97.5 and 71.43 vs 100 -> MAD (2.5 + 28.57) / 2 = 15.535 -> 15.54; B 0 and 60 vs 60 -> 30
    assert [(i["interaction"], i["reference_total"], i["min_total"], i["max_total"], i["mean_absolute_deviation"])
            for i in results["interactions"]] == [(a.pk, "100.00", "71.43", "97.50", "15.54"),
                                                  (b.pk, "60.00", "0.00", "60.00", "30.00")]

    # calibration reviews never count in KPIs and are never shown to supervisors or agents
    day = a.started_at
    assert qa_kpi_inputs(tenant_id=cast.tenant.pk, start=day - timedelta(days=40), end=day + timedelta(days=40)) == {}
    for role in ("supervisor", "agent"):
        assert client_as(cast.users[role]).get(cast.url(f"qa-reviews/{mine['id']}/")).status_code == 404


def test_calibration_reviews_are_never_published_and_freeze_on_close(cast, setup, version):
    s, a, b, first, lead = setup["session"], setup["a"], setup["b"], setup["first"], setup["lead"]
    review = score(cast, first, s, a, version, [4, 1, 10, 3])
    assert lead.post(cast.url(f"qa-reviews/{review['id']}/publish/")).status_code == 404  # not visible: blind
    assert first.post(cast.url(f"qa-reviews/{review['id']}/publish/")).status_code == 403
    draft = score(cast, first, s, b, version, [4, 1, 10, 3], submit=False)
    score(cast, lead, s, a, version, [5, 1, 10, 3])
    score(cast, lead, s, b, version, [5, 1, 10, 3])
    lead.post(cast.url(f"calibrations/{s['id']}/close/"))
    assert first.post(cast.url(f"qa-reviews/{draft['id']}/submit/")).status_code == 409
    assert first.patch(cast.url(f"qa-reviews/{draft['id']}/"), {"overall_comment": "x"},
                       format="json").status_code == 409
    assert lead.post(cast.url(f"qa-reviews/{review['id']}/publish/")).status_code == 403  # visible now, still no
    response = first.post(cast.url("qa-reviews/"), {"interaction": a.pk, "rubric_version": version.pk,
                                                     "calibration": s["id"]}, format="json")
    assert response.status_code == 409
    assert QAReview.objects.get(pk=draft["id"]).status == "draft"
    results = lead.get(cast.url(f"calibrations/{s['id']}/results/")).json()
    assert [i["reviews"] for i in results["inspectors"]] == [1]  # the draft is left out
    assert [i["interaction"] for i in results["interactions"]] == [a.pk]


def test_who_may_take_part(cast, client_as, setup, version):
    s, a = setup["session"], setup["a"]
    outsider_inspector = client_as(MembershipFactory(tenant=cast.tenant, role="qa_inspector").user)
    response = outsider_inspector.post(cast.url("qa-reviews/"), {
        "interaction": a.pk, "rubric_version": version.pk, "calibration": s["id"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "calibration"
    assert outsider_inspector.get(cast.url(f"calibrations/{s['id']}/")).status_code == 404
    assert outsider_inspector.get(cast.url("calibrations/")).json()["count"] == 0
    assert setup["first"].get(cast.url("calibrations/")).json()["count"] == 1
    # only the session's interactions, with the session's rubric version
    response = setup["first"].post(cast.url("qa-reviews/"), {
        "interaction": InteractionFactory(agent=cast.north_agents[2]).pk, "rubric_version": version.pk,
        "calibration": s["id"]}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "interaction"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"inspectors": ["{lead}"]}, "inspectors"),  # the lead is the reference, not a participant
        ({"inspectors": ["{agent_user}"]}, "inspectors"),  # not an inspector
        ({"interactions": ["{foreign}"]}, "interactions"),
        ({"interactions": ["{own}"]}, "interactions"),  # handled by a scorer
        ({"interactions": []}, "interactions"),
    ],
)
def test_create_validation(cast, client_as, version, change, field):
    from tests.factories import AgentFactory

    inspector_agent = AgentFactory(team=cast.north, user=cast.users["qa_inspector"], employee_code="QA1")
    ids = {"{lead}": cast.users["qa_lead"].pk, "{agent_user}": cast.users["agent"].pk,
           "{foreign}": InteractionFactory(agent=cast.other_agent).pk,
           "{own}": InteractionFactory(agent=inspector_agent).pk}
    body = {"title": "t", "rubric_version": version.pk, "inspectors": [cast.users["qa_inspector"].pk],
            "interactions": [InteractionFactory(agent=cast.north_agents[1]).pk]}
    body |= {k: [ids.get(v, v) for v in values] for k, values in change.items()}
    response = client_as(cast.users["qa_lead"]).post(cast.url("calibrations/"), body, format="json")
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["field"] == field


def test_calibration_list_has_bounded_queries(cast, client_as, version, django_assert_max_num_queries):
    from feedback.services.calibration import calibration_create
    from tests.feedback.factories import actor_for

    lead = actor_for(cast.users["qa_lead"], cast.tenant)
    client = client_as(cast.users["qa_lead"])

    def add(n):
        for _ in range(n):
            calibration_create(actor=lead, title="c", rubric_version=version,
                               interactions=[InteractionFactory(agent=cast.south_agents[0]) for _ in range(2)],
                               inspectors=[cast.users["qa_inspector"]])

    add(3)
    with django_assert_max_num_queries(9):
        assert client.get(cast.url("calibrations/")).json()["count"] == 3
    add(27)
    with django_assert_max_num_queries(9):
        body = client.get(cast.url("calibrations/?page_size=50")).json()
    assert len(body["results"]) == 30 and len(body["results"][0]["items"]) == 2
