"""What members and webhooks hear about performance events (see common/events.py for the registry)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from common.notifications.selectors import tenant_admin_ids
from common.notifications.services import notify
from common.webhooks.services import webhook_emit

PERIOD_COMPUTED = gettext_noop("The scores of period %(period)s are ready (revision %(revision)s).")
PERIOD_UNCHANGED = gettext_noop("Period %(period)s was computed again; nothing changed since revision "
                                "%(revision)s.")


def period_computed_announce(*, period, job, counts: dict) -> None:
    """Tell the tenant's admins and the subscribed webhooks that a computation job finished. Called inside the
    job's last transaction, so nothing is sent unless it commits."""
    revision = period.current_revision.number if period.current_revision_id else None
    message = PERIOD_UNCHANGED if counts.get("unchanged") else PERIOD_COMPUTED
    notify(tenant=period.tenant, recipients=tenant_admin_ids(tenant=period.tenant), event="period.computed",
           obj=period, message=message, params={"period": period.name, "revision": revision})
    webhook_emit(tenant=period.tenant, event="period.computed", payload={
        "period": {"id": period.pk, "name": period.name, "kind": period.kind, "start": period.start,
                   "end": period.end, "status": period.status, "revision": revision},
        "job": {"id": job.pk, "unchanged": bool(counts.get("unchanged")), "agents": counts.get("agents"),
                "scored": counts.get("scored"), "unscored": counts.get("unscored")},
    })
