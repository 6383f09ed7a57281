"""The read API under load: gunicorn with the production settings, wrk with 32 connections, per endpoint and role.

On a tenant of its own ("bench-api": 200 teams of 10 agents, `interactions` interactions and 60,000 shifts in
October 2026, one computed period), loaded once and kept:
- gunicorn from config/gunicorn.conf.py with debug off, 4 workers x 2 threads, on 127.0.0.1 (LOAD_BENCH_PORT,
  else PORT, else 8199), its access log discarded;
- per endpoint and role, wrk (2 threads, 32 connections) for `seconds` after a 2-second warm-up, with a fresh
  JWT access token (Authorization: Bearer) of admin@bench-api.test or of supervisor@bench-api.test (view grants
  on 20 of the 200 teams);
- the ceiling: GET /api/v1/me/, a trivial authenticated DRF view on the same server, settings and middleware.
Prints requests/s, p50 and p99 of each, and requests/s as % of the ceiling's (same role, same run). Any non-2xx
answer fails the run. Not a test: the figures depend on the machine; the load average is printed with them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.load --seconds 60
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from typing import Any

from bench.generate import MONTH_START, SEED, as_owner, setup_django

TENANT_SLUG = "bench-api"
TEAMS = 200
AGENTS = 2_000
GRANTED_TEAMS = 20
INTERACTIONS = 200_000
SHIFTS = 60_000
CONNECTIONS = 32
ADMIN_EMAIL = f"admin@{TENANT_SLUG}.test"
SUPERVISOR_EMAIL = f"supervisor@{TENANT_SLUG}.test"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def ensure_tenant():
    """The bench-api tenant with 200 teams, 2,000 agents, scenarios, an admin and a supervisor granted 20 teams."""
    from django.contrib.auth.models import Permission

    from accounts.models import Agent, GrantPermission, Membership, Team, TeamGrant, Tenant, User
    from bench.generate import SCENARIOS, agent_code
    from performance.models import Scenario

    tenant, _ = Tenant.objects.get_or_create(slug=TENANT_SLUG,
                                             defaults={"name": "Bench API", "time_zone": "Asia/Shanghai"})
    names = [f"API team {i + 1:03d}" for i in range(TEAMS)]
    Team.objects.bulk_create([Team(tenant=tenant, name=name) for name in names], ignore_conflicts=True)
    team_ids = dict(Team.objects.filter(tenant=tenant).values_list("name", "pk"))
    Agent.objects.bulk_create(
        [Agent(tenant=tenant, team_id=team_ids[names[i % TEAMS]], employee_code=agent_code(i),
               display_name=f"API agent {i}") for i in range(AGENTS)],
        ignore_conflicts=True, batch_size=1000)
    Scenario.objects.bulk_create([Scenario(tenant=tenant, code=code, name=name) for code, name in SCENARIOS.items()],
                                 ignore_conflicts=True)
    users = {}
    for email, role in ((ADMIN_EMAIL, "admin"), (SUPERVISOR_EMAIL, "supervisor")):
        users[role] = User.objects.filter(email=email).first() or User.objects.create_user(email)
        Membership.objects.get_or_create(tenant=tenant, user=users[role], defaults={"role": role})
    view = Permission.objects.get(content_type__app_label="accounts", codename=GrantPermission("view").codename)
    granted = [team_ids[name] for name in names[:GRANTED_TEAMS]]
    present = set(TeamGrant.objects.filter(tenant=tenant, user=users["supervisor"]).values_list("content_object_id",
                                                                                                   flat=True))
    TeamGrant.objects.bulk_create([TeamGrant(tenant=tenant, user=users["supervisor"], permission=view,
                                             content_object_id=pk) for pk in granted if pk not in present])
    return tenant, users


def ensure_data(tenant, *, interactions: int) -> int:
    """October's interactions and shifts of the tenant (reloaded when the count differs); a computed period."""
    from django.db import connection

    from bench import generate
    from bench.computation import ensure_scheme
    from performance.models import Interaction, KpiPeriod

    if Interaction.objects.filter(tenant=tenant).count() != interactions:
        KpiPeriod.objects.filter(tenant=tenant).delete()
        generate.delete_rows(tenant)
        generate.copy_interactions(tenant, generate.interaction_values(interactions, seed=SEED, agents=AGENTS))
        generate.copy_shifts(tenant, generate.shift_values(SHIFTS, seed=SEED, agents=AGENTS))
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE performance_interaction")
            cursor.execute("ANALYZE performance_shift")
    ensure_scheme(tenant)
    period = KpiPeriod.objects.filter(tenant=tenant, current_revision__isnull=False).first()
    if period is None:
        period = _compute_period(tenant)
    # What autovacuum's analyze would have done by now on a running server (it may be off where this runs): the
    # planner's statistics of every table, the score rows and agents included.
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return period.pk


def _compute_period(tenant):
    from unittest import mock

    from common.actor import Actor
    from performance import tasks
    from performance.models import KpiPeriod
    from performance.services.scoring import computation_job_run, period_compute

    KpiPeriod.objects.filter(tenant=tenant).delete()
    period = KpiPeriod.objects.create(tenant=tenant, name="API bench October", kind="custom", start=MONTH_START,
                                      end=dt.date(2026, 11, 1))
    with mock.patch.object(tasks.compute_period_scores, "delay"):
        job = period_compute(actor=Actor(tenant=tenant, role="admin"), period=period)
    if computation_job_run(job_id=job.pk, tenant_id=tenant.pk) != "done":
        raise RuntimeError("The bench-api period did not compute.")
    return KpiPeriod.objects.get(pk=period.pk)


def endpoints(tenant, period_id: int, users: dict) -> dict[str, dict[str, str]]:
    """role -> name -> path. The score detail is one of a granted team's agent's (visible to both roles)."""
    from performance.models import AgentPeriodScore

    base = f"/api/v1/tenants/{tenant.slug}"
    first_team = tenant.teams.get(name="API team 001").pk
    score = (AgentPeriodScore.objects.filter(tenant=tenant, period_id=period_id, agent__team_id=first_team)
             .order_by("agent_id").values_list("pk", flat=True).first())
    paths = {
        "ceiling (GET /me/)": "/api/v1/me/",
        "scores list": f"{base}/periods/{period_id}/scores/",
        "score detail": f"{base}/periods/{period_id}/scores/{score}/",
        "leaderboard": f"{base}/periods/{period_id}/leaderboard/",
        "interactions (cursor page 2)": f"{base}/interactions/",
        "dashboard": f"{base}/reports/dashboard/?period={period_id}",
        "report: teams": f"{base}/reports/teams/?period={period_id}",
    }
    return {role: dict(paths) for role in users}


def access_token(user) -> str:
    from rest_framework_simplejwt.tokens import AccessToken

    return str(AccessToken.for_user(user))


def _free(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) != 0


def start_server(port: int, *, workers: int = 4, threads: int = 2) -> subprocess.Popen:
    """gunicorn with config/gunicorn.conf.py and the production settings (debug off) on 127.0.0.1:port."""
    if not _free(port):
        raise RuntimeError(f"Port {port} is in use; set LOAD_BENCH_PORT.")
    env = {**os.environ, "DJANGO_DEBUG": "0", "WEB_CONCURRENCY": str(workers), "GUNICORN_THREADS": str(threads),
           "GUNICORN_BIND": f"127.0.0.1:{port}", "GUNICORN_LOG_LEVEL": "warning"}
    gunicorn = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    server = subprocess.Popen([gunicorn, "-c", "config/gunicorn.conf.py", "config.wsgi"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 60
    while _free(port):
        if server.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"gunicorn did not start: {server.stderr.read().decode()[-2000:]}")
        time.sleep(0.2)
    return server


def wait_warm(base: str, token: str, *, fast: float = 0.5, in_a_row: int = 12, limit: float = 300) -> float:
    """Requests /me/ one after another until `in_a_row` answer within `fast` seconds: every worker has then
    imported its lazy modules and opened its database connection (a cold worker's first request takes seconds).
    Returns the seconds it took."""
    import httpx

    started = time.monotonic()
    streak = 0
    with httpx.Client(headers={"Authorization": f"Bearer {token}"}, timeout=120) as client:
        while streak < in_a_row:
            if time.monotonic() - started > limit:
                raise RuntimeError(f"gunicorn is still cold after {limit:.0f} s")
            before = time.monotonic()
            response = client.get(f"{base}/api/v1/me/", headers={"Connection": "close"})
            response.raise_for_status()
            streak = streak + 1 if time.monotonic() - before < fast else 0
    return round(time.monotonic() - started, 1)


def drain(base: str, token: str) -> None:
    """Wait until the requests wrk left queued are answered (the next measurement must not inherit them)."""
    wait_warm(base, token, fast=1.0, in_a_row=3, limit=600)


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return round(float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60_000}[unit], 1)


def wrk_command(url: str, token: str, seconds: int, connections: int = CONNECTIONS) -> list[str]:
    return ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s",
            "-H", f"Authorization: Bearer {token}", url]


def run_wrk(url: str, token: str, seconds: int, connections: int = CONNECTIONS) -> dict[str, Any]:
    output = subprocess.run(wrk_command(url, token, seconds, connections), check=True, capture_output=True,
                            text=True).stdout
    if "Latency Distribution" not in output:
        raise RuntimeError(f"wrk measured nothing at {url}:\n{output}")
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)$", output, re.MULTILINE)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "p50_ms": _ms(latency["50"]), "p99_ms": _ms(latency["99"]),
            "non_2xx": int(failed.group(1)) if failed else 0, "socket_errors": errors.group(1) if errors else ""}


def _status_check(base: str, path: str, token: str) -> tuple[int, str]:
    """The answer's status, and the path to measure: a cursor list's second page (its `next`), else `path`."""
    import httpx

    response = httpx.get(base + path, headers={"Authorization": f"Bearer {token}"}, timeout=600)
    if response.status_code == 200 and "/interactions/" in path and response.json().get("next"):
        return 200, response.json()["next"].removeprefix(base)
    return response.status_code, path


def measure_load(*, seconds: int = 60, interactions: int = INTERACTIONS, port: int | None = None,
                 only: set[str] | None = None) -> dict[str, Any]:
    """Loads the bench-api tenant when missing, starts gunicorn, runs wrk per role and endpoint."""
    from accounts.models import Tenant

    logging.getLogger("httpx").setLevel(logging.WARNING)
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (scripts/bench.sh installs it: apt-get install wrk).")
    with as_owner():
        tenant, users = ensure_tenant()
        period_id = ensure_data(tenant, interactions=interactions)
        tenant = Tenant.objects.get(pk=tenant.pk)
        paths = endpoints(tenant, period_id, users)
    port = port or int(os.environ.get("LOAD_BENCH_PORT") or os.environ.get("PORT") or 8199)
    base = f"http://127.0.0.1:{port}"
    results: dict[str, Any] = {"seconds": seconds, "connections": CONNECTIONS, "rows": {}, "warm_up_seconds": []}
    results["load_before"] = os.getloadavg()
    for role, user in users.items():
        # A fresh server per role: requests still queued after a slow endpoint must not slow the next role's.
        server = start_server(port)
        try:
            results["warm_up_seconds"].append(wait_warm(base, access_token(users["admin"])))
            ceiling = None
            for name, path in paths[role].items():
                if only and name not in only and not name.startswith("ceiling"):
                    continue
                token = access_token(user)
                status, path = _status_check(base, path, token)
                if status != 200:
                    raise RuntimeError(f"{role} {path}: HTTP {status}")
                # Warm-up: connections, caches, lazy imports of every worker.
                subprocess.run(wrk_command(base + path, token, 2), check=True, capture_output=True)
                drain(base, token)
                row = run_wrk(base + path, token, seconds)
                drain(base, token)
                if row["non_2xx"]:
                    raise RuntimeError(f"{role} {path}: {row}")
                ceiling = ceiling or row["rps"]
                row["of_ceiling"] = f"{100 * row['rps'] / ceiling:.0f} %"
                results["rows"][(role, name)] = row
                timeouts = f"  ({row['socket_errors']})" if row["socket_errors"] else ""
                print(f"  {role:>10} {name:<30} {row['rps']:>8.1f}/s  p50 {row['p50_ms']:>7.1f} ms  "
                      f"p99 {row['p99_ms']:>7.1f} ms  {row['of_ceiling']:>5} of the ceiling{timeouts}", flush=True)
        finally:
            stop_server(server)
    results["load_after"] = os.getloadavg()
    return results


def profile(*, interactions: int = INTERACTIONS, repeat: int = 20,
            only: set[str] | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    """In one process, through Django's test client with the same JWT header: per role and endpoint, the queries
    of one request and the median milliseconds of `repeat` requests (no server, no concurrency)."""
    import statistics

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from accounts.models import Tenant

    with as_owner():
        tenant, users = ensure_tenant()
        period_id = ensure_data(tenant, interactions=interactions)
        paths = endpoints(Tenant.objects.get(pk=tenant.pk), period_id, users)
    settings.ALLOWED_HOSTS = ["*"]
    client = Client()
    rows = {}
    for role, user in users.items():
        header = {"HTTP_AUTHORIZATION": f"Bearer {access_token(user)}"}
        for name, path in paths[role].items():
            if only and name not in only and not name.startswith("ceiling"):
                continue
            response = client.get(path, **header)
            if response.status_code == 200 and "/interactions/" in path and response.json().get("next"):
                path = response.json()["next"].removeprefix("http://testserver")
            with CaptureQueriesContext(connection) as queries:
                response = client.get(path, **header)
            assert response.status_code == 200, (path, response.status_code)
            sql = [q["sql"] for q in queries.captured_queries]  # now: every request clears the connection's log
            times = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(path, **header)
                times.append(1000 * (time.perf_counter() - started))
            rows[(role, name)] = {"queries": len(sql), "ms": round(statistics.median(times), 1), "sql": sql}
            print(f"  {role:>10} {name:<30} {len(sql):>3} queries  {rows[(role, name)]['ms']:>7.1f} ms",
                  flush=True)
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=int(os.environ.get("LOAD_BENCH_SECONDS", "60")))
    parser.add_argument("--quick", action="store_true", help="10 seconds per endpoint instead of 60.")
    parser.add_argument("--interactions", type=int, default=INTERACTIONS)
    parser.add_argument("--only", default="", help="Comma-separated endpoint names (the ceiling always runs).")
    parser.add_argument("--profile", action="store_true",
                        help="Instead: queries and median time per request in one process (no server).")
    parser.add_argument("--sql", action="store_true", help="With --profile: print each request's SQL.")
    parser.add_argument("--repeat", type=int, default=20, help="With --profile: requests timed per endpoint.")
    args = parser.parse_args(argv)
    setup_django()
    if args.profile:
        for (role, name), row in profile(interactions=args.interactions, repeat=args.repeat,
                                            only=set(filter(None, args.only.split(','))) or None).items():
            if args.sql:
                print(f"-- {role} {name}", *row["sql"], sep="\n  ")
        return
    report(measure_load(seconds=10 if args.quick else args.seconds, interactions=args.interactions,
                        only=set(filter(None, args.only.split(","))) or None))


def report(results: dict[str, Any]) -> None:
    load = ", ".join(f"{x:.2f}" for x in results["load_before"])
    warm = " and ".join(f"{x} s" for x in results["warm_up_seconds"])
    after = ", ".join(f"{x:.2f}" for x in results["load_after"])
    print(f"API under load ({results['connections']} connections, {results['seconds']} s each; gunicorn 4 x 2 "
          f"threads, warm after {warm}; load average before {load}, after {after}; "
          f"{os.cpu_count()} cores)")


if __name__ == "__main__":
    main()
