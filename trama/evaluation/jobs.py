"""Long work of the evaluation app, run as background jobs (trama/jobs).

`evaluation-report`: the funder's report of a period, as a PDF or an XLSX workbook. It computes
every indicator (and, for those with a target, their figure since the programme began), so it
runs as a job with its progress shown; with no queue configured it runs in-process, in seconds.
Small cells are suppressed unless a coordinator asked for the exact figures (checked again here,
as the job's owner, when it runs).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.evaluation import report
from trama.evaluation.registry import Period
from trama.jobs.registry import JobKind, Progress, Result, register

PDF = "pdf"
XLSX = "xlsx"
REPORT_KIND = "evaluation-report"


def report_params(period: Period, file_format: str, *, exact: bool) -> dict[str, Any]:
    """The job's parameters: ISO dates and codes only (never personal data)."""
    return {"start": period.start.isoformat(), "end": period.end.isoformat(), "format": file_format, "exact": exact}


def build_funders_report(job: Any, progress: Progress) -> Result:
    programme, params = job.programme, job.params
    period = Period(date.fromisoformat(params["start"]), date.fromisoformat(params["end"]))
    exact = bool(params.get("exact")) and report.may_see_exact(job.owner, programme)
    figures = report.build_report(programme, period, suppressed=not exact, progress=progress)
    progress(90, _("Writing the file"))
    if params.get("format") == XLSX:
        content, extension = report.report_xlsx(figures), XLSX
    else:
        content, extension = report.report_pdf(figures), PDF
    return Result(filename=report.report_filename(programme, period, extension), content=content)


FUNDERS_REPORT = register(
    JobKind(
        code=REPORT_KIND,
        label=gettext_lazy("The funder's report"),
        allowed=report.may_report,
        run=build_funders_report,
    )
)
