#!/usr/bin/env bash
# Sets everything up and brings jixiao up: dependencies, services, database, demo tenant,
# a Celery worker in the background, and the API in the foreground (Ctrl-C stops both).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
compile_messages
ensure_postgres
ensure_redis
ensure_database

PORT="${PORT:-8000}"
"$PY" manage.py migrate --noinput
"$PY" manage.py seed_demo

mkdir -p .run
# -B: the worker also runs Celery beat (periodic sweeps such as re-sending stalled computation jobs).
"$VENV/bin/celery" -A config worker -B -s .run/celerybeat-schedule --loglevel=INFO --concurrency=2 \
  >.run/celery.log 2>&1 &
WORKER_PID=$!
trap 'kill $WORKER_PID 2>/dev/null || true' EXIT
echo "Celery worker (with beat) started (pid $WORKER_PID, log .run/celery.log)."
echo
echo "jixiao API:   http://127.0.0.1:$PORT/api/v1/"
echo "API docs:     http://127.0.0.1:$PORT/api/docs/"
echo "Log in:       POST http://127.0.0.1:$PORT/api/v1/auth/token/ {\"email\": ..., \"password\": ...}"
echo "              or the Django admin at http://127.0.0.1:$PORT/admin/ (admin@demo.jixiao.test)"
echo
"$PY" manage.py runserver "0.0.0.0:$PORT"
