"""A local Freshdesk for the tests: an HTTP server on 127.0.0.1 in a thread serving API v2's documented shapes.

It holds tickets (with their `stats`), agents and satisfaction ratings in memory; a test changes them between
syncs. It checks basic auth (api_key:X), honours `updated_since`, `order_by=updated_at`, `order_type`, `filter`
(deleted, spam), `include=stats`, `per_page` (at most 100) and `page`, answers 400 past its page cap like
Freshdesk ("You cannot access tickets beyond the 300th page"), sets the `link` header of a next page, and plays
scripted faults: a status (429 with Retry-After, 500, 401…) or a delay for the next requests of a path.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

API_KEY = "fd-test-key"


def stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@dataclass
class Fault:
    path: str  # the request path it applies to ("" for any)
    status: int = 0  # 0: answer normally, after `delay`
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None


class FreshdeskServer:
    def __init__(self, *, page_cap: int = 300, api_key: str = API_KEY):
        self.page_cap, self.api_key = page_cap, api_key
        self.tickets: dict[int, dict[str, Any]] = {}
        self.agents: list[dict[str, Any]] = []
        self.ratings: list[dict[str, Any]] = []
        self.faults: list[Fault] = []
        self.requests: list[tuple[str, dict[str, str]]] = []  # (path, query) of every request received
        self.lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                server._handle(self)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    # -- data a test sets up --------------------------------------------------------------------------------------

    def put_ticket(self, ticket_id: int, *, created_at: dt.datetime, updated_at: dt.datetime | None = None,
                   status: int = 2, source: int = 1, responder_id: int | None = None, group_id: int | None = None,
                   ticket_type: str | None = None, tags: tuple[str, ...] = (), requester_id: int = 9000,
                   deleted: bool = False, spam: bool = False, **stats: dt.datetime | None) -> dict[str, Any]:
        """Add or replace a ticket; `stats` keys are Freshdesk's (first_responded_at, resolved_at, …)."""
        names = ("agent_responded_at", "requester_responded_at", "first_responded_at", "status_updated_at",
                 "reopened_at", "resolved_at", "closed_at", "pending_since")
        unknown = set(stats) - set(names)
        assert not unknown, unknown
        ticket = {
            "id": ticket_id, "subject": f"Ticket {ticket_id}", "status": status, "priority": 1, "source": source,
            "requester_id": requester_id, "responder_id": responder_id, "group_id": group_id, "company_id": None,
            "type": ticket_type, "tags": list(tags), "spam": spam, "fr_escalated": False, "is_escalated": False,
            "cc_emails": [], "fwd_emails": [], "reply_cc_emails": [], "to_emails": None, "product_id": None,
            "due_by": stamp(created_at + dt.timedelta(days=3)), "fr_due_by": stamp(created_at + dt.timedelta(days=1)),
            "custom_fields": {}, "created_at": stamp(created_at), "updated_at": stamp(updated_at or created_at),
            "stats": {name: (stamp(stats[name]) if stats.get(name) else None) for name in names},
        }
        if deleted:
            ticket["deleted"] = True
        with self.lock:
            self.tickets[ticket_id] = ticket
        return ticket

    def touch(self, ticket_id: int, updated_at: dt.datetime, **changes: Any) -> None:
        with self.lock:
            ticket = self.tickets[ticket_id]
            ticket.update(changes)
            ticket["updated_at"] = stamp(updated_at)

    def purge(self, ticket_id: int) -> None:
        with self.lock:
            self.tickets.pop(ticket_id)

    def put_agent(self, agent_id: int, email: str, name: str) -> None:
        self.agents.append({"id": agent_id, "available": True, "occasional": False, "ticket_scope": 1,
                            "created_at": "2026-01-05T08:00:00Z", "updated_at": "2026-01-05T08:00:00Z",
                            "contact": {"name": name, "email": email, "active": True, "language": "en"}})

    def put_rating(self, rating_id: int, *, ticket_id: int, value: int, created_at: dt.datetime,
                   agent_id: int | None = None) -> None:
        self.ratings.append({"id": rating_id, "survey_id": 1, "user_id": 9000, "agent_id": agent_id,
                             "group_id": None, "ticket_id": ticket_id, "feedback": "", "ratings": {
                                 "default_question": value}, "created_at": stamp(created_at),
                             "updated_at": stamp(created_at)})

    def fail(self, path: str = "", *, status: int = 0, delay: float = 0.0, times: int = 1,
             headers: dict[str, str] | None = None, body: Any = None) -> None:
        """The next `times` requests to `path` (any path when blank) get `status` (or an answer after `delay`)."""
        self.faults.extend(Fault(path, status, delay, headers or {}, body) for _ in range(times))

    def paths(self, path: str) -> list[dict[str, str]]:
        return [query for seen, query in self.requests if seen == path]

    # -- the API ----------------------------------------------------------------------------------------------------

    def _handle(self, handler: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(handler.path)
        query = {key: values[-1] for key, values in parse_qs(parts.query).items()}
        with self.lock:
            self.requests.append((parts.path, query))
            fault = next((f for f in self.faults if f.path in ("", parts.path)), None)
            if fault:
                self.faults.remove(fault)
        if fault and fault.delay:
            time.sleep(fault.delay)
        if fault and fault.status:
            return self._send(handler, fault.status, fault.body or {"code": "fault"}, fault.headers)
        if not self._authorized(handler.headers.get("Authorization", "")):
            return self._send(handler, 401, {"code": "invalid_credentials",
                                             "message": "You have to be logged in to perform this action."})
        try:
            status, body, headers = self._route(parts.path, query)
        except _Invalid as exc:
            status, body, headers = 400, {"description": "Validation failed", "errors": [exc.args[0]]}, {}
        self._send(handler, status, body, headers)

    def _authorized(self, header: str) -> bool:
        expected = base64.b64encode(f"{self.api_key}:X".encode()).decode()
        return header == f"Basic {expected}"

    def _route(self, path: str, query: dict[str, str]) -> tuple[int, Any, dict[str, str]]:
        if path == "/api/v2/agents/me":
            return (200, self.agents[0], {}) if self.agents else (404, {"code": "not_found"}, {})
        if path == "/api/v2/agents":
            return self._page(path, query, list(self.agents))
        if path == "/api/v2/tickets":
            return self._page(path, query, self._tickets(query))
        if path.startswith("/api/v2/tickets/"):
            ticket = self.tickets.get(int(path.rsplit("/", 1)[1]))
            if ticket is None:
                return 404, {"code": "not_found"}, {}
            return 200, self._shape(ticket, query), {}
        if path == "/api/v2/surveys/satisfaction_ratings":
            since = _parse(query["created_since"]) if "created_since" in query else None
            ratings = [r for r in self.ratings if since is None or _parse(r["created_at"]) >= since]
            return self._page(path, query, sorted(ratings, key=lambda r: (r["created_at"], r["id"]), reverse=True))
        return 404, {"code": "not_found"}, {}

    def _tickets(self, query: dict[str, str]) -> list[dict[str, Any]]:
        with self.lock:
            tickets = list(self.tickets.values())
        wanted = query.get("filter")
        if wanted not in (None, "deleted", "spam"):
            raise _Invalid({"field": "filter", "message": "It should be one of these values: "
                            "'new_and_my_open,watching,spam,deleted'", "code": "invalid_value"})
        tickets = [t for t in tickets if (wanted == "deleted") == bool(t.get("deleted"))
                   and (wanted == "spam") == bool(t["spam"] and not t.get("deleted"))]
        if "updated_since" in query:
            since = _parse(query["updated_since"])
            tickets = [t for t in tickets if _parse(t["updated_at"]) >= since]
        key = query.get("order_by", "created_at")
        tickets.sort(key=lambda t: (t[key], t["id"]), reverse=query.get("order_type", "desc") == "desc")
        return [self._shape(t, query) for t in tickets]

    @staticmethod
    def _shape(ticket: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        shaped = json.loads(json.dumps(ticket))
        if "stats" not in query.get("include", "").split(","):
            shaped.pop("stats")
        return shaped

    def _page(self, path: str, query: dict[str, str], items: list[Any]) -> tuple[int, Any, dict[str, str]]:
        per_page, page = int(query.get("per_page", 30)), int(query.get("page", 1))
        if not 1 <= per_page <= 100:
            raise _Invalid({"field": "per_page", "message": "It should be a Positive Integer less than or equal to "
                            "100", "code": "invalid_value"})
        if page > self.page_cap:
            raise _Invalid({"field": "page", "message": f"You cannot access tickets beyond the {self.page_cap}th "
                            "page. Please provide a smaller page number.", "code": "invalid_value"})
        chunk = items[(page - 1) * per_page:page * per_page]
        headers = {}
        if len(items) > page * per_page and page < self.page_cap:
            headers["link"] = f'<{self.url}{path}?{urlencode({**query, "page": page + 1})}>; rel="next"'
        return 200, chunk, headers

    @staticmethod
    def _send(handler: BaseHTTPRequestHandler, status: int, body: Any, headers: dict[str, str] | None = None):
        payload = json.dumps(body).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(payload)))
            for name, value in (headers or {}).items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): nothing to answer


class _Invalid(Exception):
    pass
