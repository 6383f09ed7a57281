"""What a decision applies: a new review revision and recomputed periods, or an adjustment of a period score.

Each item of the final decision sets its value: accepted → the decided value (the proposal, or the reviewer's
amendment), rejected → the original. So an escalation that reverses the first decision reverts what it applied,
and nothing is ever retyped by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from common.actor import Actor
from feedback.models import Appeal, AppealKind, QAReview
from feedback.services.reviews import qa_review_amend
from performance.models import AgentPeriodScore, ComputationJob, KpiPeriod, PeriodStatus
from performance.services.scoring.overrides import total_with_kpi_value
from performance.services.scoring.periods import period_compute_after_change, score_adjustment_create
from performance.services.scoring.scorecard import CENTS


def covering_periods(review: QAReview):
    """Periods whose range holds the review's interaction (by its start, in the tenant's time zone)."""
    day = review.interaction.started_at.astimezone(review.tenant.zone).date()
    return KpiPeriod.objects.filter(tenant_id=review.tenant_id, start__lte=day, end__gt=day).order_by("end", "pk")


def current_score(appeal: Appeal) -> AgentPeriodScore | None:
    if appeal.period is None or appeal.period.current_revision_id is None:
        return None
    return (AgentPeriodScore.objects.filter(revision_id=appeal.period.current_revision_id, agent_id=appeal.agent_id)
            .prefetch_related("scheme_scores", "adjustments").first())


def adjusted(score: AgentPeriodScore | None) -> Decimal | None:
    if score is None or score.total is None:
        return None
    return score.total + sum((a.points for a in score.adjustments.all()), Decimal(0))


def _reason(appeal: Appeal, rationale: str) -> str:
    # Stored as typed, like every adjustment reason: the appeal's id and the reviewer's rationale.
    return f"Appeal {appeal.pk}: {rationale}"


def apply_review_decision(*, appeal: Appeal, actor: Actor, rationale: str,
                          answers: list[dict]) -> QAReview | None:
    """Amend the review's current revision so each disputed criterion has its decided rating (plus, for a
    whole-review appeal, the reviewer's answers). Returns the new revision, or None when nothing changes."""
    current = QAReview.objects.get(tenant_id=appeal.tenant_id, chain=appeal.review_chain, is_current=True)
    existing = {a.criterion_id: a for a in current.answers.all()}
    changes = []
    for item in appeal.items.all():
        wanted = item.decided_value if item.accepted else item.original_value
        answer = existing.get(item.criterion_id)
        rating = None if wanted is None else int(wanted)
        if answer is None or answer.is_na or answer.rating != rating:
            changes.append({"criterion": item.criterion_id, "rating": rating, "na": rating is None,
                            "comment": answer.comment if answer else ""})
    changes += [{**row, "comment": row.get("comment") or (existing[row["criterion"]].comment
                                                         if row["criterion"] in existing else "")}
                for row in answers]
    if not changes:
        return None
    return qa_review_amend(review=current, amended_by=actor, answers=changes, reason=_reason(appeal, rationale))


def recompute_periods(*, appeal: Appeal, actor: Actor) -> ComputationJob | None:
    """Recompute, through the computation job, every period with results that the review's interaction counts
    in and that is not closed; returns the job of the appeal's own period (or the first one)."""
    jobs = {}
    for period in covering_periods(appeal.review).filter(current_revision__isnull=False).exclude(
            status=PeriodStatus.CLOSED):
        # Already computing: that job may have read the inputs already, so it queues another one when it
        # finishes, and the appeal follows that one (computation._finish).
        jobs[period.pk] = period_compute_after_change(actor=actor, period=period)
    return jobs.get(appeal.period_id) or next(iter(jobs.values()), None)


def apply_score_decision(*, appeal: Appeal, actor: Actor, rationale: str) -> None:
    """Bring the appeal's adjustments to what its decision says: the accepted value's effect on the total, or
    nothing (an adjustment of the difference, so an escalation can also take it back)."""
    item = appeal.items.get()
    score = current_score(appeal)
    target = Decimal(0)
    if item.accepted and score is not None and score.total is not None:
        if item.kpi_code:
            new_total = total_with_kpi_value(score, item.kpi_code, item.decided_value)
            target = Decimal(0) if new_total is None else new_total - score.total
        else:
            target = item.decided_value - score.total
    applied = sum((a.points for a in appeal.adjustments.all()), Decimal(0))
    points = (target - applied).quantize(CENTS, ROUND_HALF_UP)
    if points:
        score_adjustment_create(actor=actor, period=appeal.period, agent=appeal.agent, points=points,
                                reason=_reason(appeal, rationale), appeal=appeal)


def apply_decision(*, appeal: Appeal, actor: Actor, rationale: str, answers: list[dict]) -> QAReview | None:
    """Apply the decision just recorded on `appeal` (items already carry accepted/decided_value)."""
    appeal.score_before = adjusted(current_score(appeal))
    if appeal.kind == AppealKind.PERIOD_SCORE:
        apply_score_decision(appeal=appeal, actor=actor, rationale=rationale)
        return None
    revision = apply_review_decision(appeal=appeal, actor=actor, rationale=rationale, answers=answers)
    if revision is not None:
        appeal.computation_job = recompute_periods(appeal=appeal, actor=actor)
    return revision
