"""The interactions CSV export of the whole bench month (1,000,000 rows) through the real endpoint, in a child
process so that its peak memory (max RSS) is its own: rows per second, bytes, peak RSS before and after.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/jixiao_bench python -m bench.export
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

from bench.generate import setup_django


def _child() -> None:
    setup_django()
    from django.conf import settings
    from rest_framework.test import APIClient

    from accounts.models import User

    settings.ALLOWED_HOSTS = ["*"]
    client = APIClient()
    client.force_authenticate(User.objects.get(email="admin@bench.test"))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    response = client.get("/api/v1/tenants/bench/interactions/export/")
    size = lines = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        lines += chunk.count(b"\n")
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"status": response.status_code, "rows": lines - 1, "seconds": round(seconds, 2),
                      "rows_per_second": round((lines - 1) / seconds), "megabytes": round(size / 1e6, 1),
                      "peak_rss_mb_before": round(before / 1024), "peak_rss_mb_after": round(after / 1024)}))


def measure_export() -> dict:
    output = subprocess.run([sys.executable, "-m", "bench.export", "--child"], check=True, capture_output=True,
                            text=True, env=os.environ.copy()).stdout
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    if "--child" in sys.argv:
        _child()
        return
    setup_django()
    from bench.computation import ensure_data

    ensure_data()
    for key, value in measure_export().items():
        print(f"  {key:>36}: {value}")


if __name__ == "__main__":
    main()
