#!/usr/bin/env bash
# The production-like smoke run of CI (issue 12): PostgreSQL, Redis, gunicorn with two workers and
# the background worker, all started here and stopped on exit. Needs a PostgreSQL server to create
# a scratch database on: SMOKE_PG_URL (e.g. postgres://postgres@127.0.0.1:54329), CI's cluster.
# Checks: the health endpoint, a session note saved, the reach report built by the worker from the
# queue and downloaded, and that the canary written in the note is in no log line.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="${SMOKE_PG_URL:?set SMOKE_PG_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:54329}"
PY=.venv/bin/python
WORK=$(mktemp -d /tmp/trama-smoke.XXXXXX)
REDIS_PORT=63790
APP_PORT=8765
CANARY="CANARY-smoke-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
PIDS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS trama_smoke" >/dev/null 2>&1 || true
  rm -rf "$WORK"
}
trap cleanup EXIT

if ! command -v redis-server >/dev/null; then
  echo "redis-server is missing: apt-get install redis-server" >&2
  exit 1
fi
redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize yes \
  --dir "$WORK" --logfile "$WORK/redis.log" >/dev/null
psql "$PG_URL/postgres" -qc "DROP DATABASE IF EXISTS trama_smoke" >/dev/null
psql "$PG_URL/postgres" -qc "CREATE DATABASE trama_smoke" >/dev/null

export DATABASE_URL="$PG_URL/trama_smoke"
export DJANGO_DEBUG=false
export DJANGO_SECRET_KEY="smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export DJANGO_ALLOWED_HOSTS=127.0.0.1
export DJANGO_SECURE_SSL_REDIRECT=false   # plain HTTP on 127.0.0.1: no TLS proxy in front here
export DJANGO_SECURE_COOKIES=false
export TRAMA_REQUIRE_2FA=false            # the demo accounts have no authenticator
export TRAMA_FIELD_ENCRYPTION_KEYS="$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export TRAMA_PSEUDONYM_KEY="smoke-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TRAMA_CACHE_URL="redis://127.0.0.1:$REDIS_PORT/1"
export TRAMA_QUEUE_URL="redis://127.0.0.1:$REDIS_PORT/2"
export TRAMA_LOG_FORMAT=json
export TRAMA_MEDIA_ROOT="$WORK/media"

echo "== smoke: migrate, static files, demo"
$PY manage.py migrate --no-input >"$WORK/migrate.log" 2>&1
$PY manage.py collectstatic --no-input >"$WORK/collectstatic.log" 2>&1
$PY manage.py load_demo --only programmes,network,users,casework,delivery,activities --quiet-logins \
  >"$WORK/demo.log" 2>&1

echo "== smoke: gunicorn (2 workers) and the background worker"
.venv/bin/gunicorn trama.wsgi --no-control-socket --bind "127.0.0.1:$APP_PORT" --workers 2 --timeout 120 \
  --access-logfile "$WORK/access.log" --error-logfile "$WORK/gunicorn.log" --capture-output &
PIDS+=($!)
$PY manage.py run_jobs >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$APP_PORT/salute/" >/dev/null 2>&1 && break
  sleep 0.5
done

$PY scripts/smoke.py "http://127.0.0.1:$APP_PORT" "$CANARY"

echo "== smoke: the canary is in no log line"
if grep -rl "$CANARY" "$WORK"/*.log; then
  echo "FAIL the canary of a session note reached a log" >&2
  exit 1
fi
LINES=$(cat "$WORK"/*.log | wc -l)
echo "ok   the canary is absent from all $LINES log lines"
echo "== smoke: passed"
