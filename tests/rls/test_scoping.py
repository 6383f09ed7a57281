"""Row-level security holds even where the application's own scoping is left out: inside a tenant's request (or
scope) a deliberately unscoped ORM query and a raw SQL query return only that tenant's rows, for every
tenant-owned model; with no scope they return nothing; a write naming another tenant is refused."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import DatabaseError, connection, transaction
from rest_framework.response import Response

from accounts.api.views import TeamViewSet
from accounts.models import Team
from common import rls
from tests.rls.rows import rows_for_tenants, tenant_models

pytestmark = pytest.mark.django_db


def visible_tenants() -> dict[str, tuple[set[int], set[int]]]:
    """Per table: the tenant ids of the rows an unscoped ORM query and a raw SELECT see."""
    seen = {}
    with connection.cursor() as cursor:
        for model in tenant_models():
            orm = set(model._base_manager.all().values_list("tenant_id", flat=True))
            cursor.execute(f"SELECT DISTINCT tenant_id FROM {model._meta.db_table}")
            seen[model._meta.db_table] = (orm, {row[0] for row in cursor.fetchall()})
    return seen


@pytest.fixture
def two_tenants(cast):
    rows_for_tenants(cast.tenant, cast.other_tenant)
    everything = visible_tenants()  # the test's own all-tenants scope
    both = {cast.tenant.pk, cast.other_tenant.pk}
    assert {table: seen for table, seen in everything.items() if not both <= seen[0] or not both <= seen[1]} == {}
    return cast


def test_a_tenant_request_sees_only_its_tenants_rows_of_every_model(two_tenants, client_as):
    cast = two_tenants
    probed = {}

    def probe(view, request, *args, **kwargs):
        probed.update(visible_tenants())
        return Response({"count": 0, "next": None, "previous": None, "results": []})

    with mock.patch.object(TeamViewSet, "list", probe):
        response = client_as(cast.users["admin"]).get(cast.url("teams/"))
    assert response.status_code == 200
    assert len(probed) == len(tenant_models()) >= 40
    leaks = {table: seen for table, seen in probed.items() if seen != ({cast.tenant.pk}, {cast.tenant.pk})}
    assert leaks == {}


@pytest.mark.parametrize("which", ["tenant", "other_tenant"])
def test_a_tenant_scope_sees_only_its_tenants_rows_of_every_model(two_tenants, which):
    tenant = getattr(two_tenants, which)
    with rls.tenant_scope(tenant.pk):
        seen = visible_tenants()
    assert {table: s for table, s in seen.items() if s != ({tenant.pk}, {tenant.pk})} == {}


def test_no_scope_sees_no_row_of_any_tenant_model(two_tenants):
    with rls.no_scope():
        seen = visible_tenants()
    assert {table: s for table, s in seen.items() if s != (set(), set())} == {}


def test_scope_changes_and_savepoint_rollbacks_inside_a_transaction(two_tenants):
    cast = two_tenants
    assert connection.get_autocommit() is False  # inside the test transaction (autocommit: test_autocommit.py)
    with rls.tenant_scope(cast.other_tenant.pk):
        assert set(Team.objects.values_list("tenant_id", flat=True)) == {cast.other_tenant.pk}
        with rls.tenant_scope(cast.tenant.pk):  # a scope change inside the transaction is applied again
            try:
                with transaction.atomic():  # a savepoint rolled back takes the settings made inside it along
                    assert set(Team.objects.values_list("tenant_id", flat=True)) == {cast.tenant.pk}
                    raise RuntimeError
            except RuntimeError:
                pass
            assert set(Team.objects.values_list("tenant_id", flat=True)) == {cast.tenant.pk}
        assert set(Team.objects.values_list("tenant_id", flat=True)) == {cast.other_tenant.pk}


def test_a_write_naming_another_tenant_is_refused(cast):
    with rls.tenant_scope(cast.tenant.pk):
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Team.objects.create(tenant=cast.other_tenant, name="Smuggled")
        with pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
            Team.objects.filter(pk=cast.north.pk).update(tenant=cast.other_tenant)  # moving a row out
        # Another tenant's rows cannot be changed or deleted: they are not there.
        assert Team.objects.filter(pk=cast.other_team.pk).update(name="Renamed") == 0
        with connection.cursor() as cursor:
            cursor.execute("DELETE FROM accounts_team WHERE id = %s", [cast.other_team.pk])
            assert cursor.rowcount == 0
    assert Team.objects.get(pk=cast.other_team.pk).name == "Elsewhere"
    assert Team.objects.get(pk=cast.north.pk).tenant_id == cast.tenant.pk


def test_a_write_with_no_scope_is_refused(cast):
    with rls.no_scope(), pytest.raises(DatabaseError, match="row-level security"), transaction.atomic():
        Team.objects.create(tenant=cast.tenant, name="Nobody's")
