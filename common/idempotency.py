"""Idempotency keys on POST: a retried request with the same `Idempotency-Key` gets the first response back.

The key is scoped to the tenant and the caller (user or API key). Reusing a key for a different request is
422; a retry while the first request is still running is 409. Server errors free the key so the client can
retry. Records older than RETENTION are forgotten. A secret that a response shows only once (a new API key, a
webhook's signing secret) is never stored: the replay carries the same answer with that field null.
"""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status

from common.actor import Actor
from common.models import IdempotencyRecord

HEADER = "Idempotency-Key"
RETENTION = timedelta(hours=24)


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = _("This Idempotency-Key was already used for a different request.")
    default_code = "idempotency_key_reused"


class IdempotentRequestInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("A request with this Idempotency-Key is still being processed; retry later.")
    default_code = "idempotency_in_progress"


class Replay(Exception):
    def __init__(self, record: IdempotencyRecord):
        self.record = record


def _principal(actor: Actor) -> str:
    return f"key:{actor.api_key.pk}" if actor.api_key else f"user:{actor.user.pk}"


def _request_hash(request) -> str:
    digest = hashlib.sha256(request.method.encode() + request.path.encode())
    if request.content_type.startswith("multipart/"):
        for name, upload in sorted(request.FILES.items()):
            digest.update(name.encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
        digest.update(json.dumps(sorted(request.POST.items()), default=str).encode())
    else:
        digest.update(request._request.body)
    return digest.hexdigest()


def idempotency_claim(*, request, actor: Actor) -> IdempotencyRecord | None:
    """Claim the request's key, or raise Replay with the stored outcome. None when no key was sent."""
    key = request.headers.get(HEADER)
    if request.method != "POST" or not key:
        return None
    if len(key) > 255:
        raise exceptions.ValidationError({HEADER: [_("An Idempotency-Key has at most 255 characters.")]})
    lookup = {"tenant": actor.tenant, "principal": _principal(actor), "key": key}
    IdempotencyRecord.objects.filter(**lookup, created_at__lt=timezone.now() - RETENTION).delete()
    digest = _request_hash(request)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(**lookup, method=request.method, path=request.path,
                                                    request_hash=digest)
    except IntegrityError:
        record = IdempotencyRecord.objects.get(**lookup)
    if record.request_hash != digest:
        raise IdempotencyKeyReused()
    if record.status_code is None:
        raise IdempotentRequestInProgress()
    raise Replay(record)


def shown_once(response, *fields: str):
    """Mark fields of a response that hold a secret shown only once, so the idempotency store leaves them out."""
    response.shown_once_fields = fields
    return response


def _storable_body(response):
    if response.data is None:
        return None
    body = json.loads(json.dumps(response.data, default=str))
    for name in getattr(response, "shown_once_fields", ()):
        if isinstance(body, dict) and name in body:
            body[name] = None
    return body


def idempotency_store(*, record: IdempotencyRecord, response) -> None:
    """Keep the outcome of a finished request; forget the key after a server error so it can be retried."""
    if response.status_code >= 500:
        record.delete()
        return
    record.status_code = response.status_code
    record.response_body = _storable_body(response)
    record.save(update_fields=["status_code", "response_body"])
