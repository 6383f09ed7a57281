"""A real Celery worker runs each task in its tenant's scope: given the task's tenant_id it sees only that
tenant's rows of every tenant-owned model (connected as the application role); without one it sees none."""

from __future__ import annotations

import json
import time

import pytest
from django.conf import settings

from tests.rls.probe_tasks import rls_probe
from tests.rls.rows import rows_for_tenants, tenant_models

pytestmark = [pytest.mark.celery_worker, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def celery_worker_env():
    return {"DJANGO_SETTINGS_MODULE": "tests.rls.worker_settings"}


def probe(tmp_path, name: str, **kwargs) -> dict:
    out = tmp_path / f"{name}.json"
    rls_probe.apply_async(kwargs={"out_path": str(out), **kwargs})
    deadline = time.monotonic() + 60
    while not out.exists() or not out.stat().st_size:
        assert time.monotonic() < deadline, "the probe task did not run"
        time.sleep(0.2)
    time.sleep(0.2)  # the file is written in one go; let it close
    return json.loads(out.read_text())


def test_a_task_sees_only_its_tenants_rows(cast, celery_worker, tmp_path):
    rows_for_tenants(cast.tenant, cast.other_tenant)
    for tenant in (cast.tenant, cast.other_tenant):
        found = probe(tmp_path, tenant.slug, tenant_id=tenant.pk)
        assert found["user"] == settings.DATABASE_ROLES["app"]["USER"]
        assert found["scope"] == [str(tenant.pk), ""]
        assert len(found["seen"]) == len(tenant_models())
        assert {table: seen for table, seen in found["seen"].items() if seen != [[tenant.pk], [tenant.pk]]} == {}
    unscoped = probe(tmp_path, "none")
    assert {table: seen for table, seen in unscoped["seen"].items() if seen != [[], []]} == {}
