#!/usr/bin/env bash
# Runs the whole test suite against the real PostgreSQL, Redis and a real Celery worker, then the fault tests.
# Extra arguments go to pytest (e.g. scripts/test.sh -k grants).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
ensure_postgres
ensure_redis
ensure_database
use_local_environment
compile_messages
"$VENV/bin/ruff" check .
"$PY" manage.py makemigrations --check --dry-run >/dev/null || { echo "Missing migrations: run manage.py makemigrations"; exit 1; }
"$VENV/bin/pytest" "$@"
# Second step, when the whole suite ran (no test path or expression given): the fault-injection tests (tests/faults,
# marker `faults`, deselected by the first step): workers killed, Redis restarted, database sessions terminated.
for arg in "$@"; do
  case "$arg" in -*) ;; *) exit 0 ;; esac
done
exec "$VENV/bin/pytest" -m faults tests/faults
