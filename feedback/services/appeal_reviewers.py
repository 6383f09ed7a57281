"""Who may decide an appeal, and the automatic choice among them (see feedback/services/appeals.py)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from accounts.models import Membership, TeamGrant
from feedback.models import OPEN_STATUSES, Appeal, AppealKind

QA_DECIDERS = ("qa_lead", "admin")


def eligible_reviewers(appeal: Appeal) -> QuerySet:
    """Active members who may decide `appeal` at its level.

    Review appeals: QA leads and admins, never the review's inspector. Score appeals: supervisors granted
    `manage` on the agent's team, and admins. Never the agent who filed it; an escalation never goes to the
    first decider.
    """
    members = Membership.objects.active().filter(tenant_id=appeal.tenant_id)
    excluded = {appeal.filed_by_id}
    if appeal.kind == AppealKind.QA_REVIEW:
        user_ids = members.filter(role__in=QA_DECIDERS).values("user_id")
        excluded.add(appeal.review.inspector_id)
    else:
        granted = TeamGrant.objects.filter(tenant_id=appeal.tenant_id, content_object_id=appeal.agent.team_id,
                                           permission__codename="manage_team").values("user_id")
        supervisors = members.filter(role="supervisor", user_id__in=granted).values("user_id")
        admins = members.filter(role="admin").values("user_id")
        user_ids = supervisors.union(admins)
    if appeal.level == 2 and appeal.first_decided_by_id:
        excluded.add(appeal.first_decided_by_id)
    return get_user_model().objects.filter(pk__in=user_ids).exclude(pk__in=excluded)


def least_loaded_reviewer(appeal: Appeal):
    """The eligible reviewer with the fewest open appeals assigned in this tenant; ties go to the lowest user id,
    so the choice is deterministic. None when nobody is eligible."""
    load = (Appeal.objects.filter(tenant_id=appeal.tenant_id, reviewer_id=OuterRef("pk"), status__in=OPEN_STATUSES)
            .exclude(pk=appeal.pk).values("reviewer_id").annotate(n=Count("pk")).values("n"))
    return (eligible_reviewers(appeal)
            .annotate(load=Coalesce(Subquery(load, output_field=IntegerField()), Value(0)))
            .order_by("load", "pk").first())


def reviewer_leads(appeal: Appeal) -> list[int]:
    """Who hears about an overdue appeal besides its reviewer: QA leads for review appeals, admins for score
    appeals (and admins when a review appeal's tenant has no other QA lead)."""
    members = Membership.objects.active().filter(tenant_id=appeal.tenant_id).exclude(user_id=appeal.reviewer_id)
    leads = []
    if appeal.kind == AppealKind.QA_REVIEW:
        leads = list(members.filter(role="qa_lead").order_by("user_id").values_list("user_id", flat=True))
    return leads or list(members.filter(role="admin").order_by("user_id").values_list("user_id", flat=True))
