#!/usr/bin/env bash
# Runs jixiao's benchmark (bench/run.py) against its own database, jixiao_bench. Prints figures; not a test.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
# The bench extra (matplotlib for the growth plot, pyinstrument), installed once.
"$PY" -c "import matplotlib, pyinstrument" 2>/dev/null || "$PY" -m pip install --quiet --disable-pip-version-check \
  -e "$ROOT[dev,bench]"
ensure_postgres
ensure_redis
ensure_wrk
use_local_environment
export DATABASE_URL="${BENCH_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jixiao_bench}"
export DATABASE_OWNER_URL="${BENCH_DATABASE_OWNER_URL:-}"  # empty: the owner of DATABASE_URL (common/db/roles.py)
ensure_database
exec "$PY" -m bench.run "$@"
