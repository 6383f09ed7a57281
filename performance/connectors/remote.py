"""What a help-desk adapter (Zendesk, Freshdesk) hands to the sync engine, and the one HTTP call they all make.

The sync engine (performance/services/connectors/) sees only these shapes: it never parses a remote's JSON.
An adapter turns each remote page into a `RemotePage` whose `cursor` is the state to resume from *after* that
page; the engine saves it only once the page's rows are committed, so a run killed anywhere resumes without
loss or duplicates.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx

TIMEOUT = httpx.Timeout(30.0, connect=10.0)  # every remote call has a bound; a slow page fails and is retried
MAX_ATTEMPTS = 5  # a 429, 5xx or timeout is retried this many times in all before the run fails
MAX_BACKOFF_SECONDS = 60.0
MAX_RETRY_AFTER_SECONDS = 300.0  # a longer Retry-After ends the run; the next scheduled run resumes from the cursor


class RemoteError(Exception):
    """The remote could not be read (after retries): the run fails with this message, the cursor stays."""


class RemoteAuthError(RemoteError):
    """401 or 403: the credentials were refused. The connection needs an admin's attention."""


class RemoteNotFound(RemoteError):
    """404: the object asked for by id is gone on the remote (for example a ticket deleted for good)."""


class RemoteRateLimited(RemoteError):
    """The remote asked to wait longer than a run may wait (Retry-After above MAX_RETRY_AFTER_SECONDS)."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class RemoteTicket:
    """One remote ticket with what jixiao derives an interaction from; raw values, not yet mapped."""

    external_id: str
    created_at: dt.datetime
    updated_at: dt.datetime
    deleted: bool = False
    status: str = ""  # the remote's own value: Zendesk "new".."closed"/"deleted"; Freshdesk's number as text
    via: str = ""  # Zendesk via.channel ("email", "web", "voice", "chat", "api"...); Freshdesk source as text
    assignee_id: str | None = None
    assignee_email: str | None = None  # when the remote gives it with the ticket (side-loaded users)
    group_id: str | None = None
    ticket_type: str | None = None
    tags: tuple[str, ...] = ()
    requester_id: str | None = None
    first_response_seconds: int | None = None  # business-agnostic calendar seconds to the first public reply
    resolved_at: dt.datetime | None = None
    full_resolution_seconds: int | None = None
    reopens: int = 0
    replies: int = 0
    satisfaction: str | None = None  # Zendesk "good"/"bad"/"offered"/"unoffered"; Freshdesk rating as text
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)  # for errors and debugging


@dataclass(frozen=True)
class RemoteUser:
    remote_id: str
    email: str
    name: str


@dataclass(frozen=True)
class RemotePage:
    tickets: list[RemoteTicket]
    cursor: dict[str, Any]  # JSON-able; handed back to `pages(cursor=...)` to resume after this page
    end_of_stream: bool


class HelpDesk(Protocol):
    """An adapter. `account` is the Zendesk subdomain or the Freshdesk domain; `base_url` overrides the
    address built from it (tests point it at a local server)."""

    kind: str

    def check(self) -> str:
        """Call an authenticated endpoint; the signed-in remote user's description. Raises RemoteAuthError or
        RemoteError with a message an admin can act on."""
        ...

    def pages(self, *, cursor: dict[str, Any] | None, start_time: dt.datetime) -> Iterator[RemotePage]:
        """Tickets changed since `start_time` (first sync) or after `cursor` (later syncs), oldest first,
        page by page, each with its satisfaction and metrics folded in."""
        ...

    def users(self) -> Iterator[RemoteUser]:
        """The remote's agents, for mapping them to jixiao agents."""
        ...


def _retry_after(response: httpx.Response) -> float:
    value = response.headers.get("Retry-After", "")
    try:
        return max(0.0, float(value))
    except ValueError:
        return 60.0


def _backoff(attempt: int) -> float:
    return min(MAX_BACKOFF_SECONDS, 2.0 ** attempt) * (0.5 + random.random() / 2)  # noqa: S311 - jitter only


def remote_get(client: httpx.Client, url: str, *, params: Mapping[str, Any] | None = None,
               sleep: Callable[[float], None] = time.sleep) -> Any:
    """GET `url` and return its JSON. 429 waits for Retry-After; 5xx, timeouts and dropped connections are retried
    with exponential backoff, MAX_ATTEMPTS in all; 401/403 raise RemoteAuthError at once; 404 RemoteNotFound;
    other 4xx RemoteError.
    Never logs credentials (the client carries them; messages name the path only)."""
    path = httpx.URL(url).path
    for attempt in range(1, MAX_ATTEMPTS + 1):
        last = attempt == MAX_ATTEMPTS
        try:
            response = client.get(url, params=params)
        except httpx.TimeoutException as exc:
            if last:
                raise RemoteError(f"{path}: no answer within the time limit ({type(exc).__name__})") from exc
            sleep(_backoff(attempt))
            continue
        except httpx.TransportError as exc:
            if last:
                raise RemoteError(f"{path}: connection failed ({type(exc).__name__})") from exc
            sleep(_backoff(attempt))
            continue
        status = response.status_code
        if status in (401, 403):
            raise RemoteAuthError(f"{path}: the credentials were refused (HTTP {status})")
        if status == 429:
            wait = _retry_after(response)
            if wait > MAX_RETRY_AFTER_SECONDS:
                raise RemoteRateLimited(f"{path}: rate limited for {wait:.0f} s", retry_after=wait)
            if last:
                raise RemoteError(f"{path}: still rate limited after {MAX_ATTEMPTS} attempts")
            sleep(wait)
            continue
        if status >= 500:
            if last:
                raise RemoteError(f"{path}: HTTP {status} after {MAX_ATTEMPTS} attempts")
            sleep(_backoff(attempt))
            continue
        if status == 404:
            raise RemoteNotFound(f"{path}: not found (HTTP 404)")
        if status >= 400:
            raise RemoteError(f"{path}: HTTP {status}")
        try:
            return response.json()
        except ValueError as exc:
            raise RemoteError(f"{path}: the answer is not JSON") from exc
    raise AssertionError("unreachable")
