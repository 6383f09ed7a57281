"""The review arithmetic against hand-computed cases (no database)."""

from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.exceptions import ValidationError

from feedback.models import SCALE_BOUNDS
from feedback.services.scoring import AnswerInput, score_answers, validate_answers


@dataclass
class Crit:
    id: int
    weight: Decimal
    scale: str
    allow_na: bool = False
    is_critical: bool = False
    label: str = "c"


def crit(id_, weight, scale, **kw):
    return Crit(id_, Decimal(str(weight)), scale, label=f"c{id_}", **kw)


FOUR = [crit(1, 10, "1-5"), crit(2, 20, "binary"), crit(3, 30, "0-10", allow_na=True), crit(4, 40, "1-3")]


def score(criteria, answers):
    answers = [AnswerInput(*a) for a in answers]
    validate_answers(criteria, answers, require_complete=True)
    return score_answers(criteria, answers)


def test_every_scale_and_weight():
    # normalized: (4-1)/4 = .75, 1/1 = 1, 7/10 = .7, (2-1)/2 = .5
    # earned: 7.5 + 20 + 21 + 20 = 68.5 of 100 -> 68.50
    result = score(FOUR, [(1, 4), (2, 1), (3, 7), (4, 2)])
    assert result.total == Decimal("68.50")
    assert result.would_be_total == Decimal("68.50")
    assert not result.auto_failed
    assert [a.normalized for a in result.answers] == [Decimal("0.75"), 1, Decimal("0.7"), Decimal("0.5")]
    assert [a.earned for a in result.answers] == [Decimal("7.5"), 20, 21, 20]
    assert result.earned_points == Decimal("68.5") and result.possible_points == 100


def test_na_leaves_numerator_and_denominator():
    # criterion 3 (weight 30) N/A: 7.5 + 20 + 20 = 47.5 of 70 = 67.857... -> 67.86
    result = score(FOUR, [(1, 4), (2, 1), (3, None, True), (4, 2)])
    assert result.total == Decimal("67.86")
    assert result.possible_points == 70
    na = result.answers[2]
    assert na.is_na and na.normalized is None and na.earned is None and na.possible == 0


def test_scale_minimum_scores_zero_and_maximum_full():
    assert score(FOUR, [(1, 1), (2, 0), (3, 0), (4, 1)]).total == Decimal("0.00")
    assert score(FOUR, [(1, 5), (2, 1), (3, 10), (4, 3)]).total == Decimal("100.00")


@pytest.mark.parametrize(
    ("scale", "rating", "fails"),
    [
        ("binary", 0, True), ("binary", 1, False),
        ("1-3", 1, True), ("1-3", 2, False),  # 2 -> 0.5 is on the line: passes
        ("1-5", 2, True), ("1-5", 3, False),  # 2 -> 0.25 fails, 3 -> 0.5 passes
        ("0-10", 4, True), ("0-10", 5, False),
    ],
)
def test_critical_auto_fail_at_the_50_percent_line(scale, rating, fails):
    criteria = [crit(1, 10, scale, is_critical=True), crit(2, 10, "binary")]
    result = score(criteria, [(1, rating), (2, 1)])
    assert result.auto_failed is fails
    assert result.answers[0].critical_failed is fails
    assert (result.total == 0) is fails
    low, high = SCALE_BOUNDS[scale]
    # would-be total: (10 * normalized + 10) / 20 * 100
    expected = (Decimal(10) * (rating - low) / (high - low) + 10) / 20 * 100
    assert result.would_be_total == expected.quantize(Decimal("0.01"))


def test_auto_fail_keeps_the_would_be_total():
    # critical 1-5 rated 2 (0.25): 2.5 + 10 = 12.5 of 20 -> would be 62.50, total 0
    criteria = [crit(1, 10, "1-5", is_critical=True), crit(2, 10, "binary")]
    result = score(criteria, [(1, 2), (2, 1)])
    assert (result.total, result.would_be_total, result.auto_failed) == (Decimal("0.00"), Decimal("62.50"), True)


def test_non_critical_low_rating_does_not_fail():
    result = score([crit(1, 10, "1-5"), crit(2, 10, "binary")], [(1, 1), (2, 1)])
    assert not result.auto_failed and result.total == Decimal("50.00")


def test_critical_answered_na_does_not_fail():
    criteria = [crit(1, 10, "binary", is_critical=True, allow_na=True), crit(2, 10, "1-5")]
    result = score(criteria, [(1, None, True), (2, 4)])  # 7.5 of 10
    assert not result.auto_failed and result.total == Decimal("75.00")


def test_rounds_half_up_once_at_the_end():
    # 24.69 of 200 = 12.345 exactly -> 12.35 (banker's rounding would give 12.34)
    result = score([crit(1, "24.69", "binary"), crit(2, "175.31", "binary")], [(1, 1), (2, 0)])
    assert result.total == Decimal("12.35")
    # 1 of 3 = 33.333... -> 33.33; 2 of 3 -> 66.67
    three = [crit(i, 1, "binary") for i in (1, 2, 3)]
    assert score(three, [(1, 1), (2, 0), (3, 0)]).total == Decimal("33.33")
    assert score(three, [(1, 1), (2, 1), (3, 0)]).total == Decimal("66.67")


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ([(1, 6)], "answers.0.rating"),  # 1-5 scale
        ([(1, 0)], "answers.0.rating"),
        ([(4, None, True)], "answers.0.na"),  # N/A not allowed
        ([(3, 5, True)], "answers.0.rating"),  # a rating with N/A
        ([(1, None)], "answers.0.rating"),  # neither
        ([(99, 1)], "answers.0.criterion"),  # not in this version
        ([(1, 3), (1, 4)], "answers.1.criterion"),  # twice
        ([(2, True)], "answers.0.rating"),  # a boolean is not a rating
    ],
)
def test_invalid_answers_are_refused_field_by_field(answers, field):
    with pytest.raises(ValidationError) as caught:
        validate_answers(FOUR, [AnswerInput(*a) for a in answers], require_complete=False)
    prefix, index, name = field.split(".")
    assert name in caught.value.detail[prefix][index]


def test_incomplete_answers_pass_for_a_draft_but_not_for_submission():
    partial = [AnswerInput(1, 3)]
    validate_answers(FOUR, partial, require_complete=False)
    with pytest.raises(ValidationError, match="missing: c2 \\(2\\), c3 \\(3\\), c4 \\(4\\)"):
        validate_answers(FOUR, partial, require_complete=True)


def test_all_na_cannot_be_submitted():
    criteria = [crit(1, 10, "binary", allow_na=True)]
    with pytest.raises(ValidationError, match="At least one criterion must be rated"):
        validate_answers(criteria, [AnswerInput(1, None, True)], require_complete=True)


scales = st.sampled_from(list(SCALE_BOUNDS))


@st.composite
def rubric_and_answers(draw):
    n = draw(st.integers(1, 8))
    criteria, answers = [], []
    for i in range(1, n + 1):
        scale = draw(scales)
        c = crit(i, draw(st.decimals("0.01", "500", places=2)), scale, allow_na=True, is_critical=draw(st.booleans()))
        criteria.append(c)
        low, high = SCALE_BOUNDS[scale]
        na = i > 1 and draw(st.booleans())
        answers.append(AnswerInput(i, None if na else draw(st.integers(low, high)), na))
    return criteria, answers


@given(rubric_and_answers())
def test_totals_stay_in_range_and_auto_fail_matches_critical_ratings(data):
    criteria, answers = data
    result = score_answers(criteria, answers)
    assert Decimal(0) <= result.would_be_total <= 100
    failed = any(
        c.is_critical and not a.na and (a.rating - SCALE_BOUNDS[c.scale][0]) * 2 < SCALE_BOUNDS[c.scale][1]
        - SCALE_BOUNDS[c.scale][0]
        for c, a in zip(criteria, answers, strict=True)
    )
    assert result.auto_failed is failed
    assert result.total == (0 if failed else result.would_be_total)
    expected = result.earned_points / result.possible_points * 100
    assert abs(result.would_be_total - expected) <= Decimal("0.005")
