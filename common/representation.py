"""The output of DRF's fields, for hot read paths that build their dicts by hand.

A score list serializes about a hundred values per row (every KPI line of every scheme); going through a field
object for each (get_attribute, to_representation, the serializer's field walk) costs more than the queries. The
serializers on those paths keep their declared fields — the schema and the reference output — and build the same
dict directly with these helpers; their tests compare both.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Context, Decimal

from django.utils import timezone
from rest_framework import ISO_8601, serializers
from rest_framework.settings import api_settings


def decimal_formatter(field: serializers.DecimalField) -> Callable[[object], str | None]:
    """A function giving what `field.to_representation` gives (a string, quantized to the field's places with its
    digits as precision), and None for None as a serializer does."""
    coerce_to_string = getattr(field, "coerce_to_string", api_settings.COERCE_DECIMAL_TO_STRING)
    if field.localize or field.normalize_output or not coerce_to_string or field.decimal_places is None:
        return lambda value: None if value is None else field.to_representation(value)
    places, digits = field.decimal_places, field.max_digits
    exponent = Decimal(1).scaleb(-places)
    context = Context(prec=digits, rounding=field.rounding)
    # Stored breakdowns hold decimals as strings already written to the field's places ("75.0000"): such a string
    # is its own representation, and recognising it is cheaper than parsing and quantizing it.
    if digits is None:
        whole = r"(?:0|[1-9]\d*)"
    elif digits > places:
        whole = rf"(?:0|[1-9]\d{{0,{digits - places - 1}}})"
    else:
        whole = "0"
    canonical = re.compile(rf"-?{whole}\.\d{{{places}}}" if places else rf"-?{whole}")

    def formatted(value):
        if value is None:
            return None
        if type(value) is str and canonical.fullmatch(value):
            return value
        if not isinstance(value, Decimal):
            value = Decimal(str(value).strip())
        return f"{value.quantize(exponent, context=context):f}"

    return formatted


def datetime_formatter(field: serializers.DateTimeField) -> Callable[[object], str | None]:
    """What `field.to_representation` gives for an aware datetime (ISO 8601 in the response's time zone, UTC as
    Z), resolving the time zone once: make one per response."""
    output_format = getattr(field, "format", api_settings.DATETIME_FORMAT)
    zone = field.timezone if hasattr(field, "timezone") else field.default_timezone()
    if output_format is None or output_format.lower() != ISO_8601 or zone is None:
        return field.to_representation

    def formatted(value):
        if not value:
            return None
        if isinstance(value, str) or not timezone.is_aware(value):
            return field.to_representation(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return formatted


def decimal_formatters(serializer: serializers.Serializer) -> dict[str, Callable[[object], str | None]]:
    """{field name: formatter} of the serializer's decimal fields."""
    return {name: decimal_formatter(field) for name, field in serializer.fields.items()
            if isinstance(field, serializers.DecimalField)}
