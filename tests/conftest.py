"""The shared cast: one tenant ("acme") with a member per role, two teams (north is granted to the
supervisor and the inspector, south to nobody), and an outsider who belongs to another tenant."""

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.cache import cache
from psycopg import sql
from rest_framework.test import APIClient

from accounts.models import Agent, Team, Tenant, User
from common import rls
from common.db.roles import role_ensure
from config.queues import all_queues
from tests.factories import AgentFactory, MembershipFactory, TeamFactory, TenantFactory, grant

ROOT = Path(__file__).resolve().parents[1]
ROLES = ["admin", "supervisor", "qa_lead", "qa_inspector", "agent"]


@dataclass
class Cast:
    tenant: Tenant
    other_tenant: Tenant
    users: dict[str, User]
    outsider: User
    north: Team
    south: Team
    other_team: Team
    north_agents: list[Agent]
    south_agents: list[Agent]
    own_agent: Agent
    other_agent: Agent

    def url(self, path: str, tenant: Tenant | None = None) -> str:
        return f"/api/v1/tenants/{(tenant or self.tenant).slug}/{path}"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """The test database is created and migrated as the owner role (post_migrate puts row-level security on it)."""
    from django.conf import settings
    from django.db import connections

    role_ensure(settings.DATABASE_OWNER_URL, settings.DATABASE_APP_URL)
    connections["default"].close()
    connections["default"].settings_dict.update(settings.DATABASE_ROLES["owner"])


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """...and the tests run as the application role, under row-level security, like the API and the workers."""
    from django.conf import settings
    from django.db import connections

    connection = connections["default"]
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        # Transactional tests empty the tables with TRUNCATE after each test; the application never does.
        app_role = sql.Identifier(settings.DATABASE_ROLES["app"]["USER"])
        cursor.execute(sql.SQL("GRANT TRUNCATE ON ALL TABLES IN SCHEMA public TO {}").format(app_role).as_string())
    connection.close()
    connection.settings_dict.update(settings.DATABASE_ROLES["app"])
    yield
    connection.close()
    connection.settings_dict.update(settings.DATABASE_ROLES["owner"])


@pytest.fixture(autouse=True)
def _all_tenants_scope():
    """Test code (factories, assertions on rows) sees every tenant, like a management command. Requests start
    with no scope and enter their tenant's (common.rls.RlsScopeMiddleware), Celery tasks their task's."""
    with rls.all_tenants():
        yield


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness costs seconds per test user; hashing strength is not under test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _private_cache(settings):
    # A per-process cache: clearing the shared Redis (FLUSHDB) would wipe other test runs' throttle state.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": "jixiao-tests"}}
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _private_media(settings, tmp_path):
    # Uploaded files (appeal attachments) go to this test's own directory, never the worktree's.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def cast(db) -> Cast:
    tenant = TenantFactory(slug="acme", name="Acme Support")
    other_tenant = TenantFactory(slug="globex", name="Globex")
    users = {role: MembershipFactory(tenant=tenant, role=role, user__email=f"{role}@acme.test").user for role in ROLES}
    outsider = MembershipFactory(tenant=other_tenant, role="admin", user__email="outsider@globex.test").user
    north = TeamFactory(tenant=tenant, name="North")
    south = TeamFactory(tenant=tenant, name="South")
    other_team = TeamFactory(tenant=other_tenant, name="Elsewhere")
    own_agent = AgentFactory(team=north, user=users["agent"], employee_code="N000")
    north_agents = [own_agent] + [AgentFactory(team=north, employee_code=f"N{i:03d}") for i in range(1, 3)]
    south_agents = [AgentFactory(team=south, employee_code=f"S{i:03d}") for i in range(3)]
    other_agent = AgentFactory(team=other_team, employee_code="G000")
    grant(users["supervisor"], north, "manage")
    grant(users["qa_inspector"], north, "review")
    return Cast(tenant, other_tenant, users, outsider, north, south, other_team, north_agents, south_agents,
                own_agent, other_agent)


@pytest.fixture
def client_as():
    """An API client authenticated as the given user (None: anonymous)."""

    def make(user: User | None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def celery_worker_env() -> dict[str, str]:
    """Extra environment variables for the `celery_worker` fixture's worker process."""
    return {}


@dataclass
class RunningWorker:
    queue: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text()


@pytest.fixture
def celery_worker(transactional_db, settings, tmp_path, celery_worker_env):
    """A real Celery worker (solo pool) on Redis, consuming a queue unique to this test, against the test database.

    This process publishes to the same queue. The worker is stopped after the test. Its environment gets
    `celery_worker_env` on top (override that fixture to change the worker's settings).
    """
    from config.celery import app

    queue = f"jixiao-test-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    database = settings.DATABASES["default"]
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/{database['NAME']}",
        "CELERY_QUEUE": queue,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **celery_worker_env,
    }
    log_path = tmp_path / "celery-worker.log"
    with open(log_path, "w") as log:
        worker = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "--pool=solo",
             "-Q", ",".join(all_queues(queue)),
             "--loglevel=INFO", "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        _wait_for_worker(worker, log_path)
        yield RunningWorker(queue, log_path)
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        app.conf.task_default_queue, app.conf.task_always_eager = previous


def _wait_for_worker(worker: subprocess.Popen, log_path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise RuntimeError(f"The Celery worker exited early:\n{log_path.read_text()}")
        if " ready." in log_path.read_text():
            return
        time.sleep(0.2)
    raise RuntimeError(f"The Celery worker did not become ready:\n{log_path.read_text()}")
