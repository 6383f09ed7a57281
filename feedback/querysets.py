"""Who sees and changes which QA objects (role rules plus team grants).

Every rule starts from rows already pinned to the actor's tenant (TenantScopedQuerySet.for_actor).
Actions: "view"; "manage" (edit); for reviews also "publish" and "amend".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.apps import apps
from django.db.models import Q

from accounts.querysets import granted_teams, in_granted_teams
from common.models import TenantScopedQuerySet

if TYPE_CHECKING:
    from common.actor import Actor

QA_MANAGERS = frozenset({"admin", "qa_lead"})
RUBRIC_READERS = frozenset({"admin", "qa_lead", "qa_inspector", "supervisor"})


def _model(name: str):
    return apps.get_model("feedback", name)


class RubricQuerySet(TenantScopedQuerySet):
    """Rubrics are read by staff (not agents) and managed by admins and QA leads."""

    def restrict(self, actor: Actor, action: str):
        allowed = RUBRIC_READERS if action == "view" else QA_MANAGERS
        return self if actor.role in allowed else self.none()


class RubricVersionQuerySet(RubricQuerySet):
    pass


class RubricCriterionQuerySet(RubricQuerySet):
    pass


class QAReviewQuerySet(TenantScopedQuerySet):
    """Admins and QA leads see every review, inspectors their own plus the submitted and published ones of
    teams granted to them, supervisors the published reviews of their teams, agents their own published ones.

    Calibration reviews are blind: while the session is open only their author sees them; once closed,
    the session's lead and participants, admins and QA leads see them. They are never shown to
    supervisors or agents.
    """

    def restrict(self, actor: Actor, action: str):
        if actor.user is None:
            return self.none()
        own = Q(inspector_id=actor.user.pk)
        if action == "manage":
            return self.filter(own)
        if action == "publish":
            return self.filter(calibration__isnull=True).filter(Q() if actor.role in QA_MANAGERS else own)
        if action == "amend":
            return self.filter(calibration__isnull=True) if actor.role in QA_MANAGERS else self.none()
        if action != "view":
            return self.none()
        regular = Q(calibration__isnull=True)
        if actor.role in QA_MANAGERS:
            return self.filter((regular) | own | Q(calibration__in=self._closed_sessions(actor)))
        if actor.role == "qa_inspector":
            teams = granted_teams(actor, "view").values("pk")
            shared = regular & Q(interaction__team__in=teams) & ~Q(status="draft")
            closed = Q(calibration__in=self._closed_sessions(actor).filter(participants__user_id=actor.user.pk))
            return self.filter(own | shared | closed)
        published = regular & Q(status="published")
        if actor.role == "supervisor":
            # The granted team ids computed once (see in_granted_teams), not a nested IN over the tenant's teams.
            granted = in_granted_teams(actor, "view", "interaction__team_id")
            return self.none() if granted is None else self.filter(published, granted)
        if actor.role == "agent" and actor.agent_id is not None:
            return self.filter(published & Q(interaction__agent_id=actor.agent_id))
        return self.none()

    @staticmethod
    def _closed_sessions(actor: Actor):
        return _model("CalibrationSession").objects.filter(tenant_id=actor.tenant.pk, status="closed").values("pk")

    def kpi_countable(self):
        """The reviews that count in qa_score/qa_pass_rate: published, latest revision, not calibration."""
        return self.filter(status="published", is_current=True, calibration__isnull=True)


class QAReviewAnswerQuerySet(TenantScopedQuerySet):
    def restrict(self, actor: Actor, action: str):
        return self.filter(review__in=_model("QAReview").objects.for_actor(actor, action).values("pk"))


class QAAssignmentQuerySet(TenantScopedQuerySet):
    """QA leads and admins see and change every assignment; inspectors their own queue; supervisors
    see (read only) the assignments of teams granted to them."""

    def restrict(self, actor: Actor, action: str):
        if actor.role in QA_MANAGERS:
            return self
        if actor.role == "qa_inspector" and actor.user is not None:
            return self.filter(inspector_id=actor.user.pk)
        if actor.role == "supervisor" and action == "view":
            return self.filter(team__in=granted_teams(actor, "view").values("pk"))
        return self.none()


class QAAssignmentBatchQuerySet(TenantScopedQuerySet):
    def restrict(self, actor: Actor, action: str):
        return self if actor.role in QA_MANAGERS else self.none()


class CalibrationSessionQuerySet(TenantScopedQuerySet):
    """QA leads and admins see and run every session; inspectors see the sessions they take part in."""

    def restrict(self, actor: Actor, action: str):
        if actor.role in QA_MANAGERS:
            return self
        if actor.role == "qa_inspector" and action == "view" and actor.user is not None:
            mine = _model("CalibrationParticipant").objects.filter(tenant_id=actor.tenant.pk, user_id=actor.user.pk)
            return self.filter(pk__in=mine.values("session_id"))
        return self.none()


APPEAL_OPEN = ("submitted", "in_review", "escalated")


class AppealQuerySet(TenantScopedQuerySet):
    """Who sees an appeal: the agent their own; a reviewer those assigned to them (and those they decided);
    supervisors those of agents in teams granted to them; QA leads and admins all; the original inspector
    those on their reviews.

    Actions beyond "view": "assign" (admins; QA leads for review appeals; supervisors granted `manage` on the
    agent's team for score appeals), "decide" (the assigned reviewer; the service checks eligibility),
    "appellant" (withdraw, escalate: the agent who filed it). Integrations see none.
    """

    def restrict(self, actor: Actor, action: str):
        if actor.user is None:
            return self.none()
        user_id = actor.user.pk
        if action == "decide":
            return self.filter(reviewer_id=user_id)
        if action == "appellant":
            return self.filter(filed_by_id=user_id, agent_id=actor.agent_id) if actor.agent_id else self.none()
        if action == "assign":
            if actor.is_admin:
                return self
            if actor.role == "qa_lead":
                return self.filter(kind="qa_review")
            if actor.role == "supervisor":
                return self.filter(kind="period_score", agent__team__in=granted_teams(actor, "manage").values("pk"))
            return self.none()
        if action != "view":
            return self.none()
        if actor.role in QA_MANAGERS:
            return self
        visible = Q(reviewer_id=user_id) | Q(first_decided_by_id=user_id) | Q(review__inspector_id=user_id)
        if actor.agent_id is not None:
            visible |= Q(agent_id=actor.agent_id)
        if actor.role == "supervisor":
            visible |= Q(agent__team__in=granted_teams(actor, "view").values("pk"))
        return self.filter(visible)

    def open(self):
        return self.filter(status__in=APPEAL_OPEN)


class AppealChildQuerySet(TenantScopedQuerySet):
    """Items, decisions, comments, history and attachments: visible with their appeal."""

    def restrict(self, actor: Actor, action: str):
        return self.filter(appeal__in=_model("Appeal").objects.for_actor(actor, "view").values("pk"))
