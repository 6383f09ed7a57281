"""Optimistic concurrency: ETag on single-object responses, If-Match on writes (412 when it is stale).

The ETag is a digest of the object's representation, so it changes whenever anything the client sees does.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("The resource changed since you read it (If-Match does not match its ETag); read it again.")
    default_code = "precondition_failed"


def etag_of(data: Any) -> str:
    digest = hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()[:32]
    return f'"{digest}"'


def check_if_match(request, current_representation: Any) -> None:
    sent = request.headers.get("If-Match")
    if not sent or sent.strip() == "*":
        return
    candidates = {tag.strip().removeprefix("W/") for tag in sent.split(",")}
    if etag_of(current_representation) not in candidates:
        raise PreconditionFailed()


def set_etag(request, response, *, detail: bool) -> None:
    """Single-object reads and writes carry the ETag of the representation they return."""
    data = getattr(response, "data", None)  # file downloads are plain HttpResponses
    if detail and 200 <= response.status_code < 300 and isinstance(data, dict) and "id" in data:
        response["ETag"] = etag_of(data)
