"""Celery entry points of the feedback app: they take ids and call a service."""

from celery import shared_task

from feedback.services.appeal_sla import appeals_mark_overdue, tenants_with_overdue_appeals


@shared_task(ignore_result=True)
def mark_overdue_appeals() -> dict[int, list[int]]:
    """Periodic (Celery beat): mark newly overdue appeals, tenant by tenant. Safe to run twice at once."""
    return {tenant_id: appeals_mark_overdue(tenant_id=tenant_id) for tenant_id in tenants_with_overdue_appeals()}
