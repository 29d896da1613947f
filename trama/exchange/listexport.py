"""The CSV and XLSX download of a list page (S19), one call from the list's view:

    if (response := list_export(request, access, name="casi", title=_("Cases"), rows=cases,
                                columns=CASE_COLUMNS)) is not None:
        return response

`rows` is the list's own queryset, after its filters and its scoping (the same selector as the
page, so the file holds exactly what the person may see), unpaginated. Cells go through
`trama.core.exports` (formula neutralisation); every download writes an EXPORT audit row; columns
marked `personal` (names, contacts) are left out for evaluators, who never get names.

A list longer than `settings.TRAMA_EXPORT_INLINE_ROWS` rows (reading one row more than that tells;
then one COUNT) is not built while the person waits: a page says how long it is and its form (a
POST: a link never starts work) starts a `list-export` background job, whose page shows progress
and then the download. The job replays this same view as its owner (`trama.exchange.export_jobs`),
which comes back here with the replay marker and builds the file.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.accounts.permissions import ProgrammeAccess
from trama.core.exports import Cell, csv_bytes, xlsx_bytes
from trama.exchange import export_jobs

PARAMETER = "export"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
DEFAULT_INLINE_ROWS = 2000
# A replayed export reports its progress this many times while it reads the rows.
PROGRESS_STEPS = 20
# Rows read from the database at a time by a background export.
CHUNK_SIZE = 1000


@dataclass(frozen=True)
class Column:
    header: Any  # a lazy translation
    value: Callable[[Any], Cell]
    personal: bool = False


def hides_names(access: ProgrammeAccess) -> bool:
    return access.has_role(Role.EVALUATOR)


def requested_format(request: HttpRequest) -> str:
    value = request.GET.get(PARAMETER, "")
    return value if value in CONTENT_TYPES else ""


def _cell(value: Any) -> Cell:
    if value is None or isinstance(value, str | int | float | Decimal | date | datetime):
        if isinstance(value, datetime):
            return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
        return value
    return str(value)


def inline_rows() -> int:
    """The longest list built while the person waits; longer ones become a background job."""
    return int(getattr(settings, "TRAMA_EXPORT_INLINE_ROWS", DEFAULT_INLINE_ROWS))


def _size(rows: Iterable[Any], limit: int | None) -> tuple[int, Iterable[Any]]:
    """How many rows, and the rows. Under a limit, a queryset reads at most `limit` + 1 rows: a
    short list (the usual case) is read once, a longer one is counted (and not read)."""
    if isinstance(rows, QuerySet):
        if limit is None:
            return rows.count(), rows
        head = list(rows[: limit + 1])
        return (len(head), head) if len(head) <= limit else (rows.count(), rows)
    if isinstance(rows, Sized):
        return len(rows), rows
    listed = list(rows)
    return len(listed), listed


def _replayed_rows(rows: Iterable[Any], total: int, progress: Callable[[int, str], None]) -> Iterator[Any]:
    """The rows of a background export, read in chunks, with its progress as they are read."""
    every = max(1, total // PROGRESS_STEPS)
    source = rows.iterator(chunk_size=CHUNK_SIZE) if isinstance(rows, QuerySet) else rows
    for done, row in enumerate(source, start=1):
        yield row
        if done % every == 0:
            step = _("%(done)s of %(total)s rows read") % {"done": done, "total": total}
            progress(5 + 80 * done // max(total, 1), step)


def _list_url(request: HttpRequest) -> str:
    """The list itself, with its filters, without the download parameter."""
    query = request.GET.copy()
    query.pop(PARAMETER, None)
    return f"{request.path}?{query.urlencode()}" if query else request.path


def list_export(
    request: HttpRequest,
    access: ProgrammeAccess,
    *,
    name: str,
    title: Any,
    rows: Iterable[Any],
    columns: Sequence[Column],
) -> HttpResponse | None:
    """The file of the list when the request asks for one (`?export=csv|xlsx`), else None."""
    file_format = requested_format(request)
    if not file_format:
        return None
    replay = getattr(request, export_jobs.REPLAY_ATTRIBUTE, None)
    total, rows = _size(rows, None if replay is not None else inline_rows())
    if replay is None and total > inline_rows():
        # A link must not start work by itself (another site could make a signed-in person follow
        # it): the page asks, and the job starts from its form (POST, CSRF-checked).
        return render(
            request,
            "exchange/export_confirm.html",
            {
                "access": access,
                "title": title,
                "total": total,
                "file_format": file_format,
                "path": request.path_info,
                "query": request.GET.urlencode(),
                "back": _list_url(request),
            },
        )
    shown = [column for column in columns if not (column.personal and hides_names(access))]
    header = [str(column.header) for column in shown]
    if replay is not None:
        replay.progress(5, _("Reading the list"))
        rows = _replayed_rows(rows, total, replay.progress)
    table = [[_cell(column.value(row)) for column in shown] for row in rows]
    if replay is not None:
        replay.progress(90, _("Writing the file"))
    content = csv_bytes(header, table) if file_format == "csv" else xlsx_bytes(header, table, sheet_title=str(title))
    filters = sorted(key for key, value in request.GET.items() if value and key not in (PARAMETER, "page"))
    # The file is built before the audit row, so a slow build never holds the write transaction.
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT,
            actor=request.user,
            request=request,
            programme=access.programme,
            membership=access.memberships[0] if access.memberships else None,
            target_type=f"list:{name}"[:60],
            reason=f"list export ({file_format}{', background' if replay else ''}), {len(table)} rows, "
            f"filters: {', '.join(filters) or 'none'}",
        )
    if replay is not None:
        replay.progress(95, _("File written"))
    response = HttpResponse(content, content_type=CONTENT_TYPES[file_format])
    day = timezone.localdate().isoformat()
    response["Content-Disposition"] = f'attachment; filename="{name}-{access.programme.slug}-{day}.{file_format}"'
    return response


def display(field: str) -> Callable[[Any], Cell]:
    """The label of a choice field (`get_<field>_display`)."""
    return lambda row: str(getattr(row, f"get_{field}_display")())


def attr(path: str) -> Callable[[Any], Cell]:
    """A dotted attribute of the row (`household.municipality.name`), empty when a link is missing."""

    def read(row: Any) -> Cell:
        value = row
        for part in path.split("."):
            value = getattr(value, part, None)
            if value is None:
                return ""
        return value

    return read
