"""Concurrent state changes of one period, from real threads with their own connections: two closes, two computes,
a close during a compute. Both requests are held on the period's row (locked by the test) until both wait there,
then let go together: exactly one wins, the other gets a 409 naming the conflict, and the period ends consistent."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from rest_framework.test import APIClient

from performance import tasks
from performance.models import ComputationJob, KpiPeriod
from tests.faults.conftest import raw_connection, wait_until
from tests.performance.conftest import make_period

pytestmark = pytest.mark.faults


def _waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT l.pid) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
                       " WHERE NOT l.granted AND a.datname = current_database()")
        return cursor.fetchone()[0]


def race(cast, period: KpiPeriod, actions: list[str]) -> list:
    """POST each action on the period from its own thread, released together; the responses in action order."""
    holder = raw_connection()
    holder.execute(f"SELECT 1 FROM {KpiPeriod._meta.db_table} WHERE id = %s FOR UPDATE", [period.pk])
    answers: dict[int, object] = {}

    def post(index: int, action: str):
        client = APIClient()
        client.force_authenticate(cast.users["admin"])
        try:
            answers[index] = client.post(cast.url(f"periods/{period.pk}/{action}/"))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    try:
        wait_until(lambda: _waiting_on_locks() >= len(actions), timeout=30, what="both requests to wait")
    finally:
        holder.rollback()
        holder.close()
    for thread in threads:
        thread.join(30)
    return [answers[i] for i in range(len(actions))]


@pytest.fixture
def no_sends(monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.compute_period_scores, "delay", lambda **kwargs: sent.append(kwargs))
    return sent


def _codes(answers) -> list:
    return sorted((a.status_code, a.json().get("code")) for a in answers)


def test_two_closes_at_once_one_wins(transactional_db, cast, no_sends):
    period = make_period(cast.tenant, status="in_review")
    answers = race(cast, period, ["close", "close"])
    assert _codes(answers) == [(200, None), (409, "period_not_in_review")], [a.content for a in answers]
    period.refresh_from_db()
    assert period.status == "closed"


def test_two_computes_at_once_one_wins(transactional_db, cast, no_sends):
    period = make_period(cast.tenant, status="computed")
    answers = race(cast, period, ["compute", "compute"])
    assert _codes(answers) == [(202, None), (409, "period_computing")], [a.content for a in answers]
    assert ComputationJob.objects.filter(period=period).count() == 1 and len(no_sends) == 1


def test_a_close_during_a_compute_one_wins(transactional_db, cast, no_sends):
    period = make_period(cast.tenant, status="in_review")
    compute, close = race(cast, period, ["compute", "close"])
    period.refresh_from_db()
    if compute.status_code == 202:
        assert (close.status_code, close.json()["code"], period.status) == (409, "period_not_in_review", "computing")
    else:
        assert (compute.status_code, compute.json()["code"]) == (409, "period_closed"), compute.content
        assert close.status_code == 200 and period.status == "closed"
        assert not ComputationJob.objects.filter(period=period).exists()
