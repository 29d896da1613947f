"""The CSV and XLSX download of a list page (S19), one call from the list's view:

    if (response := list_export(request, access, name="casi", title=_("Cases"), rows=cases,
                                columns=CASE_COLUMNS)) is not None:
        return response

`rows` is the list's own queryset, after its filters and its scoping (the same selector as the
page, so the file holds exactly what the person may see), unpaginated. Cells go through
`trama.core.exports` (formula neutralisation); every download writes an EXPORT audit row; columns
marked `personal` (names, contacts) are left out for evaluators, who never get names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.accounts.permissions import ProgrammeAccess
from trama.core.exports import Cell, csv_bytes, xlsx_bytes

PARAMETER = "export"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


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
    shown = [column for column in columns if not (column.personal and hides_names(access))]
    header = [str(column.header) for column in shown]
    table = [[_cell(column.value(row)) for column in shown] for row in rows]
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
            reason=f"list export ({file_format}), {len(table)} rows, filters: {', '.join(filters) or 'none'}",
        )
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
