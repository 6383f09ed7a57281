"""The interactions CSV export through the real endpoint, at about 50,000 rows (one team) and at the whole bench
month (1,000,000 rows): rows per second (wall and CPU), bytes, and the memory of the exporting process measured
*during* the export against just before it.

Each measurement runs in a child process that does nothing but that export (after one warm-up request, so that
imports and caches are paid for before the "before" figure): a thread samples the process's resident set size
(/proc/self/statm) every 20 ms while the body is read, and the figure printed is the peak sample minus the RSS
right before the request. For contrast, the same rows read with `QuerySet.iterator()` (what the exports did
before: with server-side cursors disabled it is a client-side cursor, which fetches the whole result) give the
growth that a non-streaming read costs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.export
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
import time

from bench.generate import setup_django

PAGE = os.sysconf("SC_PAGE_SIZE")


def _rss_mb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * PAGE / 1e6


class _RssSampler(threading.Thread):
    def __init__(self):
        super().__init__(daemon=True)
        self.peak = _rss_mb()
        self.running = True

    def run(self):
        while self.running:
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.02)

    def stop(self) -> float:
        self.running = False
        self.join()
        return max(self.peak, _rss_mb())


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _team_ids(count: int) -> list[int]:
    from accounts.models import Team
    from common import rls

    with rls.all_tenants():
        return list(Team.objects.filter(tenant__slug="bench").order_by("name").values_list("id", flat=True)[:count])


def _endpoint_child(teams: int) -> dict:
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.models import User
    from common import rls

    settings.ALLOWED_HOSTS = ["*"]
    client = APIClient()
    with rls.all_tenants():
        client.force_authenticate(User.objects.get(email="admin@bench.test"))
    url = "/api/v1/tenants/bench/interactions/export/"
    params = {"team": _team_ids(teams)[0]} if teams else {}
    warm = client.get(url, {"external_id": "none"})  # imports, the user's membership, the query compiler
    assert b"".join(warm.streaming_content).count(b"\n") == 1
    before, cpu = _rss_mb(), _cpu_seconds()
    sampler = _RssSampler()
    sampler.start()
    started = time.perf_counter()
    response = client.get(url, params)
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    cpu = _cpu_seconds() - cpu
    return {"status": response.status_code, "rows": lines - 1, "seconds": round(seconds, 2),
            "rows_per_second": round((lines - 1) / seconds), "cpu_seconds": round(cpu, 1),
            "rows_per_cpu_second": round((lines - 1) / cpu), "megabytes": round(size / 1e6, 1),
            "rss_mb_before": round(before), "rss_mb_peak_during": round(peak),
            "rss_mb_growth": round(peak - before, 1),
            "max_rss_mb_process": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}


def _client_side_child(teams: int) -> dict:
    """The same rows through QuerySet.iterator() (a client-side cursor here), for contrast."""
    from common import rls
    from performance.api.reports_exports import INTERACTION_EXPORT_VALUES
    from performance.models import Interaction

    with rls.all_tenants():
        tenant_id = Interaction.objects.filter(tenant__slug="bench").values_list("tenant_id", flat=True)[0]
    team_ids = _team_ids(teams)
    before = _rss_mb()
    sampler = _RssSampler()
    sampler.start()
    started = time.perf_counter()
    with rls.tenant_scope(tenant_id):
        rows = Interaction.objects.filter(tenant_id=tenant_id)
        rows = rows.filter(team_id=team_ids[0]) if teams else rows
        count = sum(1 for _ in rows.order_by("-started_at", "-id").values(*INTERACTION_EXPORT_VALUES)
                    .iterator(chunk_size=2000))
    seconds = time.perf_counter() - started
    peak = sampler.stop()
    return {"rows": count, "seconds": round(seconds, 2), "rss_mb_before": round(before),
            "rss_mb_peak_during": round(peak), "rss_mb_growth": round(peak - before, 1)}


def _child(kind: str, teams: int) -> None:
    setup_django()
    result = _endpoint_child(teams) if kind == "endpoint" else _client_side_child(teams)
    print(json.dumps(result))


def _run_child(kind: str, teams: int) -> dict:
    output = subprocess.run([sys.executable, "-m", "bench.export", "--child", kind, str(teams)], check=True,
                            capture_output=True, text=True, env=os.environ.copy()).stdout
    return json.loads(output.strip().splitlines()[-1])


def measure_export(*, contrast: bool = True) -> dict:
    """Endpoint exports of one team (~50k rows) and of the whole month (1M rows), and (contrast) the same two
    reads through QuerySet.iterator()."""
    results = {"endpoint_1_team": _run_child("endpoint", 1), "endpoint_all": _run_child("endpoint", 0)}
    if contrast:
        results["iterator_1_team"] = _run_child("iterator", 1)
        results["iterator_all"] = _run_child("iterator", 0)
    return results


def print_export(results: dict) -> None:
    for name, figures in results.items():
        print(f"  {name}:")
        for key, value in figures.items():
            print(f"  {key:>36}: {value}")


def main() -> None:
    if "--child" in sys.argv:
        position = sys.argv.index("--child")
        _child(sys.argv[position + 1], int(sys.argv[position + 2]))
        return
    setup_django()
    from bench.computation import ensure_data

    ensure_data()
    print_export(measure_export(contrast="--no-contrast" not in sys.argv))


if __name__ == "__main__":
    main()
