# Shared by scripts/up.sh and scripts/test.sh: a virtualenv with the project installed, and the
# local PostgreSQL and Redis running. Safe to run again; only does what is missing.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="$VENV/bin/python"

ensure_venv() {
  if [ ! -x "$PY" ]; then
    python3 -m venv "$VENV"
  fi
  local stamp="$VENV/.jixiao-installed" digest
  digest="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing jixiao and its dependencies into .venv ..."
    "$PY" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$PY" -m pip install --quiet --disable-pip-version-check -e "$ROOT[dev]"
    echo "$digest" > "$stamp"
  fi
}

ensure_postgres() {
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    echo "Starting PostgreSQL ..."
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
}

ensure_redis() {
  if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
    echo "Starting Redis ..."
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
    for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 1; done
  fi
}

ensure_database() {
  # Creates the application's database role (jixiao_app: not a superuser, no BYPASSRLS; row-level security applies
  # to it) and the database of DATABASE_OWNER_URL / DATABASE_URL when they are missing (common/db/roles.py).
  (cd "$ROOT" && "$PY" -m common.db.roles)
}

use_local_environment() {
  # Local runs (up.sh, test.sh, bench.sh): a random secret key made once for this clone and kept in .run/
  # (git-ignored), and plain HTTP on 127.0.0.1. Values already set in the environment win.
  mkdir -p "$ROOT/.run"
  if [ -z "${DJANGO_SECRET_KEY:-}" ]; then
    if [ ! -s "$ROOT/.run/secret_key" ]; then
      (umask 077 && python3 -c 'import secrets; print(secrets.token_urlsafe(50))' > "$ROOT/.run/secret_key")
    fi
    DJANGO_SECRET_KEY="$(cat "$ROOT/.run/secret_key")"
    export DJANGO_SECRET_KEY
  fi
  export DJANGO_HTTPS="${DJANGO_HTTPS:-false}"
}

ensure_gettext() {
  # compilemessages and makemessages need GNU gettext's msgfmt and xgettext.
  if ! command -v msgfmt >/dev/null 2>&1; then
    echo "Installing gettext ..."
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
    else
      sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext >/dev/null
    fi
  fi
}

ensure_wrk() {
  # The load benchmark (bench/load.py) drives gunicorn with wrk, an HTTP load generator (Debian package wrk).
  if ! command -v wrk >/dev/null 2>&1; then
    echo "Installing wrk ..."
    if [ "$(id -u)" = 0 ]; then
      apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    else
      sudo apt-get update -qq >/dev/null && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
    fi
  fi
}

compile_messages() {
  # The translations (locale/*/LC_MESSAGES/django.po) are compiled on every set-up; it takes a second.
  ensure_gettext
  "$PY" "$ROOT/manage.py" compilemessages --ignore=.venv --ignore=staticfiles -v 0
}
