"""Reading ingestion batches, which are larger than Django lets ordinary request bodies be.

DRF's JSONParser (and the idempotency-key hash) read `request.body`, capped by DATA_UPLOAD_MAX_MEMORY_SIZE
(2.5 MB by default) for the whole site; a 10,000-row batch is several megabytes. The batch endpoints read the
body themselves under their own cap instead, so only they accept large bodies.
"""

from __future__ import annotations

import io
import json

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ParseError
from rest_framework.parsers import BaseParser

from common.parsers import refuse_nul

MAX_BATCH_BYTES = 64 * 1024 * 1024


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "payload_too_large"


def _too_large() -> PayloadTooLarge:
    return PayloadTooLarge(_("A batch body may be at most %(megabytes)s MB.") % {"megabytes": MAX_BATCH_BYTES // 2**20})


def preload_batch_body(request) -> None:
    """Read the body of a batch request (at most MAX_BATCH_BYTES) and keep it where Django keeps
    `request.body`, so everything after (idempotency hash, parser) reads it without the site-wide limit."""
    django_request = request._request
    if hasattr(django_request, "_body") or django_request._read_started:
        return
    if int(django_request.META.get("CONTENT_LENGTH") or 0) > MAX_BATCH_BYTES:
        raise _too_large()
    data = django_request.read(MAX_BATCH_BYTES + 1)
    if len(data) > MAX_BATCH_BYTES:
        raise _too_large()
    django_request._body = data
    django_request._stream = io.BytesIO(data)


def _refuse_constant(name: str):
    raise ValueError(_("%(name)s is not valid JSON") % {"name": name})


class BatchJSONParser(BaseParser):
    media_type = "application/json"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return {}
        data = stream.read(MAX_BATCH_BYTES + 1)
        if len(data) > MAX_BATCH_BYTES:
            raise _too_large()
        try:
            parsed = json.loads(data, parse_constant=_refuse_constant)
        except ValueError as exc:
            raise ParseError(_("JSON parse error - %(error)s") % {"error": exc}) from None
        return refuse_nul(data, parsed)
