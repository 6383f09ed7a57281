"""The Freshdesk adapter through the real httpx client against a local Freshdesk (tests/connectors/freshdesk_server.py):
ordering and the page cap, resuming from cursors, stats and ratings folded into tickets, deleted and spam tickets,
retries and refusals, agents."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from performance.connectors.freshdesk import FreshdeskHelpDesk, freshdesk_account_clean
from performance.connectors.remote import MAX_ATTEMPTS, RemoteAuthError, RemoteError

START = dt.datetime(2026, 11, 1, tzinfo=dt.UTC)
T0 = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def at(seconds: int) -> dt.datetime:
    return T0 + dt.timedelta(seconds=seconds)


def run(helpdesk: FreshdeskHelpDesk, cursor=None):
    """Every page of one pass: (pages, the ids in the order handed over, the final cursor)."""
    pages = list(helpdesk.pages(cursor=cursor, start_time=START))
    assert pages[-1].end_of_stream and not any(page.end_of_stream for page in pages[:-1])
    return pages, [t.external_id for page in pages for t in page.tickets], pages[-1].cursor


# -- account and credentials ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("account", [
    "https://acme.freshdesk.com", "acme.freshdesk.com/api", "acme.zendesk.com", "eu.acme.freshdesk.com",
    "acme.freshdesk.com:8443", "evil.com/acme.freshdesk.com", "", "acme.freshdesk.com.evil.com", "-acme.freshdesk.com"])
def test_an_account_that_is_not_a_freshdesk_domain_is_refused(account):
    with pytest.raises(ValueError, match="acme.freshdesk.com"):
        freshdesk_account_clean(account)


def test_the_account_is_a_lower_cased_domain_and_the_api_key_is_required():
    assert freshdesk_account_clean(" Acme-Support.Freshdesk.com ") == "acme-support.freshdesk.com"
    assert freshdesk_account_clean("acme") == "acme.freshdesk.com"
    with pytest.raises(ValueError, match="API key"):
        FreshdeskHelpDesk(account="acme.freshdesk.com", credentials={"api_key": " "})
    helpdesk = FreshdeskHelpDesk(account="acme.freshdesk.com", credentials={"api_key": "k"})
    assert helpdesk.base_url == "https://acme.freshdesk.com" and helpdesk.kind == "freshdesk"


def test_check_names_the_signed_in_agent_and_a_wrong_key_is_refused(freshdesk, make_helpdesk):
    freshdesk.put_agent(51, "lin.wei@acme.test", "Lin Wei")
    assert make_helpdesk().check() == "Lin Wei <lin.wei@acme.test> on acme.freshdesk.com"
    with pytest.raises(RemoteAuthError, match="/api/v2/agents/me: the credentials were refused"):
        make_helpdesk(api_key="wrong").check()
    assert len(freshdesk.paths("/api/v2/agents/me")) == 2  # a 401 is not retried


# -- order, pages and the page cap ---------------------------------------------------------------------------------

def test_tickets_come_oldest_change_first_with_the_documented_query(freshdesk, make_helpdesk):
    changes = {7: 40, 3: 10, 9: 30, 1: 20, 4: 50, 8: 0, 2: 60}  # id → seconds after T0 of its last change
    for ticket_id, seconds in changes.items():
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(seconds))
    freshdesk.put_ticket(5, created_at=at(-86400 * 5), updated_at=START - dt.timedelta(seconds=1))  # before start

    pages, ids, _ = run(make_helpdesk(per_page=3))

    assert ids == ["8", "3", "1", "9", "7", "4", "2"]
    first = freshdesk.paths("/api/v2/tickets")[0]
    assert first == {"updated_since": "2026-11-01T00:00:00Z", "order_by": "updated_at", "order_type": "asc",
                     "include": "stats", "per_page": "3", "page": "1"}


def test_each_page_starts_again_from_the_watermark_so_a_change_while_reading_loses_nothing(freshdesk, make_helpdesk):
    for ticket_id in range(1, 16):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(ticket_id))
    pages = make_helpdesk(per_page=5).pages(cursor=None, start_time=START)
    first = next(pages)
    assert [t.external_id for t in first.tickets] == ["1", "2", "3", "4", "5"]
    freshdesk.touch(2, at(100))  # read already; with plain page numbers ticket 6 would now slip to page 1
    freshdesk.purge(3)

    rest = [t.external_id for page in pages for t in page.tickets]

    assert rest == [str(i) for i in range(6, 16)] + ["2"]
    assert {query["page"] for query in freshdesk.paths("/api/v2/tickets")} == {"1"}


def test_tickets_sharing_a_second_across_pages_are_read_once_within_the_page_cap(make_helpdesk):
    from tests.connectors.freshdesk_server import FreshdeskServer

    server = FreshdeskServer(page_cap=3)
    try:
        for ticket_id in range(1, 41):  # 12 tickets (ids 10..21) changed in the same second
            freshdesk_second = 500 if 10 <= ticket_id <= 21 else ticket_id * 10
            server.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(freshdesk_second))
        helpdesk = make_helpdesk(per_page=5)
        helpdesk.base_url = server.url

        _, ids, _ = run(helpdesk)

        expected = sorted(range(1, 41), key=lambda i: (500 if 10 <= i <= 21 else i * 10, i))
        assert ids == [str(i) for i in expected]
        assert max(int(q["page"]) for q in server.paths("/api/v2/tickets")) == 3  # pages 2-3 of the shared second
    finally:
        server.close()


def test_more_tickets_in_one_second_than_the_page_cap_holds_moves_on_to_the_next_second(freshdesk, make_helpdesk):
    for ticket_id in range(1, 21):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(5))
    freshdesk.put_ticket(30, created_at=at(-3600), updated_at=at(9))

    _, ids, cursor = run(make_helpdesk(per_page=5, page_cap=3))

    assert ids == [str(i) for i in range(1, 16)] + ["30"]  # 15 of the 20 fit in 3 pages; the run goes on
    assert cursor["streams"]["tickets"] == {"since": "2026-11-02T09:00:09Z", "seen": [30], "page": 1}


def test_the_default_page_size_is_freshdesks_maximum(freshdesk, make_helpdesk):
    for ticket_id in range(1, 251):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(ticket_id))

    pages, ids, _ = run(make_helpdesk())

    assert ids == [str(i) for i in range(1, 251)]
    assert [len(page.tickets) for page in pages[:3]] == [100, 99, 51]  # each later page re-reads its first second
    assert {q["per_page"] for q in freshdesk.paths("/api/v2/tickets")} == {"100"}


# -- cursors -------------------------------------------------------------------------------------------------------

def test_resuming_from_any_saved_cursor_gives_exactly_the_remaining_tickets(freshdesk, make_helpdesk):
    for ticket_id in range(1, 14):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(ticket_id // 2))  # pairs share seconds
    freshdesk.put_ticket(20, created_at=at(-3600), updated_at=at(30), deleted=True)
    freshdesk.put_ticket(21, created_at=at(-3600), updated_at=at(31), spam=True)
    freshdesk.put_ticket(30, created_at=START - dt.timedelta(days=2), updated_at=START - dt.timedelta(days=1))
    freshdesk.put_rating(41, ticket_id=1, value=103, created_at=at(40))
    freshdesk.put_rating(42, ticket_id=13, value=-101, created_at=at(41))
    freshdesk.put_rating(43, ticket_id=30, value=102, created_at=at(42))  # rated, not changed since the start
    helpdesk = make_helpdesk(per_page=4)
    pages, ids, _ = run(helpdesk)
    assert ids == [str(i) for i in range(1, 14)] + ["20", "21", "30"]

    for index, page in enumerate(pages[:-1]):
        saved = json.loads(json.dumps(page.cursor))  # what the engine stores
        _, rest, _ = run(helpdesk, cursor=saved)
        done = [t.external_id for p in pages[:index + 1] for t in p.tickets]
        assert done + rest == ids, index


def test_an_incremental_pass_brings_only_what_changed(freshdesk, make_helpdesk):
    for ticket_id in range(1, 6):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(ticket_id))
    helpdesk = make_helpdesk(per_page=2)
    _, _, cursor = run(helpdesk)

    _, unchanged, cursor = run(helpdesk, cursor=cursor)
    freshdesk.touch(2, at(60), status=4)
    freshdesk.put_ticket(6, created_at=at(61), updated_at=at(61))
    _, changed, _ = run(helpdesk, cursor=cursor)

    assert unchanged == []
    assert changed == ["2", "6"]


# -- fields --------------------------------------------------------------------------------------------------------

def test_stats_become_first_response_resolution_replies_and_reopens(freshdesk, make_helpdesk):
    created = at(0)
    # resolved after one agent reply: first response 15 min, resolved after 2 h
    freshdesk.put_ticket(1, created_at=created, updated_at=at(7300), status=4, source=7, responder_id=51,
                         group_id=8, ticket_type="Refund", tags=("vip",), first_responded_at=at(900),
                         agent_responded_at=at(900), resolved_at=at(7200), status_updated_at=at(7200))
    # closed, reopened once before, the customer answered after the first reply
    freshdesk.put_ticket(2, created_at=created, updated_at=at(7400), status=5, source=10,
                         first_responded_at=at(60), agent_responded_at=at(60), requester_responded_at=at(120),
                         reopened_at=at(3000), resolved_at=None, closed_at=at(7000))
    # reopened and open again: the stale resolved_at is not a resolution
    freshdesk.put_ticket(3, created_at=created, updated_at=at(7500), status=2, source=3,
                         first_responded_at=at(30), agent_responded_at=at(600), resolved_at=at(1000),
                         reopened_at=at(2000))
    freshdesk.put_agent(51, "Lin.Wei@acme.test", "Lin Wei")
    # a custom status and an unknown source keep their numbers; no response yet
    freshdesk.put_ticket(4, created_at=created, updated_at=at(7600), status=6, source=99)

    pages, _, _ = run(make_helpdesk())
    by_id = {t.external_id: t for page in pages for t in page.tickets}

    one, two, three, four = by_id["1"], by_id["2"], by_id["3"], by_id["4"]
    assert (one.status, one.via, one.assignee_id, one.group_id, one.ticket_type, one.tags) == (
        "resolved", "chat", "51", "8", "Refund", ("vip",))
    assert (one.first_response_seconds, one.resolved_at, one.full_resolution_seconds) == (900, at(7200), 7200)
    assert (one.replies, one.reopens, one.deleted) == (1, 0, False)
    assert (two.status, two.via, two.resolved_at, two.full_resolution_seconds) == ("closed", "outbound_email",
                                                                                   at(7000), 7000)
    assert (two.first_response_seconds, two.replies, two.reopens) == (60, 2, 1)
    assert (three.status, three.via, three.resolved_at, three.full_resolution_seconds) == ("open", "phone", None,
                                                                                           None)
    assert (three.replies, three.reopens) == (2, 1)  # a later agent response than the first
    assert (four.status, four.via, four.first_response_seconds, four.replies) == ("6", "99", None, 0)
    assert four.assignee_id is None and four.requester_id == "9000" and four.created_at == created
    assert one.assignee_email == "lin.wei@acme.test"  # from the agents list, read once for the pass
    assert len(freshdesk.paths("/api/v2/agents")) == 1


# -- satisfaction --------------------------------------------------------------------------------------------------

def test_ratings_are_joined_to_their_tickets_as_raw_values_the_latest_winning(freshdesk, make_helpdesk):
    for ticket_id in (1, 2, 3):
        freshdesk.put_ticket(ticket_id, created_at=at(-3600), updated_at=at(ticket_id * 100), status=4)
    freshdesk.put_rating(11, ticket_id=1, value=103, created_at=at(50))
    freshdesk.put_rating(12, ticket_id=2, value=-103, created_at=at(60))
    freshdesk.put_rating(13, ticket_id=2, value=101, created_at=at(80))  # the customer changed their mind
    freshdesk.put_rating(14, ticket_id=77, value=100, created_at=at(70))  # its ticket is gone: skipped

    pages, ids, _ = run(make_helpdesk())
    tickets = {t.external_id: t.satisfaction for page in pages for t in page.tickets}

    assert ids == ["1", "2", "3"]
    assert tickets == {"1": "103", "2": "101", "3": None}
    ratings = freshdesk.paths("/api/v2/surveys/satisfaction_ratings")
    assert ratings[0]["created_since"] == "2026-11-01T00:00:00Z"  # a first pass: every rating since the start
    assert freshdesk.paths("/api/v2/tickets/77") == [{"include": "stats"}]  # a 404 is skipped, not a failure


def test_a_rating_given_later_brings_its_unchanged_ticket_back(freshdesk, make_helpdesk):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10), status=4, resolved_at=at(10))
    freshdesk.put_ticket(2, created_at=at(0), updated_at=at(20), status=4, resolved_at=at(20))
    helpdesk = make_helpdesk()
    _, _, cursor = run(helpdesk)
    freshdesk.put_rating(21, ticket_id=2, value=-102, created_at=at(5000))  # the ticket itself did not change
    freshdesk.put_rating(22, ticket_id=404, value=103, created_at=at(5001))  # purged since

    _, ids, cursor = run(helpdesk, cursor=cursor)
    pages = list(helpdesk.pages(cursor=cursor, start_time=START))

    assert ids == ["2"]
    assert [q for q in freshdesk.paths("/api/v2/tickets/2")] == [{"include": "stats"}]
    assert [t.external_id for page in pages for t in page.tickets] == []  # read once: not again next pass
    assert cursor["ratings"] == {"since": "2026-11-02T10:23:21Z", "seen": [22], "page": 1}


def test_an_updated_ticket_keeps_a_rating_given_in_an_earlier_pass(freshdesk, make_helpdesk):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10), status=4)
    freshdesk.put_rating(31, ticket_id=1, value=102, created_at=at(20))
    helpdesk = make_helpdesk()
    _, _, cursor = run(helpdesk)
    freshdesk.touch(1, at(9000), status=5)

    pages, ids, _ = run(helpdesk, cursor=cursor)

    assert ids == ["1"] and pages[0].tickets[0].satisfaction == "102"
    # the ratings read reach back to the updated ticket's creation, before the last pass's newest rating
    assert freshdesk.paths("/api/v2/surveys/satisfaction_ratings")[-1]["created_since"] == "2026-11-02T09:00:00Z"


def test_a_plan_without_surveys_syncs_tickets_without_ratings(freshdesk, make_helpdesk):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10), status=4)
    freshdesk.fail("/api/v2/surveys/satisfaction_ratings", status=403, times=5, body={
        "code": "require_feature",
        "message": "The Surveys feature(s) is/are not supported in your plan. Please upgrade your account to use it."})

    pages, ids, _ = run(make_helpdesk())

    assert ids == ["1"] and pages[0].tickets[0].satisfaction is None


# -- deleted and spam ----------------------------------------------------------------------------------------------

def test_deleted_and_spam_tickets_come_marked_deleted(freshdesk, make_helpdesk):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10))
    freshdesk.put_ticket(2, created_at=at(0), updated_at=at(20))
    helpdesk = make_helpdesk()
    _, _, cursor = run(helpdesk)
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(100), deleted=True)
    freshdesk.put_ticket(2, created_at=at(0), updated_at=at(110), spam=True)
    freshdesk.put_ticket(3, created_at=at(0), updated_at=at(120))

    pages, ids, _ = run(helpdesk, cursor=cursor)

    assert ids == ["3", "1", "2"]
    assert {t.external_id: t.deleted for page in pages for t in page.tickets} == {"3": False, "1": True, "2": True}
    filters = [q.get("filter") for q in freshdesk.paths("/api/v2/tickets")]
    assert filters[-3:] == [None, "deleted", "spam"]


# -- faults --------------------------------------------------------------------------------------------------------

def test_rate_limits_and_server_errors_are_waited_out_and_retried(freshdesk, make_helpdesk, sleeps):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10))
    freshdesk.fail("/api/v2/tickets", status=429, headers={"Retry-After": "7"})
    freshdesk.fail("/api/v2/tickets", status=500)

    _, ids, _ = run(make_helpdesk())

    assert ids == ["1"]
    assert sleeps[0] == 7.0 and len(sleeps) == 2 and 0 < sleeps[1] <= 60


def test_a_refused_key_during_a_sync_is_an_auth_error(freshdesk, make_helpdesk):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10))
    with pytest.raises(RemoteAuthError):
        list(make_helpdesk(api_key="revoked").pages(cursor=None, start_time=START))


def test_a_slow_answer_is_retried_and_a_remote_that_stays_slow_fails_the_run(freshdesk, make_helpdesk, sleeps):
    freshdesk.put_ticket(1, created_at=at(0), updated_at=at(10))
    freshdesk.fail("/api/v2/tickets", delay=0.6)
    _, ids, _ = run(make_helpdesk(timeout=0.2))
    assert ids == ["1"] and len(sleeps) == 1

    freshdesk.fail("/api/v2/tickets", delay=0.6, times=MAX_ATTEMPTS)
    with pytest.raises(RemoteError, match="no answer within the time limit"):
        list(make_helpdesk(timeout=0.2).pages(cursor=None, start_time=START))
    assert len(sleeps) == 1 + MAX_ATTEMPTS - 1


# -- agents --------------------------------------------------------------------------------------------------------

def test_users_are_the_agents_across_pages(freshdesk, make_helpdesk):
    freshdesk.put_agent(51, "Lin.Wei@Acme.test", "Lin Wei")
    freshdesk.put_agent(52, "zhao.min@acme.test", "Zhao Min")
    freshdesk.put_agent(53, "sun.li@acme.test", "Sun Li")

    users = list(make_helpdesk(per_page=2).users())

    assert [(u.remote_id, u.email, u.name) for u in users] == [
        ("51", "lin.wei@acme.test", "Lin Wei"), ("52", "zhao.min@acme.test", "Zhao Min"),
        ("53", "sun.li@acme.test", "Sun Li")]
    assert [q["page"] for q in freshdesk.paths("/api/v2/agents")] == ["1", "2"]
