#!/usr/bin/env bash
# `make run`: migrate, load the demo case, then serve the app with a Celery worker
# and beat. Without DATABASE_URL / REDIS_URL it first starts an embedded PostgreSQL 18
# and Redis (pip packages, data in var/pg and var/redis) and stops them on exit.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
PORT=${PORT:-8000}
BIN=.venv/bin
VAR=${DESIST_VAR_DIR:-var}
mkdir -p "$VAR"

# WeasyPrint needs Pango; install it on a machine that lacks it (as root, with apt).
if ! ldconfig -p | grep -q libpangoft2-1.0; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
  else
    echo "run: WeasyPrint needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)" >&2
  fi
fi

pids=()
own_servers=false
cleanup() {
  # Once: and a second signal (make forwards SIGTERM to its recipe) must not cut it short.
  trap - EXIT
  trap '' INT TERM
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  if $own_servers; then
    $BIN/python scripts/devservers.py stop --pg-dir "$VAR/pg" --redis-dir "$VAR/redis" || true
    echo "run: stopped the embedded PostgreSQL and Redis (data kept in $VAR/pg, $VAR/redis)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -z "${DATABASE_URL:-}" ] || [ -z "${REDIS_URL:-}" ]; then
  [ -n "${DATABASE_URL:-}${REDIS_URL:-}" ] && {
    echo "run: set both DATABASE_URL and REDIS_URL, or neither (embedded servers)" >&2; exit 2; }
  own_servers=true
  eval "$($BIN/python scripts/devservers.py start --pg-dir "$VAR/pg" --redis-dir "$VAR/redis" --export)"
fi

$BIN/python manage.py migrate --no-input -v0
$BIN/python manage.py seed_demo

# One worker on every queue (settings.WORK_QUEUES); production runs one service per queue.
$BIN/celery -A config worker -Q default,letters,checks,imports-exports,reports \
  --loglevel=INFO --concurrency=2 >"$VAR/worker.log" 2>&1 &
pids+=($!)
$BIN/celery -A config beat --loglevel=INFO >"$VAR/beat.log" 2>&1 &
pids+=($!)
$BIN/python manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)

db_note=""; broker_note=""
if $own_servers; then db_note=" (embedded PostgreSQL, $VAR/pg)"; broker_note=" (embedded Redis, $VAR/redis)"; fi
cat <<MSG

  Desist is running at http://127.0.0.1:$PORT/
  Admin:                http://127.0.0.1:$PORT/admin/
  Worker and beat logs: $VAR/worker.log, $VAR/beat.log
  Database:             $DATABASE_URL$db_note
  Broker:               $REDIS_URL$broker_note

  Demo logins (password: desist-demo)
    netflix-legal      legal staff, Netflix
    netflix-manager    manager, Netflix (approves demands, dashboards)
    netflix-viewer     read-only, Netflix
    wb-legal           legal staff, Warner Bros. (sees none of Netflix's data)
    admin              superuser

  Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
