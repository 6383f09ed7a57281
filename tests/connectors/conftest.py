"""Connector fixtures: local Zendesk and Freshdesk servers, connections to them, and runs executed through the real
client."""

from __future__ import annotations

import datetime as dt

import httpx
import pytest

from common.actor import Actor
from performance.connectors.freshdesk import FreshdeskHelpDesk
from performance.connectors.zendesk import ZendeskHelpDesk
from performance.models import ConnectionRun
from performance.services.connectors import connection_agent_map, connection_create, connection_run_execute
from tests.connectors.freshdesk_server import API_KEY, FreshdeskServer
from tests.connectors.zendesk_server import EMAIL, TOKEN, ZendeskServer

T0 = dt.datetime(2026, 10, 2, 9, 0, tzinfo=dt.UTC)
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def zendesk():
    with ZendeskServer() as server:
        yield server


@pytest.fixture
def admin_actor(cast) -> Actor:
    return Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])


@pytest.fixture
def connection(cast, admin_actor, zendesk, settings):
    settings.CONNECTOR_BASE_URL_OVERRIDES = {"zendesk:acme": zendesk.url, "zendesk:acme-reference": zendesk.url}
    return connection_create(actor=admin_actor, kind="zendesk", account="acme", start_date=dt.date(2026, 10, 1),
                             credentials={"email": EMAIL, "api_token": TOKEN})


class Desk:
    """Builds adapters against the local server with a short timeout, recording the waits instead of sleeping."""

    def __init__(self, server: ZendeskServer):
        self.server = server
        self.sleeps: list[float] = []

    def __call__(self, *, token: str = TOKEN, hooks: list | None = None, timeout: float = 0.5) -> ZendeskHelpDesk:
        client = httpx.Client(timeout=httpx.Timeout(timeout), event_hooks={"request": hooks or []})
        return ZendeskHelpDesk(account="acme", credentials={"email": EMAIL, "api_token": token},
                               base_url=self.server.url, client=client, sleep=self.sleeps.append)


@pytest.fixture
def desk(zendesk) -> Desk:
    return Desk(zendesk)


def run_sync(connection, help_desk=None, trigger="manual") -> ConnectionRun:
    run = ConnectionRun.objects.create(tenant_id=connection.tenant_id, connection=connection, trigger=trigger)
    connection_run_execute(run_id=run.pk, help_desk=help_desk)
    run.refresh_from_db()
    connection.refresh_from_db()
    return run


def seed_remote(cast, admin_actor, connection, zendesk) -> None:
    """Three remote agents: 501 is the agent user (auto-mapped by email), 502 is mapped by hand to N001, 503 is
    a new hire nobody mapped. Seven tickets, two per page; see test_zendesk_sync for what each one becomes."""
    state = zendesk.state
    state.user(501, "agent@acme.test", "Ann Agent")
    state.user(502, "north1@zd.test", "Nils North")
    state.user(503, "new.hire@zd.test", "Nia New")
    connection_agent_map(actor=admin_actor, connection=connection, remote_id="502", email="north1@zd.test",
                         agent=cast.north_agents[1])
    state.ticket(1, created=T0, status="solved", channel="email", assignee=501, ticket_type="question",
                 score="good", reply_seconds=600, replies=1, solved_at=T0 + 2 * HOUR, resolution_minutes=120)
    state.ticket(2, created=T0 + HOUR, status="open", channel="voice", assignee=502, reply_seconds=120, replies=2)
    state.ticket(3, created=T0 + 2 * HOUR, status="closed", channel="web", assignee=502, tags=("refund", "vip"),
                 score="bad", reply_seconds=3600, replies=3, reopens=1, solved_at=T0 + 5 * HOUR,
                 resolution_minutes=180)
    state.ticket(4, created=T0 + 3 * HOUR, status="solved", channel="chat", assignee=503, replies=1,
                 reply_seconds=30, solved_at=T0 + 4 * HOUR)
    state.ticket(5, created=T0 + 4 * HOUR, status="new", channel="email", assignee=None)
    state.ticket(6, created=dt.datetime(1999, 12, 31, tzinfo=dt.UTC), updated=T0 + 5 * HOUR, status="open",
                 assignee=501, replies=1)
    state.ticket(7, created=T0 + 6 * HOUR, status="new", channel="native_messaging", assignee=501)

@pytest.fixture
def freshdesk():
    server = FreshdeskServer()
    yield server
    server.close()


@pytest.fixture
def sleeps():
    """What the adapter asked to wait, in order (it never really waits in these tests)."""
    return []


@pytest.fixture
def make_helpdesk(freshdesk, sleeps):
    clients = []

    def make(*, api_key: str = API_KEY, timeout: float = 5.0, **options) -> FreshdeskHelpDesk:
        client = httpx.Client(timeout=httpx.Timeout(timeout))
        clients.append(client)
        return FreshdeskHelpDesk(account="acme.freshdesk.com", credentials={"api_key": api_key},
                                 base_url=freshdesk.url, client=client, sleep=sleeps.append, **options)

    yield make
    for client in clients:
        client.close()
