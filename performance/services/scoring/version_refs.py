"""A tenant's scheme versions as the score breakdowns name them: {version id: id, scheme, scheme name, number}.

Every page of scores names the scheme version of each per-scheme row; the versions change rarely (a number never
changes, a scheme may be renamed), so their references are cached per tenant in Django's cache (Redis in
production) instead of being joined into every page. Dropped on every save or delete of a version or a scheme; a
version missing from the cached references (created by a bulk write, which sends no signal) reloads them.
"""

from __future__ import annotations

from django.core.cache import cache

from common.caching import cache_forget
from performance.models import SchemeVersion

CACHE_KEY = "scheme-version-refs:v1:{tenant_id}"
CACHE_SECONDS = 24 * 3600


def _load(tenant_id: int) -> dict[int, dict]:
    rows = SchemeVersion.objects.filter(tenant_id=tenant_id).order_by().values_list(
        "pk", "scheme_id", "scheme__name", "number")
    return {pk: {"id": pk, "scheme": scheme, "scheme_name": name, "number": number}
            for pk, scheme, name, number in rows}


def scheme_version_refs(*, tenant_id: int, reload: bool = False) -> dict[int, dict]:
    key = CACHE_KEY.format(tenant_id=int(tenant_id))
    refs = None if reload else cache.get(key)
    if refs is None:
        refs = _load(tenant_id)
        cache.set(key, refs, CACHE_SECONDS)
    return refs


class SchemeVersionRefs:
    """The references of one tenant for one response: read from the cache when first needed, reloaded at most
    once for a version the cache does not know yet."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id
        self._refs: dict[int, dict] | None = None
        self._reloaded = False

    def __getitem__(self, version_id: int) -> dict:
        if self._refs is None:
            self._refs = scheme_version_refs(tenant_id=self.tenant_id)
        if version_id not in self._refs and not self._reloaded:
            self._refs, self._reloaded = scheme_version_refs(tenant_id=self.tenant_id, reload=True), True
        return self._refs[version_id]


def forget_on_change(sender, instance, **kwargs) -> None:
    """post_save / post_delete of SchemeVersion and ScoringScheme."""
    cache_forget(CACHE_KEY.format(tenant_id=int(instance.tenant_id)))
