"""Coaching sessions: a supervisor or QA lead with an agent, optionally about a QA review (and one of its criteria),
a KPI or an appeal; goals with due dates; the agent acknowledges and may comment; follow-up status.

Rules live in feedback/services/coaching.py; the effect report (the targeted criterion or KPI before and after the
session) in feedback/coaching_selectors.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from accounts.querysets import granted_teams
from common.models import TenantOwnedModel, TenantScopedQuerySet


class FollowUpStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


class GoalStatus(models.TextChoices):
    OPEN = "open", _("Open")
    MET = "met", _("Met")
    MISSED = "missed", _("Missed")


class CoachingQuerySet(TenantScopedQuerySet):
    """Who sees a session: admins and QA leads all; supervisors those of agents in teams granted to them; the agent
    their own; the coach theirs. "manage" (change notes, goals, follow-up): the coach, and admins. "acknowledge":
    the agent. Integrations and inspectors see none."""

    def restrict(self, actor, action: str):
        if actor.user is None:
            return self.none()
        if action == "acknowledge":
            return self.filter(agent_id=actor.agent_id) if actor.agent_id else self.none()
        if action == "manage":
            return self if actor.is_admin else self.filter(coach_id=actor.user.pk)
        if action != "view":
            return self.none()
        if actor.is_admin or actor.role == "qa_lead":
            return self
        visible = Q(coach_id=actor.user.pk)
        if actor.agent_id is not None:
            visible |= Q(agent_id=actor.agent_id)
        if actor.role == "supervisor":
            visible |= Q(agent__team__in=granted_teams(actor, "view").values("pk"))
        return self.filter(visible)


class CoachingSession(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    agent = models.ForeignKey("accounts.Agent", on_delete=models.PROTECT, related_name="+")
    coach = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    held_at = models.DateTimeField()
    topic = models.CharField(max_length=200)
    notes = models.TextField(blank=True)
    review = models.ForeignKey("feedback.QAReview", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    criterion = models.ForeignKey("feedback.RubricCriterion", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    kpi_code = models.CharField(max_length=32, blank=True)
    appeal = models.ForeignKey("feedback.Appeal", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    follow_up_status = models.CharField(max_length=16, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    agent_comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = CoachingQuerySet.as_manager()

    class Meta:
        ordering = ["tenant_id", "-held_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(criterion__isnull=True) | Q(kpi_code=""),
                                   name="coachingsession_one_target"),
        ]
        indexes = [
            models.Index(fields=["tenant", "agent", "held_at"], name="coaching_tenant_agent"),
            models.Index(fields=["tenant", "coach", "held_at"], name="coaching_tenant_coach"),
        ]

    def __str__(self) -> str:
        return f"coaching {self.pk} of agent {self.agent_id}"


class CoachingGoal(TenantOwnedModel):
    tenant = models.ForeignKey("accounts.Tenant", on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(CoachingSession, on_delete=models.CASCADE, related_name="goals")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=500)
    due_date = models.DateField()
    status = models.CharField(max_length=8, choices=GoalStatus.choices, default=GoalStatus.OPEN)
    reminded_at = models.DateTimeField(null=True, blank=True)  # the past-due reminder, sent once

    class Meta:
        ordering = ["tenant_id", "session_id", "position", "id"]

    def __str__(self) -> str:
        return self.description
