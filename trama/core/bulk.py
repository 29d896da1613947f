"""Inserting many rows fast, with their history rows: COPY on PostgreSQL, one prepared INSERT
run many times on SQLite.

For the bulk paths of imports (100,000 people in a minute, issue 9), where `bulk_create` spends
its time building model instances and compiling SQL. Rows are plain dicts of column values
(`attname`s); what they leave out gets the field's default (a new `public_id`, `created_at` and
`updated_at` now, `version` 1). `insert_rows(..., with_ids=True)` takes the primary keys from the
table's sequence first and writes them into the dicts, so that other rows can point at them.
No signals, no `save()`: callers are services that have checked everything and write the audit
rows themselves.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection, models
from django.utils import timezone


def _defaults(model: type[models.Model], now: datetime) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for field in model._meta.concrete_fields:
        if field.primary_key and isinstance(field, models.AutoField | models.BigAutoField):
            continue
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            values[field.attname] = now
        elif not (field.has_default() and callable(field.default)):
            values[field.attname] = field.get_default()  # the default, or "" for text, or None
        else:
            values[field.attname] = None  # a default computed for each row (see `generated`)
    return values


def _allocate_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the write transaction (IMMEDIATE) holds the database, so nobody takes these ids.
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quoted}")  # noqa: S608 - a model's table name
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        start = max(highest, found[0] if found else 0) + 1
    return list(range(start, start + count))


def insert_rows(model: type[models.Model], rows: Sequence[dict[str, Any]], *, with_ids: bool = False) -> None:
    """Insert `rows` (dicts of attnames) into `model`'s table; with `with_ids`, set `id` in each."""
    if not rows:
        return
    now = timezone.now()
    defaults = _defaults(model, now)
    fields = [f for f in model._meta.concrete_fields if f.attname in defaults or (with_ids and f.primary_key)]
    if with_ids:
        for row, pk in zip(rows, _allocate_ids(model, len(rows)), strict=True):
            row[model._meta.pk.attname] = pk
    generated = {f.attname: f.default for f in fields if f.has_default() and callable(f.default)}
    columns = [f.attname for f in fields]
    stamped = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}

    def values(row: dict[str, Any]) -> list[Any]:
        out = []
        for name in columns:
            if name in row:
                out.append(row[name])
            elif name in stamped:
                out.append(row.setdefault(name, now))  # kept for the history row, which copies it
            elif name in generated:
                out.append(row.setdefault(name, generated[name]()))  # a new public_id, kept for the audit row
            else:
                out.append(defaults[name])
        return out

    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(values(row))
            return
        marks = ", ".join(["%s"] * len(fields))
        insert = f"INSERT INTO {table} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model, quoted
        cursor.executemany(
            insert,
            [[f.get_db_prep_save(v, connection) for f, v in zip(fields, values(row), strict=True)] for row in rows],
        )


def insert_history(model: type[models.Model], rows: Sequence[dict[str, Any]], *, user_id: Any) -> None:
    """The "created" history rows (django-simple-history) of rows just inserted by `insert_rows`."""
    history = model.history.model
    tracked = {f.attname for f in history._meta.concrete_fields}
    now = timezone.now()
    insert_rows(
        history,
        [
            {
                **{name: value for name, value in row.items() if name in tracked},
                "history_id": uuid.uuid4(),
                "history_date": now,
                "history_type": "+",
                "history_change_reason": None,
                "history_user_id": user_id,
            }
            for row in rows
        ],
    )
