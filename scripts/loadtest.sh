#!/usr/bin/env bash
# `make loadtest`: Locust against gunicorn and two Celery workers on 127.0.0.1, for a
# bounded time, then the figures: requests per second, p50/p95 per kind of request,
# errors. Stops everything it started. The database is a small generated one of its
# own (LOADTEST_DATABASE_URL, LOADTEST_ITEMS items; made on the first run, items the
# load test logs accumulate), never the bench's.
#   LOADTEST_TIME (3m)  LOADTEST_USERS (12)  LOADTEST_SPAWN_RATE (4)  LOADTEST_ITEMS (20000)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
OUT=${LOADTEST_DIR:-var/loadtest}
rm -rf "$OUT" && mkdir -p "$OUT/media" "$OUT/prometheus"

export DATABASE_URL=${LOADTEST_DATABASE_URL:-postgres://desist:desist@127.0.0.1:55432/desist_loadtest}
export REDIS_URL=${LOADTEST_REDIS_URL:-redis://127.0.0.1:56379/0}
export DEBUG=false SECURE_SSL_REDIRECT=false SECURE_COOKIES=false STATIC_MANIFEST=false
export SECRET_KEY=loadtest-only-key-not-secret-0123456789abcdefghijklmnopqrstuvwxyz
export ALLOWED_HOSTS=127.0.0.1 MEDIA_ROOT="$OUT/media" DESIST_VAR_DIR="$OUT" EMAIL_URL=memorymail://
export METRICS_TOKEN=loadtest-metrics-token LOADTEST_PASSWORD=load-test-password-7Kq2
export CONN_MAX_AGE=60 DJANGO_SETTINGS_MODULE=config.settings
PORT=${LOADTEST_PORT:-$($BIN/python -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')}
HOST="http://127.0.0.1:$PORT"

pids=()
cleanup() {
  trap - EXIT
  trap '' INT TERM
  [ ${#pids[@]} -eq 0 ] || kill "${pids[@]}" 2>/dev/null || true
  wait 2>/dev/null || true
  echo "loadtest: stopped gunicorn and the workers (logs in $OUT)"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "loadtest: preparing $DATABASE_URL …"
eval "$($BIN/python -m tests.load.prepare 2>"$OUT/prepare.log")"
export LOADTEST_API_KEY=${LOADTEST_API_KEY:-}

PROMETHEUS_MULTIPROC_DIR="$OUT/prometheus" $BIN/gunicorn config.wsgi -c gunicorn.conf.py \
  --bind "127.0.0.1:$PORT" --workers "${LOADTEST_WEB_WORKERS:-2}" >"$OUT/web.log" 2>&1 &
pids+=($!)
for n in 1 2; do
  $BIN/celery -A config worker -Q default,letters,checks,imports-exports,reports \
    -n "load$n@%h" --concurrency=1 --loglevel=INFO >"$OUT/worker$n.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 60); do
  curl -fsS "$HOST/healthz" >/dev/null 2>&1 && break
  sleep 1
done
curl -fsS "$HOST/readyz" >/dev/null

echo "loadtest: ${LOADTEST_USERS:-12} users for ${LOADTEST_TIME:-3m} against $HOST (holder $LOADTEST_HOLDER)"
$BIN/locust -f tests/load/locustfile.py --headless --only-summary \
  -u "${LOADTEST_USERS:-12}" -r "${LOADTEST_SPAWN_RATE:-4}" -t "${LOADTEST_TIME:-3m}" \
  --host "$HOST" --csv "$OUT/locust" --stop-timeout 10 >"$OUT/locust.log" 2>&1 || true
grep "load test:" "$OUT/locust.log" || true

status=0
$BIN/python -m tests.load.report "$OUT/locust" || status=$?
echo
echo "After the run (/metrics):"
curl -fsS -H "Authorization: Bearer $METRICS_TOKEN" "$HOST/metrics" >"$OUT/metrics.txt" || true
awk '/^django_http_responses_total_by_status_view_method_total/ {n += $NF}
     END {printf "  responses counted by the gunicorn workers: %d\n", n}' "$OUT/metrics.txt"
grep -E '^desist_(queue_depth|jobs|render_duration_seconds_(count|sum))' "$OUT/metrics.txt" \
  | sed 's/^/  /' || true
exit $status
