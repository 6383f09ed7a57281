"""A task for the worker test only (tests/rls/worker_settings.py makes the worker import it): it writes what it
can see of every tenant-owned table to a file, as the test's worker has no result backend."""

from __future__ import annotations

import json

from celery import shared_task
from django.db import connection

from common import rls
from tests.rls.rows import tenant_models


@shared_task(name="tests.rls.probe_tasks.rls_probe")
def rls_probe(out_path: str, tenant_id: int | None = None) -> None:
    seen = {}
    with connection.cursor() as cursor:
        for model in tenant_models():
            cursor.execute(f"SELECT DISTINCT tenant_id FROM {model._meta.db_table}")
            raw = sorted(row[0] for row in cursor.fetchall())
            seen[model._meta.db_table] = [sorted(set(model._base_manager.values_list("tenant_id", flat=True))), raw]
        cursor.execute("SELECT current_user")
        user = cursor.fetchone()[0]
    with open(out_path, "w") as out:
        json.dump({"user": user, "scope": list(rls.current()), "seen": seen}, out)
