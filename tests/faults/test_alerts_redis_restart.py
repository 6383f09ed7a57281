"""Alert evaluation driven by Celery beat and a worker across a Redis (broker) restart: evaluation goes on after
it, a rule that stays breached still has exactly one alert (and its recipients one notification), and a rule
created after the restart is raised by the same beat and worker."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from common.models import Notification
from performance.models import Alert, AlertRule
from tests.alerts.helpers import contacts, rule
from tests.faults.conftest import wait_until

pytestmark = pytest.mark.faults


def _sent(beat) -> int:
    return beat.log().count("Sending due task evaluate-alert-rules")


def _evaluated_at(rule_id: int):
    return AlertRule.objects.get(pk=rule_id).last_evaluated_at


def test_beat_driven_alert_evaluation_survives_a_redis_restart_without_lost_or_duplicate_alerts(
        cast, processes, owned_redis):
    processes.env.update({"CELERY_BROKER_URL": owned_redis.url, "ALERT_EVALUATION_SECONDS": "1"})
    contacts(cast.north_agents[0], timezone.now() - timedelta(minutes=5), n=3)  # AHT 400 s > 300 over the hour
    slow = rule(cast, "Slow handling")  # tenant-wide, at least 2 contacts; recipients: the admin
    worker, beat = processes.worker(pool="prefork"), processes.beat()

    first = wait_until(lambda: Alert.objects.filter(rule=slow).first(), what="beat's evaluation to raise the alert",
                       log=processes.logs)
    connected, sent = worker.log().count("Connected to "), _sent(beat)
    owned_redis.restart()
    wait_until(lambda: worker.log().count("Connected to ") > connected, timeout=60, what="the worker to reconnect",
               log=processes.logs)
    wait_until(lambda: _sent(beat) > sent + 2, timeout=60, what="beat to send evaluations again", log=processes.logs)
    after_restart = timezone.now()
    wait_until(lambda: _evaluated_at(slow.pk) > after_restart, timeout=60,
               what="the worker to evaluate the rule after the restart", log=processes.logs)

    # A rule made after the restart is raised by the same beat and worker: nothing stopped consuming.
    busy = rule(cast, "Busy hour", kpi="handled", comparison="gte", threshold=Decimal(3), min_sample=1)
    second = wait_until(lambda: Alert.objects.filter(rule=busy).first(), timeout=60,
                        what="the rule made after the restart to be raised", log=processes.logs)
    evaluated = _evaluated_at(slow.pk)
    wait_until(lambda: _evaluated_at(slow.pk) > evaluated + timedelta(seconds=2), timeout=60,
               what="more evaluations of the breached rule", log=processes.logs)

    alerts = list(Alert.objects.filter(rule=slow).values_list("pk", "status", "value", "sample"))
    assert alerts == [(first.pk, "open", Decimal("400.0000"), 3)]  # one alert however many evaluations
    assert list(Alert.objects.filter(rule=busy).values_list("pk", "status")) == [(second.pk, "open")]
    raised = Notification.objects.filter(recipient=cast.users["admin"], event="alert.raised")
    assert sorted(raised.values_list("object_id", flat=True)) == sorted([str(first.pk), str(second.pk)])
    assert worker.alive() and beat.alive() and "Unrecoverable error" not in worker.log(), processes.logs()
    print(f"FAULT Redis restart under beat-driven alert evaluation: {_sent(beat)} evaluations sent, one alert per "
          "breached rule, one notification each; a rule made after the restart raised")
