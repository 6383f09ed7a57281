"""jixiao's benchmark in one run: API ingestion next to COPY, period computation next to one GROUP BY.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.run

Migrates the bench database, loads the bench tenant when missing (bench.generate: 2,000 agents, 1,000,000
interactions and 60,000 shifts in one month), then prints the figures of bench.computation and bench.ingestion.
`--only load` (not in the default set: about 15 minutes) runs the read API under load with wrk (bench.load;
`--quick` or `--seconds N` for shorter runs than 60 s per endpoint).
Not a test: the figures are ratios against baselines measured in the same run on the same machine.
"""

from __future__ import annotations

import argparse
import os

from bench.generate import setup_django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ingest-rows", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--only", default="computation,ingestion,alerts,export,reports,growth",
                        help="Comma-separated parts to run, of computation,ingestion,alerts,export,reports,growth,"
                             "load (default: all but load).")
    parser.add_argument("--seconds", type=int, default=None, help="load: seconds per endpoint (default 60).")
    parser.add_argument("--quick", action="store_true", help="load: 10 seconds per endpoint.")
    args = parser.parse_args(argv)
    setup_django()
    from django.core.management import call_command

    from bench.alerts import measure_alerts
    from bench.computation import measure_computation
    from bench.export import measure_export, print_export
    from bench.generate import as_owner
    from bench.ingestion import measure_ingestion
    from bench.load import measure_load
    from bench.load import report as report_load
    from bench.reports import measure_reports, print_reports

    parts = set(args.only.split(","))
    with as_owner():
        call_command("migrate", verbosity=0)
    if "computation" in parts:
        computation = measure_computation(runs=args.runs)
        print(f"Period computation (best of {args.runs} runs)")
        for key in ("agents", "interactions", "qa_reviews", "tenant_kpi_values", "kpis", "service_seconds",
                    "bound_seconds", "ratio", "service_runs", "bound_runs", "job_timings"):
            print(f"  {key:>36}: {computation[key]}")
    if "ingestion" in parts:
        ingestion = measure_ingestion(args.ingest_rows)
        print(f"Ingestion ({ingestion['rows']:,} rows in batches of {ingestion['batch_size']:,})")
        for key, value in ingestion.items():
            if key not in ("rows", "batch_size"):
                print(f"  {key:>36}: {value}")
    if "alerts" in parts:
        print("Alert evaluation (100 rules, last 24 hours; best of 3)")
        for key, value in measure_alerts().items():
            print(f"  {key:>36}: {value}")
    if "growth" in parts:
        from bench.growth import measure_growth

        print("Growth (computation and ingestion at 10k / 100k / 200k (20,000 agents) / 1M interactions)")
        for key, value in measure_growth().items():
            print(f"  {key:>36}: {value}")
    if "export" in parts:
        print("Interactions CSV export (one team and the whole month, through the endpoint, each in a child "
              "process; RSS sampled during the export)")
        print_export(measure_export())
    if "reports" in parts:
        print(f"Report endpoints over 12 computed periods and the October interactions (best of {args.runs})")
        print_reports(measure_reports(runs=args.runs))
    if "load" in parts:
        seconds = 10 if args.quick else (args.seconds or int(os.environ.get("LOAD_BENCH_SECONDS", "60")))
        print("API under load (wrk against gunicorn, per role and endpoint)", flush=True)
        report_load(measure_load(seconds=seconds))


if __name__ == "__main__":
    main()
