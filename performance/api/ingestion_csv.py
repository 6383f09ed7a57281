"""Reading an uploaded CSV file as ingestion rows, streamed record by record.

The header names the columns exactly as the JSON rows name their fields. Errors point at file lines, the
header being line 1 ("line.5.csat"). The file is decoded line by line while csv reads it, so an upload never
sits in memory as one string and an encoding error names its exact line.
"""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterable, Iterator
from typing import IO, Any

from django.utils.translation import gettext_lazy as _

from common.text import shown
from performance.services.ingestion import IngestionRejected, RowError, RowSpec

ENCODING_HINT = _('Save the file as UTF-8 (in Excel: "CSV UTF-8 (Comma delimited)").')


class CsvInvalid(IngestionRejected):
    """The file cannot be read as a CSV of these rows (encoding, header, broken quoting)."""


def csv_rows(upload: IO[bytes], spec: RowSpec) -> Iterator[tuple[str, Any]]:
    """(location, row) pairs of the file's records; the header is checked before this returns.

    Empty cells count as absent (the field's default, or null). A record with the wrong number of cells
    yields a RowError for its line instead of a row.
    """
    upload.seek(0)
    reader = csv.reader(_decoded_lines(upload), strict=True)
    header = _next(reader, 1)
    if header is None:
        raise CsvInvalid(_("The file is empty; the first line must name the columns."),
                         [RowError("file", _("The file is empty."), "empty")])
    names = [shown(name.strip()) for name in header]
    _check_header(names, spec)
    return _records(reader, names)


def _decoded_lines(lines: Iterable[bytes]) -> Iterator[str]:
    """The file's lines as text (line endings kept, as csv needs them), without a leading byte-order mark."""
    for number, line in enumerate(lines, start=1):
        if number == 1:
            line = line.removeprefix(codecs.BOM_UTF8)
        try:
            yield line.decode("utf-8")
        except UnicodeDecodeError as exc:
            hint = {"line": number, "reason": exc.reason, "byte": exc.start + 1, "hint": ENCODING_HINT}
            raise CsvInvalid(
                _("The file is not valid UTF-8 (line %(line)s). %(hint)s") % hint,
                [RowError(f"line.{number}", _("Not valid UTF-8: %(reason)s at byte %(byte)s of the line. %(hint)s")
                          % hint, "encoding")],
            ) from None


def _check_header(names: list[str], spec: RowSpec) -> None:
    errors = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            errors.append(RowError("line.1", _('The column "%(name)s" appears twice.') % {"name": name},
                                   "duplicate_column"))
        seen.add(name)
    unknown = [name for name in names if name not in spec.names]
    if unknown:
        listing = ", ".join(f'"{name}"' for name in unknown)
        known = ", ".join(field.name for field in spec.fields)
        errors.append(RowError("line.1", _("Unknown columns: %(unknown)s. The columns are: %(known)s.")
                               % {"unknown": listing, "known": known}, "unknown_column"))
    missing = [name for name in spec.required if name not in seen]
    if missing:
        listing = ", ".join(f'"{name}"' for name in missing)
        errors.append(RowError("line.1", _("Missing required columns: %(missing)s.") % {"missing": listing},
                               "missing_column"))
    if errors:
        raise CsvInvalid(_("The header line is not valid; nothing was written."), errors)


def _records(reader, names: list[str]) -> Iterator[tuple[str, Any]]:
    width = len(names)
    while True:
        line = reader.line_num + 1  # where the next record starts; quoted cells may span lines
        cells = _next(reader, line)
        if cells is None:
            return
        if not cells:  # a blank line
            continue
        prefix = f"line.{line}"
        if len(cells) != width:
            counts = {"expected": width, "found": len(cells)}
            yield prefix, RowError(prefix, _("Expected %(expected)s values (one per column), found %(found)s.")
                                   % counts, "wrong_column_count")
            continue
        yield prefix, {name: cell for name, cell in zip(names, cells, strict=True) if cell != ""}


def _next(reader, line: int) -> list[str] | None:
    try:
        return next(reader)
    except StopIteration:
        return None
    except csv.Error as exc:
        raise CsvInvalid(
            _("The file is not a valid CSV (line %(line)s): %(error)s.") % {"line": line, "error": exc},
            [RowError(f"line.{line}", _("Not valid CSV: %(error)s.") % {"error": exc}, "csv")],
        ) from None
