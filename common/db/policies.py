"""Row-level security on every tenant-owned table, applied after every `migrate` (post_migrate, as the owner).

Idempotent: it (re)creates two STABLE SQL functions that read the transaction's scope (common/rls.py), and for
every table of the public schema with a `tenant_id` column (found in information_schema, so join, history and
permission tables and any table added later are covered without a list to keep) it enables and forces row-level
security and creates the policy `jixiao_tenant_v1` when missing:

    USING ((SELECT jixiao_all_tenants()) OR tenant_id = (SELECT jixiao_tenant_id()))  -- and the same WITH CHECK

The functions are wrapped in scalar subqueries so PostgreSQL evaluates each once per statement (an InitPlan)
instead of once per row, and the policy's `tenant_id = $param` stays usable as an index condition; the queries
themselves keep their own `tenant_id = …` filters, which lead the tenant indexes (README, "Row-level security").
FORCE makes the policy apply to the tables' owner too (only a superuser or a BYPASSRLS role skips it).

It also grants the application role (settings.DATABASE_ROLES["app"]) what it needs: SELECT, INSERT, UPDATE and
DELETE on every table, USAGE on every sequence, and the same by default on what the owner creates later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from psycopg import sql

POLICY = "jixiao_tenant_v1"
POLICY_PREFIX = "jixiao_tenant_v"
FUNCTIONS = """
CREATE OR REPLACE FUNCTION jixiao_tenant_id() RETURNS {tenant_type} LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT NULLIF(current_setting('jixiao.tenant_id', true), '')::{tenant_type} $$;
CREATE OR REPLACE FUNCTION jixiao_all_tenants() RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE AS
    $$ SELECT coalesce(current_setting('jixiao.all_tenants', true) = 'on', false) $$;
"""
CONDITION = "(SELECT jixiao_all_tenants()) OR tenant_id = (SELECT jixiao_tenant_id())"
TENANT_TABLES = """
SELECT c.table_name, c.data_type FROM information_schema.columns c
JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
WHERE c.table_schema = 'public' AND c.column_name = 'tenant_id' AND t.table_type = 'BASE TABLE'
ORDER BY c.table_name
"""


def tenant_tables(cursor) -> list[tuple[str, str]]:
    """(table, tenant_id type) of every table of the public schema with a tenant_id column."""
    cursor.execute(TENANT_TABLES)
    return cursor.fetchall()


def policies_apply(*, using: str = "default", verbosity: int = 1, **_kwargs) -> list[str]:
    """Create the functions, policies and grants (see the module docstring). Returns the tables it protects."""
    connection = connections[using]
    owner, app = settings.DATABASE_ROLES["owner"]["USER"], settings.DATABASE_ROLES["app"]["USER"]
    if connection.settings_dict["USER"] == app and app != owner:
        return []  # the application role owns nothing (its tests flush tables, which sends post_migrate again)
    with connection.cursor() as cursor:
        tables = tenant_tables(cursor)
        types = {data_type for _table, data_type in tables} or {"bigint"}
        if len(types) != 1:
            raise RuntimeError(f"tenant_id columns disagree on their type: {sorted(types)}")
        cursor.execute(FUNCTIONS.format(tenant_type=types.pop()))
        cursor.execute("SELECT tablename, policyname FROM pg_policies WHERE schemaname = 'public' "
                       "AND policyname LIKE %s", [POLICY_PREFIX + "%"])
        existing = set(cursor.fetchall())
        for table, _type in tables:
            _protect(cursor, table, existing)
        _grant(cursor, connection)
    if verbosity >= 2:
        print(f"  Row-level security on {len(tables)} tenant tables.")
    return [table for table, _type in tables]


def _protect(cursor, table: str, existing: set[tuple[str, str]]) -> None:
    name = sql.Identifier(table)
    cursor.execute(sql.SQL("ALTER TABLE {} ENABLE ROW LEVEL SECURITY").format(name).as_string())
    cursor.execute(sql.SQL("ALTER TABLE {} FORCE ROW LEVEL SECURITY").format(name).as_string())
    for old_table, old_policy in existing:
        if old_table == table and old_policy != POLICY:  # an earlier version of the policy
            cursor.execute(sql.SQL("DROP POLICY {} ON {}").format(sql.Identifier(old_policy), name).as_string())
    if (table, POLICY) not in existing:
        cursor.execute(sql.SQL("CREATE POLICY {} ON {} USING ({}) WITH CHECK ({})").format(
            sql.Identifier(POLICY), name, sql.SQL(CONDITION), sql.SQL(CONDITION)).as_string())


def _grant(cursor, connection) -> None:
    app_user = settings.DATABASE_ROLES["app"]["USER"]
    if not app_user or app_user == connection.settings_dict["USER"]:
        return  # one role for everything (not recommended): nothing to grant
    cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [app_user])
    if cursor.fetchone() is None:
        raise RuntimeError(f"The application's database role {app_user!r} does not exist: run "
                           "`python -m common.db.roles` (scripts/up.sh and scripts/test.sh do).")
    role = sql.Identifier(app_user)
    for statement in (
        "GRANT USAGE ON SCHEMA public TO {}",
        "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {}",
        "GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO {}",
    ):
        cursor.execute(sql.SQL(statement).format(role).as_string())
