"""The two database roles: the owner (migrations, management commands) and the application role (requests,
Celery), which is not a superuser, has no BYPASSRLS and owns nothing, so row-level security always applies to it.

- `DATABASE_URL`: the application's connection (default `postgres://jixiao_app@127.0.0.1:5432/jixiao`);
- `DATABASE_OWNER_URL`: the owner's (default: DATABASE_URL's server and database as the local superuser
  `postgres`, the URL jixiao used before it had two roles).

An older DATABASE_URL that names the owner itself (for example `postgres://postgres@host/db`, with no
DATABASE_OWNER_URL) is read as the owner's URL; the application then connects to the same database as
`jixiao_app` (DATABASE_APP_USER). manage.py picks the owner for every command but runserver
(JIXIAO_DATABASE_ROLE=owner); everything else (gunicorn, Celery, the tests) runs as the application role.

`python -m common.db.roles` creates the application role and the database when missing (scripts/lib.sh; the test
suite creates the role too).
"""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from urllib.parse import quote, unquote, urlsplit, urlunsplit

DEFAULT_URL = "postgres://jixiao_app@127.0.0.1:5432/jixiao"
DEFAULT_OWNER_USER = "postgres"
DEFAULT_APP_USER = "jixiao_app"


def _with_user(url: str, user: str, password: str = "") -> str:
    parts = urlsplit(url)
    host = parts.hostname or "127.0.0.1"
    if ":" in host:
        host = f"[{host}]"
    netloc = quote(user, safe="") + (f":{quote(password, safe='')}" if password else "") + "@" + host
    if parts.port:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _user(url: str) -> str:
    return unquote(urlsplit(url).username or "")


def database_urls(environ=os.environ) -> tuple[str, str]:
    """(application URL, owner URL) from the environment."""
    app_url = environ.get("DATABASE_URL", "").strip() or DEFAULT_URL
    owner_url = environ.get("DATABASE_OWNER_URL", "").strip()
    app_user = environ.get("DATABASE_APP_USER", "").strip() or DEFAULT_APP_USER
    if not owner_url:
        if _user(app_url) in ("", DEFAULT_OWNER_USER):  # an owner URL from before the roles were split
            owner_url, app_url = app_url, _with_user(app_url, app_user)
        else:
            owner_url = _with_user(app_url, DEFAULT_OWNER_USER)
    return app_url, owner_url


def role_ensure(owner_url: str, app_url: str) -> bool:
    """Create the application role of `app_url` (LOGIN, no superuser, no BYPASSRLS) when missing. True if created.

    An existing role is left alone except that SUPERUSER and BYPASSRLS are taken away from it."""
    import psycopg
    from psycopg import sql

    user = _user(app_url)
    password = unquote(urlsplit(app_url).password or "")
    if not user or user == _user(owner_url):
        return False
    with psycopg.connect(_with_dbname(owner_url, "postgres"), autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [user]).fetchone()
        statement = "ALTER ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS" if exists else (
            "CREATE ROLE {} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE")
        conn.execute(sql.SQL(statement).format(sql.Identifier(user)))
        if password:
            conn.execute(sql.SQL("ALTER ROLE {} PASSWORD {}").format(sql.Identifier(user), sql.Literal(password)))
    return not exists


def _with_dbname(url: str, dbname: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{dbname}", parts.query, parts.fragment))


@contextmanager
def connected_as_owner(alias: str = "default"):
    """Inside: Django's `alias` connection logs in as the owner role (tests and the benchmark load data with it)."""
    from django.conf import settings
    from django.db import connections

    connection = connections[alias]
    owner = settings.DATABASE_ROLES["owner"]
    saved = {key: connection.settings_dict[key] for key in ("USER", "PASSWORD")}
    connection.close()
    connection.settings_dict.update(owner)
    try:
        yield connection
    finally:
        connection.close()
        connection.settings_dict.update(saved)


def database_ensure(owner_url: str) -> bool:
    """Create the owner's database when it is missing (owned by the owner). True if created."""
    import psycopg
    from psycopg import sql

    name = unquote(urlsplit(owner_url).path.lstrip("/"))
    with psycopg.connect(_with_dbname(owner_url, "postgres"), autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return True


def main() -> None:
    """The database of the environment's URLs and the application role, created when missing."""
    app_url, owner_url = database_urls()
    if role_ensure(owner_url, app_url):
        print(f"Created database role {_user(app_url)}.")
    if database_ensure(owner_url):
        print(f"Created database {urlsplit(owner_url).path.lstrip('/')}.")


if __name__ == "__main__":
    sys.exit(main())
