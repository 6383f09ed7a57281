"""Deterministic benchmark data for jixiao.

A tenant "bench" (time zone Asia/Shanghai) with 2,000 agents over 20 teams, five scenarios, and — written with
COPY into a staging table, then INSERT … SELECT (the tables are under row-level security, which refuses COPY
FROM) — 1,000,000 interactions and 60,000 shifts in October 2026. Loaded as the owner role. The same seed always
gives the same rows. The row helpers (`interaction_rows`, `shift_rows`, `rows_to_csv`) produce the ingestion API's
input shape, for the ingestion benchmark and for tests.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.generate --interactions 1000000
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import json
import os
import random
import sys
import time
import zoneinfo
from collections.abc import Iterable, Iterator
from typing import Any

TENANT_SLUG = "bench"
TIME_ZONE = "Asia/Shanghai"
MONTH_START = dt.date(2026, 10, 1)
MONTH_DAYS = 31
AGENTS = 2_000
TEAMS = 20
INTERACTIONS = 1_000_000
SHIFTS = 60_000
SEED = 20261001
SCENARIOS = {"inquiry": "Inquiry", "complaint": "Complaint", "tech_support": "Tech support",
             "billing": "Billing", "order_status": "Order status"}
CHANNELS = ["phone", "chat", "email", "ticket"]
CHANNEL_WEIGHTS = [45, 35, 10, 10]
SCENARIO_WEIGHTS = [50, 15, 15, 10, 10]

INTERACTION_FIELDS = ["agent", "channel", "scenario", "source", "external_id", "started_at", "ring_count",
                      "queue_seconds", "answered", "talk_seconds", "hold_seconds", "acw_seconds",
                      "first_response_seconds", "resolved", "first_contact_resolved", "csat", "customer_ref",
                      "metadata"]
SHIFT_FIELDS = ["agent", "source", "external_id", "date", "scheduled_minutes", "worked_minutes",
                "logged_in_minutes"]


def setup_django() -> None:
    """Make the project importable and Django ready when this file runs as a script."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if root not in sys.path:
        sys.path.insert(0, root)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DJANGO_DEBUG", "0")
    import django

    django.setup()


def as_owner():
    """Inside: the default connection logs in as the owner role and sees every tenant (set-up and baselines)."""
    from contextlib import ExitStack

    from django.db import connection

    from common import rls
    from common.db.roles import connected_as_owner

    stack = ExitStack()
    stack.enter_context(connected_as_owner())
    stack.enter_context(rls.all_tenants())
    connection.ensure_connection()
    return stack


def _copy_rows(cursor, table: str, columns: str, rows: Iterable[tuple], *, staged: bool) -> None:
    """COPY rows into `table`; `staged`: through a temporary table and INSERT … SELECT, as row-level security
    refuses COPY FROM into its tables (for a role it applies to)."""
    target = f"jx_stage_{table}" if staged else table
    if staged:
        cursor.execute(f"DROP TABLE IF EXISTS pg_temp.{target}")
        cursor.execute(f"CREATE TEMP TABLE {target} ON COMMIT DROP AS SELECT {columns} FROM {table} WITH NO DATA")
    with cursor.copy(f"COPY {target} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
    if staged:
        cursor.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {target}")


def agent_code(index: int) -> str:
    return f"B{index:05d}"


def team_name(index: int) -> str:
    return f"Bench team {index + 1:02d}"


def _interaction_values(rng: random.Random, number: int, source: str, agents: int, zone) -> tuple:
    """One interaction, as values in INTERACTION_FIELDS order (started_at as an aware datetime)."""
    agent = rng.randrange(agents)
    channel = rng.choices(CHANNELS, CHANNEL_WEIGHTS)[0]
    scenario = rng.choices(list(SCENARIOS), SCENARIO_WEIGHTS)[0]
    # Local working hours 08:00-22:00, so every interaction falls inside the tenant's October.
    started = dt.datetime.combine(MONTH_START + dt.timedelta(days=rng.randrange(MONTH_DAYS)), dt.time(8), zone)
    started += dt.timedelta(seconds=rng.randrange(14 * 3600))
    answered = rng.random() < 0.93
    voice = channel == "phone"
    talk = int(rng.gauss(300, 90)) if answered else 0
    resolved = answered and rng.random() < 0.82
    return (
        agent_code(agent), channel, scenario, source, f"{source}-{number}", started,
        rng.randint(1, 6) if voice else 0,
        rng.randint(0, 120),
        answered,
        max(talk, 20) if answered else 0,
        rng.randint(0, 60) if answered and voice else 0,
        rng.randint(10, 120) if answered else 0,
        None if voice or not answered else rng.randint(5, 600),
        resolved,
        resolved and rng.random() < 0.8,
        rng.choices([None, 1, 2, 3, 4, 5], [70, 2, 3, 5, 8, 12])[0],
        f"C{rng.randrange(10**7):07d}",
        {},
    )


def interaction_values(n: int, *, seed: int = SEED, source: str = "bench", agents: int = AGENTS) -> Iterator[tuple]:
    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo(TIME_ZONE)
    for number in range(n):
        yield _interaction_values(rng, number, source, agents, zone)


def interaction_rows(n: int, *, seed: int = SEED, source: str = "bench", agents: int = AGENTS) -> Iterator[dict]:
    """n interaction rows in the ingestion API's JSON shape (deterministic for a seed)."""
    for values in interaction_values(n, seed=seed, source=source, agents=agents):
        row = dict(zip(INTERACTION_FIELDS, values, strict=True))
        row["started_at"] = values[5].isoformat()
        yield row


def shift_values(n: int = SHIFTS, *, seed: int = SEED, source: str = "bench", agents: int = AGENTS) -> Iterator[tuple]:
    """Up to one shift per agent per day, each agent off one day of the month (2,000 x 30 = 60,000)."""
    rng = random.Random(seed + 1)
    made = 0
    for agent in range(agents):
        for day in range(MONTH_DAYS):
            if day == agent % MONTH_DAYS:
                continue
            if made == n:
                return
            scheduled = 480
            worked = scheduled - rng.choice([0, 0, 0, 0, 15, 30, 60, 480])
            yield (agent_code(agent), source, f"{source}-{agent}-{day}", MONTH_START + dt.timedelta(days=day),
                   scheduled, worked, max(worked - rng.randint(0, 40), 0))
            made += 1


def shift_rows(n: int = SHIFTS, *, seed: int = SEED, source: str = "bench", agents: int = AGENTS) -> Iterator[dict]:
    for values in shift_values(n, seed=seed, source=source, agents=agents):
        row = dict(zip(SHIFT_FIELDS, values, strict=True))
        row["date"] = values[3].isoformat()
        yield row


def rows_to_csv(rows: Iterable[dict[str, Any]], fields: list[str] = INTERACTION_FIELDS) -> bytes:
    """A UTF-8 CSV (header = the JSON field names) of rows as interaction_rows/shift_rows make them."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(fields)
    for row in rows:
        cells = []
        for name in fields:
            value = row.get(name)
            if value is None:
                cells.append("")
            elif isinstance(value, bool):
                cells.append("true" if value else "false")
            elif isinstance(value, dict):
                cells.append(json.dumps(value) if value else "")
            else:
                cells.append(value)
        writer.writerow(cells)
    return out.getvalue().encode()


def ensure_tenant(*, agents: int = AGENTS, teams: int = TEAMS, slug: str = TENANT_SLUG):
    """The bench tenant (or another of the same shape, by slug) with its teams, agents, scenarios and an admin
    member (admin@<slug>.test); idempotent."""
    from accounts.models import Agent, Membership, Team, Tenant, User
    from performance.models import Scenario

    tenant, _ = Tenant.objects.get_or_create(slug=slug, defaults={"name": slug.title(), "time_zone": TIME_ZONE})
    Team.objects.bulk_create([Team(tenant=tenant, name=team_name(i)) for i in range(teams)], ignore_conflicts=True)
    team_ids = dict(Team.objects.filter(tenant=tenant).values_list("name", "pk"))
    Agent.objects.bulk_create(
        [Agent(tenant=tenant, team_id=team_ids[team_name(i % teams)], employee_code=agent_code(i),
               display_name=f"Bench agent {i}") for i in range(agents)],
        ignore_conflicts=True, batch_size=1000,
    )
    Scenario.objects.bulk_create([Scenario(tenant=tenant, code=code, name=name) for code, name in SCENARIOS.items()],
                                 ignore_conflicts=True)
    email = f"admin@{slug}.test"
    user = User.objects.filter(email=email).first() or User.objects.create_user(email)
    Membership.objects.get_or_create(tenant=tenant, user=user, defaults={"role": "admin"})
    return tenant


def delete_rows(tenant, *, source: str | None = None) -> int:
    """Remove the tenant's interactions and shifts (of one source, if given), and rows that refer to them.
    Returns how many interactions and shifts were deleted."""
    from django.db import connection

    from performance.models import Interaction, Shift

    deleted = 0
    for model in (Interaction, Shift):
        rows = model.objects.filter(tenant=tenant, **({"source": source} if source else {}))
        for relation in model._meta.related_objects:
            if relation.related_model is not model:
                relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": rows}).delete()
        sql, params = rows.values("pk").query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE id IN ({sql})", params)
            deleted += cursor.rowcount
    return deleted


def copy_interactions(tenant, values: Iterable[tuple], *, staged: bool = True,
                      table: str = "performance_interaction") -> int:
    """COPY interaction tuples (interaction_values' shape) into the interaction table; returns the row count.
    `staged=False`: straight into the table (only a role that row-level security does not apply to may)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Agent
    from performance.models import Scenario

    agents = {code: (pk, team) for code, pk, team in
              Agent.objects.filter(tenant=tenant).values_list("employee_code", "pk", "team_id")}
    scenarios = dict(Scenario.objects.filter(tenant=tenant).values_list("code", "pk"))
    now = timezone.now()
    columns = ("tenant_id, agent_id, team_id, channel, scenario_id, source, external_id, started_at, ring_count, "
               "queue_seconds, answered, talk_seconds, hold_seconds, acw_seconds, first_response_seconds, resolved, "
               "first_contact_resolved, csat, customer_ref, metadata, created_at, updated_at")
    counted = [0]

    def rows():
        for row in values:
            agent_id, team_id = agents[row[0]]
            counted[0] += 1
            yield (tenant.pk, agent_id, team_id, row[1], scenarios[row[2]], *row[3:17], "{}", now, now)

    with transaction.atomic(), connection.cursor() as cursor:
        _copy_rows(cursor, table, columns, rows(), staged=staged)
    return counted[0]


def copy_shifts(tenant, values: Iterable[tuple]) -> int:
    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Agent

    agents = {code: (pk, team) for code, pk, team in
              Agent.objects.filter(tenant=tenant).values_list("employee_code", "pk", "team_id")}
    now = timezone.now()
    columns = ("tenant_id, agent_id, team_id, source, external_id, date, scheduled_minutes, worked_minutes, "
               "logged_in_minutes, created_at, updated_at")
    counted = [0]

    def rows():
        for row in values:
            agent_id, team_id = agents[row[0]]
            counted[0] += 1
            yield (tenant.pk, agent_id, team_id, *row[1:], now, now)

    with transaction.atomic(), connection.cursor() as cursor:
        _copy_rows(cursor, "performance_shift", columns, rows(), staged=True)
    return counted[0]


def load(*, interactions: int = INTERACTIONS, shifts: int = SHIFTS, seed: int = SEED) -> dict[str, Any]:
    """(Re)load the bench tenant: its previous interactions and shifts are replaced. Returns counts and timings."""
    from django.db import connection

    started = time.perf_counter()
    tenant = ensure_tenant()
    if delete_rows(tenant):
        with connection.cursor() as cursor:  # a reload into a table full of dead rows is three times slower
            cursor.execute("VACUUM performance_interaction")
            cursor.execute("VACUUM performance_shift")
    setup_seconds = time.perf_counter() - started
    started = time.perf_counter()
    loaded_interactions = copy_interactions(tenant, interaction_values(interactions, seed=seed))
    interaction_seconds = time.perf_counter() - started
    started = time.perf_counter()
    loaded_shifts = copy_shifts(tenant, shift_values(shifts, seed=seed))
    shift_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE performance_interaction")
        cursor.execute("ANALYZE performance_shift")
    return {
        "tenant": tenant.slug,
        "tenant_id": tenant.pk,
        "agents": AGENTS,
        "teams": TEAMS,
        "interactions": loaded_interactions,
        "shifts": loaded_shifts,
        "setup_seconds": round(setup_seconds, 2),
        "interaction_seconds": round(interaction_seconds, 2),
        "shift_seconds": round(shift_seconds, 2),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--interactions", type=int, default=INTERACTIONS)
    parser.add_argument("--shifts", type=int, default=SHIFTS)
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    setup_django()
    with as_owner():
        result = load(interactions=args.interactions, shifts=args.shifts, seed=args.seed)
    for key, value in result.items():
        print(f"{key:>20}: {value}")


if __name__ == "__main__":
    main()
