#!/usr/bin/env bash
# Make PostgreSQL 15, Redis and Chromium available on 127.0.0.1 for the tests:
# use them where they run, start them where installed but stopped, install them
# with apt where missing. Idempotent; needs root (or sudo) only to install/start.
set -euo pipefail

PGVER=15
DB_USER=${DB_USER:-desist}
DB_PASSWORD=${DB_PASSWORD:-desist}
DB_NAME=${DB_NAME:-desist}
VAR_DIR=${VAR_DIR:-$(pwd)/var}
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

need=()
command -v pg_ctlcluster >/dev/null 2>&1 && [ -x /usr/lib/postgresql/$PGVER/bin/postgres ] \
  || need+=(postgresql-$PGVER postgresql-client-$PGVER)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
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

# PostgreSQL: create the cluster if missing, start it if down.
if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  if ! pg_lsclusters -h | awk '{print $1" "$2}' | grep -qx "$PGVER main"; then
    $SUDO pg_createcluster $PGVER main --port 5432 >/dev/null
  fi
  if ! pg_lsclusters -h | awk -v v=$PGVER '$1==v && $2=="main" {print $4}' | grep -q online; then
    $SUDO pg_ctlcluster $PGVER main start
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.5; done
fi
pg_isready -h 127.0.0.1 -p 5432 >/dev/null || { echo "services: PostgreSQL did not start" >&2; exit 1; }

as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi; }
if ! as_postgres psql -tAc "SELECT 1 FROM pg_roles WHERE rolname='$DB_USER'" | grep -q 1; then
  as_postgres psql -q -c "CREATE ROLE $DB_USER LOGIN PASSWORD '$DB_PASSWORD' CREATEDB"
fi
if ! as_postgres psql -tAc "SELECT 1 FROM pg_database WHERE datname='$DB_NAME'" | grep -q 1; then
  as_postgres createdb -O "$DB_USER" "$DB_NAME"
fi
# Redis
if [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" != "PONG" ]; then
  mkdir -p "$VAR_DIR/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --dir "$VAR_DIR/redis" \
    --pidfile "$VAR_DIR/redis/redis.pid" --logfile "$VAR_DIR/redis/redis.log" --appendonly no
  for _ in $(seq 1 30); do [ "$(redis-cli -h 127.0.0.1 ping 2>/dev/null)" = "PONG" ] && break; sleep 0.2; done
fi
[ "$(redis-cli -h 127.0.0.1 -p 6379 ping)" = "PONG" ] || { echo "services: Redis did not start" >&2; exit 1; }
echo "services: PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379, Chromium at /usr/bin/chromium"
