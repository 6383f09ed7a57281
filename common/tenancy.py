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
    from accounts.models import APIKey, Membership

    if isinstance(request.auth, APIKey):
        tenant = request.auth.tenant  # loaded with the key (accounts.authentication)
        if tenant.slug != tenant_slug or not tenant.is_active:
            raise NotFound()
        # From here on the request is about this tenant: row-level security shows only its rows (common/rls.py).
        rls.scope_enter_tenant(tenant.pk)
        language_prefer(request, tenant.default_language)
        return Actor(tenant=tenant, role=INTEGRATION, api_key=request.auth)
    # The tenant and the user's membership of it in one query: the lookup names both the tenant (by slug) and the
    # user, so it reads no other tenant's membership; memberships are tenant-owned, hence the scope around it.
    with rls.all_tenants():
        membership = (Membership.objects.active().select_related("tenant")
                      .filter(tenant__slug=tenant_slug, tenant__is_active=True, user_id=request.user.pk).first())
    if membership is None:
        raise NotFound()
    tenant = membership.tenant
    rls.scope_enter_tenant(tenant.pk)
    # Only now: a tenant's language must not tell outsiders that the tenant exists.
    language_prefer(request, request.user.language, tenant.default_language)
    return Actor(tenant=tenant, role=membership.role, user=request.user, membership=membership)
