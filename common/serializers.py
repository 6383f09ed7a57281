"""Strict input: a body may only hold the fields its serializer accepts.

DRF silently drops keys it does not know, so a typo (`min_samples` for `min_sample`) would be stored as the
default with a 201. Every serializer of the API derives from StrictSerializer or StrictModelSerializer, which
refuse unknown keys ("unknown_field") and keys of read-only fields ("read_only"), at every nesting level: the
check runs in to_internal_value, which nested serializers and list items go through as well.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.settings import api_settings

from common.text import shown

UNKNOWN_FIELD = _("Unknown field.")
READ_ONLY_FIELD = _("This field is read-only.")


def unknown_field_errors(keys: Iterable[str], allowed: Iterable[str],
                         read_only: Iterable[str] = ()) -> dict[str, list[ErrorDetail]]:
    """{key: [error]} for each of `keys` outside `allowed` (named read-only when in `read_only`)."""
    allowed, read_only = set(allowed), set(read_only)
    return {
        shown(key): [ErrorDetail(READ_ONLY_FIELD, "read_only") if key in read_only
                     else ErrorDetail(UNKNOWN_FIELD, "unknown_field")]
        for key in sorted(str(key) for key in keys) if key not in allowed
    }


class StrictFieldsMixin:
    def to_internal_value(self, data):
        unknown = self.unknown_fields(data)
        try:
            value = super().to_internal_value(data)
        except ValidationError as exc:
            if not unknown:
                raise
            detail = exc.detail if isinstance(exc.detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: exc.detail}
            raise ValidationError({**detail, **unknown}) from None
        if unknown:
            raise ValidationError(unknown)
        return value

    def unknown_fields(self, data) -> dict[str, list[ErrorDetail]]:
        if not isinstance(data, Mapping):
            return {}  # DRF refuses it as "Invalid data. Expected a dictionary"
        writable = [name for name, field in self.fields.items()
                    if not field.read_only and not isinstance(field, serializers.HiddenField)]
        return unknown_field_errors(data.keys(), writable, read_only=self.fields.keys())


class StrictSerializer(StrictFieldsMixin, serializers.Serializer):
    """The base of every serializer: unknown and read-only keys in input are refused, field by field."""


class StrictModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """ModelSerializer with StrictSerializer's input rule."""
