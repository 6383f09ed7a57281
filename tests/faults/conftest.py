"""Fault injection with real processes and real services: Celery workers and beat started as processes, a Redis
owned by the test (its own port, restarted by the test), database sessions terminated with pg_terminate_backend.

A "gate" holds a computation at a known point without any hook in production code: a trigger installed by the
test on the score table waits, for one chosen agent's row, on an advisory lock the test holds. The worker's COPY
of that chunk blocks there, after the earlier chunks were committed.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from accounts.models import Agent
from config.queues import all_queues
from performance.models import AgentPeriodScore, AgentSchemeScore, KpiPeriod, ScoreRevision
from tests.conftest import ROOT
from tests.factories import AgentFactory, InteractionFactory
from tests.performance.conftest import compute_now, make_period, make_version

GATE_KEY = (0x6A79, 1)  # the advisory lock the gate trigger waits on
OCT = datetime(2026, 10, 5, 9, tzinfo=ZoneInfo("Asia/Shanghai"))
WAIT_SECONDS = 90
CHUNK = 4  # agents per write chunk in the fault tests: the month below has 6 chunks


def db_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def raw_connection(**kwargs) -> psycopg.Connection:
    """The test's own session, as the owner: it locks rows, installs triggers and terminates other sessions
    whatever their tenant (row-level security does not apply to it)."""
    db, owner = connection.settings_dict, settings.DATABASE_ROLES["owner"]
    return psycopg.connect(host=db["HOST"], port=db["PORT"], user=owner["USER"], password=owner["PASSWORD"] or None,
                           dbname=db["NAME"], **kwargs)


def wait_until(predicate, *, timeout: float = WAIT_SECONDS, what: str = "condition", log=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"Timed out after {timeout} s waiting for {what}" + (f"; log:\n{log()}" if log else ""))


@dataclass
class Process:
    name: str
    popen: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.popen.poll() is None

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self) -> None:
        if self.alive():
            self.popen.terminate()
            try:
                self.popen.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


class Processes:
    """Starts Celery workers and beat against the test database and one queue; stops them all at the end."""

    def __init__(self, tmp_path: Path, queue: str, env: dict[str, str]):
        self.tmp_path, self.queue, self.env, self.started = tmp_path, queue, env, []

    def _start(self, name: str, args: list[str], ready: str) -> Process:
        log_path = self.tmp_path / f"{name}-{len(self.started)}.log"
        env = {**os.environ, "DATABASE_URL": db_url(), "CELERY_QUEUE": self.queue, "CELERY_TASK_ALWAYS_EAGER": "false",
               "DJANGO_SETTINGS_MODULE": "config.settings", **self.env}
        with open(log_path, "w") as log:
            popen = subprocess.Popen([str(Path(sys.executable).parent / "celery"), "-A", "config", *args], cwd=ROOT,
                                     env=env, stdout=log, stderr=subprocess.STDOUT)
        process = Process(name, popen, log_path)
        self.started.append(process)
        wait_until(lambda: ready in process.log() or not process.alive(), timeout=60, what=f"{name} to start")
        assert process.alive(), process.log()
        return process

    def worker(self, *, pool: str = "solo") -> Process:
        # prefork runs like scripts/serve.sh's worker (2 processes: the main one keeps reading the queue while a task
        # runs; gossip, mingle and heartbeat on); solo is the quick one
        pool_args = (["--pool=solo", "--without-gossip", "--without-mingle", "--without-heartbeat"] if pool == "solo"
                     else ["--pool=prefork", "--concurrency=2"])
        queues = ",".join(all_queues(self.queue))
        return self._start("worker", ["worker", *pool_args, "-Q", queues, "--loglevel=INFO"], " ready.")

    def beat(self) -> Process:
        return self._start("beat", ["beat", "--loglevel=INFO", "-s", str(self.tmp_path / "beat-schedule")],
                           "beat: Starting")

    def stop_all(self) -> None:
        for process in self.started:
            process.stop()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name} ({p.log_path.name})\n{p.log()[-6000:]}" for p in self.started)


@pytest.fixture
def processes(transactional_db, tmp_path, settings):
    from config.celery import app

    queue = f"jixiao-faults-{uuid.uuid4().hex[:12]}"
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    started = Processes(tmp_path, queue, {})
    try:
        yield started
    finally:
        started.stop_all()
        app.conf.task_default_queue, app.conf.task_always_eager = previous


# The data: one month of a tenant with enough agents for several write chunks.


def build_month(cast, *, extra_agents: int = 18, seed: int = 10) -> KpiPeriod:
    """Interactions of varied CSAT and handle time for the cast's 6 agents plus `extra_agents` more (teams
    alternate), a two-KPI scheme (csat 60, aht 40) and the open October period."""
    rng = random.Random(seed)
    agents = cast.north_agents + cast.south_agents + [
        AgentFactory(team=cast.north if i % 2 else cast.south, employee_code=f"F{i:03d}") for i in range(extra_agents)]
    for agent in agents:
        for n in range(rng.randint(2, 5)):
            InteractionFactory(agent=agent, started_at=OCT + timedelta(hours=n), csat=rng.choice([1, 3, 4, 5, None]),
                               talk_seconds=rng.randint(100, 700))
    make_version(cast.tenant)
    return make_period(cast.tenant)


@pytest.fixture
def month(cast, settings):
    """The month of build_month, computed once undisturbed in this process: (period without results, the
    reference rows)."""
    settings.JOB_WRITE_CHUNK_AGENTS = CHUNK
    period = build_month(cast)  # 24 agents: 6 chunks of 4
    assert len(agents_in_write_order(period)) == 24
    reference = compute_now(period)
    assert reference.status == "succeeded", reference.errors
    expected = score_rows(period.current_revision)
    assert len(expected["overall"]) == 24 and any(row["total"] is not None for row in expected["overall"])
    forget_results(period)
    return period, expected


def agents_in_write_order(period: KpiPeriod) -> list[int]:
    """The period's agents in the order their results are written (by id), in chunks of JOB_WRITE_CHUNK_AGENTS."""
    return sorted(Agent.objects.filter(tenant=period.tenant_id).values_list("pk", flat=True))


IGNORED = {"id", "revision", "job", "overall", "created_at", "updated_at", "computed_at"}


def _values(model, rows) -> list[dict]:
    names = [f.attname for f in model._meta.concrete_fields if f.name not in IGNORED]
    return [{name: _plain(getattr(row, name)) for name in names} for row in rows]


def _plain(value):
    return str(value) if isinstance(value, Decimal) else value


def score_rows(revision: ScoreRevision) -> dict[str, list[dict]]:
    """Every field of every result row of the revision, except its own ids, revision, job and timestamps."""
    overall = AgentPeriodScore.objects.filter(revision=revision).order_by("agent_id")
    schemes = AgentSchemeScore.objects.filter(revision=revision).order_by("agent_id", "scheme_version_id")
    return {"overall": _values(AgentPeriodScore, overall), "schemes": _values(AgentSchemeScore, schemes)}


def forget_results(period: KpiPeriod) -> None:
    """Drop the period's revisions (test set-up only), so that the next computation writes again."""
    KpiPeriod.objects.filter(pk=period.pk).update(current_revision=None)
    ScoreRevision.objects.filter(period=period).delete()


# The gate


@contextmanager
def gate_on_agent(agent_id: int):
    """Hold the COPY of the chunk holding `agent_id`'s score row until `release()` (or the block ends)."""
    with gate_on(AgentPeriodScore._meta.db_table, "INSERT", f"NEW.agent_id = {int(agent_id)}") as gate:
        yield gate


@contextmanager
def gate_on_completion():
    """Hold the run's last transaction (the revision becoming complete) until `release()` (or the block ends)."""
    with gate_on(ScoreRevision._meta.db_table, "UPDATE", "NEW.is_complete AND NOT OLD.is_complete") as gate:
        yield gate


@contextmanager
def gate_on(table: str, event: str, condition: str):
    holder = raw_connection(autocommit=True)
    holder.execute("SELECT pg_advisory_lock(%s, %s)", GATE_KEY)
    with raw_connection(autocommit=True) as owner:  # triggers are the table owner's to create
        owner.execute(f"""
            CREATE OR REPLACE FUNCTION jx_test_fault_gate() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN PERFORM pg_advisory_xact_lock_shared({GATE_KEY[0]}, {GATE_KEY[1]}); RETURN NEW; END $$;
            DROP TRIGGER IF EXISTS jx_test_fault_gate ON {table};
            CREATE TRIGGER jx_test_fault_gate BEFORE {event} ON {table} FOR EACH ROW
                WHEN ({condition}) EXECUTE FUNCTION jx_test_fault_gate();
        """)
    gate = Gate(holder)
    try:
        yield gate
    finally:
        gate.release()
        with raw_connection(autocommit=True) as owner:
            owner.execute(f"DROP TRIGGER IF EXISTS jx_test_fault_gate ON {table}")
            owner.execute("DROP FUNCTION IF EXISTS jx_test_fault_gate()")
        holder.close()


class Gate:
    def __init__(self, holder: psycopg.Connection):
        self.holder, self.open = holder, False

    def waiting(self) -> int:
        """How many sessions wait at the gate."""
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND database ="
                           " (SELECT oid FROM pg_database WHERE datname = current_database())"
                           " AND classid = %s AND objid = %s", GATE_KEY)
            return cursor.fetchone()[0]

    def release(self) -> None:
        if not self.open:
            self.holder.execute("SELECT pg_advisory_unlock(%s, %s)", GATE_KEY)
            self.open = True


# A Redis of the test's own


def _free_port() -> int:
    for port in range(6391, 6400):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    pytest.skip("No free port in 6391-6399 for a test-owned Redis")


class OwnedRedis:
    def __init__(self, directory: Path):
        self.directory, self.port, self.popen = directory, _free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.popen = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory), "--dbfilename", "dump.rdb"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self.ping, timeout=20, what="the test Redis to answer")

    def ping(self) -> bool:
        return subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG"

    def restart(self) -> None:
        """Stop it (saving its data, like a restart of a persistent Redis) and start it again."""
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "save"], capture_output=True)
        self.popen.wait(timeout=20)
        self.start()

    def stop(self) -> None:
        if self.popen is not None and self.popen.poll() is None:
            subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
            try:
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.popen.kill()


@pytest.fixture
def owned_redis(tmp_path):
    if subprocess.run(["which", "redis-server"], capture_output=True).returncode:
        pytest.skip("redis-server is not installed")
    redis = OwnedRedis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()
