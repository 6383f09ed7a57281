from __future__ import annotations

import secrets

from django.db import transaction
from django.utils import timezone

from accounts.authentication import hash_secret
from accounts.models import APIKey
from common.actor import Actor
from common.audit import audit_record


@transaction.atomic
def api_key_create(*, actor: Actor, name: str) -> tuple[APIKey, str]:
    """Create a key and return it with its plain text, which is never stored and never shown again."""
    prefix = secrets.token_hex(6)
    plain = f"jx_{prefix}.{secrets.token_urlsafe(32)}"
    key = APIKey(tenant=actor.tenant, name=name, prefix=prefix, hashed_secret=hash_secret(plain), created_by=actor.user)
    key.full_clean()
    key.save()
    audit_record(actor=actor, action="api_key.created", obj=key, after={"name": name, "prefix": prefix})
    return key, plain


@transaction.atomic
def api_key_revoke(*, actor: Actor, key: APIKey) -> APIKey:
    key = APIKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_key.revoked", obj=key, after={"revoked_at": key.revoked_at})
    return key
