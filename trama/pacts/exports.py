"""The programme view of the pacts as an XLSX workbook (S19): aggregates only, written through
`trama.core.exports` so every text cell is safe from formula injection."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _

from trama.core.exports import safe_row
from trama.pacts.selectors import ProgrammeOverview
from trama.territory.models import Programme


def overview_xlsx(programme: Programme, overview: ProgrammeOverview) -> bytes:
    """Four sheets: pacts by status, budget by source, budget by purpose, hours by place."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    workbook = Workbook()
    budget_header = [_("Committed (€)"), _("Disbursed (€)"), _("Remaining (€)"), _("Released by closed pacts (€)")]
    sheets = [
        (
            _("Pacts by status"),
            [_("Status"), _("Pacts")],
            [[label, count] for _value, label, count in overview.by_status]
            + [[f"{_('closed')}: {label}", count] for _value, label, count in overview.by_outcome],
            "",
        ),
        (
            _("Budget by source"),
            [_("Funded by"), _("Funding organisation"), *budget_header],
            [[row.label, row.funder, row.committed, row.disbursed, row.remaining, row.released]
             for row in overview.by_source],
            "CDEF",
        ),
        (
            _("Budget by purpose"),
            [_("Purpose"), *budget_header],
            [[row.label, row.committed, row.disbursed, row.remaining, row.released] for row in overview.by_purpose],
            "BCDE",
        ),
        (
            _("Hours by place"),
            [_("Where"), _("Name"), _("People"), _("Hours committed"), _("Hours given back")],
            [[str(row.kind_label), row.name, row.people, row.hours_signed, row.hours_given] for row in overview.hours],
            "DE",
        ),
    ]  # fmt: skip
    for index, (title, header, rows, decimal_columns) in enumerate(sheets):
        sheet = workbook.active if index == 0 else workbook.create_sheet()
        sheet.title = str(title)[:31]
        sheet.append(safe_row(str(h) for h in header))
        for row in rows:
            sheet.append(safe_row(ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v for v in row))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for column in decimal_columns:
            for cell in sheet[column][1:]:
                if cell.value is not None and not isinstance(cell.value, str):
                    cell.number_format = "#,##0.00"
        sheet.freeze_panes = "A2"
    sheet = workbook.create_sheet(str(_("About")))
    sheet.append(safe_row([programme.name]))
    sheet.append(safe_row([str(_("Aggregate figures only: no person is named."))]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
