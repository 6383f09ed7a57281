"""Two decisions (or a decision and a withdrawal) sent at once against the real database: exactly one wins and
the other gets a 409 naming the new state. And If-Match/ETag on appeals."""

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from feedback.models import Appeal, AppealDecision
from tests.feedback.appeal_helpers import file_review_appeal, own_review


def race(*calls):
    """Run the calls at the same moment in threads (each with its own connection); their responses in order."""
    barrier, results = threading.Barrier(len(calls)), [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            results[index] = call()
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def decision(cast, appeal, accepted: bool):
    body = {"outcome": "overturned" if accepted else "upheld", "rationale": "Decided.",
            "items": [{"item": item.pk, "accepted": accepted} for item in appeal.items.all()]}
    client = client_for(appeal.reviewer)
    return lambda: client.post(cast.url(f"appeals/{appeal.pk}/decide/"), body, format="json")


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_decisions_have_one_winner(cast, version):
    appeal = file_review_appeal(cast, own_review(cast, version))
    first, second = race(decision(cast, appeal, True), decision(cast, appeal, False))
    statuses = sorted([first.status_code, second.status_code])
    assert statuses == [200, 409], (first.content, second.content)
    winner, loser = (first, second) if first.status_code == 200 else (second, first)
    assert loser.json()["code"] == "appeal_wrong_state" and winner.json()["status"] in loser.json()["detail"]
    assert AppealDecision.objects.filter(appeal=appeal).count() == 1
    assert Appeal.objects.get(pk=appeal.pk).status == winner.json()["status"]


@pytest.mark.django_db(transaction=True)
def test_a_decision_and_a_withdrawal_at_once_have_one_winner(cast, version):
    appeal = file_review_appeal(cast, own_review(cast, version))
    agent = client_for(cast.users["agent"])
    withdraw = lambda: agent.post(cast.url(f"appeals/{appeal.pk}/withdraw/"), {}, format="json")  # noqa: E731
    results = race(decision(cast, appeal, False), withdraw)
    assert sorted(r.status_code for r in results) == [200, 409]
    final = Appeal.objects.get(pk=appeal.pk).status
    assert final in ("upheld", "withdrawn")
    assert AppealDecision.objects.filter(appeal=appeal).count() == (1 if final == "upheld" else 0)


def test_if_match_protects_an_appeal_from_lost_updates(cast, client_as, version):
    appeal = file_review_appeal(cast, own_review(cast, version))
    agent = client_as(cast.users["agent"])
    url = cast.url(f"appeals/{appeal.pk}/")
    etag = agent.get(url)["ETag"]
    client_as(cast.users["admin"]).post(url + "comments/", {"body": "Looking."}, format="json")
    assert agent.get(url)["ETag"] == etag  # comments are not part of the appeal's representation
    client_as(cast.users["admin"]).post(url + "assign/", {"reviewer": cast.users["qa_lead"].pk}, format="json")
    stale = agent.post(url + "withdraw/", {}, format="json", HTTP_IF_MATCH=etag)
    assert stale.status_code == 412
    fresh = agent.post(url + "withdraw/", {}, format="json", HTTP_IF_MATCH=agent.get(url)["ETag"])
    assert fresh.status_code == 200 and fresh.json()["status"] == "withdrawn"
