from django.contrib import admin

from common.admin import ReadOnlyAdmin, ReadOnlyInline
from feedback.models import (
    CalibrationItem,
    CalibrationParticipant,
    CalibrationSession,
    QAAssignment,
    QAAssignmentBatch,
    QAReview,
    QAReviewAnswer,
    Rubric,
    RubricCriterion,
    RubricVersion,
)


@admin.register(Rubric)
class RubricAdmin(ReadOnlyAdmin):
    list_display = ["name", "published_version", "tenant", "created_at", "updated_at"]
    list_select_related = ["tenant", "published_version"]
    search_fields = ["name"]
    raw_id_fields = ["published_version", "created_by"]


class RubricCriterionInline(ReadOnlyInline):
    model = RubricCriterion
    fields = ["section", "position", "label", "weight", "scale", "allow_na", "is_critical"]
    ordering = ["section__position", "position"]


@admin.register(RubricVersion)
class RubricVersionAdmin(ReadOnlyAdmin):
    list_display = ["rubric", "number", "status", "published_at", "tenant"]
    list_filter = ["tenant", "status"]
    list_select_related = ["tenant", "rubric"]
    search_fields = ["rubric__name"]
    raw_id_fields = ["rubric", "based_on", "created_by", "published_by"]
    inlines = [RubricCriterionInline]


class QAReviewAnswerInline(ReadOnlyInline):
    model = QAReviewAnswer
    fields = ["criterion", "rating", "is_na", "normalized", "earned", "possible", "critical_failed", "comment"]


@admin.register(QAReview)
class QAReviewAdmin(ReadOnlyAdmin):
    list_display = ["id", "interaction", "revision", "is_current", "status", "inspector", "rubric_version", "total",
                    "published_at", "tenant"]
    list_filter = ["tenant", "status", "is_current"]
    list_select_related = ["tenant", "interaction", "inspector", "rubric_version"]
    search_fields = ["interaction__external_id", "inspector__email"]
    raw_id_fields = ["interaction", "rubric_version", "inspector", "calibration", "published_by", "amended_from",
                     "amended_by"]
    inlines = [QAReviewAnswerInline]


@admin.register(QAAssignmentBatch)
class QAAssignmentBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "date_from", "date_to", "per_agent", "percent", "candidates", "picked", "unassigned",
                    "created_at", "tenant"]
    raw_id_fields = ["created_by"]


@admin.register(QAAssignment)
class QAAssignmentAdmin(ReadOnlyAdmin):
    list_display = ["id", "batch", "interaction", "agent", "inspector", "status", "completed_at", "tenant"]
    list_filter = ["tenant", "status"]
    list_select_related = ["tenant", "batch", "interaction", "agent", "inspector"]
    search_fields = ["interaction__external_id", "agent__employee_code", "inspector__email"]
    raw_id_fields = ["batch", "interaction", "agent", "team", "inspector", "review"]


class CalibrationItemInline(ReadOnlyInline):
    model = CalibrationItem
    fields = ["position", "interaction"]
    raw_id_fields = ["interaction"]


class CalibrationParticipantInline(ReadOnlyInline):
    model = CalibrationParticipant
    fields = ["user"]


@admin.register(CalibrationSession)
class CalibrationSessionAdmin(ReadOnlyAdmin):
    list_display = ["title", "status", "rubric_version", "lead", "created_at", "closed_at", "tenant"]
    list_filter = ["tenant", "status"]
    list_select_related = ["tenant", "rubric_version", "lead"]
    search_fields = ["title"]
    raw_id_fields = ["rubric_version", "lead", "closed_by"]
    inlines = [CalibrationItemInline, CalibrationParticipantInline]
