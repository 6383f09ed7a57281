"""The SLA sweep: appeals whose decision is past due are marked overdue once, and their reviewer and the
reviewer's lead are told."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from common import rls
from common.audit import audit_record
from feedback.models import OPEN_STATUSES, Appeal, AppealEvent
from feedback.services.appeal_events import appeal_announce
from feedback.services.appeal_reviewers import reviewer_leads


def appeals_mark_overdue(*, tenant_id: int) -> list[int]:
    """Mark the tenant's newly overdue appeals; returns their ids. Idempotent: each appeal is claimed with a
    conditional update (overdue_at still empty), so a second run, or two at once, notifies nobody twice."""
    now = timezone.now()
    candidates = Appeal.objects.filter(tenant_id=tenant_id, status__in=OPEN_STATUSES, due_at__lt=now,
                                       overdue_at__isnull=True).order_by("due_at", "pk").values_list("pk", flat=True)
    marked = []
    for appeal_id in list(candidates):
        with transaction.atomic():
            claimed = Appeal.objects.filter(pk=appeal_id, status__in=OPEN_STATUSES, overdue_at__isnull=True).update(
                overdue_at=now, updated_at=now)
            if not claimed:
                continue
            appeal = Appeal.objects.select_related("tenant", "review").get(pk=appeal_id)
            AppealEvent.objects.create(tenant_id=tenant_id, appeal=appeal, kind="overdue", from_status=appeal.status,
                                       to_status=appeal.status, data={"due_at": appeal.due_at.isoformat()})
            audit_record(actor=None, tenant=appeal.tenant, action="appeal.overdue", obj=appeal,
                         after={"due_at": appeal.due_at, "reviewer": appeal.reviewer_id})
            appeal_announce(appeal=appeal, event="appeal.overdue",
                            recipients=[appeal.reviewer_id, *reviewer_leads(appeal)], due_at=appeal.due_at)
            marked.append(appeal_id)
    return marked


def tenants_with_overdue_appeals() -> list[int]:
    """The tenants that have newly overdue appeals (the sweep's list crosses tenants)."""
    with rls.all_tenants():
        overdue = Appeal.objects.filter(status__in=OPEN_STATUSES, due_at__lt=timezone.now(), overdue_at__isnull=True)
        return list(overdue.order_by("tenant_id").values_list("tenant_id", flat=True).distinct())
