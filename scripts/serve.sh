#!/usr/bin/env bash
# Runs jixiao's processes on an installed, migrated database, each supervised: the API under gunicorn, a Celery
# worker (all queues by default) and Celery beat (its own process: periodic sweeps such as re-sending stalled computation jobs). A process
# that exits on its own is started again after a backoff (1 s, doubling up to 30 s; back to 1 s once it ran for a
# minute). Ctrl-C or a TERM to this script stops all of them, waits for them to exit and leaves no process behind.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"
use_local_environment
export PORT="${PORT:-8000}"
RUN_DIR="${JIXIAO_RUN_DIR:-$ROOT/.run}"  # logs and the beat schedule
mkdir -p "$RUN_DIR"

stopping=0
supervisors=()

# supervise NAME LOG COMMAND...: runs COMMAND (output appended to LOG, or to this terminal for -), starts it again
# whenever it exits, until this script stops. A TERM stops the command and the supervisor.
supervise() {
  local name="$1" log="$2" child="" sleeper="" delay=1 started status
  shift 2
  trap 'stopping=1; kill -TERM $child $sleeper 2>/dev/null; wait $child 2>/dev/null; exit 0' TERM
  while [ "$stopping" = 0 ]; do
    started=$SECONDS
    if [ "$log" = - ]; then "$@" & else "$@" >>"$log" 2>&1 & fi
    child=$!
    if [ "$log" = - ]; then echo "$name started (pid $child)."; else echo "$name started (pid $child, log $log)."; fi
    status=0
    wait "$child" || status=$?
    child=""
    if [ $((SECONDS - started)) -ge 60 ]; then delay=1; fi
    echo "$name exited (status $status); starting it again in ${delay} s." >&2
    sleep "$delay" &
    sleeper=$!
    wait "$sleeper" || true
    sleeper=""
    delay=$((delay * 2 > 30 ? 30 : delay * 2))
  done
}

stop() {
  trap - INT TERM EXIT
  if [ ${#supervisors[@]} -gt 0 ]; then
    kill -TERM "${supervisors[@]}" 2>/dev/null || true
    wait "${supervisors[@]}" 2>/dev/null || true
  fi
  exit "${1:-0}"
}
trap 'stop 130' INT
trap 'stop 143' TERM
trap 'stop $?' EXIT

# The worker consumes every queue (config/queues.py) unless CELERY_WORKER_QUEUES names some, comma-separated, e.g.
# CELERY_WORKER_QUEUES=jixiao.computation for a machine that only computes (README "Queues").
worker_queues=()
if [ -n "${CELERY_WORKER_QUEUES:-}" ]; then worker_queues=(-Q "$CELERY_WORKER_QUEUES"); fi
supervise "Celery worker" "$RUN_DIR/celery.log" \
  "$VENV/bin/celery" -A config worker --loglevel=INFO --concurrency="${CELERY_CONCURRENCY:-2}" "${worker_queues[@]}" &
supervisors+=($!)
supervise "Celery beat" "$RUN_DIR/celery-beat.log" \
  "$VENV/bin/celery" -A config beat -s "$RUN_DIR/celerybeat-schedule" --loglevel=INFO &
supervisors+=($!)
supervise "gunicorn" - "$VENV/bin/gunicorn" -c config/gunicorn.conf.py config.wsgi &
supervisors+=($!)
wait "${supervisors[@]}"
