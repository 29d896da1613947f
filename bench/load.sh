#!/usr/bin/env bash
# The load part of `make bench`: gunicorn on the PostgreSQL cluster bench/run.sh started (its URL in
# $1), the demo data, and locust's scenario (bench/locustfile.py) headless, bounded in users and
# time. Prints requests per second and p50/p95/p99 per page. LOAD_USERS (default 50) and
# LOAD_SECONDS (default 60) set the size; the budget (DESIGN.md) is p95 ≤ 100 ms at 50 users.
# LOAD_PORT (default 8777) is gunicorn's port on 127.0.0.1, for a second run beside another.
# As in production with several workers (README), the cache is a private redis-server (on
# LOAD_PORT + 1) when one is installed: the workers share the dashboard's rendered figures.
set -euo pipefail
cd "$(dirname "$0")/.."
PG_URL="$1"
PY=${PY:-.venv/bin/python}
USERS=${LOAD_USERS:-50}
SECONDS_=${LOAD_SECONDS:-60}
PORT=${LOAD_PORT:-8777}
WORK=$(mktemp -d /tmp/trama-load.XXXXXX)
GUNICORN_PID=""
REDIS_PID=""
cleanup() {
  [ -n "$GUNICORN_PID" ] && kill "$GUNICORN_PID" 2>/dev/null && wait "$GUNICORN_PID" 2>/dev/null || true
  [ -n "$REDIS_PID" ] && kill "$REDIS_PID" 2>/dev/null && wait "$REDIS_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

export DATABASE_URL="$PG_URL"
export DJANGO_DEBUG=false DJANGO_ALLOWED_HOSTS=127.0.0.1 DJANGO_SECURE_SSL_REDIRECT=false DJANGO_SECURE_COOKIES=false
export DJANGO_SECRET_KEY="load-$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export TRAMA_REQUIRE_2FA=false TRAMA_FIELD_ENCRYPTION_KEYS="$($PY -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())')"
export TRAMA_PSEUDONYM_KEY="load-key" TRAMA_LOGIN_FAILURE_LIMIT=1000 TRAMA_LOG_LEVEL=WARNING
export TRAMA_MEDIA_ROOT="$WORK/media"

CACHE="a cache per worker (no redis-server installed)"
if command -v redis-server >/dev/null; then
  redis-server --port "$((PORT + 1))" --bind 127.0.0.1 --save "" --appendonly no --dir "$WORK" >/dev/null 2>&1 &
  REDIS_PID=$!
  export TRAMA_CACHE_URL="redis://127.0.0.1:$((PORT + 1))/0"
  CACHE="a shared Redis cache"
fi
echo "== Load: the demo on PostgreSQL, gunicorn with 4 workers and $CACHE, $USERS users for ${SECONDS_}s"
$PY manage.py migrate --no-input >/dev/null
$PY manage.py collectstatic --no-input >/dev/null
$PY manage.py load_demo --only programmes,network,users,casework,delivery,activities,evaluation --quiet-logins >/dev/null
$PY -m bench.load_sessions "$WORK/sessions.json"
export TRAMA_LOAD_SESSIONS="$WORK/sessions.json"
.venv/bin/gunicorn trama.wsgi --no-control-socket --bind "127.0.0.1:$PORT" --workers 4 --timeout 60 \
  --error-logfile "$WORK/gunicorn.log" &
GUNICORN_PID=$!
for _ in $(seq 1 60); do curl -fsS "http://127.0.0.1:$PORT/salute/" >/dev/null 2>&1 && break; sleep 0.5; done
.venv/bin/locust -f bench/locustfile.py --headless --users "$USERS" --spawn-rate 10 --run-time "${SECONDS_}s" \
  --host "http://127.0.0.1:$PORT" --csv "$WORK/load" --reset-stats --only-summary --loglevel WARNING >/dev/null 2>&1 || true
$PY - "$WORK/load_stats.csv" <<'PYEOF'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print(f"{'page':<22} {'requests':>9} {'fails':>6} {'req/s':>7} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}")
for row in rows:
    name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
    print(f"{name:<22} {row['Request Count']:>9} {row['Failure Count']:>6} {float(row['Requests/s']):>7.1f} "
          f"{row['50%']:>7} {row['95%']:>7} {row['99%']:>7}")
print("Budget (DESIGN.md): pages p95 ≤ 100 ms at 50 users on this 2-core machine (locust shares the cores).")
PYEOF
