"""Per-tenant cached rows that change rarely: how they are dropped when their source changes."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction


def cache_forget(key: str) -> None:
    """Drop a cached entry at once and again after the commit, so a reader that refilled it from the old rows
    before the commit cannot keep them."""
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))
