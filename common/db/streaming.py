"""Reading a long queryset in constant memory under row-level security: a PostgreSQL server-side cursor
(DECLARE … FETCH) inside a transaction whose tenant scope was applied first.

Why not `QuerySet.iterator()`: the project's settings turn Django's server-side cursors off
(DISABLE_SERVER_SIDE_CURSORS), because in autocommit mode Django declares them WITH HOLD, outside any transaction
of the caller's: PostgreSQL then materialises the whole result at the implicit commit, the tenant scope cannot
travel in front of a DECLARE (common/db/backends/postgresql puts `set_config` in the same query string as the
statement), and a held cursor outlives the transaction that PgBouncer's transaction mode pins to one server
connection. With the flag on, `iterator()` falls back to a client-side cursor, and psycopg 3 fetches every row of
the result into the process before the first one is returned: memory grows with the rows.

`server_side_rows` does what Django's iterator does with server-side cursors (the same row classes, so values(),
values_list() and model rows come out exactly as from the queryset), but on its own terms: it opens a
transaction, runs the scope's `set_config` in it, declares a non-holdable cursor there and fetches `chunk_size`
rows at a time. The transaction lives inside the generator, so a StreamingHttpResponse that iterates it after
the view (and the request's scope) has returned still reads under the tenant's scope; when the client goes away,
the response closes the generator, which closes the cursor and rolls the read-only transaction back before
Django's request_finished handler looks at the connection.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice
from typing import Any

from django.db import connections, transaction
from django.db.models import QuerySet, prefetch_related_objects

from common import rls

CHUNK_ROWS = 2000  # rows per FETCH from the server-side cursor


def server_side_rows(queryset: QuerySet, *, tenant_id: int | str | None = None,
                     chunk_size: int | None = None) -> Iterator[Any]:
    """The rows of `queryset`, read through a server-side cursor under `tenant_id`'s scope (by default the
    tenant scope active now, i.e. the request's). Nothing touches the database until the first row is asked
    for; iterate it to the end or close() it."""
    if tenant_id is None:
        tenant_id = rls.current().tenant_id
        if not tenant_id:
            raise ValueError("server_side_rows needs a tenant: pass tenant_id or call it inside a tenant scope.")
    return _fetched(queryset, str(int(tenant_id)), chunk_size or CHUNK_ROWS)


def _fetched(queryset: QuerySet, tenant_id: str, chunk_size: int) -> Iterator[Any]:
    alias = queryset.db
    with rls.tenant_scope(tenant_id), transaction.atomic(using=alias):
        connections[alias].rls_apply_now()
        # Django's own row classes (ModelIterable, ValuesIterable…), asked for a chunked fetch: the compiler then
        # executes on connection.chunked_cursor(), a named (server-side) cursor, not holdable inside a transaction.
        rows = queryset._iterable_class(queryset, chunked_fetch=True, chunk_size=chunk_size)
        if not queryset._prefetch_related_lookups:
            yield from rows
            return
        # As QuerySet.iterator() does: prefetch per chunk (its queries run in the same scoped transaction, beside
        # the open cursor).
        rows = iter(rows)
        while chunk := list(islice(rows, chunk_size)):
            prefetch_related_objects(chunk, *queryset._prefetch_related_lookups)
            yield from chunk
