"""Zendesk sync against the local server through the real client: first sync, incremental sync, derivations,
unmapped agents, failures, deleted tickets, duplicates, a killed run resumed, the lock and the sweep."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.utils import timezone

from common.models import Notification, WebhookDelivery
from common.webhooks.services import webhook_create
from performance.models import (
    Connection,
    ConnectionAgent,
    ConnectionRun,
    ConnectionTicketFailure,
    Interaction,
    PendingRemoteTicket,
)
from performance.services.connectors import (
    connection_agent_map,
    connection_create,
    connection_mappings_replace,
    connection_run_execute,
    connections_sync_due,
)
from performance.services.connectors.sync import INTERRUPTED, LEASE_LOST
from tests.connectors.conftest import HOUR, T0, run_sync, seed_remote
from tests.connectors.zendesk_server import EMAIL, TOKEN
from tests.factories import ScenarioFactory

COMPARED = ["agent__employee_code", "team_id", "channel", "direction", "scenario__code", "external_id",
            "started_at", "answered", "first_response_seconds", "resolved", "first_contact_resolved", "csat",
            "customer_ref", "metadata"]


def map_channels_scenarios_csat(admin_actor, connection) -> None:
    connection_mappings_replace(actor=admin_actor, connection=connection, channels=[
        {"remote_value": "web", "channel": "ticket"}], scenarios=[
        {"match": "type", "remote_value": "question", "scenario": "inquiry"},
        {"match": "tag", "remote_value": "refund", "scenario": "complaint"}], csat={"good": 5, "bad": 2})


@pytest.fixture
def seeded(cast, admin_actor, connection, zendesk):
    ScenarioFactory(tenant=cast.tenant, code="inquiry")
    ScenarioFactory(tenant=cast.tenant, code="complaint")
    map_channels_scenarios_csat(admin_actor, connection)
    seed_remote(cast, admin_actor, connection, zendesk)
    return connection


def rows(source: str) -> dict[str, dict]:
    found = Interaction.objects.filter(source=source).order_by("external_id").values(*COMPARED)
    return {row["external_id"]: row for row in found}


def test_first_sync_reads_every_page_and_derives_each_field(cast, seeded, desk, zendesk):
    run = run_sync(seeded, desk())

    # 7 tickets, 2 per page -> 4 pages. 1, 2, 3, 7 created; 4 waits for agent 503; 5 has no assignee; 6 fails.
    assert (run.status, run.pages, run.tickets_read) == ("succeeded", 4, 7)
    assert (run.created, run.updated, run.unchanged, run.failed, run.pending, run.unassigned) == (4, 0, 0, 1, 1, 1)
    assert seeded.status == "ok" and seeded.cursor == run.cursor_reached and seeded.last_synced_at is not None
    assert zendesk.state.requests[0].startswith("/api/v2/incremental/tickets/cursor.json?include=metric_sets")
    assert "start_time=1790784000" in zendesk.state.requests[0]  # 2026-10-01 00:00 +08:00 = 09-30 16:00Z
    assert all("cursor=" in path for path in zendesk.state.requests[1:])
    got = rows("zendesk:acme")
    assert sorted(got) == ["1", "2", "3", "7"]
    one, two, three, seven = got["1"], got["2"], got["3"], got["7"]
    # 1: solved once with one reply, type question, rated good -> resolved, FCR, csat 5, inquiry; 501 auto-mapped
    assert (one["agent__employee_code"], one["channel"], one["scenario__code"]) == ("N000", "email", "inquiry")
    assert (one["answered"], one["first_response_seconds"], one["resolved"], one["first_contact_resolved"],
            one["csat"]) == (True, 600, True, True, 5)
    assert one["started_at"] == T0 and one["customer_ref"] == "9000"
    assert one["metadata"]["status"] == "solved" and one["metadata"]["full_resolution_seconds"] == 7200
    # 2: open, voice, two replies, no rating -> phone, not resolved, csat null; mapped by hand to N001
    assert (two["agent__employee_code"], two["channel"], two["resolved"], two["first_contact_resolved"],
            two["csat"], two["first_response_seconds"]) == ("N001", "phone", False, False, None, 120)
    # 3: closed after a reopen, tag refund, rated bad (mapped to 2) -> resolved but not FCR, complaint
    assert (three["channel"], three["scenario__code"], three["resolved"], three["first_contact_resolved"],
            three["csat"]) == ("ticket", "complaint", True, False, 2)
    # 7: new, no reply yet -> not answered, no first response; native_messaging -> chat
    assert (seven["channel"], seven["answered"], seven["first_response_seconds"]) == ("chat", False, None)
    failure = ConnectionTicketFailure.objects.get(run=run)
    assert failure.external_id == "6"
    assert [(e["field"], e["code"]) for e in failure.errors] == [("started_at", "date_out_of_range")]


def test_incremental_sync_reads_only_changes_from_the_saved_cursor(seeded, desk, zendesk):
    first = run_sync(seeded, desk())
    state = zendesk.state
    state.ticket(2, created=T0 + HOUR, updated=T0 + 8 * HOUR, status="solved", channel="voice", assignee=502,
                 reply_seconds=120, replies=2, solved_at=T0 + 8 * HOUR)
    state.ticket(8, created=T0 + 9 * HOUR, status="open", channel="email", assignee=501, replies=1, reply_seconds=5)
    state.delete(1, T0 + 10 * HOUR)
    state.requests.clear()

    second = run_sync(seeded, desk())

    # Three changes after the cursor -> 2 pages; 2 updated, 8 created, 1 deleted (kept, marked).
    assert (second.pages, second.tickets_read, second.created, second.updated, second.deleted) == (2, 3, 1, 1, 1)
    assert second.cursor_start == first.cursor_reached
    assert state.requests[0].endswith(f"cursor={quote(first.cursor_reached['after_cursor'])}")
    got = rows("zendesk:acme")
    assert sorted(got) == ["1", "2", "3", "7", "8"]
    assert (got["2"]["resolved"], got["2"]["first_contact_resolved"]) == (True, False)  # two replies: not FCR
    assert got["1"]["metadata"]["remote_deleted"] is True and got["1"]["resolved"] is True

    third = run_sync(seeded, desk())
    assert (third.pages, third.tickets_read, third.created, third.updated) == (1, 0, 0, 0)


def test_a_ticket_exported_again_unchanged_counts_as_unchanged(seeded, desk, zendesk):
    run_sync(seeded, desk())
    state = zendesk.state
    state.ticket(7, created=T0 + 6 * HOUR, status="new", channel="native_messaging", assignee=501)
    again = run_sync(seeded, desk())
    assert (again.tickets_read, again.created, again.updated, again.unchanged) == (1, 0, 0, 1)


def test_duplicates_within_and_across_pages_give_one_interaction_each(seeded, desk, zendesk):
    state = zendesk.state
    state.repeat_in_page = {2}
    served = []

    def change_ticket_1_after_first_page(request):
        served.append(request.url)
        if len(served) == 2:  # ticket 1 changes while the export runs: Zendesk exports it again later
            state.ticket(1, created=T0, updated=T0 + 7 * HOUR, status="solved", channel="email", assignee=501,
                         ticket_type="question", score="bad", reply_seconds=600, replies=1, solved_at=T0 + 2 * HOUR)

    run = run_sync(seeded, desk(hooks=[change_ticket_1_after_first_page]))

    assert run.tickets_read == 9  # 7 + ticket 2 twice in its page + ticket 1 again in the last page
    assert (run.created, run.updated) == (4, 1)
    assert Interaction.objects.filter(source="zendesk:acme").count() == 4
    assert Interaction.objects.get(source="zendesk:acme", external_id="1").csat == 2  # the later version won


def test_unmapped_agents_tickets_wait_and_are_ingested_once_mapped(cast, admin_actor, seeded, desk,
                                                                   django_capture_on_commit_callbacks):
    run_sync(seeded, desk())
    waiting = PendingRemoteTicket.objects.get(connection=seeded)
    assert (waiting.external_id, waiting.remote_agent_id) == ("4", "503")
    remote = ConnectionAgent.objects.get(connection=seeded, remote_id="503")
    assert remote.agent is None and remote.email == "new.hire@zd.test"
    assert ConnectionAgent.objects.get(connection=seeded, remote_id="501").agent == cast.own_agent  # by email
    assert not Interaction.objects.filter(source="zendesk:acme", external_id="4").exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        connection_agent_map(actor=admin_actor, connection=seeded, remote_id="503", agent=cast.north_agents[2])
    assert len(callbacks) == 1  # a run is queued to ingest the waiting ticket
    queued = ConnectionRun.objects.get(connection=seeded, status="queued")
    assert queued.trigger == "mapping"
    connection_run_execute(run_id=queued.pk, help_desk=desk())
    queued.refresh_from_db()
    assert (queued.status, queued.released, queued.created) == ("succeeded", 1, 1)
    four = Interaction.objects.get(source="zendesk:acme", external_id="4")
    assert (four.agent_id, four.channel, four.resolved, four.first_contact_resolved) == (
        cast.north_agents[2].pk, "chat", True, True)
    assert not PendingRemoteTicket.objects.filter(connection=seeded).exists()


def test_a_run_killed_between_pages_resumes_without_loss_or_duplicates(cast, admin_actor, seeded, desk, zendesk):
    class Killed(BaseException):
        """Stands for the worker process dying: nothing in the run catches it."""

    exports = []

    def die_on_second_page(request):
        exports.append(request.url)
        if len(exports) == 2:
            raise Killed

    with pytest.raises(Killed):
        run_sync(seeded, desk(hooks=[die_on_second_page]))
    killed = ConnectionRun.objects.get(connection=seeded)
    seeded.refresh_from_db()
    assert (killed.status, killed.pages) == ("running", 1)  # page 1 (tickets 1, 2) committed with its cursor
    assert seeded.cursor == killed.cursor_reached and seeded.running_run_id == killed.pk
    assert sorted(rows("zendesk:acme")) == ["1", "2"]

    blocked = run_sync(seeded, desk())
    assert blocked.status == "skipped"  # the dead run's lease has not expired yet
    Connection.objects.filter(pk=seeded.pk).update(lock_until=timezone.now() - dt.timedelta(seconds=1))
    resumed = run_sync(seeded, desk())
    killed.refresh_from_db()
    assert (resumed.status, resumed.pages, resumed.tickets_read, resumed.created) == ("succeeded", 3, 5, 2)
    assert resumed.cursor_start == killed.cursor_reached
    assert (killed.status, killed.error) == ("failed", INTERRUPTED)

    # The same remote read by an uninterrupted sync of another connection gives the same rows, row by row.
    reference = connection_create(actor=admin_actor, kind="zendesk", account="acme-reference",
                                  start_date=dt.date(2026, 10, 1), credentials={"email": EMAIL, "api_token": TOKEN})
    connection_agent_map(actor=admin_actor, connection=reference, remote_id="502", agent=cast.north_agents[1])
    map_channels_scenarios_csat(admin_actor, reference)
    run_sync(reference, desk())
    assert rows("zendesk:acme") == rows("zendesk:acme-reference")
    assert Interaction.objects.filter(source="zendesk:acme").count() == 4


def test_a_run_that_lost_its_lease_writes_nothing_more(seeded, desk):
    exports = []
    successor = ConnectionRun.objects.create(tenant_id=seeded.tenant_id, connection=seeded, trigger="schedule")

    def taken_over_before_second_page(request):
        exports.append(request.url)
        if len(exports) == 2:  # the lease expired while page 2 was fetched, and the successor claimed it
            Connection.objects.filter(pk=seeded.pk).update(running_run=successor,
                                                           lock_until=timezone.now() + dt.timedelta(minutes=5))

    lost = run_sync(seeded, desk(hooks=[taken_over_before_second_page]))
    seeded.refresh_from_db()
    assert (lost.status, lost.error, lost.pages) == ("failed", LEASE_LOST, 1)
    assert sorted(rows("zendesk:acme")) == ["1", "2"]  # page 2 was rolled back
    assert seeded.cursor == lost.cursor_reached and seeded.running_run_id == successor.pk


def test_rate_limits_server_errors_and_slow_answers_are_retried(seeded, desk, zendesk):
    zendesk.state.faults.extend([(429, {"Retry-After": "7"}, 0), (500, {}, 0), (200, {}, 1.0)])
    run = run_sync(seeded, desk(timeout=0.3))
    assert run.status == "succeeded" and run.created == 4
    assert desk.sleeps[0] == 7.0 and len(desk.sleeps) == 3  # Retry-After honoured; 500 and the timeout backed off


def test_a_remote_that_keeps_failing_fails_the_run_and_keeps_the_cursor(seeded, desk, zendesk):
    first = run_sync(seeded, desk())
    zendesk.state.faults.extend([(503, {}, 0)] * 5)
    failed = run_sync(seeded, desk())
    assert failed.status == "failed" and "HTTP 503 after 5 attempts" in failed.error
    assert seeded.status == "failing" and seeded.cursor == first.cursor_reached


def test_refused_credentials_need_attention_and_notify_admins(cast, admin_actor, seeded, desk,
                                                              django_capture_on_commit_callbacks):
    webhook_create(actor=admin_actor, url="https://93.184.216.34/hook", events=["connection.needs_attention"],
                   resolve_url=False)
    with django_capture_on_commit_callbacks(execute=False):
        run = run_sync(seeded, desk(token="revoked-token-000000"))
    assert run.status == "failed" and "credentials were refused (HTTP 401)" in run.error
    assert seeded.status == "needs_attention" and seeded.cursor is None
    note = Notification.objects.get(event="connection.needs_attention")
    assert note.recipient == cast.users["admin"] and note.params["account"] == "acme"
    delivery = WebhookDelivery.objects.get(event="connection.needs_attention")
    assert delivery.payload["data"]["connection"]["status"] == "needs_attention"
    assert connections_sync_due(now=timezone.now() + dt.timedelta(days=1)) == 0  # no runs until fixed


def test_the_sweep_queues_due_connections_once(seeded, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert connections_sync_due() == 1
        assert connections_sync_due() == 0  # next_run_at moved on
    assert len(callbacks) == 1
    assert ConnectionRun.objects.get(connection=seeded).trigger == "schedule"


def test_a_run_of_a_deleted_connection_does_nothing(cast, admin_actor, connection):
    from performance.services.connectors import connection_delete

    run = ConnectionRun.objects.create(tenant=cast.tenant, connection=connection)
    connection_delete(actor=admin_actor, connection=connection)
    assert connection_run_execute(run_id=run.pk) == "deleted"
    assert not ConnectionRun.objects.exists()
