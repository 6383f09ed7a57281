"""Coaching goals past due: the beat sweep announces each open goal once, the day after its due date in the
tenant's time zone, to the agent and the coach (in-app and webhook); met goals and goals not yet due are left
alone."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from common.models import Notification, WebhookDelivery
from common.webhooks.services import webhook_create
from feedback.models import CoachingGoal
from feedback.services.coaching import coaching_session_create
from feedback.services.coaching_reminders import coaching_goal_reminders_send
from feedback.tasks import remind_coaching_goals
from tests.common.conftest import admin_of
from tests.feedback.factories import actor_for


def test_open_goals_past_due_are_announced_once_to_agent_and_coach(cast):
    webhook_create(actor=admin_of(cast), url="https://hooks.example.com/jixiao", events=["coaching.goal_overdue"],
                   resolve_url=False)
    today = timezone.localtime(timezone.now(), cast.tenant.zone).date()
    session = coaching_session_create(
        actor=actor_for(cast.users["supervisor"], cast.tenant), agent=cast.own_agent, topic="Empathy",
        held_at=datetime(2026, 10, 15, 10, tzinfo=ZoneInfo("Asia/Shanghai")), goals=[
            {"description": "Greet by name", "due_date": today - timedelta(days=3)},
            {"description": "Summarize the call", "due_date": today - timedelta(days=2), "status": "met"},
            {"description": "Shorter holds", "due_date": today + timedelta(days=3)},
            {"description": "Due today", "due_date": today},
        ])
    assert remind_coaching_goals() == {cast.tenant.pk: 1}
    notes = Notification.objects.filter(event="coaching.goal_overdue")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(
        [cast.users["agent"].pk, cast.users["supervisor"].pk])
    assert notes.first().params == {"goal": "Greet by name", "due_date": (today - timedelta(days=3)).isoformat(),
                                    "session": session.pk}
    (delivery,) = WebhookDelivery.objects.filter(event="coaching.goal_overdue")
    assert delivery.payload["data"]["goal"]["description"] == "Greet by name"
    assert delivery.payload["data"]["coaching"]["id"] == session.pk
    assert remind_coaching_goals() == {}  # once
    assert coaching_goal_reminders_send(tenant_id=cast.tenant.pk) == 0
    assert CoachingGoal.objects.filter(reminded_at__isnull=False).count() == 1
