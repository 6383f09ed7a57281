"""Zendesk Support adapter: the cursor-based incremental ticket export with metric sets and users side-loaded.

- `GET /api/v2/incremental/tickets/cursor.json?start_time=<unix>&include=metric_sets,users` for the first page,
  then `?cursor=<after_cursor>` until `end_of_stream`; the last `after_cursor` is kept for the next run (Zendesk
  keeps exporting from there). Deleted tickets come with `status: "deleted"`.
- Satisfaction is the ticket's `satisfaction_rating.score` (good, bad, offered, unoffered).
- Metrics come from the side-loaded metric set: `reply_time_in_seconds.calendar` (or minutes × 60),
  `full_resolution_time_in_minutes.calendar`, `reopens`, `replies`, `solved_at`.
- Authentication: `{email}/token:{api_token}` (HTTP basic), over https://{subdomain}.zendesk.com.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx

from performance.connectors.remote import (
    TIMEOUT,
    RemoteAuthError,
    RemoteError,
    RemotePage,
    RemoteTicket,
    RemoteUser,
    remote_get,
)

SUBDOMAIN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")
EXPORT_PATH = "/api/v2/incremental/tickets/cursor.json"
SIDE_LOADS = "metric_sets,users"
RESOLVED_STATUSES = frozenset({"solved", "closed"})
AGENT_ROLES = ("agent", "admin")


def zendesk_base_url(account: str) -> str:
    """https://{subdomain}.zendesk.com; the subdomain must be a plain DNS label (no dots, no scheme, no port)."""
    if not SUBDOMAIN.match(account or ""):
        raise ValueError(f"{account!r} is not a Zendesk subdomain")
    return f"https://{account}.zendesk.com"


def _moment(value: Any) -> dt.datetime | None:
    if not value:
        return None
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _calendar(metric: dict[str, Any], name: str) -> int | None:
    value = (metric.get(name) or {}).get("calendar")
    return None if value is None else int(value)


def _first_reply_seconds(metric: dict[str, Any]) -> int | None:
    seconds = _calendar(metric, "reply_time_in_seconds")
    if seconds is not None:
        return seconds
    minutes = _calendar(metric, "reply_time_in_minutes")
    return None if minutes is None else minutes * 60


def ticket_from_json(ticket: dict[str, Any], metric: dict[str, Any], users: dict[str, dict]) -> RemoteTicket:
    """One exported ticket with its metric set and side-loaded users -> RemoteTicket (raw values)."""
    status = str(ticket.get("status") or "")
    assignee = _text(ticket.get("assignee_id"))
    resolution = _calendar(metric, "full_resolution_time_in_minutes")
    solved_at = _moment(metric.get("solved_at")) if status in RESOLVED_STATUSES else None
    rating = ticket.get("satisfaction_rating") or {}
    return RemoteTicket(
        external_id=str(ticket["id"]),
        created_at=_moment(ticket["created_at"]),
        updated_at=_moment(ticket.get("updated_at") or ticket["created_at"]),
        deleted=status == "deleted",
        status=status,
        via=str((ticket.get("via") or {}).get("channel") or ""),
        assignee_id=assignee,
        assignee_email=(users.get(assignee) or {}).get("email") if assignee else None,
        group_id=_text(ticket.get("group_id")),
        ticket_type=_text(ticket.get("type")),
        tags=tuple(str(tag) for tag in ticket.get("tags") or ()),
        requester_id=_text(ticket.get("requester_id")),
        first_response_seconds=_first_reply_seconds(metric),
        resolved_at=solved_at,
        full_resolution_seconds=None if resolution is None else resolution * 60,
        reopens=int(metric.get("reopens") or 0),
        replies=int(metric.get("replies") or 0),
        satisfaction=_text(rating.get("score")) if isinstance(rating, dict) else None,
        raw=ticket,
    )


class ZendeskHelpDesk:
    kind = "zendesk"

    def __init__(self, *, account: str, credentials: dict, base_url: str | None = None,
                 client: httpx.Client | None = None, sleep: Callable[[float], None] = time.sleep) -> None:
        self.account = account
        self.base_url = (base_url or zendesk_base_url(account)).rstrip("/")
        auth = httpx.BasicAuth(f"{credentials['email']}/token", credentials["api_token"])
        if client is None:
            client = httpx.Client(timeout=TIMEOUT, follow_redirects=False)
        client.auth = auth
        self.client = client
        self.sleep = sleep

    def _get(self, path_or_url: str, params: dict[str, Any] | None = None) -> Any:
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.base_url + path_or_url
        if not url.startswith(self.base_url + "/"):
            raise RemoteError(f"{httpx.URL(url).path}: the remote pointed outside its own address")
        return remote_get(self.client, url, params=params, sleep=self.sleep)

    def check(self) -> str:
        user = (self._get("/api/v2/users/me.json") or {}).get("user") or {}
        if not user.get("id"):  # Zendesk answers an anonymous user when the credentials are not accepted
            raise RemoteAuthError("/api/v2/users/me.json: the credentials were not accepted (anonymous user)")
        return f"{user.get('name') or ''} <{user.get('email') or ''}> ({user.get('role') or 'user'})"

    def pages(self, *, cursor: dict[str, Any] | None, start_time: dt.datetime) -> Iterator[RemotePage]:
        after = (cursor or {}).get("after_cursor")
        while True:
            params: dict[str, Any] = {"include": SIDE_LOADS}
            if after:
                params["cursor"] = after
            else:
                params["start_time"] = int(start_time.timestamp())
            body = self._get(EXPORT_PATH, params)
            yield self._page(body, previous=after)
            if body.get("end_of_stream", True) or not body.get("after_cursor"):
                return
            after = body["after_cursor"]

    def _page(self, body: dict[str, Any], *, previous: str | None) -> RemotePage:
        metrics = {str(m.get("ticket_id")): m for m in body.get("metric_sets") or ()}
        users = {str(u.get("id")): u for u in body.get("users") or ()}
        tickets = [ticket_from_json(t, metrics.get(str(t.get("id")), {}), users) for t in body.get("tickets") or ()]
        after = body.get("after_cursor") or previous
        return RemotePage(tickets=tickets, cursor={"after_cursor": after} if after else {},
                          end_of_stream=bool(body.get("end_of_stream", True)))

    def users(self) -> Iterator[RemoteUser]:
        url: str | None = "/api/v2/users.json"
        params: dict[str, Any] | None = {"role[]": list(AGENT_ROLES), "page[size]": 100}
        while url:
            body = self._get(url, params)
            for user in body.get("users") or ():
                yield RemoteUser(remote_id=str(user["id"]), email=str(user.get("email") or ""),
                                 name=str(user.get("name") or ""))
            meta = body.get("meta") or {}
            url = (body.get("links") or {}).get("next") if meta.get("has_more") else None
            params = None
