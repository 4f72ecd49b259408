#!/usr/bin/env bash
# `make run`: migrate, load the demo case, then serve the app with a Celery worker
# and beat. SQLite and a filesystem broker unless DATABASE_URL / REDIS_URL are set.
set -euo pipefail
cd "$(dirname "$0")/.."
export DEBUG=${DEBUG:-true}
PORT=${PORT:-8000}
BIN=.venv/bin
mkdir -p var

# WeasyPrint needs Pango; install it on a machine that lacks it (as root, with apt).
if ! ldconfig -p | grep -q libpangoft2-1.0; then
  if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core >/dev/null
  else
    echo "run: WeasyPrint needs Pango (apt-get install libpango-1.0-0 libpangoft2-1.0-0)" >&2
  fi
fi

$BIN/python manage.py migrate --no-input -v0
$BIN/python manage.py seed_demo

pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT INT TERM

$BIN/celery -A config worker --loglevel=INFO --concurrency=2 >var/worker.log 2>&1 &
pids+=($!)
$BIN/celery -A config beat --loglevel=INFO >var/beat.log 2>&1 &
pids+=($!)
$BIN/python manage.py runserver "127.0.0.1:$PORT" --noreload &
pids+=($!)

cat <<MSG

  Desist is running at http://127.0.0.1:$PORT/
  Admin:                http://127.0.0.1:$PORT/admin/
  Worker and beat logs: var/worker.log, var/beat.log
  Database:             ${DATABASE_URL:-SQLite file var/desist.sqlite3}
  Broker:               ${REDIS_URL:-filesystem queue under var/broker}

  Demo logins (password: desist-demo)
    netflix-legal      legal staff, Netflix
    netflix-manager    manager, Netflix (approves demands, dashboards)
    netflix-viewer     read-only, Netflix
    wb-legal           legal staff, Warner Bros. (sees none of Netflix's data)
    admin              superuser

  Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
