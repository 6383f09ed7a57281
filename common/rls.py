"""The tenant scope that PostgreSQL row-level security enforces (common/db/policies.py).

Every tenant-owned table has a policy that shows and accepts only the rows of the tenant named by the
transaction-local setting `jixiao.tenant_id`, or every row when `jixiao.all_tenants` is `on`. This module holds
the scope of the running code in a context variable; the database backend (common/db/backends/postgresql)
hands it to PostgreSQL with `set_config(..., true)` in every transaction that needs it. No scope: both settings
are empty and tenant-owned tables return nothing (fail closed).

- `tenant_scope(tenant_id)`: one tenant (Celery tasks, services that cross into a tenant they just resolved);
- `all_tenants()`: every tenant, for the few lookups that legitimately cross tenants (/me/'s memberships, the
  API-key lookup, invitation tokens, beat sweeps listing their work, management commands, the platform admin);
  logging in reads only users, which are not tenant-owned;
- `scope_enter_tenant(tenant_id)`: the rest of the current request is about this tenant (common/tenancy.py);
  `request_scope()` (the middleware) starts each request with no scope and restores the outer one after it.

Scopes nest: the innermost wins until it exits.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import NamedTuple


class Scope(NamedTuple):
    """The values of the two settings: `tenant_id` (digits or empty) and `all_tenants` ("on" or empty)."""

    tenant_id: str = ""
    all_tenants: str = ""

    @property
    def sql(self) -> str:
        """The statement that makes this scope the transaction's (the values are digits or "on", never input)."""
        return (f"SELECT set_config('jixiao.tenant_id', '{self.tenant_id}', true), "
                f"set_config('jixiao.all_tenants', '{self.all_tenants}', true)")


SQL_START = "SELECT set_config('jixiao.tenant_id', "
NO_SCOPE = Scope()
ALL_TENANTS = Scope(all_tenants="on")
_scope: ContextVar[Scope] = ContextVar("jixiao_rls_scope", default=NO_SCOPE)


def current() -> Scope:
    return _scope.get()


def tenant_only(tenant_id: int | str) -> Scope:
    return Scope(tenant_id=str(int(tenant_id)))


@contextmanager
def _entered(scope: Scope) -> Iterator[None]:
    token = _scope.set(scope)
    try:
        yield
    finally:
        _scope.reset(token)


def tenant_scope(tenant_id: int | str) -> AbstractContextManager[None]:
    """Inside: only `tenant_id`'s rows of tenant-owned tables are visible and writable."""
    return _entered(tenant_only(tenant_id))


def all_tenants() -> AbstractContextManager[None]:
    """Inside: every tenant's rows. Keep it narrow: around the cross-tenant lookup only."""
    return _entered(ALL_TENANTS)


def no_scope() -> AbstractContextManager[None]:
    """Inside: no tenant at all (tenant-owned tables are empty)."""
    return _entered(NO_SCOPE)


def scope_enter_tenant(tenant_id: int | str) -> None:
    """The rest of the current request (or context) is about `tenant_id`; `request_scope` restores the outer one."""
    _scope.set(tenant_only(tenant_id))


def request_scope() -> AbstractContextManager[None]:
    """A request starts with no scope; whatever it enters is dropped when it ends."""
    return no_scope()


def process_enter_all_tenants() -> None:
    """For management commands (manage.py): the whole process sees every tenant."""
    _scope.set(ALL_TENANTS)


class RlsScopeMiddleware:
    """Each request starts with no tenant scope (tenant-owned rows invisible) until its tenant is resolved."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with request_scope():
            return self.get_response(request)
