"""Every Celery task runs in the tenant scope of its `tenant_id` argument (row-level security, common/rls.py).

`TenantScopedTask` is the Celery app's task class (config/celery.py), so no task can forget it: a task called
with a `tenant_id` (keyword or positional) sees and writes only that tenant's rows; one without it (the beat
sweeps) starts with no scope, lists its work under `all_tenants()` and handles each item in its tenant's scope.
"""

from __future__ import annotations

import inspect
from functools import cached_property

from celery import Task

from common import rls


class TenantScopedTask(Task):
    @cached_property
    def _tenant_argument_index(self) -> int | None:
        parameters = list(inspect.signature(self.run).parameters)
        return parameters.index("tenant_id") if "tenant_id" in parameters else None

    def _tenant_id(self, args, kwargs):
        if "tenant_id" in kwargs:
            return kwargs["tenant_id"]
        index = self._tenant_argument_index
        return args[index] if index is not None and index < len(args) else None

    def __call__(self, *args, **kwargs):
        tenant_id = self._tenant_id(args, kwargs)
        with rls.no_scope() if tenant_id is None else rls.tenant_scope(tenant_id):
            return super().__call__(*args, **kwargs)
