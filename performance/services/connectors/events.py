"""What admins and webhooks hear about connections (event types in common/events.py)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from common.notifications.selectors import tenant_admin_ids
from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from performance.models import Connection, ConnectionRun

NEEDS_ATTENTION = gettext_noop("The %(kind)s connection %(account)s needs attention: %(error)s")


def connection_payload(connection: Connection, run: ConnectionRun | None = None) -> dict:
    return {"connection": {
        "id": connection.pk, "kind": connection.kind, "account": connection.account, "status": connection.status,
        "last_error": connection.last_error, "run": run.pk if run is not None else None,
    }}


def connection_needs_attention(*, connection: Connection, run: ConnectionRun, error: str) -> None:
    """The remote refused the credentials: every admin is notified, and the webhook event goes out."""
    connection.refresh_from_db(fields=["status", "last_error"])
    params = {"kind": connection.get_kind_display(), "account": connection.account, "error": error}
    notify(tenant=connection.tenant, recipients=tenant_admin_ids(tenant=connection.tenant),
           event="connection.needs_attention", obj=connection, message=NEEDS_ATTENTION, params=params)
    webhook_emit(tenant=connection.tenant, event="connection.needs_attention",
                 payload=connection_payload(connection, run))
