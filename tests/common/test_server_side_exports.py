"""Exports read through a real server-side cursor, inside a transaction that carries the tenant's scope, even
though the streamed response is iterated after the view (and the request's scope) has returned; closing the
response (the client went away) closes the cursor and the transaction. Row-level security still filters."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from common import exports, rls
from common.db import streaming
from performance.models import Interaction
from tests.factories import InteractionFactory

START = datetime(2026, 10, 5, 9, tzinfo=UTC)


@pytest.fixture
def interactions(cast):
    """30 interactions of acme's agent N001, one a minute, and 5 of the other tenant's agent."""
    for n in range(30):
        InteractionFactory(agent=cast.north_agents[1], started_at=START + timedelta(minutes=n))
    for n in range(5):
        InteractionFactory(agent=cast.other_agent, started_at=START + timedelta(minutes=n))


@pytest.fixture
def small_chunks(monkeypatch):
    monkeypatch.setattr(streaming, "CHUNK_ROWS", 5)  # 30 rows: six FETCHes
    monkeypatch.setattr(exports, "STREAM_CHUNK_ROWS", 5)  # and six CSV chunks after the header


def _open_cursors() -> list[tuple]:
    # Straight on the psycopg connection: pg_cursors lists this session's cursors (no tenant rows involved).
    return connection.connection.execute("SELECT name, is_holdable FROM pg_cursors").fetchall()


def test_a_streamed_export_reads_through_a_server_side_cursor_in_the_tenant_scope(cast, client_as, interactions,
                                                                                    small_chunks):
    response = client_as(cast.users["admin"]).get(cast.url("interactions/export/"))
    assert response.status_code == 200 and response.streaming
    blocks_before = len(connection.atomic_blocks)
    with rls.no_scope():  # like the WSGI server iterating the body after the middleware has returned
        chunks = iter(response.streaming_content)
        header = next(chunks)
        assert _open_cursors() == []  # nothing is read before the first row is asked for
        first = next(chunks)
        [(name, holdable)] = _open_cursors()
        assert name.startswith("_django_curs_") and holdable is False  # declared inside the transaction
        assert len(connection.atomic_blocks) == blocks_before + 1
        body = header + first + b"".join(chunks)
    assert _open_cursors() == [] and len(connection.atomic_blocks) == blocks_before
    header_row, *rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert len(rows) == 30 and {row[1] for row in rows} == {"N001"}
    assert first.count(b"\n") == 5  # one FETCH's worth of rows per chunk


def test_closing_the_response_mid_stream_closes_the_cursor_and_the_transaction(cast, client_as, interactions,
                                                                               small_chunks, monkeypatch):
    blocks_before = len(connection.atomic_blocks)
    response = client_as(cast.users["admin"]).get(cast.url("interactions/export/"))
    chunks = iter(response.streaming_content)
    next(chunks), next(chunks)
    assert len(_open_cursors()) == 1
    # What the server does when the client disconnects. (Django's request_finished handler would then also close
    # a connection left inside a transaction; here that transaction is the test's own, so keep it.)
    monkeypatch.setattr(connection, "close_if_unusable_or_obsolete", lambda: None)
    response.close()
    assert _open_cursors() == [] and len(connection.atomic_blocks) == blocks_before
    assert Interaction.objects.count() == 35  # the connection is usable afterwards


def test_row_level_security_filters_the_server_side_read(cast, interactions, small_chunks):
    unfiltered = Interaction.objects.order_by("id").values_list("tenant_id", flat=True)  # no tenant filter in SQL
    assert sorted(set(streaming.server_side_rows(unfiltered, tenant_id=cast.tenant.pk))) == [cast.tenant.pk]
    assert len(list(streaming.server_side_rows(unfiltered, tenant_id=cast.other_tenant.pk))) == 5
    with rls.tenant_scope(cast.other_tenant.pk):  # by default: the scope active when the reader is made
        reader = streaming.server_side_rows(unfiltered)
    assert set(reader) == {cast.other_tenant.pk}
    with pytest.raises(ValueError):
        streaming.server_side_rows(unfiltered)  # the test's scope is every tenant, not one


def test_model_rows_come_back_as_from_the_queryset(cast, interactions):
    queryset = Interaction.objects.filter(agent=cast.north_agents[1]).select_related("agent").order_by("started_at")
    rows = list(streaming.server_side_rows(queryset, tenant_id=cast.tenant.pk, chunk_size=7))
    assert [row.pk for row in rows] == list(queryset.values_list("pk", flat=True))
    assert rows[0].agent.employee_code == "N001" and rows[0].started_at == START


def test_prefetched_relations_are_fetched_per_chunk(cast, interactions):
    from accounts.models import Agent

    agents = Agent.objects.filter(team=cast.north).prefetch_related("interactions").order_by("employee_code")
    rows = list(streaming.server_side_rows(agents, tenant_id=cast.tenant.pk, chunk_size=2))
    assert [(a.employee_code, len(a.interactions.all())) for a in rows] == [("N000", 0), ("N001", 30), ("N002", 0)]
