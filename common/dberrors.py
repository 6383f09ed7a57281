"""Which database errors are temporary: worth answering 503 to a request, or retrying a task from a clean state.

Errors reach the code in two shapes: Django's wrappers (`django.db.OperationalError`, `InterfaceError`) for
everything that goes through Django's cursor, and psycopg's own classes for the paths that talk to psycopg
directly, such as `cursor.copy()` (COPY bypasses Django's error wrapper). Both are classified the same way:

- `OperationalError` covers a lost or refused connection, `pg_terminate_backend` and server shutdown
  (`AdminShutdown`), serialization failures and deadlocks (`TransactionRollback`), cancelled statements and
  exhausted resources: the statement may well succeed when tried again;
- `InterfaceError` is a connection that is already closed on the client side.

Anything else (integrity, programming, data errors) is a bug or bad input and never retried.
"""

from __future__ import annotations

import psycopg
from django.db import InterfaceError, OperationalError, connections

TEMPORARY_DB_ERRORS: tuple[type[BaseException], ...] = (
    OperationalError, InterfaceError, psycopg.OperationalError, psycopg.InterfaceError)


def is_temporary_db_error(exc: BaseException) -> bool:
    """True when `exc`, or an exception it was raised from (`raise ... from`), is a temporary database error."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, TEMPORARY_DB_ERRORS):
            return True
        seen.add(id(exc))
        exc = exc.__cause__
    return False


def close_broken_connections() -> None:
    """Close this thread's database connections that are not inside a transaction, so that the next database
    access (a retried task) starts on a fresh connection instead of a broken one."""
    for connection in connections.all(initialized_only=True):
        if connection.in_atomic_block:
            continue
        connection.close()
