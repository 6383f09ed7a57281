"""Reminders for unanswered 360 assessment requests: once per request, when the campaign's deadline is less than
ASSESSMENT_REMINDER_HOURS (default 48) away. Swept by Celery beat (feedback.tasks.remind_assessments)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from common import rls
from common.notifications.services import notify
from feedback.models import AssessmentCampaign, AssessmentRequest, CampaignStatus

REMINDER = gettext_noop("Please give your 360 assessment in campaign %(campaign)s before %(deadline)s.")


def _due(now):
    horizon = now + timedelta(hours=settings.ASSESSMENT_REMINDER_HOURS)
    return AssessmentRequest.objects.filter(
        answered=False, reminded_at__isnull=True, rater__isnull=False, campaign__status=CampaignStatus.OPEN,
        campaign__deadline__gt=now, campaign__deadline__lte=horizon)


def tenants_with_due_reminders() -> list[int]:
    """The tenants with requests to remind (the sweep's list crosses tenants)."""
    with rls.all_tenants():
        return list(_due(timezone.now()).order_by("tenant_id").values_list("tenant_id", flat=True).distinct())


@transaction.atomic
def assessment_reminders_send(*, tenant_id: int) -> int:
    """Notify each rater of the tenant's due requests once per request (claimed by a conditional update, so two
    sweeps at once remind nobody twice); one notification per rater and campaign. Returns the requests claimed."""
    now = timezone.now()
    due = _due(now).filter(tenant_id=tenant_id).select_for_update(skip_locked=True, of=("self",))
    ids = list(due.values_list("pk", flat=True))
    AssessmentRequest.objects.filter(pk__in=ids, reminded_at__isnull=True).update(reminded_at=now)
    pairs = AssessmentRequest.objects.filter(pk__in=ids).values_list("campaign_id", "rater_id").distinct()
    by_campaign: dict[int, list[int]] = {}
    for campaign_id, rater_id in pairs:
        by_campaign.setdefault(campaign_id, []).append(rater_id)
    for campaign in AssessmentCampaign.objects.filter(pk__in=by_campaign).select_related("tenant"):
        deadline = timezone.localtime(campaign.deadline, campaign.tenant.zone).strftime("%Y-%m-%d %H:%M")
        notify(tenant=campaign.tenant, recipients=by_campaign[campaign.pk], event="assessment.reminder",
               obj=campaign, message=REMINDER, params={"campaign": campaign.name, "deadline": deadline})
    return len(ids)
