"""CSV and XLSX downloads: one writer for every export, headers in the request's language, times in the tenant's
time zone (spreadsheet cells have no time zone; the `X-Time-Zone` response header names the one used).

A view builds the rows with a query (values or annotate; no per-row queries) and describes its columns; this module
turns them into a file.
"""

from __future__ import annotations

import csv
import io
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.child import INVALID_TITLE_REGEX as INVALID_TITLE_RE

CSV = "csv"
XLSX = "xlsx"
FILE_FORMATS = (CSV, XLSX)
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


@dataclass(frozen=True)
class Column:
    header: str | Promise  # translatable; rendered in the active language
    value: Callable[[Any], Any]


def _local(value: datetime, zone: zoneinfo.ZoneInfo) -> datetime:
    return value.astimezone(zone).replace(tzinfo=None)


def _csv_cell(value: Any, zone: zoneinfo.ZoneInfo) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return force_str(_("yes") if value else _("no"))
    if isinstance(value, datetime):
        return _local(value, zone).strftime(TIME_FORMAT)
    if isinstance(value, date):
        return value.isoformat()
    return force_str(value)


def _xlsx_text(value: Any) -> str:
    # XLSX cells cannot hold control characters (openpyxl refuses them); names typed by tenants may contain some.
    return ILLEGAL_CHARACTERS_RE.sub("", force_str(value))


def _xlsx_cell(value: Any, zone: zoneinfo.ZoneInfo) -> Any:
    if isinstance(value, datetime):
        return _local(value, zone)
    if isinstance(value, bool):
        return force_str(_("yes") if value else _("no"))
    if isinstance(value, (int, float, Decimal, date)) or value is None:
        return value
    return _xlsx_text(value)


def _csv_body(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([force_str(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.value(row), zone) for c in columns])
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 (Chinese headers and names).
    return "\ufeff".encode() + out.getvalue().encode()


class _Echo:
    def write(self, value: str) -> str:
        return value


def _csv_stream(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo):
    writer = csv.writer(_Echo())
    yield "\ufeff".encode() + writer.writerow([force_str(c.header) for c in columns]).encode()
    for row in rows:
        yield writer.writerow([_csv_cell(c.value(row), zone) for c in columns]).encode()


def _xlsx_body(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_xlsx_text(INVALID_TITLE_RE.sub("", sheet_title))[:31] or "export")
    sheet.append([_xlsx_text(c.header) for c in columns])
    for row in rows:
        sheet.append([_xlsx_cell(c.value(row), zone) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def file_format_from(query_params) -> str:
    """The `file_format` query parameter (csv by default); anything else is a 400 naming it."""
    from rest_framework.exceptions import ValidationError

    value = query_params.get("file_format", CSV)
    if value not in FILE_FORMATS:
        raise ValidationError({"file_format": [_("Choose csv or xlsx.")]})
    return value


def export_response(*, rows: Iterable[Any], columns: list[Column], file_format: str, filename: str,
                    time_zone: str, sheet_title: str = "export") -> HttpResponse:
    """A download of `rows` as CSV or XLSX named `filename` (without extension)."""
    zone = zoneinfo.ZoneInfo(time_zone)
    if file_format == XLSX:
        body = _xlsx_body(rows, columns, zone, sheet_title)
    else:
        body = _csv_body(rows, columns, zone)
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response["X-Time-Zone"] = time_zone
    return response


def export_streaming_response(*, rows: Iterable[Any], columns: list[Column], file_format: str, filename: str,
                              time_zone: str, sheet_title: str = "export"):
    """Like export_response, for lists that may be long: CSV is streamed row by row as `rows` is iterated (pass
    a queryset's iterator()); XLSX is written by openpyxl's write-only workbook to a temporary file that is
    streamed back in chunks."""
    import tempfile

    zone = zoneinfo.ZoneInfo(time_zone)
    if file_format == XLSX:
        spool = tempfile.TemporaryFile()
        spool.write(_xlsx_body(rows, columns, zone, sheet_title))
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES[XLSX])
    else:
        response = StreamingHttpResponse(_csv_stream(rows, columns, zone), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response["X-Time-Zone"] = time_zone
    return response

