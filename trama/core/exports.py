"""Writing tables that people open in a spreadsheet: CSV and XLSX, safe against formula injection.

Every export of Trama that ends in a spreadsheet goes through here, so the neutralisation of
formulas (S19) is written once. A cell whose text starts with `=`, `+`, `-`, `@`, a tab or a
carriage return is read by Excel and LibreOffice as a formula (`=HYPERLINK(…)`, `@SUM(…)`,
DDE payloads): it gets a leading apostrophe, which spreadsheets show as plain text. Numbers,
dates and empty cells are left alone; only text typed by someone can carry a payload.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | Decimal | date | datetime | None


def safe_cell(value: Cell) -> Cell:
    """The value, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return f"'{value}"
    return value


def safe_row(values: Iterable[Cell]) -> list[Cell]:
    return [safe_cell(value) for value in values]


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]]) -> bytes:
    """RFC 4180 CSV in UTF-8 with a byte-order mark, so Excel reads accented letters right."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(safe_row(header))
    for row in rows:
        writer.writerow(safe_row(row))
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[Cell]], *, sheet_title: str) -> bytes:
    """One sheet with a bold, frozen header row and an autofilter."""
    return xlsx_workbook_bytes([Sheet(sheet_title, header, rows)])


@dataclass(frozen=True)
class Sheet:
    title: str
    header: Sequence[str]
    rows: Iterable[Sequence[Cell]]


def xlsx_workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """A workbook of several sheets, each with a bold, frozen header row and an autofilter."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    def clean(value: Cell) -> Cell:
        # openpyxl refuses control characters (they are invalid in XML); text may contain them.
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return safe_cell(value)

    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_data in sheets:
        sheet = workbook.create_sheet(_sheet_name(sheet_data.title, workbook.sheetnames))
        header = sheet_data.header
        sheet.append([clean(title) for title in header])
        widths = [len(str(title)) for title in header]
        for row in sheet_data.rows:
            cleaned = [clean(value) for value in row]
            sheet.append(cleaned)
            for index, value in enumerate(cleaned):
                widths[index] = max(widths[index], min(len(str(value or "")), 60))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for index, width in enumerate(widths, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width + 2
        sheet.freeze_panes = "A2"
        if sheet.max_row > 1:
            sheet.auto_filter.ref = sheet.dimensions
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _sheet_name(title: str, taken: list[str]) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\, unique in the workbook."""
    name = "".join(" " if char in "[]:*?/\\" else char for char in title)[:31] or "Foglio"
    candidate, number = name, 2
    while candidate in taken:
        suffix = f" ({number})"
        candidate, number = name[: 31 - len(suffix)] + suffix, number + 1
    return candidate
