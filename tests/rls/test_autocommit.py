"""Statements in autocommit mode carry the scope too (each runs as its own implicit transaction), and nothing of
it stays on the session: the next statement without a scope sees nothing."""

from __future__ import annotations

import pytest
from django.db import connection

from accounts.models import Team
from common import rls


@pytest.mark.django_db(transaction=True)
def test_autocommit_statements_are_scoped_and_leave_nothing_behind(cast):
    assert connection.get_autocommit() is True
    with rls.tenant_scope(cast.tenant.pk):
        assert set(Team.objects.values_list("tenant_id", flat=True)) == {cast.tenant.pk}
        assert Team.objects.filter(pk=cast.north.pk).update(name="North 2") == 1
        assert Team.objects.filter(pk=cast.other_team.pk).update(name="Taken") == 0
    with rls.no_scope():
        assert Team.objects.count() == 0
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('jixiao.tenant_id', true), "
                           "current_setting('jixiao.all_tenants', true)")
            assert cursor.fetchone() in ((None, None), ("", ""))
    with rls.all_tenants():
        assert Team.objects.get(pk=cast.other_team.pk).name == "Elsewhere"
        assert Team.objects.get(pk=cast.north.pk).name == "North 2"
