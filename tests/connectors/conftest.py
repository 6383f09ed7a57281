"""Fixtures of the connector tests: a local Freshdesk and adapters pointed at it through a real httpx client."""

from __future__ import annotations

import httpx
import pytest

from performance.connectors.freshdesk import FreshdeskHelpDesk
from tests.connectors.freshdesk_server import API_KEY, FreshdeskServer


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
