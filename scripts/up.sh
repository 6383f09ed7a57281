#!/usr/bin/env bash
# Sets everything up and brings jixiao up: dependencies, services, database, demo tenant, static files,
# then the API under gunicorn, a Celery worker and Celery beat, each supervised (scripts/serve.sh; Ctrl-C stops all).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
ensure_venv
ensure_postgres
ensure_redis
ensure_database
use_local_environment
compile_messages

PORT="${PORT:-8000}"
"$PY" manage.py migrate --noinput
"$PY" manage.py collectstatic --noinput --verbosity 0
"$PY" manage.py seed_demo

echo
echo "jixiao API:   http://127.0.0.1:$PORT/api/v1/"
echo "API docs:     http://127.0.0.1:$PORT/api/docs/"
echo "Log in:       POST http://127.0.0.1:$PORT/api/v1/auth/token/ {\"email\": ..., \"password\": ...}"
echo "              or the Django admin at http://127.0.0.1:$PORT/admin/ (admin@demo.jixiao.test)"
echo
exec bash "$ROOT/scripts/serve.sh"
