"""The streamed QA reviews export: its columns and the response (see performance/api/reports_exports.py for the
interactions export it follows; common.exports writes the file)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from common import exports

QA_REVIEW_EXPORT_VALUES = (
    "id", "chain", "revision", "is_current", "status", "interaction_id", "interaction__agent__employee_code",
    "interaction__agent__display_name", "interaction__team__name", "interaction__channel", "interaction__started_at",
    "rubric_version__rubric__name", "rubric_version__number", "inspector__email", "inspector__full_name", "total",
    "auto_failed", "earned_points", "possible_points", "submitted_at", "published_at", "appeal_deadline",
    "calibration_id", "overall_comment",
)
QA_REVIEW_EXPORT_COLUMNS = [
    exports.Column(_("Id"), lambda r: r["id"]),
    exports.Column(_("Chain"), lambda r: str(r["chain"])),
    exports.Column(_("Revision"), lambda r: r["revision"]),
    exports.Column(_("Latest revision"), lambda r: r["is_current"]),
    exports.Column(_("Status"), lambda r: r["status"]),
    exports.Column(_("Interaction"), lambda r: r["interaction_id"]),
    exports.Column(_("Employee code"), lambda r: r["interaction__agent__employee_code"]),
    exports.Column(_("Agent"), lambda r: r["interaction__agent__display_name"]),
    exports.Column(_("Team"), lambda r: r["interaction__team__name"]),
    exports.Column(_("Channel"), lambda r: r["interaction__channel"]),
    exports.Column(_("Started at"), lambda r: r["interaction__started_at"]),
    exports.Column(_("Rubric"), lambda r: r["rubric_version__rubric__name"]),
    exports.Column(_("Rubric version"), lambda r: r["rubric_version__number"]),
    exports.Column(_("Inspector"), lambda r: r["inspector__full_name"] or r["inspector__email"]),
    exports.Column(_("Total"), lambda r: r["total"]),
    exports.Column(_("Auto-failed"), lambda r: r["auto_failed"]),
    exports.Column(_("Earned points"), lambda r: r["earned_points"]),
    exports.Column(_("Possible points"), lambda r: r["possible_points"]),
    exports.Column(_("Submitted at"), lambda r: r["submitted_at"]),
    exports.Column(_("Published at"), lambda r: r["published_at"]),
    exports.Column(_("Appeal deadline"), lambda r: r["appeal_deadline"]),
    exports.Column(_("Calibration session"), lambda r: r["calibration_id"]),
    exports.Column(_("Comment"), lambda r: r["overall_comment"] or None),
]
QA_REVIEW_EXPORT_HEADERS = (
    "Columns: Id, Chain, Revision, Latest revision (yes/no), Status (code), Interaction (id), Employee code, Agent, "
    "Team (at ingestion), Channel (code), Started at, Rubric, Rubric version, Inspector, Total, Auto-failed, Earned "
    "points, Possible points, Submitted at, Published at, Appeal deadline (times in the tenant's time zone), "
    "Calibration session (id), Comment. Headers and yes/no follow the response's language; codes stay codes.")


def qa_reviews_export(*, queryset, file_format: str, bom: bool, time_zone: str):
    """The reviews of `queryset` (already scoped and filtered like the list), newest first, streamed."""
    rows = queryset.order_by("-created_at", "-id").values(*QA_REVIEW_EXPORT_VALUES)
    return exports.streamed_export_response(rows=rows, columns=QA_REVIEW_EXPORT_COLUMNS, file_format=file_format,
                                            filename="qa-reviews", time_zone=time_zone, sheet_title="qa-reviews",
                                            bom=bom)
