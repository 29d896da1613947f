#!/usr/bin/env bash
# The restore drill (`manage.py restore_drill`, docs/operations.md) on a throwaway PostgreSQL 15
# cluster that lives under /tmp for this run only — stopped and removed on exit, whatever happens.
# `make restore-drill` runs it on SQLite, or on any server DATABASE_URL names; this script is for
# a machine without a PostgreSQL to point at. PGPORT picks the port (default 54341).
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PY:-.venv/bin/python}
PGBIN=/usr/lib/postgresql/15/bin
PGPORT=${PGPORT:-54341}
PGDATA=""

cleanup() {
  if [ -n "$PGDATA" ]; then
    as_postgres "$PGBIN/pg_ctl -D $PGDATA -m fast stop" >/dev/null 2>&1 || true
    rm -rf "$PGDATA"
  fi
}
trap cleanup EXIT

# initdb refuses to run as root: as root the cluster belongs to the postgres user.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then su postgres -c "$1"; else bash -c "$1"; fi
}

if [ ! -x "$PGBIN/initdb" ]; then
  echo "PostgreSQL 15 is not installed ($PGBIN): apt-get install postgresql-15." >&2
  exit 1
fi
if "$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "Port $PGPORT is taken by another PostgreSQL: choose another with PGPORT=…" >&2
  exit 1
fi

PGDATA=$(mktemp -d /tmp/trama-drill-pg.XXXXXX)
if [ "$(id -u)" = 0 ]; then chown postgres:postgres "$PGDATA"; fi
as_postgres "$PGBIN/initdb -D $PGDATA -A trust -U postgres --no-sync" >/dev/null
as_postgres "$PGBIN/pg_ctl -D $PGDATA -l $PGDATA/server.log -w start -o '-p $PGPORT -k /tmp -c fsync=off \
  -c full_page_writes=off -c synchronous_commit=off'" >/dev/null

# The drill creates and drops its own two scratch databases on this server; `postgres` is only
# where it connects to do so.
DATABASE_URL="postgres://postgres@127.0.0.1:$PGPORT/postgres" DJANGO_DEBUG=true TRAMA_REQUIRE_2FA=false \
  "$PY" manage.py restore_drill
