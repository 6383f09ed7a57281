"""Writing the audit trail. Every service that changes something that matters calls `audit_record`."""

from __future__ import annotations

import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from common.actor import Actor
from common.middleware import request_id_var


def _jsonable(data: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if data is None else json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def audit_record(
    *,
    actor: Actor | None,
    tenant=None,
    action: str,
    obj=None,
    object_type: str = "",
    object_id: Any = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
):
    """Append one AuditEvent. `actor` is None for the system (e.g. a scheduled job)."""
    from accounts.models import AuditEvent

    if obj is not None:
        object_type = object_type or obj._meta.model_name
        object_id = object_id or obj.pk
    changes = {k: v for k, v in (("before", _jsonable(before)), ("after", _jsonable(after))) if v is not None}
    return AuditEvent.objects.create(
        tenant=tenant or actor.tenant,
        actor_user=actor.user if actor else None,
        actor_api_key=actor.api_key if actor else None,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        changes=changes,
        request_id=request_id_var.get(),
    )


def snapshot(obj, fields: list[str]) -> dict[str, Any]:
    """The given fields of a model instance, foreign keys as ids, for before/after diffs."""
    out = {}
    for name in fields:
        field = obj._meta.get_field(name)
        out[name] = getattr(obj, field.attname)
    return out
