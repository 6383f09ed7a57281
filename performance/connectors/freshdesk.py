"""The Freshdesk adapter: tickets with their stats, deleted and spam tickets, and satisfaction ratings (API v2).

Tickets come from `GET /api/v2/tickets?updated_since=…&order_by=updated_at&order_type=asc&include=stats`.
Freshdesk pages by number and refuses pages past 300, and page numbers over a list that changes while it is read
skip rows (a ticket updated after its page was read moves to the end and shifts every later ticket back by one).
So each request starts again from the watermark, the newest `updated_at` read so far, with `page=1`: the tickets
read at exactly that second are remembered and skipped when they come back. The page number only grows while a
whole page shares one second; at the cap the watermark moves to the next second (more than per_page × 300 tickets
changed within one second is the only case that loses tickets, and only until they change again).

Three streams share that logic, each with its own watermark: live tickets, then `filter=deleted`, then
`filter=spam` (Freshdesk's default list leaves both out); deleted and spam tickets come back with `deleted=True`.

Satisfaction: `/api/v2/surveys/satisfaction_ratings?created_since=…` is read once per run into a map
ticket id → the latest rating's `default_question` value (Freshdesk's classic scale: 103 extremely happy … -103
extremely unhappy; kept as text, mapped to 1–5 by the core). The map reaches back to the oldest `created_at` of the
tickets being read (a rating never predates its ticket), bounded by RATINGS_LOOKBACK before the last run's ratings.
Without surveys in the Freshdesk plan the ratings request is refused (403): tickets come without ratings.
A rating can arrive without the ticket changing; the last phase re-reads those tickets one by one
(`GET /api/v2/tickets/{id}?include=stats`), only for tickets rated since the last run and not already read.

Assignees: `responder_id`, with the agent's email from one read of `/api/v2/agents` per pass (the ticket list
carries no emails), so the core can map agents by email.

Replies and reopens come from `stats` (no per-ticket conversation calls): reopens is 1 when `reopened_at` is set
(Freshdesk keeps the last reopen time, not a count); replies is 0 without a first response, 1 when the agent's last
response is the first one and the requester has not answered after it, else 2 ("more than one").
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.utils.translation import gettext as _

from performance.connectors.remote import (
    TIMEOUT,
    RemoteAuthError,
    RemoteError,
    RemoteNotFound,
    RemotePage,
    RemoteTicket,
    RemoteUser,
    remote_get,
)

PER_PAGE = 100  # Freshdesk's maximum
PAGE_CAP = 300  # Freshdesk answers 400 past page 300 of any list
RATINGS_LOOKBACK = dt.timedelta(days=30)
CURSOR_VERSION = 1
STREAMS = ("tickets", "deleted", "spam")  # in this order, then "ratings"

SOURCES = {1: "email", 2: "portal", 3: "phone", 4: "forum", 5: "twitter", 6: "facebook", 7: "chat",
           8: "mobihelp", 9: "feedback_widget", 10: "outbound_email", 11: "ecommerce", 12: "bot"}
STATUSES = {2: "open", 3: "pending", 4: "resolved", 5: "closed"}
RESOLVED_STATUSES = {4, 5}
_ACCOUNT = re.compile(r"^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.freshdesk\.com)?$")


def freshdesk_account_clean(account: str) -> str:
    """The Freshdesk domain, lower-cased: `acme.freshdesk.com` (or just `acme`), without scheme, port or path."""
    match = _ACCOUNT.match((account or "").strip().lower())
    if not match:
        raise ValueError(_("The Freshdesk account must be your helpdesk's domain, such as acme.freshdesk.com."))
    return f"{match.group(1)}.freshdesk.com"


def _parse(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def _format(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _second(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _seconds(start: dt.datetime, end: dt.datetime | None) -> int | None:
    return None if end is None else max(0, int((end - start).total_seconds()))


def _replies(stats: dict[str, Any]) -> int:
    first = _parse(stats.get("first_responded_at"))
    if first is None:
        return 0
    last_agent = _parse(stats.get("agent_responded_at")) or first
    requester = _parse(stats.get("requester_responded_at"))
    return 2 if last_agent > first or (requester is not None and requester > first) else 1


def ticket_from_freshdesk(data: dict[str, Any], satisfaction: str | None = None,
                          assignee_email: str | None = None) -> RemoteTicket:
    """One Freshdesk ticket (with `stats` included) as a RemoteTicket."""
    stats = data.get("stats") or {}
    created = _parse(data["created_at"])
    status = data.get("status")
    resolved_at = None
    if status in RESOLVED_STATUSES:
        resolved_at = _parse(stats.get("resolved_at")) or _parse(stats.get("closed_at"))
    return RemoteTicket(
        external_id=str(data["id"]),
        created_at=created,
        updated_at=_parse(data["updated_at"]),
        deleted=bool(data.get("deleted") or data.get("spam")),
        status=STATUSES.get(status, "" if status is None else str(status)),
        via=SOURCES.get(data.get("source"), "" if data.get("source") is None else str(data.get("source"))),
        assignee_id=None if data.get("responder_id") is None else str(data["responder_id"]),
        assignee_email=assignee_email,
        group_id=None if data.get("group_id") is None else str(data["group_id"]),
        ticket_type=data.get("type") or None,
        tags=tuple(data.get("tags") or ()),
        requester_id=None if data.get("requester_id") is None else str(data["requester_id"]),
        first_response_seconds=_seconds(created, _parse(stats.get("first_responded_at"))),
        resolved_at=resolved_at,
        full_resolution_seconds=_seconds(created, resolved_at),
        reopens=1 if stats.get("reopened_at") else 0,
        replies=_replies(stats),
        satisfaction=satisfaction,
        raw=data,
    )


@dataclass
class _Watermark:
    """Where one ticket stream resumes: the newest second read, the ids read at that second, the page there."""

    since: dt.datetime
    seen: set[int] = field(default_factory=set)
    page: int = 1

    def to_json(self) -> dict[str, Any]:
        return {"since": _format(self.since), "seen": sorted(self.seen), "page": self.page}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> _Watermark:
        return cls(since=_parse(data["since"]), seen=set(data.get("seen", ())), page=int(data.get("page", 1)))

    def is_seen(self, ticket: dict[str, Any]) -> bool:
        return ticket["id"] in self.seen and _parse(ticket["updated_at"]) == self.since

    def advance(self, tickets: list[dict[str, Any]], *, page_cap: int, full: bool) -> None:
        newest = max((_second(_parse(t["updated_at"])) for t in tickets), default=self.since)
        if newest > self.since:
            self.since, self.page = newest, 1
            self.seen = {t["id"] for t in tickets if _parse(t["updated_at"]) == newest}
        elif full:  # a whole page at the watermark's second: read the next page of that second
            self.seen |= {t["id"] for t in tickets}
            self.page += 1
        if full and self.page > page_cap:
            self.since, self.seen, self.page = self.since + dt.timedelta(seconds=1), set(), 1


class _Ratings:
    """Ticket id → the latest rating, for ratings created since `lo` (read again further back when needed)."""

    def __init__(self, helpdesk: FreshdeskHelpDesk, *, floor: dt.datetime) -> None:
        self.helpdesk, self.floor = helpdesk, floor
        self.lo: dt.datetime | None = None
        self.latest: dict[int, dict[str, Any]] = {}
        self._new: tuple[tuple[dt.datetime, frozenset[int]], list[dict[str, Any]]] | None = None

    def cover(self, since: dt.datetime) -> None:
        since = max(_second(since), self.floor)
        if self.lo is not None and since >= self.lo:
            return
        latest: dict[int, dict[str, Any]] = {}
        try:
            ratings = list(self.helpdesk._list("/api/v2/surveys/satisfaction_ratings",
                                               {"created_since": _format(since)}))
        except RemoteAuthError:  # 403 without surveys in the plan (the tickets were just read with this key)
            ratings = []
        for rating in ratings:
            ticket_id = rating.get("ticket_id")
            if ticket_id is None or (rating.get("ratings") or {}).get("default_question") is None:
                continue
            known = latest.get(ticket_id)
            if known is None or (_parse(rating["created_at"]), rating["id"]) > (_parse(known["created_at"]),
                                                                                known["id"]):
                latest[ticket_id] = rating
        self.latest, self.lo, self._new = latest, since, None

    def value(self, ticket_id: int) -> str | None:
        rating = self.latest.get(ticket_id)
        return None if rating is None else str(rating["ratings"]["default_question"])

    def new_since(self, mark: _Watermark) -> list[dict[str, Any]]:
        """The ratings after `mark` (kept until the ratings are read again: every page's cursor asks)."""
        key = (mark.since, frozenset(mark.seen))
        if self._new is None or self._new[0] != key:
            self._new = key, [r for r in self.latest.values()
                              if _parse(r["created_at"]) > mark.since or (_parse(r["created_at"]) == mark.since
                                                                          and r["id"] not in mark.seen)]
        return self._new[1]


class FreshdeskHelpDesk:
    """`account` is the helpdesk's domain (acme.freshdesk.com); credentials {"api_key": …} (basic auth key:X)."""

    kind = "freshdesk"

    def __init__(self, *, account: str, credentials: dict, base_url: str | None = None,
                 client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep,
                 per_page: int = PER_PAGE, page_cap: int = PAGE_CAP) -> None:
        self.account = freshdesk_account_clean(account)
        api_key = (credentials or {}).get("api_key")
        if not isinstance(api_key, str) or not api_key.strip():
            raise ValueError(_("The Freshdesk credentials need the API key from the agent's profile settings."))
        self.base_url = (base_url or f"https://{self.account}").rstrip("/")
        self.client = client or httpx.Client(timeout=TIMEOUT)
        self.client.auth = httpx.BasicAuth(api_key.strip(), "X")
        self.sleep, self.per_page, self.page_cap = sleep, per_page, page_cap

    def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        return remote_get(self.client, self.base_url + path, params=params, sleep=self.sleep)

    def _list(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a numbered list (up to the page cap); a short page is the last one."""
        for page in range(1, self.page_cap + 1):
            items = self._get(path, {**params, "per_page": self.per_page, "page": page})
            if not isinstance(items, list):
                raise RemoteError(f"{path}: the answer is not a list")
            yield from items
            if len(items) < self.per_page:
                return

    def check(self) -> str:
        me = self._get("/api/v2/agents/me")
        contact = me.get("contact") or {}
        return f"{contact.get('name') or me.get('id')} <{contact.get('email') or ''}> on {self.account}"

    def users(self) -> Iterator[RemoteUser]:
        for agent in self._list("/api/v2/agents", {}):
            contact = agent.get("contact") or {}
            yield RemoteUser(remote_id=str(agent["id"]), email=(contact.get("email") or "").lower(),
                             name=contact.get("name") or "")

    def pages(self, *, cursor: dict[str, Any] | None, start_time: dt.datetime) -> Iterator[RemotePage]:
        return _Run(self, cursor=cursor, start_time=start_time).pages()


class _Run:
    """One pass over the streams, resuming from a cursor made by an earlier pass (or by this one)."""

    def __init__(self, helpdesk: FreshdeskHelpDesk, *, cursor: dict[str, Any] | None, start_time: dt.datetime):
        self.helpdesk = helpdesk
        start = _second(start_time)
        if cursor and cursor.get("v") == CURSOR_VERSION:
            self.phase = cursor["phase"]
            self.marks = {name: _Watermark.from_json(cursor["streams"][name]) for name in STREAMS}
            self.ratings_mark = _Watermark.from_json(cursor["ratings"])
            self.rated_after = int(cursor.get("rated_after", 0))
            self.read = set(cursor.get("read_rated", ()))
            floor = max(start, self.ratings_mark.since - RATINGS_LOOKBACK)
        else:
            self.phase = STREAMS[0]
            self.marks = {name: _Watermark(since=start) for name in STREAMS}
            self.ratings_mark = _Watermark(since=start)
            self.rated_after = 0
            self.read = set()
            floor = start
        self.ratings = _Ratings(helpdesk, floor=floor)
        self.agent_emails: dict[int, str] | None = None  # responder id → email, read once per pass when needed
        # self.read: ticket ids this pass already handed over with their rating; the cursor keeps those with a
        # rating new in this pass (few), so a resumed pass does not read them again one by one

    def cursor(self) -> dict[str, Any]:
        rated = {r["ticket_id"] for r in self.ratings.new_since(self.ratings_mark)} if self.ratings.lo else set()
        return {"v": CURSOR_VERSION, "phase": self.phase, "rated_after": self.rated_after,
                "read_rated": sorted(self.read & rated),
                "streams": {name: mark.to_json() for name, mark in self.marks.items()},
                "ratings": self.ratings_mark.to_json()}

    def pages(self) -> Iterator[RemotePage]:
        for name in STREAMS[STREAMS.index(self.phase):] if self.phase in STREAMS else ():
            self.phase = name
            yield from self._stream(name)
        self.phase = "ratings"
        yield from self._rated()

    def _stream(self, name: str) -> Iterator[RemotePage]:
        mark = self.marks[name]
        params = {"order_by": "updated_at", "order_type": "asc", "include": "stats", "per_page": self.helpdesk.per_page}
        if name != "tickets":
            params["filter"] = name
        while True:
            raw = self.helpdesk._get("/api/v2/tickets", {**params, "updated_since": _format(mark.since),
                                                         "page": mark.page})
            if not isinstance(raw, list):
                raise RemoteError("/api/v2/tickets: the answer is not a list")
            fresh = [t for t in raw if not mark.is_seen(t)]
            tickets = self._with_ratings(fresh)
            full = len(raw) >= self.helpdesk.per_page
            mark.advance(raw, page_cap=self.helpdesk.page_cap, full=full)
            if full:
                yield RemotePage(tickets=tickets, cursor=self.cursor(), end_of_stream=False)
                continue
            following = STREAMS.index(name) + 1
            self.phase = STREAMS[following] if following < len(STREAMS) else "ratings"
            self.rated_after = 0
            yield RemotePage(tickets=tickets, cursor=self.cursor(), end_of_stream=False)
            return

    def _with_ratings(self, raw: list[dict[str, Any]]) -> list[RemoteTicket]:
        oldest = min((_parse(t["created_at"]) for t in raw), default=self.ratings_mark.since)
        self.ratings.cover(min(oldest, self.ratings_mark.since))
        self.read |= {t["id"] for t in raw}
        return [self._ticket(t) for t in raw]

    def _ticket(self, data: dict[str, Any]) -> RemoteTicket:
        responder = data.get("responder_id")
        if responder is not None and self.agent_emails is None:
            try:  # the list of tickets carries no emails: one read of the agents lets the core map them by email
                self.agent_emails = {int(user.remote_id): user.email for user in self.helpdesk.users()}
            except RemoteAuthError:  # an API key that may not list agents: mapped by hand then
                self.agent_emails = {}
        email = (self.agent_emails or {}).get(responder) if responder is not None else None
        return ticket_from_freshdesk(data, self.ratings.value(data["id"]), email or None)

    def _rated(self) -> Iterator[RemotePage]:
        """Tickets rated since the last pass that no stream brought (a rating need not touch the ticket)."""
        self.ratings.cover(self.ratings_mark.since)
        new = self.ratings.new_since(self.ratings_mark)
        waiting = sorted({r["ticket_id"] for r in new} - self.read)
        waiting = [ticket_id for ticket_id in waiting if ticket_id > self.rated_after]
        for start in range(0, len(waiting), self.helpdesk.per_page):
            batch, tickets = waiting[start:start + self.helpdesk.per_page], []
            for ticket_id in batch:
                try:
                    data = self.helpdesk._get(f"/api/v2/tickets/{ticket_id}", {"include": "stats"})
                except RemoteNotFound:
                    continue  # purged since it was rated: nothing to bring
                tickets.append(self._ticket(data))
            self.rated_after = batch[-1]
            yield RemotePage(tickets=tickets, cursor=self.cursor(), end_of_stream=False)
        newest = max((_parse(r["created_at"]) for r in new), default=None)
        if newest is not None:
            at_newest = {r["id"] for r in new if _parse(r["created_at"]) == newest}
            if newest == self.ratings_mark.since:
                at_newest |= self.ratings_mark.seen
            self.ratings_mark = _Watermark(since=newest, seen=at_newest)
        self.phase, self.rated_after, self.read = STREAMS[0], 0, set()
        yield RemotePage(tickets=[], cursor=self.cursor(), end_of_stream=True)
