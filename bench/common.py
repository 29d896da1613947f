"""What every benchmark shares: a Django set up against a benchmark database (never the
developer's db.sqlite3), timing helpers and a plain-text table."""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE_URL = "sqlite:////tmp/trama-bench.sqlite3"


def env_int(name: str, default: int, *, minimum: int = 1) -> int:
    raw = os.environ.get(name, "")
    try:
        value = int(raw) if raw else default
    except ValueError:
        sys.exit(f"{name} must be a whole number, not {raw!r}")
    if value < minimum:
        sys.exit(f"{name} must be at least {minimum}")
    return value


def setup_django() -> None:
    """Configure Django for a benchmark: the database of DATABASE_URL (a throwaway SQLite file by
    default), DEBUG off so no query is kept in memory, keys made up for this run, then migrate."""
    import dj_database_url

    database = dj_database_url.parse(os.environ.setdefault("DATABASE_URL", DEFAULT_DATABASE_URL))
    if "sqlite" in database["ENGINE"] and Path(database["NAME"]).resolve() == (REPO / "db.sqlite3").resolve():
        sys.exit("The benchmark never runs on the development database: point DATABASE_URL elsewhere.")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trama.settings")
    os.environ["DJANGO_DEBUG"] = "false"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
    if not os.environ.get("TRAMA_FIELD_ENCRYPTION_KEYS"):
        from cryptography.fernet import Fernet

        os.environ["TRAMA_FIELD_ENCRYPTION_KEYS"] = Fernet.generate_key().decode()
    os.environ.setdefault("TRAMA_PSEUDONYM_KEY", "bench-only-pseudonym-key")
    os.environ.setdefault("DJANGO_DB_CONN_MAX_AGE", "0")
    sys.path.insert(0, str(REPO))
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)


def vendor() -> str:
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        return f"SQLite {sqlite3.sqlite_version}"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return f"PostgreSQL {cursor.fetchone()[0]}"


def analyze() -> None:
    """Fresh planner statistics after a bulk load, as autovacuum would give a real database."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def median_ms(run: Callable[[], Any], repeat: int, *, warm_up: bool = True) -> float:
    """The median wall time of `run`, in milliseconds, after one warm-up run (unless the caller
    already ran it)."""
    if warm_up:
        run()
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def load_rows(model: Any, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
    """Insert plain rows (Python values, in the order of `columns`) into `model`'s table, fast:
    COPY on PostgreSQL, one prepared INSERT run many times on SQLite. For the million-row tables,
    where `bulk_create` spends its time compiling SQL (SQLite allows 999 parameters a statement,
    so about 90 rows each). No signals, no defaults: give every column the table needs."""
    from django.db import connection, transaction

    table = connection.ops.quote_name(model._meta.db_table)
    fields = [model._meta.get_field(name) for name in columns]
    names = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    count = 0
    # One transaction: on SQLite in autocommit every row would otherwise be a commit.
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            return count
        converters = [_sqlite_converter(field) for field in fields]
        marks = ", ".join(["%s"] * len(fields))
        insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 — names from the model, quoted
        batch: list[list[Any]] = []
        for row in rows:
            batch.append([convert(value) for convert, value in zip(converters, row, strict=True)])
            if len(batch) == 50_000:
                cursor.executemany(insert, batch)
                count, batch = count + len(batch), []
        if batch:
            cursor.executemany(insert, batch)
            count += len(batch)
    return count


def _sqlite_converter(field: Any) -> Callable[[Any], Any]:
    """How Django stores a value of `field` on SQLite (UUIDs as 32 hex digits, dates as text…)."""
    from functools import lru_cache

    from django.db import connection, models

    if isinstance(field, models.UUIDField):
        return lambda value: value.hex
    if isinstance(field, models.DateTimeField):
        return lru_cache(maxsize=4096)(connection.ops.adapt_datetimefield_value)
    if isinstance(field, models.DateField):
        return lru_cache(maxsize=4096)(connection.ops.adapt_datefield_value)
    if isinstance(field, models.BooleanField):
        return int
    return lambda value: value


@contextmanager
def stopwatch(label: str) -> Iterator[None]:
    start = time.perf_counter()
    print(f"  {label}…", end="", flush=True)
    yield
    print(f" {time.perf_counter() - start:.1f} s", flush=True)


def table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain-text table: the first column left-aligned, the others right-aligned."""
    cells = [[str(value) for value in header]] + [[_format(value) for value in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

    def line(row: list[str]) -> str:
        return "  ".join(v.ljust(w) if i == 0 else v.rjust(w) for i, (v, w) in enumerate(zip(row, widths, strict=True)))

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), rule, *(line(row) for row in cells[1:])])


def _format(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
