"""Writes on QA data: each validates, writes in one transaction and audits what matters."""

from feedback.services.calibration import calibration_close, calibration_create
from feedback.services.reviews import (
    qa_review_amend,
    qa_review_create,
    qa_review_delete,
    qa_review_publish,
    qa_review_submit,
    qa_review_update,
)
from feedback.services.rubrics import (
    rubric_create,
    rubric_delete,
    rubric_update,
    rubric_version_create,
    rubric_version_delete,
    rubric_version_publish,
    rubric_version_update,
)
from feedback.services.sampling import qa_assignment_skip, qa_assignments_generate

__all__ = [
    "calibration_close",
    "calibration_create",
    "qa_assignment_skip",
    "qa_assignments_generate",
    "qa_review_amend",
    "qa_review_create",
    "qa_review_delete",
    "qa_review_publish",
    "qa_review_submit",
    "qa_review_update",
    "rubric_create",
    "rubric_delete",
    "rubric_update",
    "rubric_version_create",
    "rubric_version_delete",
    "rubric_version_publish",
    "rubric_version_update",
]
