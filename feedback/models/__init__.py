from feedback.models.calibration import (
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    CalibrationStatus,
)
from feedback.models.reviews import QAReview, QAReviewAnswer, ReviewStatus
from feedback.models.rubrics import (
    SCALE_BOUNDS,
    RatingScale,
    Rubric,
    RubricCriterion,
    RubricSection,
    RubricVersion,
    RubricVersionScenario,
    RubricVersionStatus,
)
from feedback.models.sampling import AssignmentStatus, QAAssignment, QAAssignmentBatch

__all__ = [
    "SCALE_BOUNDS",
    "AssignmentStatus",
    "CalibrationItem",
    "CalibrationParticipant",
    "CalibrationSession",
    "CalibrationStatus",
    "QAAssignment",
    "QAAssignmentBatch",
    "QAReview",
    "QAReviewAnswer",
    "RatingScale",
    "ReviewStatus",
    "Rubric",
    "RubricCriterion",
    "RubricSection",
    "RubricVersion",
    "RubricVersionScenario",
    "RubricVersionStatus",
]
