"""Long work of the activities app, run as background jobs (trama/jobs).

`reach-report`: the reach figures of a period as an XLSX workbook — the totals, then one sheet per
breakdown — with the same scope and small-cell suppression as the reach page for whoever asked.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.activities import reach
from trama.core.exports import Sheet, xlsx_workbook_bytes
from trama.jobs.registry import JobKind, Progress, Result, register
from trama.network.models import CommunityPlace
from trama.territory.models import ActionLine


def _headers() -> list[str]:
    return [
        _("People"), _("Minors"), _("Households"), _("Contacts"), _("Anonymous attendance"), _("Anonymous minors"),
        _("Combined"),
    ]  # fmt: skip


def _values(cells: dict[str, reach.Cell]) -> list[Any]:
    return [cells[column].value if not cells[column].suppressed else str(cells[column]) for column in reach.COLUMNS]


def reach_query(programme: Any, params: dict[str, Any], breakdown: str = "") -> reach.ReachQuery:
    return reach.ReachQuery(
        start=date.fromisoformat(params["start"]),
        end=date.fromisoformat(params["end"]),
        breakdown=breakdown,
        action_line=ActionLine.objects.filter(programme=programme, public_id=params.get("action_line") or None).first(),
        place=CommunityPlace.objects.filter(programme=programme, public_id=params.get("place") or None).first(),
        kind=params.get("kind", ""),
    )


def build_reach_report(job: Any, progress: Progress) -> Result:
    programme, params = job.programme, job.params
    sheets = []
    steps = ["", *reach.Breakdown.values]
    for number, breakdown in enumerate(steps):
        label = reach.Breakdown(breakdown).label if breakdown else _("Totals")
        progress(int(100 * number / len(steps)), label)
        figures = reach.reach_for_user(job.owner, programme, reach_query(programme, params, breakdown))
        if breakdown:
            rows = [[row.label, *_values(row.cells)] for row in figures.rows]
            rows.append([_("All"), *_values(figures.total)])
            sheets.append(Sheet(str(label).capitalize(), [str(label).capitalize(), *_headers()], rows))
        else:
            period = f"{params['start']} – {params['end']}"
            sheets.append(Sheet(_("Totals"), [_("Period"), *_headers()], [[period, *_values(figures.total)]]))
    rules = [[str(rule)] for rule in (reach.PEOPLE_RULE, reach.MINORS_RULE, reach.HOUSEHOLDS_RULE,
                                       reach.ANONYMOUS_RULE, reach.COMBINED_RULE, reach.SUPPRESSION_RULE)]  # fmt: skip
    sheets.append(Sheet(_("Counting rules"), [_("Rule")], rules))
    progress(100, _("Writing the file"))
    filename = f"partecipazione-{programme.slug}-{params['start']}-{params['end']}.xlsx"
    return Result(filename=filename, content=xlsx_workbook_bytes(sheets))


REACH_REPORT = register(
    JobKind(
        code="reach-report",
        label=gettext_lazy("People reached: the report (XLSX)"),
        allowed=reach.can_see_reach,
        run=build_reach_report,
    )
)
