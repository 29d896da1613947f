"""What every importer shares: reading the uploaded table, the columns, the cell parsers and the
report of every row (S23).

A file is read whole into `Row`s (spreadsheet row numbers, the header being row 1), then an
importer turns the rows into a `Plan` without writing anything: each row gets an outcome
(created, updated, unchanged, error) and every bad cell a `RowError` (row, column, value, reason
in the user's language). Only a plan without errors is applied, in one transaction.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.territory.models import Municipality

MAX_FILE_BYTES = 30 * 1024 * 1024
MAX_ROWS = 200_000

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, ERROR)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class Column:
    key: str
    # The header is part of the file format, not of the interface: it is the same whatever the
    # language of the page, so a file filled in by one person reads the same for another.
    header: str
    help: Any  # a lazy translation: what to write in the column
    example: str = ""
    required: bool = False


@dataclass
class Row:
    number: int
    values: dict[str, Any]

    def text(self, key: str) -> str:
        value = self.values.get(key)
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return str(value).strip()


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str
    reason: str


@dataclass
class Plan:
    """What an import would do: one outcome a row, the errors, and what the importer prepared."""

    outcomes: list[tuple[int, str, str]] = field(default_factory=list)  # (row, outcome, label)
    errors: list[RowError] = field(default_factory=list)
    prepared: Any = None

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(OUTCOMES, 0)
        for _row, outcome, _label in self.outcomes:
            counts[outcome] += 1
        return counts


class FileProblem(Exception):
    """The file as a whole cannot be read (format, size, headers): no row is looked at."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# --- Reading the file --------------------------------------------------------------------


def read_table(content: bytes, filename: str, columns: Sequence[Column]) -> list[Row]:
    """The data rows of a CSV or XLSX file whose first row holds the headers of `columns`."""
    if len(content) > MAX_FILE_BYTES:
        raise FileProblem(_("The file is too large: the limit is 30 MB."))
    if content.startswith(b"PK\x03\x04"):
        table = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt")):
        table = _csv_rows(content)
    else:
        raise FileProblem(_("Upload the file as CSV or XLSX (Excel, LibreOffice)."))
    header = next(table, None)
    if header is None:
        raise FileProblem(_("The file is empty."))
    keys = _header_keys(header, columns)
    rows = []
    for number, values in enumerate(table, start=2):
        if not any(value not in (None, "") and str(value).strip() for value in values):
            continue
        if len(rows) >= MAX_ROWS:
            raise FileProblem(_("The file has too many rows: the limit is 200,000."))
        rows.append(Row(number, {key: value for key, value in zip(keys, values, strict=False) if key}))
    return rows


def _normal(header: object) -> str:
    return " ".join(str(header or "").split()).casefold()


def _header_keys(header: Sequence[object], columns: Sequence[Column]) -> list[str]:
    by_header = {_normal(column.header): column.key for column in columns}
    keys, unknown = [], []
    for title in header:
        name = _normal(title)
        if name and name not in by_header:
            unknown.append(str(title))
        keys.append(by_header.get(name, ""))
    if unknown:
        raise FileProblem(
            _("Unknown columns: %(columns)s. Use the headers of the template.") % {"columns": ", ".join(unknown)}
        )
    missing = [column.header for column in columns if column.required and column.key not in keys]
    if missing:
        raise FileProblem(_("Missing columns: %(columns)s.") % {"columns": ", ".join(missing)})
    return keys


def _csv_rows(content: bytes) -> Iterable[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = content.decode("cp1252", errors="replace")
    first_line = text.split("\n", 1)[0]
    # Excel in Italian writes semicolons; everything else commas.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    return iter(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(content: bytes) -> Iterable[list[Any]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # a broken or disguised file: say so, whatever openpyxl raised
        raise FileProblem(_("This file is not a spreadsheet Trama can read.")) from None
    sheet = workbook.worksheets[0]
    return (list(values) for values in sheet.iter_rows(values_only=True))


# --- Cells -------------------------------------------------------------------------------

_DATE_FORMATS = ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y")


class CellError(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _day_month_year(text: str) -> date | None:
    """dd/mm/yyyy without `strptime`, which is slow (it reads the locale on every call)."""
    parts = text.split("/")
    if len(parts) != 3 or len(parts[2]) != 4 or not all(part.isdigit() for part in parts):
        return None
    try:
        return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        raise CellError(_("This date does not exist.")) from None


def _today() -> date:
    """Today in Rome, read once a minute: a file of 100,000 dates asks 100,000 times."""
    minute = int(time.time() // 60)
    if _TODAY.get("minute") != minute:
        _TODAY.update(minute=minute, day=timezone.localdate())
    return _TODAY["day"]


_TODAY: dict[str, Any] = {}


def parse_date(value: Any, *, past_only: bool = False) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    else:
        text = str(value).strip()
        day = _day_month_year(text)
        for pattern in _DATE_FORMATS if day is None else ():
            try:
                day = datetime.strptime(text, pattern).date()  # noqa: DTZ007 - a calendar date, no time zone
                break
            except ValueError:
                continue
        if day is None:
            raise CellError(_("Not a date: write it as dd/mm/yyyy."))
    if past_only and day > _today():
        raise CellError(_("The date cannot be in the future."))
    return day


def parse_text(value: str, *, max_length: int, required: bool = False) -> str:
    if required and not value:
        raise CellError(_("This column is required."))
    if len(value) > max_length:
        raise CellError(_("Too long: at most %(count)d characters.") % {"count": max_length})
    return value


_email = EmailValidator()


def parse_email(value: str) -> str:
    if not value:
        return ""
    try:
        _email(value)
    except ValidationError:
        raise CellError(_("Not a valid e-mail address.")) from None
    return value.lower() if len(value) <= 254 else parse_text(value, max_length=254)


def parse_choice(value: str, choices: dict[str, str], *, required: bool = False) -> str:
    """`choices` maps every accepted spelling (case-folded) to the stored value."""
    if not value:
        if required:
            raise CellError(_("This column is required."))
        return ""
    try:
        return choices[value.casefold()]
    except KeyError:
        accepted = ", ".join(sorted({key for key in choices if key}))
        raise CellError(_("Not one of the accepted values: %(values)s.") % {"values": accepted}) from None


def parse_yes_no(value: str) -> bool | None:
    if not value:
        return None
    return parse_choice(value, {"sì": "1", "si": "1", "yes": "1", "x": "1", "1": "1", "no": "0", "0": "0"}) == "1"


class MunicipalityIndex:
    """Every Italian municipality by ISTAT code, by name, and by "name (PV)" — one query."""

    def __init__(self) -> None:
        self.by_code: dict[str, int] = {}
        self.by_name: dict[str, list[int]] = {}
        for pk, code, name, province in Municipality.objects.values_list("pk", "istat_code", "name", "province_code"):
            self.by_code[code] = pk
            self.by_name.setdefault(name.casefold(), []).append(pk)
            self.by_name[f"{name} ({province})".casefold()] = [pk]

    def resolve(self, value: str, *, allowed: set[int] | None = None) -> int | None:
        if not value:
            return None
        text = value.strip()
        if text.isdigit():
            pk = self.by_code.get(text.zfill(6))
            if pk is None:
                raise CellError(_("No municipality has this ISTAT code."))
            found = [pk]
        else:
            found = self.by_name.get(" ".join(text.split()).casefold(), [])
            if not found:
                raise CellError(_("No Italian municipality has this name: check it or give the ISTAT code."))
            if len(found) > 1:
                raise CellError(_("Several municipalities have this name: add the province, e.g. “Name (PV)”."))
        if allowed is not None and found[0] not in allowed:
            raise CellError(_("This municipality is outside the programme's territory."))
        return found[0]
