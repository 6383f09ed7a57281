"""The appeal state machine through the API: every action from every state, allowed or refused with a 409
naming the state; who may decide; escalation to a different reviewer; withdrawal."""

import pytest

from feedback.models import Appeal
from feedback.services import appeals as services
from tests.feedback.appeal_helpers import decide_all, file_review_appeal, own_review
from tests.feedback.factories import actor_for

STATES = ["submitted", "in_review", "upheld", "overturned", "partially_overturned", "withdrawn", "escalated",
          "final"]
ACTIONS = ["assign", "decide", "withdraw", "escalate"]
# The table of feedback/services/appeals.py: which actions leave which state.
ALLOWED = {
    "assign": {"submitted", "in_review", "escalated"},
    "decide": {"in_review", "escalated"},
    "withdraw": {"submitted", "in_review"},
    "escalate": {"upheld", "partially_overturned"},
}
AFTER = {("assign", "submitted"): "in_review", ("assign", "in_review"): "in_review",
         ("assign", "escalated"): "escalated", ("decide", "in_review"): "upheld", ("decide", "escalated"): "upheld",
         ("withdraw", "submitted"): "withdrawn", ("withdraw", "in_review"): "withdrawn",
         ("escalate", "upheld"): "escalated", ("escalate", "partially_overturned"): "escalated"}


def appeal_in(cast, version, state: str) -> Appeal:
    agent = actor_for(cast.users["agent"], cast.tenant)
    appeal = file_review_appeal(cast, own_review(cast, version), proposals={0: 5, 3: 3})
    admin = appeal.reviewer  # the least-loaded eligible reviewer: the admin or the QA lead
    if state == "submitted":
        Appeal.objects.filter(pk=appeal.pk).update(status="submitted", reviewer=None, assigned_at=None)
    elif state == "withdrawn":
        services.appeal_withdraw(appeal=appeal, withdrawn_by=agent)
    elif state in ("upheld", "overturned", "escalated", "final"):
        decide_all(appeal, admin, accepted=state == "overturned")
    elif state == "partially_overturned":
        first, second = appeal.items.order_by("position")
        services.appeal_decide(appeal=appeal, decided_by=actor_for(admin, cast.tenant),
                               outcome="partially_overturned", rationale="Half right.",
                               items=[{"item": first.pk, "accepted": True}, {"item": second.pk, "accepted": False}])
    if state in ("escalated", "final"):
        appeal = services.appeal_escalate(appeal=appeal, escalated_by=agent, reason="Please look again.")
    if state == "final":
        decide_all(appeal, appeal.reviewer, accepted=False)
    appeal.refresh_from_db()
    return appeal


def call(client_as, cast, appeal: Appeal, action: str):
    if action == "assign":
        return client_as(cast.users["admin"]).post(cast.url(f"appeals/{appeal.pk}/assign/"), {}, format="json")
    if action == "decide":
        user = appeal.reviewer or cast.users["admin"]
        items = [{"item": item.pk, "accepted": False} for item in appeal.items.all()]
        return client_as(user).post(cast.url(f"appeals/{appeal.pk}/decide/"), {
            "outcome": "upheld", "rationale": "The score stands.", "items": items}, format="json")
    body = {"reason": "Unfair."} if action == "escalate" else {}
    return client_as(cast.users["agent"]).post(cast.url(f"appeals/{appeal.pk}/{action}/"), body, format="json")


def test_the_states_are_built_as_named(cast, version):
    for state in STATES:
        appeal = appeal_in(cast, version, state)
        assert appeal.status == ("upheld" if state == "final" else state)
        assert appeal.level == (2 if state in ("escalated", "final") else 1)


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", ACTIONS)
def test_every_transition_is_allowed_or_refused_naming_the_state(cast, client_as, version, action, state):
    appeal = appeal_in(cast, version, state)
    before = appeal.status
    response = call(client_as, cast, appeal, action)
    appeal.refresh_from_db()
    if state in ALLOWED[action]:
        assert response.status_code == 200, response.content
        assert appeal.status == AFTER[(action, state)] == response.json()["status"]
    else:
        assert response.status_code == 409, response.content
        body = response.json()
        assert body["code"] == "appeal_wrong_state" and before in body["detail"]
        if state == "final":
            assert "final decision" in body["detail"]
        assert appeal.status == before


def test_an_escalation_goes_to_someone_other_than_the_first_decider(cast, version):
    appeal = appeal_in(cast, version, "escalated")
    assert appeal.first_decided_by_id == cast.users["admin"].pk  # the only appeal: the admin had it first
    assert appeal.reviewer_id == cast.users["qa_lead"].pk
    assert appeal.due_at > appeal.escalated_at


def test_the_first_decider_cannot_be_assigned_the_escalation(cast, client_as, version):
    appeal = appeal_in(cast, version, "escalated")
    response = client_as(cast.users["admin"]).post(cast.url(f"appeals/{appeal.pk}/assign/"),
                                                   {"reviewer": cast.users["admin"].pk}, format="json")
    assert response.status_code == 400 and response.json()["errors"][0]["field"] == "reviewer"


def test_the_inspector_may_not_be_assigned_nor_decide(cast, client_as, version):
    appeal = appeal_in(cast, version, "in_review")
    response = client_as(cast.users["admin"]).post(cast.url(f"appeals/{appeal.pk}/assign/"),
                                                   {"reviewer": cast.users["qa_inspector"].pk}, format="json")
    assert response.status_code == 400
    items = [{"item": item.pk, "accepted": False} for item in appeal.items.all()]
    decide = client_as(cast.users["qa_inspector"]).post(cast.url(f"appeals/{appeal.pk}/decide/"), {
        "outcome": "upheld", "rationale": "Mine was right.", "items": items}, format="json")
    assert decide.status_code == 403


def test_only_the_assigned_reviewer_decides(cast, client_as, version):
    appeal = appeal_in(cast, version, "in_review")  # assigned to the admin
    items = [{"item": item.pk, "accepted": False} for item in appeal.items.all()]
    response = client_as(cast.users["qa_lead"]).post(cast.url(f"appeals/{appeal.pk}/decide/"), {
        "outcome": "upheld", "rationale": "r", "items": items}, format="json")
    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "in_review"


def test_a_decision_must_match_its_items_and_give_a_rationale(cast, client_as, version):
    appeal = appeal_in(cast, version, "in_review")
    url, admin = cast.url(f"appeals/{appeal.pk}/decide/"), client_as(cast.users["admin"])
    first, second = appeal.items.order_by("position")
    mixed = [{"item": first.pk, "accepted": True}, {"item": second.pk, "accepted": False}]
    wrong = admin.post(url, {"outcome": "overturned", "rationale": "r", "items": mixed}, format="json")
    assert wrong.status_code == 400 and wrong.json()["errors"][0]["field"] == "outcome"
    missing = admin.post(url, {"outcome": "upheld", "rationale": "r", "items": mixed[:1]}, format="json")
    assert missing.status_code == 400 and missing.json()["errors"][0]["field"] == "items"
    blank = admin.post(url, {"outcome": "partially_overturned", "rationale": " ", "items": mixed}, format="json")
    assert blank.status_code == 400
    appeal.refresh_from_db()
    assert appeal.status == "in_review" and not appeal.decisions.exists()


def test_history_lists_every_transition_and_comment(cast, client_as, version):
    appeal = appeal_in(cast, version, "final")
    services.appeal_comment(appeal=appeal, author=actor_for(cast.users["qa_inspector"], cast.tenant),
                            body="I scored what I heard.")
    response = client_as(cast.users["agent"]).get(cast.url(f"appeals/{appeal.pk}/history/"))
    assert response.status_code == 200
    kinds = [(e["kind"], e["to_status"]) for e in response.json()["results"]]
    assert kinds == [("filed", "submitted"), ("assigned", "in_review"), ("decided", "upheld"),
                     ("escalated", "escalated"), ("assigned", "escalated"), ("decided", "upheld"),
                     ("commented", "upheld")]
    from accounts.models import AuditEvent

    actions = list(AuditEvent.objects.filter(object_type="appeal", object_id=str(appeal.pk)).order_by("at", "id")
                   .values_list("action", flat=True))
    assert actions == ["appeal.filed", "appeal.assigned", "appeal.decided", "appeal.escalated", "appeal.assigned",
                       "appeal.decided", "appeal.commented"]
