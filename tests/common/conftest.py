"""Fixtures for the notification and webhook tests: Celery run inline, a local receiver, helpers."""

from __future__ import annotations

import pytest

from common.actor import Actor
from tests.common.receiver import Receiver


@pytest.fixture
def celery_eager():
    """Tasks run inline in this process (for on_commit callbacks captured by the test)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def receiver(settings):
    """A local webhook receiver; private URLs are allowed so jixiao may call it."""
    settings.WEBHOOK_ALLOW_PRIVATE_URLS = True
    server = Receiver()
    yield server
    server.close()


def admin_of(cast) -> Actor:
    return Actor(tenant=cast.tenant, role="admin", user=cast.users["admin"])
