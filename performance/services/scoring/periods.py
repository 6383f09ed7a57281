"""KPI periods: creating them and moving them through open → computing → computed → in_review → closed."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError

from accounts.models import Agent
from common.actor import Actor
from common.audit import audit_record, snapshot
from common.errors import Conflict
from performance.models import ComputationJob, KpiPeriod, PeriodKind, PeriodStatus, ScoreAdjustment

FIELDS = ["name", "kind", "start", "end", "status", "current_revision"]
MAX_CUSTOM_DAYS = 366
COMPUTABLE = (PeriodStatus.OPEN, PeriodStatus.COMPUTED, PeriodStatus.IN_REVIEW)
WRONG_END = {
    PeriodKind.MONTHLY: _("A monthly period starting %(start)s ends (exclusive) on %(end)s."),
    PeriodKind.QUARTERLY: _("A quarterly period starting %(start)s ends (exclusive) on %(end)s."),
}
ALREADY_EXISTS = {
    PeriodKind.MONTHLY: _("A monthly period from %(start)s to %(end)s already exists."),
    PeriodKind.QUARTERLY: _("A quarterly period from %(start)s to %(end)s already exists."),
    PeriodKind.CUSTOM: _("A custom period from %(start)s to %(end)s already exists."),
}
NOT_COMPUTED = _('Only a computed period can open its review (its status is "%(status)s").')
NOT_IN_REVIEW = _('Only a period in review can be closed (its status is "%(status)s").')


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _range_for(kind: str, start: date, end: date | None) -> tuple[date, date, str]:
    """The [start, end) of a period of this kind and its default name; raises ValidationError when invalid."""
    if kind == PeriodKind.MONTHLY:
        if start.day != 1:
            raise ValidationError({"start": [_("A monthly period starts on the first day of a month.")]})
        expected, name = _add_months(start, 1), f"{start:%Y-%m}"
    elif kind == PeriodKind.QUARTERLY:
        if start.day != 1 or start.month not in (1, 4, 7, 10):
            raise ValidationError({"start": [_("A quarterly period starts on 1 January, April, July or October.")]})
        expected, name = _add_months(start, 3), f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    else:
        if end is None:
            raise ValidationError({"end": [_("A custom period needs an end date (exclusive).")]})
        if end <= start:
            raise ValidationError({"end": [_("The end (exclusive) must be after the start.")]})
        if end - start > timedelta(days=MAX_CUSTOM_DAYS):
            raise ValidationError({"end": [_("A custom period spans at most %(days)s days.")
                                           % {"days": MAX_CUSTOM_DAYS}]})
        return start, end, f"{start:%Y-%m-%d} – {end - timedelta(days=1):%Y-%m-%d}"
    if end is not None and end != expected:
        raise ValidationError({"end": [WRONG_END[kind] % {"start": start, "end": expected}]})
    return start, expected, name


@transaction.atomic
def period_create(*, actor: Actor, kind: str, start: date, end: date | None = None, name: str = "") -> KpiPeriod:
    start, end, default_name = _range_for(kind, start, end)
    if KpiPeriod.objects.filter(tenant=actor.tenant, kind=kind, start=start, end=end).exists():
        raise ValidationError({"start": [ALREADY_EXISTS[kind] % {"start": start, "end": end}]})
    period = KpiPeriod(tenant=actor.tenant, kind=kind, start=start, end=end, name=name or default_name,
                       created_by=actor.user)
    period.full_clean()
    period.save()
    audit_record(actor=actor, action="period.created", obj=period, after=snapshot(period, FIELDS))
    return period


@transaction.atomic
def period_rename(*, actor: Actor, period: KpiPeriod, name: str) -> KpiPeriod:
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    before = snapshot(period, FIELDS)
    period.name = name
    period.full_clean()
    period.save(update_fields=["name", "updated_at"])
    audit_record(actor=actor, action="period.updated", obj=period, before=before, after=snapshot(period, FIELDS))
    return period


@transaction.atomic
def period_delete(*, actor: Actor, period: KpiPeriod) -> None:
    """Only a period that was never computed can be deleted."""
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != PeriodStatus.OPEN or period.jobs.exists():
        raise Conflict(_("Only an open period that was never computed can be deleted."), code="period_has_results")
    audit_record(actor=actor, action="period.deleted", obj=period, before=snapshot(period, FIELDS))
    period.delete()


@transaction.atomic
def period_compute(*, actor: Actor | None, period: KpiPeriod, requested_by=None) -> ComputationJob:
    """Queue a computation of the period's scores (202 with the job); the worker starts after this commits.

    Refused when the period is closed (its results are frozen) or already computing.
    """
    from performance.tasks import compute_period_scores

    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status == PeriodStatus.CLOSED:
        raise Conflict(_("The period is closed: its results are frozen and cannot be recomputed. "
                         "Post an adjustment to correct a score."), code="period_closed")
    if period.status == PeriodStatus.COMPUTING:
        active = period.jobs.filter(status__in=["queued", "running"]).values_list("pk", flat=True).first()
        raise Conflict(_("The period is already being computed (job %(job)s).") % {"job": active},
                       code="period_computing")
    job = ComputationJob.objects.create(tenant_id=period.tenant_id, period=period,
                                        previous_period_status=period.status,
                                        requested_by=requested_by or (actor.user if actor else None))
    before = snapshot(period, FIELDS)
    period.status = PeriodStatus.COMPUTING
    period.save(update_fields=["status", "updated_at"])
    audit_record(actor=actor, tenant=period.tenant, action="period.compute_requested", obj=period, before=before,
                 after={**snapshot(period, FIELDS), "job": job.pk})
    transaction.on_commit(partial(compute_period_scores.delay, job_id=job.pk, tenant_id=period.tenant_id))
    return job


@transaction.atomic
def period_compute_after_change(*, actor: Actor | None, period: KpiPeriod) -> ComputationJob | None:
    """Recompute the period because its inputs just changed (in the caller's transaction, e.g. an appeal's
    decision): a new job, or — when a job is already queued or running, and may have read the inputs before this
    change commits — that job, with the period marked so that another computation is queued when it finishes
    (computation._finish). Returns the job whose results include the change, or which queues the one that does.

    Race-free through the period's row lock: the finish locks the period row before it reads the mark, so either
    it sees the mark (committed with this change) or it committed first, the period is no longer computing, and
    a new job is created here instead."""
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status != PeriodStatus.COMPUTING:
        return period_compute(actor=actor, period=period)
    active = period.jobs.filter(status__in=["queued", "running"]).first()
    if not period.recompute_pending:
        period.recompute_pending = True
        period.save(update_fields=["recompute_pending", "updated_at"])
        audit_record(actor=actor, tenant=period.tenant, action="period.recompute_pending", obj=period,
                     after={"job": active.pk if active else None})
    return active


def _transition(actor: Actor, period: KpiPeriod, *, allowed_from: tuple[str, ...], to: str, action: str,
                message: str, code: str, **extra) -> KpiPeriod:
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    if period.status not in allowed_from:
        raise Conflict(message % {"status": PeriodStatus(period.status).label}, code=code)
    before = snapshot(period, FIELDS)
    period.status = to
    for name, value in extra.items():
        setattr(period, name, value)
    period.save(update_fields=["status", "updated_at", *extra])
    audit_record(actor=actor, action=action, obj=period, before=before, after=snapshot(period, FIELDS))
    return period


@transaction.atomic
def period_open_review(*, actor: Actor, period: KpiPeriod) -> KpiPeriod:
    """computed → in_review: results are published for the appeal window."""
    return _transition(actor, period, allowed_from=(PeriodStatus.COMPUTED,), to=PeriodStatus.IN_REVIEW,
                       action="period.review_opened", message=NOT_COMPUTED,
                       code="period_not_computed")


@transaction.atomic
def period_close(*, actor: Actor, period: KpiPeriod) -> KpiPeriod:
    """in_review → closed: the results are frozen for good; later corrections are adjustments.

    Refused (409 period_has_open_appeals, naming them) while appeals on the period's scores or reviews are open."""
    from feedback.appeal_selectors import appeals_open_in_period

    period = KpiPeriod.objects.select_for_update().select_related("tenant").get(pk=period.pk)
    open_ids = list(appeals_open_in_period(period).values_list("pk", flat=True))
    if open_ids:
        raise Conflict(_("The period has open appeals (%(ids)s); decide or withdraw them before closing it.") % {
            "ids": ", ".join(str(pk) for pk in open_ids)}, code="period_has_open_appeals")
    return _transition(actor, period, allowed_from=(PeriodStatus.IN_REVIEW,), to=PeriodStatus.CLOSED,
                       action="period.closed", message=NOT_IN_REVIEW,
                       code="period_not_in_review", closed_at=timezone.now(), closed_by=actor.user)


@transaction.atomic
def score_adjustment_create(*, actor: Actor, period: KpiPeriod, agent: Agent, points: Decimal,
                            reason: str, appeal=None) -> ScoreAdjustment:
    """A correction of a period's score for one agent, added to (never replacing) its total.

    Manual corrections are for closed periods only (an open one is recomputed instead); an accepted appeal
    (`appeal`) is applied as an adjustment while the period is not closed, and follows later recomputations.
    """
    period = KpiPeriod.objects.select_for_update().get(pk=period.pk)
    if appeal is None and period.status != PeriodStatus.CLOSED:
        raise Conflict(_("Adjustments are for closed periods; recompute an open period instead."),
                       code="period_not_closed")
    if appeal is not None and period.status == PeriodStatus.CLOSED:
        raise Conflict("The period is closed: an appeal can no longer change its scores.", code="period_closed")
    score = period.current_revision and period.current_revision.scores.filter(agent=agent).first()
    if not score or score.total is None:
        raise ValidationError({"agent": [_("This agent has no score in the period to adjust.")]})
    adjustment = ScoreAdjustment(tenant=actor.tenant, period=period, score=score, agent=agent, points=points,
                                 reason=reason.strip(), appeal=appeal, created_by=actor.user)
    adjustment.full_clean()
    adjustment.save()
    audit_record(actor=actor, action="score.adjusted", obj=adjustment,
                 after={"period": period.pk, "agent": agent.pk, "score": score.pk, "points": points,
                        "reason": adjustment.reason, "appeal": adjustment.appeal_id})
    from performance.services.rewards.awards import awards_after_score_adjustment

    awards_after_score_adjustment(actor=actor, period=period, adjustment=adjustment)
    return adjustment
