"""Django's PostgreSQL backend, handing the tenant scope (common.rls) to PostgreSQL's row-level security.

The scope lives in two transaction-local settings (`set_config(name, value, true)`, i.e. SET LOCAL: nothing
outlives the transaction, so a pooled server connection never carries one client's tenant to another, which
keeps PgBouncer's transaction mode safe). Before a statement that reads or writes rows, the cursor compares the
active scope with the one already applied in the current transaction; only when they differ does it put the
`set_config` call in front of the statement, in the same query string. So:

- inside a transaction the scope costs nothing after its first statement (and again after the scope changes or
  a savepoint rolled back, which undoes the settings made inside it);
- in autocommit mode, PostgreSQL runs a query string of several statements as one implicit transaction, so the
  settings hold for exactly that statement: no extra round trip, no BEGIN/COMMIT, nothing left on the session;
- with no scope (and nothing applied) nothing is sent: the settings are empty and tenant-owned tables are empty.

Statements that touch no rows (SAVEPOINT, SET, DDL...) are sent as they are: a schema change such as CREATE
INDEX CONCURRENTLY must not run inside an implicit transaction. Parameters are bound on the client (Django's
default for psycopg 3), which is what lets one execute() carry two statements; the first result (the settings)
is skipped with nextset(), so callers see only their own statement's rows and row count.
"""

from __future__ import annotations

import re

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.backends.postgresql import base, operations
from django.db.backends.utils import CursorWrapper
from psycopg.pq import TransactionStatus

from common import rls

# Statements whose rows row-level security filters or checks.
SCOPED_STATEMENT = re.compile(r"\s*\(?\s*(?:SELECT|INSERT|UPDATE|DELETE|WITH|MERGE|VALUES|TABLE|EXPLAIN)\b",
                              re.IGNORECASE)
UNKNOWN = rls.Scope(tenant_id="?", all_tenants="?")  # after a savepoint rollback: re-apply before the next statement


class ScopedCursorMixin:
    db: DatabaseWrapper

    def _execute(self, sql, params, *ignored_wrapper_args):
        scope = self.db.rls_scope_to_apply(sql)
        if scope is None:
            return super()._execute(sql, params, *ignored_wrapper_args)
        if not isinstance(sql, str) or not isinstance(self.cursor, base.Cursor):
            return self._execute_after_applying(scope, super()._execute, sql, params, *ignored_wrapper_args)
        result = super()._execute(f"{scope.sql}; {sql}", params, *ignored_wrapper_args)
        self.cursor.nextset()
        self.db.rls_applied(scope)
        return result

    def _executemany(self, sql, param_list, *ignored_wrapper_args):
        scope = self.db.rls_scope_to_apply(sql)
        if scope is None:
            return super()._executemany(sql, param_list, *ignored_wrapper_args)
        return self._execute_after_applying(scope, super()._executemany, sql, param_list, *ignored_wrapper_args)

    def _execute_after_applying(self, scope, execute, sql, params, *args):
        """The rare statement that cannot carry the settings in front of it: set them first, in a transaction."""
        with transaction.atomic(using=self.db.alias, savepoint=False):
            self.db.connection.execute(scope.sql)
            self.db.rls_applied(scope)
            return execute(sql, params, *args)


class ScopedCursorWrapper(ScopedCursorMixin, CursorWrapper):
    pass


class ScopedCursorDebugWrapper(ScopedCursorMixin, base.CursorDebugWrapper):  # it logs COPY statements too
    pass


class DatabaseOperations(operations.DatabaseOperations):
    def last_executed_query(self, cursor, sql, params):
        """The statement as the caller wrote it (query logs and captured queries leave out the scope's prefix)."""
        query = super().last_executed_query(cursor, sql, params)
        if query and query.startswith(rls.SQL_START):
            query = query.partition("; ")[2]
        return query


class DatabaseWrapper(base.DatabaseWrapper):
    ops_class = DatabaseOperations

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.settings_dict.get("OPTIONS", {}).get("server_side_binding"):
            raise ImproperlyConfigured("jixiao's backend needs client-side binding (server_side_binding off): "
                                       "the tenant scope travels in front of the statement.")
        self._rls_scope = rls.NO_SCOPE

    def rls_scope_to_apply(self, sql) -> rls.Scope | None:
        """The scope to set before `sql`, or None when the transaction already has the right one."""
        if self.connection.info.transaction_status == TransactionStatus.IDLE:
            self._rls_scope = rls.NO_SCOPE  # no transaction open: nothing applied (the session keeps nothing)
        wanted = rls.current()
        if wanted == self._rls_scope:
            return None
        if isinstance(sql, str) and not SCOPED_STATEMENT.match(sql):
            return None
        return wanted

    def rls_applied(self, scope: rls.Scope) -> None:
        # In autocommit mode the implicit transaction is over: the next statement starts from nothing again.
        if self.connection.info.transaction_status != TransactionStatus.IDLE:
            self._rls_scope = scope

    def rls_apply_now(self) -> None:
        """Run the active scope's `set_config` in the open transaction now, for a statement that cannot carry it
        in front of itself (a server-side cursor's DECLARE: common/db/streaming.py)."""
        if not self.in_atomic_block:
            raise RuntimeError("rls_apply_now needs a transaction (the settings are transaction-local).")
        self.ensure_connection()
        scope = rls.current()
        self.connection.execute(scope.sql)
        self.rls_applied(scope)

    def _savepoint_rollback(self, sid):
        super()._savepoint_rollback(sid)
        self._rls_scope = UNKNOWN

    def make_cursor(self, cursor):
        return ScopedCursorWrapper(cursor, self)

    def make_debug_cursor(self, cursor):
        return ScopedCursorDebugWrapper(cursor, self)
