"""Every table with a tenant_id column has row-level security enabled and forced and the tenant policy, and the
application connects as a role that cannot get around it."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection

from common.db.policies import CONDITION, POLICY
from tests.rls.rows import tenant_models

pytestmark = pytest.mark.django_db

TABLES = """
SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner),
       array_agg(p.polname) FILTER (WHERE p.polname IS NOT NULL),
       bool_or(pg_get_expr(p.polqual, p.polrelid) = pg_get_expr(p.polwithcheck, p.polrelid))
FROM information_schema.columns col
JOIN pg_class c ON c.relname = col.table_name AND c.relnamespace = 'public'::regnamespace AND c.relkind = 'r'
LEFT JOIN pg_policy p ON p.polrelid = c.oid
WHERE col.table_schema = 'public' AND col.column_name = 'tenant_id'
GROUP BY c.relname, c.relrowsecurity, c.relforcerowsecurity, c.relowner
"""


def protection() -> dict[str, tuple]:
    with connection.cursor() as cursor:
        cursor.execute(TABLES)
        return {row[0]: row[1:] for row in cursor.fetchall()}


def test_every_table_with_a_tenant_column_is_under_the_policy():
    tables = protection()
    assert {model._meta.db_table for model in tenant_models()} <= set(tables)
    app = settings.DATABASE_ROLES["app"]["USER"]
    unprotected = {table: row for table, row in tables.items()
                   if row[:2] != (True, True) or row[2] == app or row[3] != [POLICY] or not row[4]}
    assert unprotected == {}


def test_the_policy_reads_the_scope_once_per_statement():
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = %s LIMIT 1", [POLICY])
        expression = cursor.fetchone()[0]
    for function in ("jixiao_all_tenants()", "jixiao_tenant_id()"):
        assert f"( SELECT {function}" in expression
    assert "tenant_id" in CONDITION


def test_the_application_role_is_not_a_superuser_and_cannot_bypass_rls():
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user")
        user, superuser, bypass = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles "
                       "WHERE rolname = current_user) AND relnamespace = 'public'::regnamespace")
        owned = cursor.fetchone()[0]
    assert user == settings.DATABASE_ROLES["app"]["USER"] != settings.DATABASE_ROLES["owner"]["USER"]
    assert (superuser, bypass, owned) == (False, False, 0)


def test_the_functions_are_stable_and_parallel_safe():
    with connection.cursor() as cursor:
        cursor.execute("SELECT proname, provolatile, proparallel FROM pg_proc "
                       "WHERE proname IN ('jixiao_tenant_id', 'jixiao_all_tenants') ORDER BY proname")
        assert cursor.fetchall() == [("jixiao_all_tenants", "s", "s"), ("jixiao_tenant_id", "s", "s")]
