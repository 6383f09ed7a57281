"""Appeals: an agent disputes a published QA review (the whole review or listed criteria) or their score in a
period (the total or one KPI); a reviewer decides, and the decision is applied at once.

State machine (any other action in a state is a 409 naming the current state):

    action      from                               to                                       who
    ---------   --------------------------------   --------------------------------------   -----------------------
    file        —                                  submitted (→ in_review when assigned)    the agent
    assign      submitted                          in_review                                assigners*
    assign      in_review, escalated               (same state, new reviewer)               assigners*
    decide      in_review (level 1)                upheld | overturned | partially_overturned   the assigned reviewer
    decide      escalated (level 2)                upheld | overturned | partially_overturned   (final)
    withdraw    submitted, in_review               withdrawn                                the agent
    escalate    upheld, partially_overturned       escalated (level 2, once, within the window) the agent

    * admins; QA leads for review appeals; supervisors granted `manage` on the agent's team for score appeals.

Rules (tenant settings): filing only within `appeal_window_days` of publication (a review) or of the period's
latest computation (a score), never on a closed period, one open appeal per review or period score, at most
`max_appeals_per_review` appeals per review (and per period score). Each refusal is a 409 with its own code.
Deciders: review appeals a QA lead or admin who is not the review's inspector; score appeals a supervisor
granted `manage` on the agent's team, or an admin; never the appellant; an escalation never the first decider.
Filing and escalating assign the least-loaded eligible reviewer automatically (ties: lowest user id).
A decision is due `appeal_sla_days` after filing (or escalation); feedback/services/appeal_sla.py marks overdue
ones. What a decision applies: feedback/services/appeal_effects.py. Every write locks the appeal row
(select_for_update), so of two concurrent decisions (or a decision and a withdrawal) one wins and the other
finds the new state (409); every transition and comment is in the appeal's history and the audit log.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import PermissionDenied, ValidationError

from common.actor import Actor
from common.audit import audit_record
from common.errors import Conflict
from feedback.models import (
    OPEN_STATUSES,
    Appeal,
    AppealComment,
    AppealDecision,
    AppealEvent,
    AppealItem,
    AppealKind,
    AppealStatus,
    QAReview,
    ReviewStatus,
    RubricCriterion,
)
from feedback.services.appeal_effects import apply_decision, covering_periods, current_score
from feedback.services.appeal_events import appeal_announce, participants
from feedback.services.appeal_reviewers import eligible_reviewers, least_loaded_reviewer
from feedback.services.scoring import AnswerInput, answers_from_payload, validate_answers
from performance.models import KpiPeriod, PeriodStatus
from performance.services.scoring.overrides import kpi_raw_value
from performance.services.tenant_kpis.catalog import unknown_kpi_codes

S = AppealStatus
DECIDED = (S.UPHELD, S.OVERTURNED, S.PARTIALLY_OVERTURNED)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "assign": (S.SUBMITTED, S.IN_REVIEW, S.ESCALATED),
    "decide": (S.IN_REVIEW, S.ESCALATED),
    "withdraw": (S.SUBMITTED, S.IN_REVIEW),
    "escalate": (S.UPHELD, S.PARTIALLY_OVERTURNED),
}
VERBS = {"assign": _("assigned"), "decide": _("decided"), "withdraw": _("withdrawn"), "escalate": _("escalated")}


def _describe(appeal: Appeal) -> dict[str, Any]:
    return {"status": appeal.status, "level": appeal.level, "reviewer": appeal.reviewer_id, "due_at": appeal.due_at}


def _history(appeal: Appeal, kind: str, actor: Actor | None, *, before: str = "", **data) -> None:
    AppealEvent.objects.create(tenant_id=appeal.tenant_id, appeal=appeal, kind=kind,
                               actor=actor.user if actor else None, from_status=before, to_status=appeal.status,
                               data=data)


def _locked(appeal: Appeal, action: str) -> Appeal:
    """The appeal's row, locked for this transaction, in a state `action` may leave (else 409)."""
    appeal = (Appeal.objects.select_for_update(of=("self",)).select_related("tenant", "review", "agent", "period")
              .get(pk=appeal.pk))
    final = appeal.level == 2 and appeal.status in DECIDED
    if appeal.status not in TRANSITIONS[action] or (action == "escalate" and final):
        state = _("%(status)s (final decision)") % {"status": appeal.status} if final else appeal.status
        raise Conflict(_("This appeal is %(state)s; it cannot be %(verb)s.") % {
            "state": state, "verb": VERBS[action]}, code="appeal_wrong_state")
    return appeal


def _period_open(period: KpiPeriod | None, field: str) -> None:
    if period is not None and period.status == PeriodStatus.CLOSED:
        raise Conflict(_("The period %(period)s is closed: its scores can no longer be appealed.") % {
            "period": period.name}, code="period_closed")


def _check_limits(actor: Actor, same_item) -> None:
    if same_item.filter(status__in=OPEN_STATUSES).exists():
        raise Conflict(_("There already is an open appeal on this; add to it with a comment instead."),
                       code="appeal_already_open")
    limit = actor.tenant.max_appeals_per_review
    if same_item.count() >= limit:
        raise Conflict(_("At most %(limit)s appeals may be filed on the same review or score.") % {"limit": limit},
                       code="appeal_limit_reached")


def _review_subject(actor: Actor, review: QAReview, items: list[dict]) -> tuple[KpiPeriod | None, list[AppealItem]]:
    if review.interaction.agent_id != actor.agent_id or review.status != ReviewStatus.PUBLISHED or \
            review.calibration_id is not None:
        raise ValidationError({"review": [_("You can only appeal your own published reviews.")]})
    if not review.is_current:
        raise ValidationError({"review": [_("Appeal the latest revision of this review.")]})
    if review.appeal_deadline is None or timezone.now() > review.appeal_deadline:
        raise Conflict(_("The appeal window of this review closed on %(deadline)s.") % {
            "deadline": review.appeal_deadline}, code="appeal_window_closed")
    periods = list(covering_periods(review))
    for period in periods:
        _period_open(period, "review")
    _check_limits(actor, Appeal.objects.filter(tenant=actor.tenant, review_chain=review.chain))
    criteria = list(RubricCriterion.objects.filter(version_id=review.rubric_version_id))
    proposals = [AnswerInput(criterion=row["criterion"], rating=row.get("proposed_rating")) for row in items]
    validate_answers(criteria, [p for p in proposals if p.rating is not None], require_complete=False)
    known = {c.pk for c in criteria}
    seen: set[int] = set()
    for index, proposal in enumerate(proposals):
        if proposal.criterion not in known or proposal.criterion in seen:
            raise ValidationError({f"items.{index}.criterion": [
                _("Name each criterion of the review's rubric at most once.")]})
        seen.add(proposal.criterion)
    ratings = {a.criterion_id: a.rating for a in review.answers.all()}
    rows = [AppealItem(tenant=actor.tenant, position=i, criterion_id=p.criterion, original_value=ratings.get(
        p.criterion), proposed_value=p.rating) for i, p in enumerate(proposals)]
    return (periods[0] if periods else None), rows


def _score_subject(actor: Actor, period: KpiPeriod, kpi: str, proposed: Decimal | None) -> list[AppealItem]:
    _period_open(period, "period")
    score = current_score(Appeal(tenant=actor.tenant, period=period, agent_id=actor.agent_id))
    if score is None:
        raise ValidationError({"period": [_("You have no score in this period to appeal.")]})
    window = timedelta(days=actor.tenant.appeal_window_days)
    if timezone.now() > period.current_revision.completed_at + window:
        raise Conflict(_("The appeal window of this period's scores closed on %(deadline)s.") % {
            "deadline": period.current_revision.completed_at + window}, code="appeal_window_closed")
    _check_limits(actor, Appeal.objects.filter(tenant=actor.tenant, kind=AppealKind.PERIOD_SCORE, period=period,
                                               agent_id=actor.agent_id))
    original = score.total
    if kpi and unknown_kpi_codes(tenant_id=actor.tenant.pk, codes=[kpi]):
        raise ValidationError({"kpi": [_("Unknown KPI '%(code)s'.") % {"code": kpi}]})
    if kpi:
        found, original = kpi_raw_value(score, kpi)
        if not found:
            raise ValidationError({"kpi": [_("Your score in this period has no KPI %(kpi)s.") % {"kpi": kpi}]})
    return [AppealItem(tenant=actor.tenant, kpi_code=kpi, original_value=original, proposed_value=proposed)]


def _assign(appeal: Appeal, actor: Actor | None, reviewer=None, *, automatic: bool) -> None:
    before = appeal.status
    appeal.reviewer = reviewer
    appeal.assigned_at = timezone.now()
    if appeal.status == S.SUBMITTED:
        appeal.status = S.IN_REVIEW
    appeal.save()
    _history(appeal, "assigned", None if automatic else actor, before=before, reviewer=reviewer.pk,
             automatic=automatic)
    audit_record(actor=actor, tenant=appeal.tenant, action="appeal.assigned", obj=appeal,
                 after=_describe(appeal) | {"automatic": automatic})
    appeal_announce(appeal=appeal, event="appeal.assigned", recipients=[reviewer.pk], due_at=appeal.due_at)


def _assign_automatically(appeal: Appeal, actor: Actor) -> None:
    reviewer = least_loaded_reviewer(appeal)
    if reviewer is not None:
        _assign(appeal, actor, reviewer, automatic=True)


@transaction.atomic
def appeal_file(*, actor: Actor, reason: str, review: QAReview | None = None, period: KpiPeriod | None = None,
                kpi: str = "", proposed_value: Decimal | None = None, items: list[dict] = ()) -> Appeal:
    """File an appeal (see the module docstring for the rules) and assign it to the least-loaded reviewer."""
    if actor.agent_id is None:
        raise PermissionDenied(_("Only an agent linked to your login can file appeals."))
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you appeal.")]})
    if (review is None) == (period is None):
        raise ValidationError({"review": [_("Appeal either a review or a period score.")]})
    now = timezone.now()
    if review is not None:
        review = QAReview.objects.select_for_update(of=("self",)).select_related("interaction", "tenant").get(
            pk=review.pk)
        period_of_review, rows = _review_subject(actor, review, list(items))
        appeal = Appeal(kind=AppealKind.QA_REVIEW, review=review, review_chain=review.chain, period=period_of_review)
    else:
        period = KpiPeriod.objects.select_for_update(of=("self",)).select_related("current_revision", "tenant").get(
            pk=period.pk)
        rows = _score_subject(actor, period, kpi, proposed_value)
        appeal = Appeal(kind=AppealKind.PERIOD_SCORE, period=period, kpi_code=kpi)
    appeal.tenant, appeal.agent_id, appeal.filed_by, appeal.reason = actor.tenant, actor.agent_id, actor.user, reason
    appeal.due_at = now + timedelta(days=actor.tenant.appeal_sla_days)
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:  # a concurrent filing on the same item won
        raise Conflict(_("There already is an open appeal on this; add to it with a comment instead."),
                       code="appeal_already_open") from None
    for row in rows:
        row.appeal = appeal
    AppealItem.objects.bulk_create(rows)
    _history(appeal, "filed", actor, reason=reason)
    audit_record(actor=actor, action="appeal.filed", obj=appeal, after=_describe(appeal) | {
        "kind": appeal.kind, "review": appeal.review_id, "period": appeal.period_id, "kpi": kpi})
    appeal_announce(appeal=appeal, event="appeal.filed", recipients=[review.inspector_id if review else None],
                    review=appeal.review_id)
    _assign_automatically(appeal, actor)
    return appeal


@transaction.atomic
def appeal_assign(*, appeal: Appeal, assigned_by: Actor, reviewer=None) -> Appeal:
    """Give the appeal to `reviewer` (who must be eligible), or to the least-loaded eligible reviewer."""
    appeal = _locked(appeal, "assign")
    if reviewer is not None and not eligible_reviewers(appeal).filter(pk=reviewer.pk).exists():
        raise ValidationError({"reviewer": [_(
            "This member may not decide this appeal (the review's inspector, the appellant, the first decider of "
            "an escalation and members without the right role or team grant are not eligible).")]})
    reviewer = reviewer or least_loaded_reviewer(appeal)
    if reviewer is None:
        raise Conflict(_("Nobody in this tenant may decide this appeal."), code="no_eligible_reviewer")
    _assign(appeal, assigned_by, reviewer, automatic=False)
    return appeal


def _decided_items(appeal: Appeal, decisions: list[dict]) -> list[AppealItem]:
    items = {item.pk: item for item in appeal.items.select_related("criterion")}
    given = [row["item"] for row in decisions]
    if sorted(given) != sorted(items):
        raise ValidationError({"items": [_("Decide each disputed item exactly once (items %(ids)s).") % {
            "ids": ", ".join(str(pk) for pk in sorted(items)) or "-"}]})
    for index, row in enumerate(decisions):
        item = items[row["item"]]
        item.accepted = row["accepted"]
        value = row.get("value")
        item.decided_value = (item.proposed_value if value is None else value) if item.accepted else None
        if item.accepted and item.decided_value is None:
            raise ValidationError({f"items.{index}.value": [_("Give the value to apply for this item.")]})
        if item.accepted and item.criterion is not None:
            rating = item.decided_value
            if rating != int(rating):
                raise ValidationError({f"items.{index}.value": [_("A rating is a whole number.")]})
            validate_answers([item.criterion], [AnswerInput(item.criterion_id, int(rating))], require_complete=False)
    return list(items.values())


def _outcome_of(items: list[AppealItem], answers: list[dict], outcome: str) -> str:
    if not items:  # a whole-review appeal: the reviewer's answers are what is applied
        if (outcome == S.UPHELD) != (not answers):
            raise ValidationError({"answers": [_(
                "An upheld appeal changes nothing; overturning a whole review needs the answers to apply.")]})
        return outcome
    accepted = sum(1 for item in items if item.accepted)
    return S.UPHELD if accepted == 0 else S.OVERTURNED if accepted == len(items) else S.PARTIALLY_OVERTURNED


@transaction.atomic
def appeal_decide(*, appeal: Appeal, decided_by: Actor, outcome: str, rationale: str,
                  items: list[dict] = (), answers: list[dict] = ()) -> Appeal:
    """Decide the appeal (the assigned reviewer) and apply the decision: see appeal_effects."""
    appeal = _locked(appeal, "decide")
    if appeal.reviewer_id != decided_by.user.pk or not eligible_reviewers(appeal).filter(
            pk=decided_by.user.pk).exists():
        raise PermissionDenied(_("Only the eligible reviewer assigned to this appeal decides it."))
    if not rationale.strip():
        raise ValidationError({"rationale": [_("Give the rationale of the decision.")]})
    if answers and (appeal.kind != AppealKind.QA_REVIEW or appeal.items.exists()):
        raise ValidationError({"answers": [_("Answers are only given when a whole review is appealed.")]})
    if answers:
        criteria = list(RubricCriterion.objects.filter(version_id=appeal.review.rubric_version_id))
        validate_answers(criteria, answers_from_payload(answers), require_complete=False)
    decided = _decided_items(appeal, list(items))
    derived = _outcome_of(decided, list(answers), outcome)
    if derived != outcome:
        raise ValidationError({"outcome": [_("The items you accepted make this appeal %(derived)s.") % {
            "derived": derived}]})
    before, now = appeal.status, timezone.now()
    AppealItem.objects.bulk_update(decided, ["accepted", "decided_value"])
    appeal.status, appeal.decided_at = outcome, now
    if appeal.level == 1:
        appeal.first_decided_by = decided_by.user
    revision = apply_decision(appeal=appeal, actor=decided_by, rationale=rationale.strip(), answers=list(answers))
    appeal.save()
    AppealDecision.objects.create(
        tenant_id=appeal.tenant_id, appeal=appeal, level=appeal.level, outcome=outcome, rationale=rationale.strip(),
        items=[{"item": i.pk, "accepted": i.accepted,
                "value": None if i.decided_value is None else str(i.decided_value)} for i in decided] + [
            {"answer": row} for row in answers],
        decided_by=decided_by.user, decided_at=now, review_revision=revision)
    _history(appeal, "decided", decided_by, before=before, outcome=outcome, level=appeal.level,
             review_revision=revision.pk if revision else None, computation_job=appeal.computation_job_id)
    audit_record(actor=decided_by, action="appeal.decided", obj=appeal, before={"status": before},
                 after=_describe(appeal) | {"outcome": outcome, "rationale": rationale.strip(),
                                            "review_revision": revision.pk if revision else None})
    appeal_announce(appeal=appeal, event="appeal.decided", recipients=participants(appeal),
                    actor_user_id=decided_by.user.pk, outcome=outcome)
    return appeal


@transaction.atomic
def appeal_withdraw(*, appeal: Appeal, withdrawn_by: Actor) -> Appeal:
    """The agent takes the appeal back before it is decided."""
    appeal = _locked(appeal, "withdraw")
    before = appeal.status
    appeal.status, appeal.withdrawn_at = S.WITHDRAWN, timezone.now()
    appeal.save()
    _history(appeal, "withdrawn", withdrawn_by, before=before)
    audit_record(actor=withdrawn_by, action="appeal.withdrawn", obj=appeal, before={"status": before},
                 after=_describe(appeal))
    appeal_announce(appeal=appeal, event="appeal.withdrawn", recipients=[appeal.reviewer_id],
                    actor_user_id=withdrawn_by.user.pk)
    return appeal


@transaction.atomic
def appeal_escalate(*, appeal: Appeal, escalated_by: Actor, reason: str) -> Appeal:
    """Once, within the appeal window after the first decision: a second-level reviewer decides, finally."""
    appeal = _locked(appeal, "escalate")
    if not reason.strip():
        raise ValidationError({"reason": [_("Say why you escalate.")]})
    deadline = appeal.decided_at + timedelta(days=appeal.tenant.appeal_window_days)
    if timezone.now() > deadline:
        raise Conflict(_("The escalation window of this appeal closed on %(deadline)s.") % {"deadline": deadline},
                       code="appeal_window_closed")
    for period in [appeal.period] + (list(covering_periods(appeal.review)) if appeal.review_id else []):
        _period_open(period, "period")
    before, now = appeal.status, timezone.now()
    appeal.status, appeal.level, appeal.escalated_at = S.ESCALATED, 2, now
    appeal.due_at, appeal.overdue_at, appeal.reviewer = now + timedelta(days=appeal.tenant.appeal_sla_days), None, None
    try:
        with transaction.atomic():
            appeal.save()
    except IntegrityError:  # another appeal on the same item is open
        raise Conflict(_("There already is an open appeal on this; add to it with a comment instead."),
                       code="appeal_already_open") from None
    _history(appeal, "escalated", escalated_by, before=before, reason=reason.strip())
    audit_record(actor=escalated_by, action="appeal.escalated", obj=appeal, before={"status": before},
                 after=_describe(appeal) | {"reason": reason.strip()})
    appeal_announce(appeal=appeal, event="appeal.escalated", recipients=[appeal.first_decided_by_id],
                    actor_user_id=escalated_by.user.pk)
    _assign_automatically(appeal, escalated_by)
    return appeal


@transaction.atomic
def appeal_comment(*, appeal: Appeal, author: Actor, body: str) -> AppealComment:
    """Add to the appeal's thread (anyone who may see the appeal); the others on it are notified."""
    if not body.strip():
        raise ValidationError({"body": [_("A comment cannot be empty.")]})
    comment = AppealComment.objects.create(tenant_id=appeal.tenant_id, appeal=appeal, author=author.user,
                                           body=body.strip())
    _history(appeal, "commented", author, comment=comment.pk, body=comment.body)
    audit_record(actor=author, action="appeal.commented", obj=appeal, after={"comment": comment.pk})
    appeal_announce(appeal=appeal, event="appeal.commented", recipients=participants(appeal),
                    actor_user_id=author.user.pk, author=author.user.full_name or author.user.email)
    return comment
