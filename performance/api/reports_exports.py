"""Streamed exports of raw data (interactions, QA reviews): the column list of each file, and the response.

Rows are read as plain values over a server-side cursor in the tenant's scope (common.db.streaming), so memory
stays constant however many rows a tenant has; CSV is streamed while it is read (common.exports).
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

from common import exports

FILE_FORMAT_PARAMETER = OpenApiParameter("file_format", OpenApiTypes.STR, enum=list(exports.FILE_FORMATS),
                                         description="csv (default) or xlsx.")
BOM_PARAMETER = OpenApiParameter("bom", OpenApiTypes.BOOL, description=(
    "CSV only: true (default) starts the file with a UTF-8 byte-order mark so that spreadsheet programs read "
    "Chinese text correctly; false gives plain UTF-8."))
EXPORT_RESPONSES = {(200, "text/csv"): OpenApiTypes.BINARY,
                    (200, exports.CONTENT_TYPES[exports.XLSX]): OpenApiTypes.BINARY}
EXPORT_PARAMS = frozenset({"file_format", "bom"})


def _label(value):
    return gettext(value) if value else value


INTERACTION_EXPORT_VALUES = (
    "id", "agent__employee_code", "agent__display_name", "team__name", "channel", "direction", "scenario__code",
    "source", "external_id", "started_at", "answered", "ring_count", "queue_seconds", "talk_seconds",
    "hold_seconds", "acw_seconds", "first_response_seconds", "resolved", "first_contact_resolved", "csat",
    "customer_ref",
)
INTERACTION_EXPORT_COLUMNS = [
    exports.Column(_("Id"), lambda r: r["id"]),
    exports.Column(_("Employee code"), lambda r: r["agent__employee_code"]),
    exports.Column(_("Agent"), lambda r: r["agent__display_name"]),
    exports.Column(_("Team"), lambda r: r["team__name"]),
    exports.Column(_("Channel"), lambda r: r["channel"]),
    exports.Column(_("Direction"), lambda r: r["direction"]),
    exports.Column(_("Scenario"), lambda r: r["scenario__code"]),
    exports.Column(_("Source"), lambda r: r["source"]),
    exports.Column(_("External id"), lambda r: r["external_id"]),
    exports.Column(_("Started at"), lambda r: r["started_at"]),
    exports.Column(_("Answered"), lambda r: r["answered"]),
    exports.Column(_("Rings"), lambda r: r["ring_count"]),
    exports.Column(_("Queue seconds"), lambda r: r["queue_seconds"]),
    exports.Column(_("Talk seconds"), lambda r: r["talk_seconds"]),
    exports.Column(_("Hold seconds"), lambda r: r["hold_seconds"]),
    exports.Column(_("After-call work seconds"), lambda r: r["acw_seconds"]),
    exports.Column(_("First response seconds"), lambda r: r["first_response_seconds"]),
    exports.Column(_("Resolved"), lambda r: r["resolved"]),
    exports.Column(_("First-contact resolved"), lambda r: r["first_contact_resolved"]),
    exports.Column(_("CSAT"), lambda r: r["csat"]),
    exports.Column(_("Customer reference"), lambda r: r["customer_ref"]),
]
INTERACTION_EXPORT_HEADERS = (
    "Columns: Id, Employee code, Agent, Team (at ingestion), Channel, Direction, Scenario (code), Source, External "
    "id, Started at (tenant time zone), Answered (yes/no), Rings, Queue seconds, Talk seconds, Hold seconds, "
    "After-call work seconds, First response seconds, Resolved, First-contact resolved, CSAT, Customer reference. "
    "Headers and yes/no follow the response's language; codes stay codes.")


def interactions_export(*, queryset, file_format: str, bom: bool, time_zone: str):
    """The interactions of `queryset` (already scoped and filtered), newest first, as a streamed download."""
    rows = queryset.order_by("-started_at", "-id").values(*INTERACTION_EXPORT_VALUES)
    return exports.streamed_export_response(rows=rows, columns=INTERACTION_EXPORT_COLUMNS, file_format=file_format,
                                            filename="interactions", time_zone=time_zone,
                                            sheet_title="interactions", bom=bom)
