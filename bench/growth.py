"""Growth curves: period computation time and API ingestion rate as the data grows, and what each index and foreign
key of the interaction table costs a writer.

Points (each its own tenant of bench.generate's shape, loaded once with COPY; the 1M point is the bench tenant):

| tenant | agents | interactions (October) | shifts |
| --- | --- | --- | --- |
| growth-10k | 200 | 10,000 | 6,000 |
| growth-100k | 2,000 | 100,000 | 60,000 |
| growth-20k-agents | 20,000 | 200,000 | 600,000 → 0 (none: attendance is insufficient data there) |
| bench | 2,000 | 1,000,000 | 60,000 |

At each point: the real computation job of a fresh October period (a scheme of answer rate, AHT, FCR, CSAT and
attendance; best of `runs`, in the tenant's scope as the application role), and the ingestion API's rate for
20,000 new rows (two JSON batches of 10,000, with an integration key) into the tenant's table of that size.

Index and foreign key costs: 50,000 rows COPYed (batches of 10,000) into an empty copy of the interaction table
(`LIKE … INCLUDING ALL`, plus its four foreign keys), once with everything, then with each index or foreign key
dropped in turn, then bare (no index, key or constraint). Each cost is the time saved by dropping it.

The plot goes to docs/bench/growth.png (matplotlib, the `bench` extra).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.growth
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench.generate import as_owner, interaction_rows, interaction_values, setup_django, shift_values

POINTS = [  # slug, agents, interactions, shifts
    ("growth-10k", 200, 10_000, 6_000),
    ("growth-100k", 2_000, 100_000, 60_000),
    ("growth-20k-agents", 20_000, 200_000, 0),
    ("bench", 2_000, 1_000_000, 60_000),
]
INGEST_ROWS = 20_000
INGEST_BATCH = 10_000
INDEX_ROWS = 50_000
GROWTH_KPIS = [  # the five KPIs of the original bench scheme
    ("answer_rate", 20, 80, 98, 20),
    ("aht", 20, 600, 300, 20),
    ("fcr", 20, 50, 85, 20),
    ("csat", 25, 50, 90, 5),
    ("attendance", 15, 85, 100, 10),
]
PLOT = Path(__file__).resolve().parent.parent / "docs" / "bench" / "growth.png"
COPY_TABLE = "bench_growth_interaction"


def ensure_point(slug: str, agents: int, interactions: int, shifts: int):
    """The point's tenant with exactly `interactions` bench rows (loaded with COPY when the count differs)."""
    from bench import computation, generate
    from performance.models import Interaction, Shift

    if slug == generate.TENANT_SLUG:
        return computation.ensure_data(interactions=interactions, shifts=shifts)
    tenant = generate.ensure_tenant(agents=agents, teams=max(1, agents // 100), slug=slug)
    if Interaction.objects.filter(tenant=tenant, source="bench").count() != interactions:
        generate.delete_rows(tenant)
        generate.copy_interactions(tenant, interaction_values(interactions, agents=agents))
        if shifts:
            generate.copy_shifts(tenant, shift_values(shifts, agents=agents))
    elif shifts and not Shift.objects.filter(tenant=tenant).exists():
        generate.copy_shifts(tenant, shift_values(shifts, agents=agents))
    return tenant


def measure_computation(tenant, runs: int) -> dict[str, Any]:
    from bench.computation import ensure_scheme, run_service
    from common import rls

    seconds, details = [], {}
    for _ in range(runs):
        with rls.tenant_scope(tenant.pk):
            ensure_scheme(tenant, GROWTH_KPIS)
            run_seconds, details = run_service(tenant)
        seconds.append(run_seconds)
    return {"compute_seconds": round(min(seconds), 3), "compute_runs": [round(s, 3) for s in seconds],
            "agents_scored": details["counts"]["agents"], "timings": details["timings"]}


def measure_ingestion(tenant, agents: int) -> float:
    """Rows per second of the JSON bulk endpoint for INGEST_ROWS new rows (removed afterwards)."""
    from django.test.utils import override_settings

    from bench.generate import delete_rows
    from bench.ingestion import _integration_client, _timed_posts
    from common import rls

    source = "bench-growth"
    rows = list(interaction_rows(INGEST_ROWS, seed=11, source=source, agents=agents))
    bodies = [json.dumps({"rows": rows[i:i + INGEST_BATCH]}).encode() for i in range(0, len(rows), INGEST_BATCH)]
    with as_owner():
        delete_rows(tenant, source=source)
    try:
        with override_settings(DEBUG=False, ALLOWED_HOSTS=["testserver"]):
            with rls.tenant_scope(tenant.pk):
                client = _integration_client(tenant)
            seconds, created, _ = _timed_posts(client, f"/api/v1/tenants/{tenant.slug}/interactions/bulk/", bodies,
                                               content_type="application/json")
    finally:
        with as_owner():
            delete_rows(tenant, source=source)
    if created != INGEST_ROWS:
        raise RuntimeError(f"expected {INGEST_ROWS} created rows, got {created}")
    return round(INGEST_ROWS / seconds)


def _interaction_constraints() -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(indexes, foreign keys) of the interaction table as (name, definition)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'performance_interaction' "
                       "ORDER BY 1")
        indexes = list(cursor.fetchall())
        cursor.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                       "WHERE conrelid = 'performance_interaction'::regclass AND contype = 'f' ORDER BY 1")
        foreign_keys = list(cursor.fetchall())
    return indexes, foreign_keys


def _copy_into_variant(tenant, values: list[tuple], *, drop: str | None, bare: bool = False) -> float:
    """Seconds to COPY `values` (batches of 10,000, each committed) into a fresh copy of the interaction table
    (its columns, defaults and checks, then its indexes and foreign keys rebuilt from their definitions) without
    the index or foreign key named `drop`, or without any index, key or check (`bare`)."""
    from django.db import connection, transaction

    from bench.generate import copy_interactions

    indexes, foreign_keys = _interaction_constraints()
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")
        including = "INCLUDING DEFAULTS INCLUDING IDENTITY" + ("" if bare else " INCLUDING CONSTRAINTS")
        cursor.execute(f"CREATE TABLE {COPY_TABLE} (LIKE performance_interaction {including})")
        if not bare:
            for name, definition in indexes:
                if name != drop:
                    cursor.execute(definition.replace(f"INDEX {name} ON public.performance_interaction ",
                                                      f"INDEX {name}_g ON {COPY_TABLE} "))
            for name, definition in foreign_keys:
                if name != drop:
                    cursor.execute(f"ALTER TABLE {COPY_TABLE} ADD CONSTRAINT {name}_g {definition}")
    try:
        started = time.perf_counter()
        for start in range(0, len(values), 10_000):
            copy_interactions(tenant, values[start:start + 10_000], staged=False, table=COPY_TABLE)
        return time.perf_counter() - started
    finally:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {COPY_TABLE}")


def measure_index_costs(tenant) -> dict[str, Any]:
    indexes, foreign_keys = _interaction_constraints()
    values = list(interaction_values(INDEX_ROWS, seed=13, source="bench-index"))
    _copy_into_variant(tenant, values[:10_000], drop=None)  # warm-up
    full = _copy_into_variant(tenant, values, drop=None)
    bare = _copy_into_variant(tenant, values, drop=None, bare=True)
    costs = {}
    for name, _ in [*indexes, *foreign_keys]:
        without = _copy_into_variant(tenant, values, drop=name)
        costs[name] = {"rows_per_s_without": round(INDEX_ROWS / without),
                       "share_of_copy_time": round((full - without) / full, 3)}
    return {"rows": INDEX_ROWS, "full_rows_per_s": round(INDEX_ROWS / full),
            "bare_rows_per_s": round(INDEX_ROWS / bare), "costs": costs}


def plot(points: list[dict[str, Any]], path: Path = PLOT) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    path.parent.mkdir(parents=True, exist_ok=True)
    figure, (left, right) = pyplot.subplots(1, 2, figsize=(11, 4.2))
    for axis, key, label in ((left, "compute_seconds", "period computation (s)"),
                             (right, "ingest_rows_per_s", "API ingestion (new rows/s)")):
        same_agents = [p for p in points if p["agents"] == 2_000 or p["interactions"] == 10_000]
        axis.plot([p["interactions"] for p in same_agents], [p[key] for p in same_agents], "o-",
                  label="200 / 2,000 agents")
        others = [p for p in points if p not in same_agents]
        axis.plot([p["interactions"] for p in others], [p[key] for p in others], "s", label="20,000 agents")
        for p in points:
            axis.annotate(f"{p['agents']:,} agents", (p["interactions"], p[key]), textcoords="offset points",
                          xytext=(4, 6), fontsize=8)
        axis.set_xscale("log")
        axis.set_xlabel("interactions in the period (log scale)")
        axis.set_ylabel(label)
        axis.grid(True, alpha=0.3)
        axis.legend(fontsize=8)
    left.set_yscale("log")
    right.set_ylim(bottom=0)
    figure.suptitle("jixiao growth (2-core development machine, shared: absolute figures vary with its load)")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    return path


def measure_growth(*, runs: int = 2, index_costs: bool = True) -> dict[str, Any]:
    setup_django()
    from common import rls

    points = []
    for slug, agents, interactions, shifts in POINTS:
        started = time.perf_counter()
        with as_owner():
            tenant = ensure_point(slug, agents, interactions, shifts)
        loaded = time.perf_counter() - started
        point = {"tenant": slug, "agents": agents, "interactions": interactions, "load_seconds": round(loaded, 1)}
        point.update(measure_computation(tenant, runs))
        with rls.tenant_scope(tenant.pk):
            point["ingest_rows_per_s"] = measure_ingestion(tenant, agents)
        points.append(point)
        print(f"  {json.dumps(point)}", flush=True)
    result: dict[str, Any] = {"points": points}
    base = points[0]
    result["compute_seconds_per_1k_interactions"] = {
        p["tenant"]: round(p["compute_seconds"] * 1000 / p["interactions"], 4) for p in points}
    result["ingest_rate_vs_smallest"] = {p["tenant"]: round(p["ingest_rows_per_s"] / base["ingest_rows_per_s"], 2)
                                         for p in points}
    if index_costs:
        with as_owner():
            from bench.generate import ensure_tenant

            result["index_costs"] = measure_index_costs(ensure_tenant())
    result["plot"] = str(plot(points))
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--no-index-costs", action="store_true")
    parser.add_argument("--index-costs-only", action="store_true", help="Only the index and foreign key costs.")
    parser.add_argument("--plot-from", help="Only draw the plot, from a JSON list of points printed by a run.")
    args = parser.parse_args(argv)
    if args.plot_from:
        print(plot(json.loads(Path(args.plot_from).read_text())))
        return
    if args.index_costs_only:
        setup_django()
        from bench.generate import ensure_tenant

        with as_owner():
            print(json.dumps(measure_index_costs(ensure_tenant()), indent=2))
        return
    result = measure_growth(runs=args.runs, index_costs=not args.no_index_costs)
    print(json.dumps({k: v for k, v in result.items() if k != "points"}, indent=2))


if __name__ == "__main__":
    main()
