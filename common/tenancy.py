"""Resolving the tenant of a request and the actor acting on it."""

from __future__ import annotations

from rest_framework.exceptions import NotFound

from common import rls
from common.actor import INTEGRATION, Actor
from common.locale import language_prefer


def resolve_actor(request, tenant_slug: str) -> Actor:
    """The actor for `tenant_slug`, or 404 when the tenant is unknown, inactive or not theirs.

    404 (never 403) so that nobody learns which tenants exist.
    """
    from accounts.models import APIKey, Membership, Tenant

    tenant = Tenant.objects.filter(slug=tenant_slug, is_active=True).first()
    if tenant is None:
        raise NotFound()
    # From here on the request is about this tenant: row-level security shows only its rows (common/rls.py).
    rls.scope_enter_tenant(tenant.pk)
    if isinstance(request.auth, APIKey):
        if request.auth.tenant_id != tenant.pk:
            raise NotFound()
        language_prefer(request, tenant.default_language)
        return Actor(tenant=tenant, role=INTEGRATION, api_key=request.auth)
    membership = Membership.objects.active().filter(tenant=tenant, user_id=request.user.pk).first()
    if membership is None:
        raise NotFound()
    # Only now: a tenant's language must not tell outsiders that the tenant exists.
    language_prefer(request, request.user.language, tenant.default_language)
    return Actor(tenant=tenant, role=membership.role, user=request.user, membership=membership)
