"""Freshdesk sync through the core's engine against the local Freshdesk: a full first sync (adapter from the
registry), an incremental sync after remote changes, a run killed between pages and resumed, csat mapping, unmapped
agents, refused credentials."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest
from django.utils import timezone

from performance.connectors import HELP_DESKS
from performance.connectors.freshdesk import FreshdeskHelpDesk
from performance.models import Connection, ConnectionAgent, ConnectionRun, ConnectionTicketFailure, Interaction
from performance.services.connectors import (
    connection_agent_map,
    connection_create,
    connection_mappings_replace,
    connection_run_execute,
    connection_test,
)
from performance.services.connectors.sync import INTERRUPTED
from tests.connectors.conftest import HOUR, T0, run_sync
from tests.connectors.freshdesk_server import API_KEY
from tests.factories import ScenarioFactory

SOURCE = "freshdesk:acme.freshdesk.com"
MINUTE = dt.timedelta(minutes=1)
COMPARED = ["agent__employee_code", "channel", "scenario__code", "external_id", "started_at", "answered",
            "first_response_seconds", "resolved", "first_contact_resolved", "csat", "customer_ref", "metadata"]


def rows(source: str = SOURCE) -> dict[str, dict]:
    found = Interaction.objects.filter(source=source).order_by("external_id").values(*COMPARED)
    return {row["external_id"]: row for row in found}


def connect(cast, admin_actor, account: str) -> Connection:
    connection = connection_create(actor=admin_actor, kind="freshdesk", account=account,
                                   start_date=dt.date(2026, 10, 1), credentials={"api_key": API_KEY})
    connection_mappings_replace(actor=admin_actor, connection=connection, channels=[
        {"remote_value": "portal", "channel": "email"}], scenarios=[
        {"match": "type", "remote_value": "Question", "scenario": "inquiry"},
        {"match": "tag", "remote_value": "refund", "scenario": "complaint"}], csat={"-103": 2})
    connection_agent_map(actor=admin_actor, connection=connection, remote_id="602", email="north1@fd.test",
                         agent=cast.north_agents[1])
    return connection


@pytest.fixture
def fd_connection(cast, admin_actor, freshdesk, settings):
    settings.CONNECTOR_BASE_URL_OVERRIDES = {"freshdesk:acme.freshdesk.com": freshdesk.url,
                                             "freshdesk:acme-reference.freshdesk.com": freshdesk.url}
    ScenarioFactory(tenant=cast.tenant, code="inquiry")
    ScenarioFactory(tenant=cast.tenant, code="complaint")
    connection = connect(cast, admin_actor, "acme")  # the short form is stored as the full domain
    seed(freshdesk)
    return connection


def seed(freshdesk) -> None:
    """Agents 601 (the agent user: mapped by email), 602 (mapped by hand to N001), 603 (nobody mapped yet);
    seven tickets, two rated."""
    freshdesk.put_agent(601, "agent@acme.test", "Ann Agent")
    freshdesk.put_agent(602, "north1@fd.test", "Nils North")
    freshdesk.put_agent(603, "new.hire@fd.test", "Nia New")
    # 1: email, one reply after 10 min, resolved after 2 h, type Question, rated 103 (default → 5)
    freshdesk.put_ticket(1, created_at=T0, updated_at=T0 + 2 * HOUR, status=4, source=1, responder_id=601,
                         ticket_type="Question", first_responded_at=T0 + 10 * MINUTE,
                         agent_responded_at=T0 + 10 * MINUTE, resolved_at=T0 + 2 * HOUR)
    freshdesk.put_rating(1001, ticket_id=1, value=103, created_at=T0 + 3 * HOUR)
    # 2: phone, open, two agent replies
    freshdesk.put_ticket(2, created_at=T0 + HOUR, updated_at=T0 + 3 * HOUR, status=2, source=3, responder_id=602,
                         first_responded_at=T0 + HOUR + 2 * MINUTE, agent_responded_at=T0 + 2 * HOUR)
    # 3: portal (mapped to email), closed after a reopen, tag refund, rated -103 (mapped to 2)
    freshdesk.put_ticket(3, created_at=T0 + 2 * HOUR, updated_at=T0 + 5 * HOUR, status=5, source=2,
                         responder_id=602, tags=("refund", "vip"), first_responded_at=T0 + 3 * HOUR,
                         agent_responded_at=T0 + 3 * HOUR, reopened_at=T0 + 4 * HOUR, resolved_at=T0 + 5 * HOUR)
    freshdesk.put_rating(1003, ticket_id=3, value=-103, created_at=T0 + 6 * HOUR)
    # 4: chat, resolved by the new hire nobody mapped: waits
    freshdesk.put_ticket(4, created_at=T0 + 3 * HOUR, updated_at=T0 + 4 * HOUR, status=4, source=7,
                         responder_id=603, first_responded_at=T0 + 3 * HOUR + MINUTE,
                         agent_responded_at=T0 + 3 * HOUR + MINUTE, resolved_at=T0 + 4 * HOUR)
    # 5: nobody assigned
    freshdesk.put_ticket(5, created_at=T0 + 4 * HOUR, updated_at=T0 + 4 * HOUR + MINUTE, status=2)
    # 6: created in 1999 (imported junk): fails validation, recorded
    freshdesk.put_ticket(6, created_at=dt.datetime(1999, 12, 31, tzinfo=dt.UTC), updated_at=T0 + 6 * HOUR,
                         status=2, responder_id=601)
    # 7: feedback widget, no reply yet
    freshdesk.put_ticket(7, created_at=T0 + 6 * HOUR, updated_at=T0 + 7 * HOUR, status=2, source=9,
                         responder_id=601)


def small_pages(freshdesk, hooks=None, timeout=2.0, api_key=API_KEY) -> FreshdeskHelpDesk:
    """Two tickets a page, so a handful of tickets spans several pages."""
    client = httpx.Client(timeout=httpx.Timeout(timeout), event_hooks={"request": hooks or []})
    return FreshdeskHelpDesk(account="acme.freshdesk.com", credentials={"api_key": api_key},
                             base_url=freshdesk.url, client=client, sleep=lambda seconds: None, per_page=2)


def test_the_registry_builds_the_freshdesk_adapter():
    assert HELP_DESKS["freshdesk"] is FreshdeskHelpDesk and "freshdesk" in HELP_DESKS


def test_the_test_action_names_the_signed_in_agent_and_lists_the_agents(cast, admin_actor, fd_connection):
    result = connection_test(actor=admin_actor, connection=fd_connection)

    assert result == {"ok": True, "remote_user": "Ann Agent <agent@acme.test> on acme.freshdesk.com", "error": "",
                      "remote_agents": 3}
    listed = ConnectionAgent.objects.filter(connection=fd_connection).order_by("remote_id")
    assert [(a.remote_id, a.email, a.agent_id) for a in listed] == [
        ("601", "agent@acme.test", cast.own_agent.pk), ("602", "north1@fd.test", cast.north_agents[1].pk),
        ("603", "new.hire@fd.test", None)]


def test_first_sync_reads_every_ticket_and_derives_each_field(cast, fd_connection, freshdesk):
    assert fd_connection.account == "acme.freshdesk.com"

    run = run_sync(fd_connection)  # the adapter the engine builds from the connection

    # pages: live tickets (7, one page), deleted, spam, then the rated tickets not read yet (none) -> 4.
    # 1, 2, 3, 7 created; 4 waits for agent 603; 5 has no assignee; 6 fails.
    assert (run.status, run.pages, run.tickets_read) == ("succeeded", 4, 7)
    assert (run.created, run.updated, run.failed, run.pending, run.unassigned) == (4, 0, 1, 1, 1)
    assert fd_connection.status == "ok" and fd_connection.cursor == run.cursor_reached
    first = freshdesk.paths("/api/v2/tickets")[0]
    assert first["updated_since"] == "2026-09-30T16:00:00Z"  # 2026-10-01 00:00 in Asia/Shanghai
    got = rows()
    assert sorted(got) == ["1", "2", "3", "7"]
    one, two, three, seven = got["1"], got["2"], got["3"], got["7"]
    # 1: 601 mapped by its email to the agent user's N000; 10 min to the first reply; resolved once, one reply
    assert (one["agent__employee_code"], one["channel"], one["scenario__code"]) == ("N000", "email", "inquiry")
    assert (one["answered"], one["first_response_seconds"], one["resolved"], one["first_contact_resolved"],
            one["csat"]) == (True, 600, True, True, 5)
    assert one["started_at"] == T0 and one["customer_ref"] == "9000"
    assert one["metadata"]["status"] == "resolved" and one["metadata"]["full_resolution_seconds"] == 7200
    # 2: open phone ticket with two replies, mapped by hand to N001
    assert (two["agent__employee_code"], two["channel"], two["resolved"], two["first_contact_resolved"],
            two["csat"], two["first_response_seconds"]) == ("N001", "phone", False, False, None, 120)
    assert two["metadata"]["replies"] == 2
    # 3: portal -> email by the mapping; reopened -> resolved but not FCR; -103 -> 2 by the mapping; complaint
    assert (three["channel"], three["scenario__code"], three["resolved"], three["first_contact_resolved"],
            three["csat"]) == ("email", "complaint", True, False, 2)
    assert (three["metadata"]["reopens"], three["metadata"]["tags"]) == (1, ["refund", "vip"])
    # 7: feedback widget -> ticket; no reply yet
    assert (seven["channel"], seven["answered"], seven["first_response_seconds"]) == ("ticket", False, None)
    failure = ConnectionTicketFailure.objects.get(run=run)
    assert failure.external_id == "6"
    assert [(e["field"], e["code"]) for e in failure.errors] == [("started_at", "date_out_of_range")]


def test_incremental_sync_reads_only_remote_changes(fd_connection, freshdesk):
    first = run_sync(fd_connection)
    freshdesk.touch(2, T0 + 8 * HOUR, status=4)
    freshdesk.tickets[2]["stats"]["resolved_at"] = "2026-10-02T17:00:00Z"
    freshdesk.put_ticket(8, created_at=T0 + 9 * HOUR, updated_at=T0 + 9 * HOUR, status=2, source=1,
                         responder_id=601, first_responded_at=T0 + 9 * HOUR + 5 * MINUTE,
                         agent_responded_at=T0 + 9 * HOUR + 5 * MINUTE)
    freshdesk.put_ticket(1, created_at=T0, updated_at=T0 + 10 * HOUR, status=4, source=1, responder_id=601,
                         deleted=True)
    freshdesk.put_rating(1007, ticket_id=7, value=102, created_at=T0 + 11 * HOUR)  # ticket 7 itself unchanged
    before = len(freshdesk.requests)

    second = run_sync(fd_connection)

    # 2 updated (resolved now), 8 created, 1 deleted (kept, marked), 7 read again for its new rating
    assert (second.tickets_read, second.created, second.updated, second.deleted) == (4, 1, 2, 1)
    assert second.cursor_start == first.cursor_reached
    assert freshdesk.requests[before][1]["updated_since"] == "2026-10-02T16:00:00Z"  # ticket 7: the newest change
    got = rows()
    assert sorted(got) == ["1", "2", "3", "7", "8"]
    assert (got["2"]["resolved"], got["2"]["first_contact_resolved"]) == (True, False)  # two replies: not FCR
    assert got["1"]["metadata"]["remote_deleted"] is True and got["1"]["csat"] == 5
    assert got["7"]["csat"] == 4  # 102 -> 4 by default
    assert ("/api/v2/tickets/7", {"include": "stats"}) in freshdesk.requests[before:]

    third = run_sync(fd_connection)
    assert (third.tickets_read, third.created, third.updated) == (0, 0, 0)


def test_a_run_killed_between_pages_resumes_equal_to_an_uninterrupted_sync(cast, admin_actor, fd_connection,
                                                                             freshdesk):
    class Killed(BaseException):
        """Stands for the worker process dying: nothing in the run catches it."""

    lists = []

    def die_on_third_page(request):
        if request.url.path == "/api/v2/tickets":
            lists.append(request.url)
            if len(lists) == 3:
                raise Killed

    with pytest.raises(Killed):
        run_sync(fd_connection, small_pages(freshdesk, hooks=[die_on_third_page]))
    killed = ConnectionRun.objects.get(connection=fd_connection)
    fd_connection.refresh_from_db()
    # by change: 1, 2, 4, 5, 3, 6, 7. Two pages committed with their cursor: 1, 2, then 4 (2 came again with it,
    # at the watermark's second, and was skipped); 4 waits for its agent
    assert (killed.status, killed.pages, killed.tickets_read, killed.pending) == ("running", 2, 3, 1)
    assert fd_connection.cursor == killed.cursor_reached
    assert fd_connection.cursor["streams"]["tickets"]["seen"] == [4]
    assert sorted(rows()) == ["1", "2"]

    Connection.objects.filter(pk=fd_connection.pk).update(lock_until=timezone.now() - dt.timedelta(seconds=1))
    resumed = run_sync(fd_connection, small_pages(freshdesk))
    killed.refresh_from_db()
    assert (resumed.status, resumed.tickets_read, resumed.created) == ("succeeded", 4, 2)  # 5, 3, 6, 7: 3 and 7
    assert resumed.cursor_start == killed.cursor_reached
    assert (killed.status, killed.error) == ("failed", INTERRUPTED)

    # The same remote read by an uninterrupted sync of another connection gives the same rows, row by row.
    reference = connect(cast, admin_actor, "acme-reference.freshdesk.com")
    run_sync(reference, small_pages(freshdesk))
    assert rows() == rows("freshdesk:acme-reference.freshdesk.com")
    assert Interaction.objects.filter(source=SOURCE).count() == 4


def test_csat_follows_the_connections_mapping_over_the_defaults(admin_actor, fd_connection, freshdesk):
    connection_mappings_replace(actor=admin_actor, connection=fd_connection, channels=[], scenarios=[],
                                csat={"103": 4})
    run_sync(fd_connection)
    got = rows()
    assert (got["1"]["csat"], got["3"]["csat"]) == (4, 1)  # 103 -> 4 by the mapping; -103 -> 1 by default


def test_unmapped_agents_tickets_wait_and_are_ingested_once_mapped(cast, admin_actor, fd_connection, freshdesk,
                                                                   django_capture_on_commit_callbacks):
    run_sync(fd_connection)
    remote = ConnectionAgent.objects.get(connection=fd_connection, remote_id="603")
    assert remote.agent is None and remote.email == "new.hire@fd.test"  # listed so an admin can map it
    assert ConnectionAgent.objects.get(connection=fd_connection, remote_id="601").agent == cast.own_agent
    assert not Interaction.objects.filter(source=SOURCE, external_id="4").exists()

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        connection_agent_map(actor=admin_actor, connection=fd_connection, remote_id="603",
                             agent=cast.north_agents[2])
    assert len(callbacks) == 1
    queued = ConnectionRun.objects.get(connection=fd_connection, status="queued")
    connection_run_execute(run_id=queued.pk)
    queued.refresh_from_db()
    assert (queued.status, queued.released, queued.created) == ("succeeded", 1, 1)
    four = Interaction.objects.get(source=SOURCE, external_id="4")
    assert (four.agent_id, four.channel, four.resolved, four.first_contact_resolved, four.first_response_seconds) == (
        cast.north_agents[2].pk, "chat", True, True, 60)


def test_a_refused_api_key_needs_attention_and_keeps_no_cursor(fd_connection, freshdesk,
                                                               django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        run = run_sync(fd_connection, small_pages(freshdesk, api_key="revoked"))
    assert run.status == "failed" and "credentials were refused (HTTP 401)" in run.error
    assert fd_connection.status == "needs_attention" and fd_connection.cursor is None


def test_rate_limits_server_errors_and_slow_answers_are_retried(fd_connection, freshdesk):
    freshdesk.fail("/api/v2/tickets", status=429, headers={"Retry-After": "3"})
    freshdesk.fail("/api/v2/tickets", status=500)
    freshdesk.fail("/api/v2/tickets", delay=1.0)
    run = run_sync(fd_connection, small_pages(freshdesk, timeout=0.3))
    assert run.status == "succeeded" and run.created == 4
