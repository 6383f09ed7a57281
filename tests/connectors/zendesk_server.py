"""A local Zendesk Support API for the tests, serving the documented response shapes over real HTTP.

- `GET /api/v2/incremental/tickets/cursor.json` (start_time, then cursor; include=metric_sets,users): every
  ticket's current version ordered by when it last changed, `page_size` per page, `after_cursor`/`after_url`,
  `end_of_stream`; a ticket changed after it was exported is exported again (as Zendesk does). Deleted tickets
  keep coming with `status: "deleted"`.
- `GET /api/v2/users/me.json`, `GET /api/v2/users.json`.
- Basic auth `{email}/token:{api_token}`; anything else is a 401 (Zendesk's JSON error).
- `faults`: responses served before the next real one: (status, headers, delay seconds).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

EMAIL, TOKEN = "ops@acme.test", "zd-token-0123456789abcdef"


def stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ZendeskState:
    page_size: int = 2
    email: str = EMAIL
    token: str = TOKEN
    tickets: dict[int, dict[str, Any]] = field(default_factory=dict)
    metrics: dict[int, dict[str, Any]] = field(default_factory=dict)
    users: dict[int, dict[str, Any]] = field(default_factory=dict)
    changed: dict[int, int] = field(default_factory=dict)  # ticket id -> change sequence number
    sequence: int = 0
    faults: deque = field(default_factory=deque)
    requests: list[str] = field(default_factory=list)
    repeat_in_page: set[int] = field(default_factory=set)  # ticket ids served twice within their page
    lock: threading.Lock = field(default_factory=threading.Lock)

    def user(self, user_id: int, email: str, name: str, role: str = "agent") -> None:
        self.users[user_id] = {"id": user_id, "email": email, "name": name, "role": role}

    def ticket(self, ticket_id: int, *, created: dt.datetime, updated: dt.datetime | None = None,
               status: str = "open", channel: str = "email", assignee: int | None = None, group: int | None = None,
               ticket_type: str | None = None, tags: tuple[str, ...] = (), requester: int = 9000,
               score: str = "unoffered", reply_seconds: int | None = None, reopens: int = 0, replies: int = 0,
               solved_at: dt.datetime | None = None, resolution_minutes: int | None = None) -> None:
        """Create or change a ticket (with its metric set); it moves to the end of the export stream."""
        with self.lock:
            self.sequence += 1
            updated = updated or created
            self.tickets[ticket_id] = {
                "id": ticket_id, "url": f"https://acme.zendesk.com/api/v2/tickets/{ticket_id}.json",
                "created_at": stamp(created), "updated_at": stamp(updated), "status": status,
                "via": {"channel": channel, "source": {}}, "assignee_id": assignee, "group_id": group,
                "type": ticket_type, "tags": list(tags), "requester_id": requester, "subject": f"Ticket {ticket_id}",
                "satisfaction_rating": {"score": score}, "generated_timestamp": int(updated.timestamp()),
            }
            self.metrics[ticket_id] = {
                "id": 70000 + ticket_id, "ticket_id": ticket_id, "reopens": reopens, "replies": replies,
                "reply_time_in_seconds": {"calendar": reply_seconds},
                "reply_time_in_minutes": {"calendar": None if reply_seconds is None else reply_seconds // 60,
                                          "business": None},
                "full_resolution_time_in_minutes": {"calendar": resolution_minutes, "business": None},
                "solved_at": stamp(solved_at) if solved_at else None,
            }
            self.changed[ticket_id] = self.sequence

    def delete(self, ticket_id: int, when: dt.datetime) -> None:
        with self.lock:
            self.sequence += 1
            self.tickets[ticket_id] |= {"status": "deleted", "updated_at": stamp(when)}
            self.changed[ticket_id] = self.sequence

    def export(self, *, start_time: int | None, cursor: str | None) -> dict[str, Any]:
        with self.lock:
            after = int(base64.urlsafe_b64decode(cursor).decode()) if cursor else 0
            stream = sorted((seq, tid) for tid, seq in self.changed.items() if seq > after)
            if start_time is not None:
                stream = [(seq, tid) for seq, tid in stream if self.tickets[tid]["generated_timestamp"] >= start_time]
            page, rest = stream[:self.page_size], stream[self.page_size:]
            ids = [tid for _, tid in page]
            served = [tid for tid in ids for _ in range(2 if tid in self.repeat_in_page else 1)]
            last = page[-1][0] if page else after
            next_cursor = base64.urlsafe_b64encode(str(last).encode()).decode()
            assignees = {self.tickets[tid]["assignee_id"] for tid in ids} - {None}
            return {
                "tickets": [dict(self.tickets[tid]) for tid in served],
                "metric_sets": [dict(self.metrics[tid]) for tid in ids],
                "users": [self.users[uid] for uid in sorted(assignees) if uid in self.users],
                "after_cursor": next_cursor,
                "after_url": f"/api/v2/incremental/tickets/cursor.json?cursor={next_cursor}",
                "before_cursor": None, "before_url": None,
                "end_of_stream": not rest,
            }


class _Handler(BaseHTTPRequestHandler):
    state: ZendeskState

    def log_message(self, *args) -> None:  # keep the test output clean
        pass

    def _send(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        state = self.state
        parts = urlsplit(self.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        state.requests.append(self.path)
        expected = "Basic " + base64.b64encode(f"{state.email}/token:{state.token}".encode()).decode()
        if self.headers.get("Authorization") != expected:
            return self._send(401, {"error": "Couldn't authenticate you"})
        if state.faults:
            status, headers, delay = state.faults.popleft()
            time.sleep(delay)
            return self._send(status, {"error": "injected"}, headers)
        if parts.path == "/api/v2/users/me.json":
            return self._send(200, {"user": {"id": 1, "name": "Ops Bot", "email": state.email, "role": "admin"}})
        if parts.path == "/api/v2/users.json":
            users = [u for u in state.users.values() if u["role"] in ("agent", "admin")]
            return self._send(200, {"users": users, "meta": {"has_more": False}, "links": {"next": None}})
        if parts.path == "/api/v2/incremental/tickets/cursor.json":
            if "cursor" not in query and "start_time" not in query:
                return self._send(400, {"error": "InvalidValue", "description": "start_time or cursor required"})
            start = int(query["start_time"]) if "start_time" in query else None
            return self._send(200, state.export(start_time=start, cursor=query.get("cursor")))
        return self._send(404, {"error": "RecordNotFound"})


class ZendeskServer:
    """Runs on 127.0.0.1 on a free port in a background thread; `url` is its base URL."""

    def __init__(self, state: ZendeskState | None = None) -> None:
        self.state = state or ZendeskState()
        handler = type("Handler", (_Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ZendeskServer:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
