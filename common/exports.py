"""CSV and XLSX downloads: one writer for every export, headers in the request's language, times in the tenant's
time zone (spreadsheet cells have no time zone; the `X-Time-Zone` response header names the one used).

A view builds the rows with a query (values or annotate; no per-row queries) and describes its columns; this module
turns them into a file. A queryset is read through a server-side cursor in the tenant's scope
(common.db.streaming.server_side_rows), so memory stays flat however many rows it has; other rows (a report's
aggregates) are written as given.
"""

from __future__ import annotations

import csv
import io
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.encoding import force_str
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.child import INVALID_TITLE_REGEX as INVALID_TITLE_RE

from common.db.streaming import server_side_rows

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


def _csv_body(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([force_str(c.header) for c in columns])
    for row in rows:
        writer.writerow([_csv_cell(c.value(row), zone) for c in columns])
    # The byte-order mark makes spreadsheet programs read the file as UTF-8 (Chinese headers and names).
    return ("\ufeff".encode() if bom else b"") + out.getvalue().encode()


def _xlsx_body(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo, sheet_title: str) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=_xlsx_text(INVALID_TITLE_RE.sub("", sheet_title))[:31] or "export")
    sheet.append([_xlsx_text(c.header) for c in columns])
    for row in rows:
        sheet.append([_xlsx_cell(c.value(row), zone) for c in columns])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


class _Line:
    """A file-like sink for csv.writer that hands back what was written since the last call."""

    def __init__(self):
        self.parts: list[str] = []

    def write(self, text: str) -> None:
        self.parts.append(text)

    def take(self) -> bytes:
        data = "".join(self.parts).encode()
        self.parts.clear()
        return data


STREAM_CHUNK_ROWS = 1000  # rows per chunk sent to the client


def _csv_chunks(rows: Iterable[Any], columns: list[Column], zone: zoneinfo.ZoneInfo, bom: bool):
    sink = _Line()
    writer = csv.writer(sink)
    writer.writerow([force_str(c.header) for c in columns])
    try:
        yield ("\ufeff".encode() if bom else b"") + sink.take()
        pending = 0
        for row in rows:
            writer.writerow([_csv_cell(c.value(row), zone) for c in columns])
            pending += 1
            if pending == STREAM_CHUNK_ROWS:
                yield sink.take()
                pending = 0
        if pending:
            yield sink.take()
    finally:
        # The client went away (the response closes this generator) or the rows ran out: close the reader now,
        # which closes its cursor and transaction, rather than whenever it is garbage-collected.
        close = getattr(rows, "close", None)
        if close is not None:
            close()


def _readable(rows: Iterable[Any]) -> Iterable[Any]:
    """A queryset becomes a server-side cursor read in the current tenant scope; anything else is used as is."""
    return server_side_rows(rows) if isinstance(rows, QuerySet) else rows


def bom_from(query_params) -> bool:
    """The `bom` query parameter: true (the default) starts a CSV with a UTF-8 byte-order mark, false leaves it
    out (plain UTF-8, for programs rather than spreadsheets)."""
    from rest_framework.exceptions import ValidationError

    value = query_params.get("bom", "true")
    if value not in ("true", "false"):
        raise ValidationError({"bom": [_("Must be a valid boolean (true or false).")]})
    return value == "true"


def streamed_export_response(*, rows: Iterable[Any], columns: list[Column], file_format: str, filename: str,
                             time_zone: str, sheet_title: str = "export", bom: bool = True):
    """A download of `rows` that never holds them all: CSV is streamed chunk by chunk while `rows` (a queryset,
    read through a server-side cursor in the request's tenant scope, even after the view has returned) is read;
    XLSX is written row by row to a temporary file (openpyxl's write-only mode), which is then sent."""
    zone = zoneinfo.ZoneInfo(time_zone)
    rows = _readable(rows)
    if file_format == XLSX:
        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet(title=_xlsx_text(INVALID_TITLE_RE.sub("", sheet_title))[:31] or "export")
        sheet.append([_xlsx_text(c.header) for c in columns])
        for row in rows:
            sheet.append([_xlsx_cell(c.value(row), zone) for c in columns])
        spool = tempfile.TemporaryFile()
        workbook.save(spool)
        spool.seek(0)
        response = FileResponse(spool, content_type=CONTENT_TYPES[XLSX])
    else:
        response = StreamingHttpResponse(_csv_chunks(rows, columns, zone, bom), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response["X-Time-Zone"] = time_zone
    return response


def file_format_from(query_params) -> str:
    """The `file_format` query parameter (csv by default); anything else is a 400 naming it."""
    from rest_framework.exceptions import ValidationError

    value = query_params.get("file_format", CSV)
    if value not in FILE_FORMATS:
        raise ValidationError({"file_format": [_("Choose csv or xlsx.")]})
    return value


def export_response(*, rows: Iterable[Any], columns: list[Column], file_format: str, filename: str,
                    time_zone: str, sheet_title: str = "export", bom: bool = True) -> HttpResponse:
    """A download of `rows` as CSV or XLSX named `filename` (without extension), built in memory: for short
    lists (a period's scores, a report); long ones use streamed_export_response."""
    zone = zoneinfo.ZoneInfo(time_zone)
    rows = _readable(rows)
    if file_format == XLSX:
        body = _xlsx_body(rows, columns, zone, sheet_title)
    else:
        body = _csv_body(rows, columns, zone, bom)
    response = HttpResponse(body, content_type=CONTENT_TYPES[file_format])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{file_format}"'
    response["X-Time-Zone"] = time_zone
    return response
