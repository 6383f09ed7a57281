"""Celery entry points of the feedback app: they take ids and call a service."""

from celery import shared_task

from common.rls import tenant_scope
from feedback.services.appeal_sla import appeals_mark_overdue, tenants_with_overdue_appeals
from feedback.services.assessment_reminders import assessment_reminders_send, tenants_with_due_reminders
from feedback.services.coaching_reminders import coaching_goal_reminders_send, tenants_with_overdue_goals


@shared_task(ignore_result=True)
def mark_overdue_appeals() -> dict[int, list[int]]:
    """Periodic (Celery beat): mark newly overdue appeals, tenant by tenant. Safe to run twice at once."""
    marked = {}
    for tenant_id in tenants_with_overdue_appeals():  # listed across tenants, then each in its tenant's scope
        with tenant_scope(tenant_id):
            marked[tenant_id] = appeals_mark_overdue(tenant_id=tenant_id)
    return marked


@shared_task(ignore_result=True)
def remind_assessments() -> dict[int, int]:
    """Periodic (Celery beat): remind raters of unanswered 360 assessments near the deadline, tenant by tenant."""
    reminded = {}
    for tenant_id in tenants_with_due_reminders():
        with tenant_scope(tenant_id):
            reminded[tenant_id] = assessment_reminders_send(tenant_id=tenant_id)
    return reminded


@shared_task(ignore_result=True)
def remind_coaching_goals() -> dict[int, int]:
    """Periodic (Celery beat): announce coaching goals past due, once each, tenant by tenant."""
    reminded = {}
    for tenant_id in tenants_with_overdue_goals():
        with tenant_scope(tenant_id):
            sent = coaching_goal_reminders_send(tenant_id=tenant_id)
        if sent:  # the list is a day wide (time zones): a tenant may have nothing past due yet
            reminded[tenant_id] = sent
    return reminded
