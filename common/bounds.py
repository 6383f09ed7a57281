"""The dates and moments the API accepts: far enough apart for any real contact-centre history, close enough
that every derived value (a period's end, the next day, a tenant-local midnight in UTC) stays representable,
and UTC offsets that PostgreSQL accepts (at most ±15:59)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
MAX_UTC_OFFSET = dt.timedelta(hours=15, minutes=59)

# Schema text (English, like the rest of the OpenAPI document).
DATE_RANGE_HELP = "Between 2000-01-01 and 2100-12-31."
MOMENT_RANGE_HELP = "Between 2000-01-01 and 2100-12-31, with a UTC offset of at most ±15:59."
DATE_OUT_OF_RANGE = _("Give a date between 2000-01-01 and 2100-12-31.")
MOMENT_OUT_OF_RANGE = _("Give a moment between 2000-01-01 and 2100-12-31.")
OFFSET_OUT_OF_RANGE = _("The UTC offset may be at most ±15:59.")


def validate_date(value: dt.date) -> None:
    if not EARLIEST_DATE <= value <= LATEST_DATE:
        raise ValidationError(DATE_OUT_OF_RANGE, code="date_out_of_range")


def validate_moment(value: dt.datetime) -> None:
    """An aware datetime within the date range (in its own offset) and with an offset PostgreSQL accepts.
    Naive values are checked by date only; the caller decides whether they are allowed."""
    offset = value.utcoffset()
    if offset is not None and abs(offset) > MAX_UTC_OFFSET:
        raise ValidationError(OFFSET_OUT_OF_RANGE, code="offset_out_of_range")
    if not EARLIEST_DATE <= value.date() <= LATEST_DATE:
        raise ValidationError(MOMENT_OUT_OF_RANGE, code="date_out_of_range")


def with_help(help_text: str, bounds_help: str) -> str:
    return f"{help_text} {bounds_help}" if help_text else bounds_help
