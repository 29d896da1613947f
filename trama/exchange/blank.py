"""The empty files to fill in: XLSX (a data sheet with an example row, and an instructions sheet)
and CSV (the headers only). The headers are the file format, in Italian whatever the page's
language; the instructions are in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from trama.core.exports import Sheet, csv_bytes, xlsx_workbook_bytes
from trama.exchange.importers import ImporterKind


def template_xlsx(importer: ImporterKind) -> bytes:
    headers = [column.header for column in importer.columns]
    example = [column.example for column in importer.columns]
    instructions = [
        [column.header, _("yes") if column.required else _("no"), str(column.help), column.example]
        for column in importer.columns
    ]
    general = [
        [_("How to fill in"), "", _("One row for each record, from row 2 of the first sheet; delete the example."), ""],
        [_("Importing again"), "", _("Importing the same file again creates no duplicates: rows already imported come out unchanged; empty cells never erase data."), ""],  # noqa: E501
        [_("All or nothing"), "", _("If any row has an error, nothing is imported: the check lists every bad row with its column and the reason."), ""],  # noqa: E501
    ]  # fmt: skip
    return xlsx_workbook_bytes(
        [
            Sheet("Dati", headers, [example]),
            Sheet("Istruzioni", [_("Column"), _("Required"), _("What to write"), _("Example")], instructions + general),
        ]
    )


def template_csv(importer: ImporterKind) -> bytes:
    return csv_bytes([column.header for column in importer.columns], [])
