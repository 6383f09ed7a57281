"""Turning one raw input row (a JSON object or a CSV record) into clean column values.

This is the lean, per-row half of ingestion: no database access and no DRF serializer per row, so a
10,000-row batch validates in milliseconds. Messages follow DRF's wording so that API clients see the same
kind of errors everywhere. Codes (employee codes, scenario codes) are resolved later, once per batch.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from common.bounds import validate_date, validate_moment
from common.serializers import UNKNOWN_FIELD
from common.text import NUL, NUL_CODE, NUL_MESSAGE, nul_paths
from performance.models import Channel, Direction

PG_INT_MAX = 2_147_483_647
MINUTES_PER_DAY = 24 * 60

REQUIRED = object()
INVALID = object()
# True and False also match the integers 1 and 0 (they are equal and hash alike).
TRUE_VALUES = frozenset({True, "1", "true", "True", "TRUE", "t", "T", "yes", "Yes", "YES", "y", "Y"})
FALSE_VALUES = frozenset({False, "0", "false", "False", "FALSE", "f", "F", "no", "No", "NO", "n", "N"})


class FieldInvalid(Exception):  # noqa: N818 - an outcome of parsing, not a bug
    def __init__(self, message: str | Promise, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class RowField:
    """One input column: how to parse it, its default when absent, and whether null is allowed."""

    name: str
    parse: Callable[[Any], Any]
    default: Any = REQUIRED
    nullable: bool = False
    help_text: str = ""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


def integer(minimum: int = 0, maximum: int = PG_INT_MAX) -> Callable[[Any], int]:
    def parse(value: Any) -> int:
        if type(value) is not int:
            value = _as_int(value)
        if value < minimum:
            raise FieldInvalid(_("Ensure this value is greater than or equal to %(minimum)s.") % {"minimum": minimum},
                               "min_value")
        if value > maximum:
            raise FieldInvalid(_("Ensure this value is less than or equal to %(maximum)s.") % {"maximum": maximum},
                               "max_value")
        return value

    return parse


def _as_int(value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and "_" not in value:
        try:
            return int(value)
        except ValueError:
            pass
    raise FieldInvalid(_("A valid integer is required."))


def boolean(value: Any) -> bool:
    try:
        if value in TRUE_VALUES:
            return True
        if value in FALSE_VALUES:
            return False
    except TypeError:  # unhashable (a list or an object)
        pass
    raise FieldInvalid(_("Must be a valid boolean (true or false)."))


def text(max_length: int, *, allow_blank: bool = False) -> Callable[[Any], str]:
    def parse(value: Any) -> str:
        if type(value) is str:
            value = value.strip()
        elif isinstance(value, int) and not isinstance(value, bool):  # numeric ids are common in source systems
            value = str(value)
        else:
            raise FieldInvalid(_("Not a valid string."))
        if not value and not allow_blank:
            raise FieldInvalid(_("This field may not be blank."), "blank")
        if len(value) > max_length:
            message = _("Ensure this field has no more than %(max_length)s characters.")
            raise FieldInvalid(message % {"max_length": max_length}, "max_length")
        return value

    return parse


def choice(choices: list[str]) -> Callable[[Any], str]:
    allowed = frozenset(choices)
    listing = ", ".join(choices)

    def parse(value: Any) -> str:
        if type(value) is str and value in allowed:
            return value
        if isinstance(value, str) and value.strip().lower() in allowed:
            return value.strip().lower()
        message = _('"%(value)s" is not a valid choice; use one of: %(choices)s.')
        raise FieldInvalid(message % {"value": value, "choices": listing}, "invalid_choice")

    return parse


DATETIME_FORMAT = _("Datetime has wrong format. Use ISO 8601 with a UTC offset, e.g. 2026-10-01T09:30:00+08:00.")


def aware_datetime(value: Any) -> dt.datetime:
    if not isinstance(value, str):
        raise FieldInvalid(DATETIME_FORMAT)
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise FieldInvalid(DATETIME_FORMAT) from None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        raise FieldInvalid(
            _("The datetime has no UTC offset, so its moment is ambiguous; send e.g. 2026-10-01T09:30:00+08:00."),
            "naive_datetime",
        )
    return _within_bounds(validate_moment, parsed)


def _within_bounds(validate: Callable[[Any], None], value: Any) -> Any:
    try:
        validate(value)
    except ValidationError as exc:
        raise FieldInvalid(exc.messages[0], exc.error_list[0].code) from None
    return value


def iso_date(value: Any) -> dt.date:
    if isinstance(value, str) and len(value.strip()) == 10:
        try:
            parsed = dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            return _within_bounds(validate_date, parsed)
    raise FieldInvalid(_("Date has wrong format. Use YYYY-MM-DD, e.g. 2026-10-01."))


def json_object(value: Any) -> str:
    """A JSON object, returned serialized (ready for a jsonb column). CSV cells hold it as JSON text."""
    if type(value) is dict and not value:
        return "{}"
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise FieldInvalid(_("Value must be a JSON object.")) from None
        if nul_paths(value):  # a CSV cell can hold the escape \u0000; JSON bodies are checked when parsed
            raise FieldInvalid(str(NUL_MESSAGE), NUL_CODE)
    if not isinstance(value, dict):
        raise FieldInvalid(_("Value must be a JSON object."))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@dataclass(frozen=True)
class RowSpec:
    """The columns of one kind of row, in the order parse_row returns their values."""

    fields: tuple[RowField, ...]

    @cached_property
    def names(self) -> frozenset[str]:
        return frozenset(field.name for field in self.fields)

    @cached_property
    def required(self) -> list[str]:
        return [field.name for field in self.fields if field.required]

    @cached_property
    def plan(self) -> tuple[tuple[str, Callable[[Any], Any], Any, bool], ...]:
        """(name, parse, default, nullable) per field: what parse_row loops over, without attribute lookups."""
        return tuple((field.name, field.parse, field.default, field.nullable) for field in self.fields)

    def index(self, name: str) -> int:
        return [field.name for field in self.fields].index(name)


INTERACTION_ROW = RowSpec((
    RowField("agent", text(64), help_text="The agent's employee code."),
    RowField("channel", choice(Channel.values)),
    RowField("direction", choice(Direction.values), default=Direction.INBOUND.value,
             help_text="inbound (default) or outbound."),
    RowField("scenario", text(40), default=None, nullable=True, help_text="A scenario code defined in /scenarios/."),
    RowField("source", text(64), default="api", help_text="The sending system; (source, external_id) is the key."),
    RowField("external_id", text(128), help_text="The record's id in the sending system."),
    RowField("started_at", aware_datetime, help_text="ISO 8601 with a UTC offset, e.g. 2026-10-01T09:30:00+08:00."),
    RowField("ring_count", integer(), default=0),
    RowField("queue_seconds", integer(), default=0),
    RowField("answered", boolean, default=True),
    RowField("talk_seconds", integer(), default=0),
    RowField("hold_seconds", integer(), default=0),
    RowField("acw_seconds", integer(), default=0, help_text="After-call work."),
    RowField("first_response_seconds", integer(), default=None, nullable=True),
    RowField("resolved", boolean, default=False),
    RowField("first_contact_resolved", boolean, default=False),
    RowField("csat", integer(1, 5), default=None, nullable=True, help_text="Customer satisfaction 1–5, or null."),
    RowField("customer_ref", text(128, allow_blank=True), default=""),
    RowField("metadata", json_object, default="{}", help_text="Any JSON object, stored as sent."),
))

SHIFT_ROW = RowSpec((
    RowField("agent", text(64), help_text="The agent's employee code."),
    RowField("source", text(64), default="api", help_text="The sending system; (source, external_id) is the key."),
    RowField("external_id", text(128), help_text="The record's id in the sending system."),
    RowField("date", iso_date, help_text="The tenant-local day of the shift, YYYY-MM-DD."),
    RowField("scheduled_minutes", integer(0, MINUTES_PER_DAY), default=0),
    RowField("worked_minutes", integer(0, MINUTES_PER_DAY), default=0),
    RowField("logged_in_minutes", integer(0, MINUTES_PER_DAY), default=0),
))


@dataclass
class RowError:
    field: str
    message: str | Promise  # a lazy message is rendered in the language active when the error is shown
    code: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self.message), "code": self.code}


def location(prefix: str, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def parse_row(spec: RowSpec, raw: Any, prefix: str, errors: list[RowError]) -> list[Any] | None:
    """The row's values in `spec.fields` order, appending its errors to `errors`.

    A field that failed holds INVALID, so the caller can still check the others (e.g. resolve the agent code of a
    row whose csat is out of range and report both). None when `raw` is not an object at all, or is a RowError
    (a reader that could not split a record into fields says so that way).
    `prefix` names the row in error fields ("rows.3", "line.5", or "" for a single object).
    """
    if isinstance(raw, RowError):
        errors.append(raw)
        return None
    if not isinstance(raw, Mapping):
        errors.append(RowError(prefix or "non_field_errors", _("Expected an object with the row's fields."),
                               "invalid"))
        return None
    values: list[Any] = []
    append, get = values.append, raw.get
    for name, parse, default, nullable in spec.plan:
        value = get(name, REQUIRED)
        if value is REQUIRED:
            if default is REQUIRED:
                errors.append(RowError(location(prefix, name), _("This field is required."), "required"))
                value = INVALID
            else:
                value = default
        elif type(value) is str and NUL in value:
            errors.append(RowError(location(prefix, name), str(NUL_MESSAGE), NUL_CODE))
            value = INVALID
        elif value is None:
            if not nullable:
                errors.append(RowError(location(prefix, name), _("This field may not be null."), "null"))
                value = INVALID
        else:
            try:
                value = parse(value)
            except FieldInvalid as exc:
                errors.append(RowError(location(prefix, name), exc.message, exc.code))
                value = INVALID
        append(value)
    if not raw.keys() <= spec.names:
        for name in sorted(str(key) for key in raw.keys() - spec.names):
            errors.append(RowError(location(prefix, name), UNKNOWN_FIELD, "unknown_field"))
    return values
