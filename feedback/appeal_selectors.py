"""The appeals report of a period, aggregated in SQL: so QA leads see whose scoring is disputed most."""

from __future__ import annotations

from django.db.models import Aggregate, Count, DecimalField, ExpressionWrapper, F, Q
from django.db.models.functions import Extract

from feedback.models import DECIDED_STATUSES, OPEN_STATUSES, Appeal, AppealDecision, AppealItem, AppealKind, QAReview
from performance.models import KpiPeriod
from performance.selectors import period_bounds

OVERTURNED = ("overturned", "partially_overturned")


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DecimalField()


def appeals_in_period(period: KpiPeriod):
    """Appeals on the period's scores, and on reviews of interactions within the period."""
    start, end = period_bounds(period)
    return Appeal.objects.filter(tenant_id=period.tenant_id).filter(
        Q(kind=AppealKind.PERIOD_SCORE, period_id=period.pk)
        | Q(kind=AppealKind.QA_REVIEW, review__interaction__started_at__gte=start,
            review__interaction__started_at__lt=end))


def _counts(queryset, field: str) -> list[dict]:
    return [{"key": row[field], "count": row["n"]}
            for row in queryset.values(field).annotate(n=Count("pk")).order_by(field)]


def appeal_report(*, period: KpiPeriod) -> dict:
    """Counts by state and final outcome, median hours from filing to the first decision, SLA breaches, and
    per inspector (and criterion) how many of their reviews were appealed and overturned. Eight queries."""
    start, end = period_bounds(period)
    appeals = appeals_in_period(period).order_by()
    ids = appeals.values("pk")
    totals = appeals.aggregate(
        appeals=Count("pk"), decided=Count("pk", filter=Q(status__in=DECIDED_STATUSES)),
        escalated=Count("pk", filter=Q(level=2)),
        sla_breaches=Count("pk", filter=Q(overdue_at__isnull=False) | Q(decided_at__gt=F("due_at"))))
    hours = ExpressionWrapper(Extract(F("decided_at") - F("appeal__created_at"), "epoch") / 3600,
                              output_field=DecimalField())
    median = AppealDecision.objects.filter(appeal__in=ids, level=1).aggregate(m=Median(hours))["m"]
    reviews = (QAReview.objects.kpi_countable().filter(tenant_id=period.tenant_id,
                                                       interaction__started_at__gte=start,
                                                       interaction__started_at__lt=end)
               .values("inspector_id", "inspector__email").annotate(n=Count("chain", distinct=True)))
    disputed = {row["review__inspector_id"]: row for row in appeals.filter(kind=AppealKind.QA_REVIEW).values(
        "review__inspector_id").annotate(appealed=Count("review_chain", distinct=True), overturned=Count(
            "review_chain", distinct=True, filter=Q(status__in=OVERTURNED))).order_by()}
    inspectors = []
    for row in reviews.order_by("inspector_id"):
        counts = disputed.get(row["inspector_id"], {"appealed": 0, "overturned": 0})
        inspectors.append({"inspector": row["inspector_id"], "email": row["inspector__email"], "reviews": row["n"],
                           "appealed": counts["appealed"], "overturned": counts["overturned"]})
    criteria = [
        {"inspector": row["appeal__review__inspector_id"], "criterion": row["criterion_id"],
         "label": row["criterion__label"], "appealed": row["appealed"], "overturned": row["overturned"]}
        for row in AppealItem.objects.filter(appeal__in=ids, criterion__isnull=False)
        .values("appeal__review__inspector_id", "criterion_id", "criterion__label")
        .annotate(appealed=Count("pk"), overturned=Count("pk", filter=Q(accepted=True)))
        .order_by("appeal__review__inspector_id", "criterion_id")
    ]
    return {"period": period.pk, **totals, "by_state": _counts(appeals, "status"),
            "by_outcome": _counts(appeals.filter(status__in=DECIDED_STATUSES), "status"),
            "median_hours_to_decision": None if median is None else round(median, 2),
            "inspectors": inspectors, "criteria": criteria}


def appeals_open_in_period(period: KpiPeriod):
    return appeals_in_period(period).filter(status__in=OPEN_STATUSES).order_by("pk")
