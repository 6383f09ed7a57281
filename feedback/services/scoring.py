"""The score arithmetic of a QA review (pure functions, no database).

    normalized = (rating - scale min) / (scale max - scale min)
    total      = sum(weight x normalized) / sum(weight) x 100   over rated (non-N/A) criteria
    a critical criterion with normalized < 0.5 sets auto_failed and total = 0; would_be_total keeps the
    score the review would have had.

Arithmetic is exact (fractions); totals are rounded half up to 2 places once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Protocol

from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError

from feedback.models.rubrics import SCALE_BOUNDS

CRITICAL_LINE = Fraction(1, 2)


class CriterionLike(Protocol):
    id: int
    label: str
    weight: Decimal
    scale: str
    allow_na: bool
    is_critical: bool


@dataclass(frozen=True)
class AnswerInput:
    criterion: int
    rating: int | None = None
    na: bool = False
    comment: str = ""


@dataclass(frozen=True)
class ScoredAnswer:
    criterion: int
    rating: int | None
    is_na: bool
    comment: str
    normalized: Decimal | None
    earned: Decimal | None
    possible: Decimal
    critical_failed: bool


@dataclass(frozen=True)
class ReviewScore:
    answers: list[ScoredAnswer]
    earned_points: Decimal
    possible_points: Decimal
    would_be_total: Decimal
    total: Decimal
    auto_failed: bool


def _exact(value: Fraction) -> Decimal:
    """A fraction whose denominator divides a power of ten (every normalized rating is one) as a Decimal."""
    return Decimal(value.numerator) / Decimal(value.denominator)


def round_half_up_2(value: Fraction) -> Decimal:
    cents, remainder = divmod(value.numerator * 100, value.denominator)
    if 2 * remainder >= value.denominator:
        cents += 1
    return Decimal(cents).scaleb(-2)


def normalized_rating(scale: str, rating: int) -> Fraction:
    low, high = SCALE_BOUNDS[scale]
    return Fraction(rating - low, high - low)


def answers_from_payload(rows: Iterable[dict[str, Any]]) -> list[AnswerInput]:
    return [
        AnswerInput(criterion=int(row["criterion"]), rating=row.get("rating"), na=bool(row.get("na", False)),
                    comment=row.get("comment") or "")
        for row in rows
    ]


def validate_answers(
    criteria: Sequence[CriterionLike], answers: Sequence[AnswerInput], *, require_complete: bool
) -> None:
    """Raise a ValidationError (fields `answers.<i>.<field>`) unless every answer is valid for these criteria.

    With `require_complete`, every criterion must be answered and at least one must be rated (not N/A).
    """
    by_id = {criterion.id: criterion for criterion in criteria}
    errors: dict[str, Any] = {}
    seen: set[int] = set()
    for index, answer in enumerate(answers):
        problem = _answer_problem(by_id.get(answer.criterion), answer, answer.criterion in seen)
        if problem:
            errors[str(index)] = problem
        seen.add(answer.criterion)
    if errors:
        raise ValidationError({"answers": errors})
    if not require_complete:
        return
    missing = [c for c in criteria if c.id not in seen]
    if missing:
        names = ", ".join(f"{c.label} ({c.id})" for c in missing)
        raise ValidationError({"answers": [_("Every criterion must be answered; missing: %(criteria)s.")
                                           % {"criteria": names}]})
    if all(answer.na for answer in answers):
        raise ValidationError({"answers": [_("At least one criterion must be rated; all are N/A.")]})


def _answer_problem(criterion: CriterionLike | None, answer: AnswerInput, duplicate: bool) -> dict[str, list[str]]:
    if criterion is None:
        return {"criterion": [_("Not a criterion of this rubric version.")]}
    if duplicate:
        return {"criterion": [_("This criterion is answered more than once.")]}
    if answer.na:
        if not criterion.allow_na:
            return {"na": [_("'%(criterion)s' may not be answered N/A.") % {"criterion": criterion.label}]}
        if answer.rating is not None:
            return {"rating": [_("Leave the rating empty when the answer is N/A.")]}
        return {}
    low, high = SCALE_BOUNDS[criterion.scale]
    if answer.rating is None:
        return {"rating": [_("A rating (or N/A where allowed) is required.")]}
    if isinstance(answer.rating, bool) or not isinstance(answer.rating, int) or not low <= answer.rating <= high:
        return {"rating": [_("'%(criterion)s' is rated on %(low)s-%(high)s; got %(rating)s.")
                           % {"criterion": criterion.label, "low": low, "high": high, "rating": answer.rating}]}
    return {}


def score_each(criteria: Sequence[CriterionLike], answers: Sequence[AnswerInput]) -> list[ScoredAnswer]:
    """The per-criterion breakdown of valid answers (complete or not)."""
    by_id = {criterion.id: criterion for criterion in criteria}
    scored = []
    for answer in answers:
        criterion = by_id[answer.criterion]
        if answer.na:
            scored.append(ScoredAnswer(answer.criterion, None, True, answer.comment, None, None, Decimal("0.00"),
                                       False))
            continue
        normalized = normalized_rating(criterion.scale, answer.rating)
        scored.append(ScoredAnswer(
            answer.criterion, answer.rating, False, answer.comment, _exact(normalized),
            _exact(Fraction(criterion.weight) * normalized), Decimal(criterion.weight),
            criterion.is_critical and normalized < CRITICAL_LINE,
        ))
    return scored


def score_answers(criteria: Sequence[CriterionLike], answers: Sequence[AnswerInput]) -> ReviewScore:
    """Score a complete, valid set of answers (call validate_answers(..., require_complete=True) first)."""
    scored = score_each(criteria, answers)
    rated = [row for row in scored if not row.is_na]
    earned = sum((Fraction(row.earned) for row in rated), Fraction(0))
    possible = sum((Fraction(row.possible) for row in rated), Fraction(0))
    auto_failed = any(row.critical_failed for row in rated)
    would_be = round_half_up_2(earned / possible * 100)
    return ReviewScore(
        answers=scored,
        earned_points=_exact(earned),
        possible_points=_exact(possible),
        would_be_total=would_be,
        total=Decimal("0.00") if auto_failed else would_be,
        auto_failed=auto_failed,
    )
