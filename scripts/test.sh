#!/usr/bin/env bash
# Runs the whole test suite against the real PostgreSQL, Redis and a real Celery worker.
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
exec "$VENV/bin/pytest" "$@"
