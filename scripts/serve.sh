#!/usr/bin/env bash
# Runs jixiao's processes on an installed, migrated database: one Celery worker (with beat) and the API under
# gunicorn. Runs until interrupted: Ctrl-C or a TERM to this script stops both and waits for them to exit.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_local_environment
export PORT="${PORT:-8000}"
RUN_DIR="${JIXIAO_RUN_DIR:-$ROOT/.run}"  # the worker's log and beat schedule
mkdir -p "$RUN_DIR"

pids=()
stop() {
  trap - INT TERM EXIT
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
  fi
  exit "${1:-0}"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop $?' EXIT

# -B: the worker also runs Celery beat (periodic sweeps such as re-sending stalled computation jobs).
"$VENV/bin/celery" -A config worker -B -s "$RUN_DIR/celerybeat-schedule" --loglevel=INFO --concurrency=2 \
  >"$RUN_DIR/celery.log" 2>&1 &
pids+=($!)
echo "Celery worker (with beat) started (pid $!, log $RUN_DIR/celery.log)."
"$VENV/bin/gunicorn" -c config/gunicorn.conf.py config.wsgi &
pids+=($!)
# If either process exits on its own, stop the other one too.
wait -n "${pids[@]}" || true
stop 1
