"""The API's JSON parser: standard JSON, and no NUL character anywhere in it (strings or keys).

PostgreSQL cannot store NUL in text or jsonb, so a body carrying one would fail deep in a write; it is refused
here instead, naming every place it occurs. In JSON text a NUL can only be written as the escape \\u0000, so
bodies without that escape are not walked at all.
"""

from __future__ import annotations

import io
from typing import Any

from rest_framework.exceptions import ErrorDetail, ValidationError
from rest_framework.parsers import JSONParser

from common.text import NUL_CODE, NUL_MESSAGE, nul_paths

NUL_ESCAPE = b"\\u0000"


def refuse_nul(raw: bytes, data: Any) -> Any:
    """`data` (parsed from `raw`) unchanged, or a 400 naming each field holding a NUL."""
    if NUL_ESCAPE in raw:
        paths = nul_paths(data)
        if paths:
            raise ValidationError({path or "non_field_errors": [ErrorDetail(NUL_MESSAGE, NUL_CODE)] for path in paths})
    return data


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        return refuse_nul(raw, super().parse(io.BytesIO(raw), media_type, parser_context))
