"""Reminders for coaching goals past their due date: a goal still open the day after its due date (in the tenant's
time zone) is announced once to the agent and the coach (event coaching.goal_overdue). Swept by Celery beat
(feedback.tasks.remind_coaching_goals)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from accounts.models import Tenant
from common import rls
from common.notifications.services import notify
from common.webhooks.services import webhook_emit
from feedback.models import CoachingGoal, GoalStatus
from feedback.services.coaching import coaching_payload

OVERDUE = gettext_noop("The coaching goal \"%(goal)s\" was due on %(due_date)s and is still open.")


def _open_unreminded():
    return CoachingGoal.objects.filter(status=GoalStatus.OPEN, reminded_at__isnull=True)


def tenants_with_overdue_goals() -> list[int]:
    """The tenants that may have goals past due (every zone's today is at most a day ahead of UTC's); the sweep's
    list crosses tenants, each tenant then applies its own day."""
    with rls.all_tenants():
        horizon = timezone.now().date() + timedelta(days=1)
        return list(_open_unreminded().filter(due_date__lt=horizon).order_by("tenant_id")
                    .values_list("tenant_id", flat=True).distinct())


@transaction.atomic
def coaching_goal_reminders_send(*, tenant_id: int) -> int:
    """Announce each of the tenant's open goals past due once (claimed by a conditional update, so two sweeps at
    once announce nobody twice). Returns the goals announced."""
    tenant = Tenant.objects.get(pk=tenant_id)
    today = timezone.localtime(timezone.now(), tenant.zone).date()
    due = _open_unreminded().filter(tenant_id=tenant_id, due_date__lt=today).select_for_update(
        skip_locked=True, of=("self",))
    ids = list(due.values_list("pk", flat=True))
    CoachingGoal.objects.filter(pk__in=ids, reminded_at__isnull=True).update(reminded_at=timezone.now())
    goals = CoachingGoal.objects.filter(pk__in=ids).select_related("session__agent", "session__tenant").order_by(
        "session_id", "position", "id")
    for goal in goals:
        session = goal.session
        notify(tenant=tenant, recipients=[u for u in (session.agent.user_id, session.coach_id) if u is not None],
               event="coaching.goal_overdue", obj=session, message=OVERDUE,
               params={"goal": goal.description, "due_date": goal.due_date.isoformat(), "session": session.pk})
        webhook_emit(tenant=tenant, event="coaching.goal_overdue", payload=coaching_payload(session) | {"goal": {
            "id": goal.pk, "description": goal.description, "due_date": goal.due_date, "status": goal.status}})
    return len(ids)
