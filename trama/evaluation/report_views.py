"""Evaluation's documents: the funder's report (a background job), pseudonymised extracts and the
network page. Thin views: the form validates, the modules in `trama.evaluation` do the work and
check permission again (`report.may_report`, `extracts.extract_download`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.accounts.models import Role
from trama.accounts.permissions import ProgrammeAccess, programme_view
from trama.evaluation import extracts, jobs, report
from trama.evaluation.network import programme_network
from trama.evaluation.registry import Period
from trama.jobs.models import BackgroundJob
from trama.jobs.services import job_start
from trama.territory.models import Programme

REPORT_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)
NETWORK_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)
EXTRACT_ROLES = (Role.COORDINATOR, Role.EVALUATOR)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
EARLIEST, LATEST = date(1970, 1, 1), date(2199, 12, 31)
RECENT_JOBS = 10


def default_period(programme: Programme, today: date | None = None) -> Period:
    """From the programme's start (or the first of January) to today."""
    day = today or timezone.localdate()
    start = programme.start_date if programme.start_date and programme.start_date <= day else date(day.year, 1, 1)
    return Period(start, day)


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DATE_INPUT)
    end = forms.DateField(label=_("To (included)"), widget=DATE_INPUT)

    def __init__(self, data: Any = None, *, programme: Programme) -> None:
        period = default_period(programme)
        super().__init__(data, initial={"start": period.start, "end": period.end})

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in ("start", "end"):
            day = data.get(name)
            if day is not None and not EARLIEST <= day <= LATEST:
                self.add_error(name, _("Choose a date between 1970 and 2199."))
        start, end = data.get("start"), data.get("end")
        if start and end and end < start and not self.errors:
            self.add_error("end", _("The period cannot end before it starts."))
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["start"], self.cleaned_data["end"])


class ReportForm(PeriodForm):
    file_format = forms.ChoiceField(
        label=_("Document"),
        choices=[
            (jobs.PDF, _("PDF: the monitoring report")),
            (jobs.XLSX, _("XLSX: every figure, one sheet per breakdown")),
        ],
        initial=jobs.PDF,
        widget=forms.RadioSelect,
    )
    exact = forms.BooleanField(
        label=_("Exact figures, small cells included (for internal use, not for publication)"), required=False
    )

    def __init__(self, data: Any = None, *, programme: Programme, may_see_exact: bool) -> None:
        super().__init__(data, programme=programme)
        if not may_see_exact:
            del self.fields["exact"]


class ExtractForm(PeriodForm):
    file_format = forms.ChoiceField(
        label=_("Format"),
        choices=[(extracts.CSV, "CSV"), (extracts.XLSX, _("XLSX, with aggregate tables and the codebook"))],
        initial=extracts.CSV,
        widget=forms.RadioSelect,
    )


@programme_view(*REPORT_ROLES)
def report_page(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The period and the document to produce; the report is a background job with its own page."""
    exact_allowed = access.has_role(*report.EXACT_ROLES)
    form = ReportForm(request.POST or None, programme=access.programme, may_see_exact=exact_allowed)
    if request.method == "POST" and form.is_valid():
        params = jobs.report_params(
            form.period, form.cleaned_data["file_format"], exact=bool(form.cleaned_data.get("exact"))
        )
        job = job_start(actor=request.user, programme=access.programme, kind=jobs.REPORT_KIND, params=params)
        return redirect(job.get_absolute_url())
    recent = BackgroundJob.objects.filter(
        programme=access.programme, owner=request.user, kind=jobs.REPORT_KIND
    ).select_related("programme")[:RECENT_JOBS]
    return render(
        request,
        "evaluation/report/report_page.html",
        {"access": access, "form": form, "jobs": recent, "exact_allowed": exact_allowed},
        status=400 if form.errors else 200,
    )


@programme_view(*EXTRACT_ROLES)
def extracts_page(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The pseudonymised extract: what it holds, and its download (audited, S19)."""
    form = ExtractForm(request.POST or None, programme=access.programme)
    if request.method == "POST" and form.is_valid():
        file_format = form.cleaned_data["file_format"]
        content = extracts.extract_download(
            actor=request.user, programme=access.programme, period=form.period, file_format=file_format,
            request=request,
        )  # fmt: skip
        content_type = (
            "text/csv; charset=utf-8"
            if file_format == extracts.CSV
            else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response = HttpResponse(content, content_type=content_type)
        filename = extracts.extract_filename(access.programme, form.period, file_format)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    return render(
        request,
        "evaluation/extracts/extracts_page.html",
        {
            "access": access,
            "form": form,
            "consenting": extracts.consenting_people(access.programme).count(),
            "codebook": extracts.codebook_rows(),
        },
        status=400 if form.errors else 200,
    )


@programme_view(*NETWORK_ROLES)
def network_page(request: HttpRequest, access: ProgrammeAccess) -> HttpResponse:
    """The network analysis of a period (the same section as the dashboard's, on its own page)."""
    form = PeriodForm(request.GET if "start" in request.GET else None, programme=access.programme)
    period = form.period if form.is_bound and form.is_valid() else default_period(access.programme)
    return render(
        request,
        "evaluation/report/network_page.html",
        {"access": access, "form": form, "period": period, "network": programme_network(access.programme, period)},
    )
