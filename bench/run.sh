#!/usr/bin/env bash
# `make bench`: every benchmark module on SQLite, then on a throwaway PostgreSQL 15 cluster that
# lives under /tmp for the run only (stopped and removed on exit, whatever happens). Not a test:
# it prints timings. BENCH_PEOPLE sets the size (default 50000), BENCH_REPEAT the timed runs.
# The indicators' synthetic region (bench/indicators.py) is built at BENCH_PG_SCALE on PostgreSQL
# (default 1: the full region of DESIGN.md, 1,000,000 people and 10,000,000 attendances, built in
# about two minutes on two cores; BENCH_PG_SCALE=0.1 for a quicker look).
# Run as root on a machine without PostgreSQL 15, it installs it with apt (as .ci/run does).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
# Add a module here when a benchmark is added to bench/.
BENCHES=(bench.reach bench.matching bench.work_matching bench.housing_matching bench.imports)
# The import budget (100,000 people in 60 s) is PostgreSQL's: on SQLite it would only add minutes.
PG_ONLY=(bench.imports)
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=54331
SQLITE_DB=/tmp/trama-bench.sqlite3
PGDATA=""

cleanup() {
  if [ -n "$PGDATA" ]; then
    as_postgres "$PGBIN/pg_ctl -D $PGDATA -m immediate stop" >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
  fi
  rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
}
trap cleanup EXIT

# initdb refuses to run as root: as root the cluster belongs to the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi
}

run_all() {
  for module in "${BENCHES[@]}"; do
    if [ "${1:-}" = sqlite ] && [[ " ${PG_ONLY[*]} " == *" $module "* ]]; then continue; fi
    "$PY" -m "$module"
  done
}

echo "== Benchmarks on SQLite ($SQLITE_DB)"
rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
DATABASE_URL="sqlite:///$SQLITE_DB" run_all sqlite
rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"
# The synthetic region refuses a database holding other records: its own, empty one.
DATABASE_URL="sqlite:///$SQLITE_DB" "$PY" -m bench.indicators
rm -f "$SQLITE_DB" "$SQLITE_DB-wal" "$SQLITE_DB-shm"

if [ ! -x "$PGBIN/initdb" ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "Installing PostgreSQL 15 for the benchmark…"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql-15 >/dev/null
  else
    echo "PostgreSQL 15 is not installed ($PGBIN) and cannot be installed here: no PostgreSQL figures." >&2
    exit 1
  fi
fi
if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "Port $PGPORT is taken by another PostgreSQL: stop it or free the port." >&2
  exit 1
fi

PGDATA=$(mktemp -d /tmp/trama-bench-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
as_postgres "$PGBIN/initdb -D $PGDATA -A trust -U postgres --no-sync" >/dev/null
# Durability off (a throwaway cluster loads faster; reads are not affected); memory as a small
# production server would have it.
as_postgres "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w start -o '-p $PGPORT -k /tmp -c fsync=off \
  -c full_page_writes=off -c synchronous_commit=off -c shared_buffers=256MB -c work_mem=32MB -c max_wal_size=4GB'" >/dev/null
as_postgres "$PGBIN/createdb -h /tmp -p $PGPORT -U postgres trama_bench"

echo
echo "== Benchmarks on PostgreSQL 15 (port $PGPORT, cluster in $PGDATA)"
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/trama_bench" run_all
as_postgres "$PGBIN/createdb -h /tmp -p $PGPORT -U postgres trama_region"
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/trama_region" BENCH_SCALE="${BENCH_PG_SCALE:-1}" "$PY" -m bench.indicators

# The region's 10 million rows would keep the cluster busy (autovacuum, its pages in the cache)
# while the load run measures pages: the load gets a cluster holding only the demo.
as_postgres "$PGBIN/dropdb -h /tmp -p $PGPORT -U postgres trama_region"
as_postgres "$PGBIN/dropdb -h /tmp -p $PGPORT -U postgres trama_bench"
as_postgres "$PGBIN/psql -q -h /tmp -p $PGPORT -U postgres -c CHECKPOINT postgres"

if ! command -v redis-server >/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing redis-server for the load run's shared cache…"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi

echo
as_postgres "$PGBIN/createdb -h /tmp -p $PGPORT -U postgres trama_load"
bash bench/load.sh "postgres://postgres@127.0.0.1:$PGPORT/trama_load"
