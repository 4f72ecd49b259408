#!/usr/bin/env bash
# The test services: PostgreSQL 18 on 127.0.0.1:55432 and Redis on 127.0.0.1:56379,
# both from pip packages (scripts/devservers.py; data in var/test-pg, var/test-redis),
# started when stopped, left running for the next run; Chromium and WeasyPrint's
# native libraries from apt when missing (needs root or sudo for that only).
# Idempotent. The ports stay clear of a PostgreSQL / Redis on their usual ports.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_PORT=${TEST_PG_PORT:-55432}
REDIS_PORT=${TEST_REDIS_PORT:-56379}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# WeasyPrint's native libraries and a font for the letters.
for lib in libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core; do
  dpkg -s "$lib" >/dev/null 2>&1 || need+=("$lib")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "services: installing ${need[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

mkdir -p var
urls=$(.venv/bin/python scripts/devservers.py start --pg-dir var/test-pg --redis-dir var/test-redis \
  --pg-port "$PG_PORT" --redis-port "$REDIS_PORT")
# A server found running from an earlier start keeps its port: it must be the agreed one.
for port in "$PG_PORT" "$REDIS_PORT"; do
  grep -q "127.0.0.1:$port/" <<<"$urls" || {
    echo "services: expected a server on 127.0.0.1:$port, got:" >&2; echo "$urls" >&2; exit 1; }
done
echo "services: PostgreSQL 18 on 127.0.0.1:$PG_PORT, Redis on 127.0.0.1:$REDIS_PORT, Chromium at /usr/bin/chromium"
