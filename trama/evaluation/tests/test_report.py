"""The funder's report: a background job producing a PDF and an XLSX whose figures are the registry's,
with every headline indicator and target in the PDF's text and small cells suppressed everywhere."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Role
from trama.casework.tests.factories import CaseFactory, HouseholdFactory
from trama.core.exports import xlsx_workbook_bytes
from trama.evaluation import registry
from trama.evaluation.jobs import REPORT_KIND, report_params
from trama.evaluation.registry import Filters, Period
from trama.evaluation.report import BREAKDOWN_TITLES, SUPPRESSED, build_report, display, report_pdf, report_sheets
from trama.jobs.models import BackgroundJob
from trama.jobs.services import job_start
from trama.territory.models import Municipality, Target

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 1, 1), date(2026, 6, 30))
SUPPORTED = "households-supported"
PARAMS = report_params(PERIOD, "xlsx", exact=False)


def _cases(programme, lead, count):
    for _ in range(count):
        household = HouseholdFactory(programme=programme)
        CaseFactory(programme=programme, household=household, organisation=lead, opened_on=date(2026, 2, 1))


@pytest.fixture
def small(programme, lead):
    """Three households supported: a small cell."""
    programme.start_date = date(2025, 9, 1)
    programme.save()
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    _cases(programme, lead, 3)
    Target.objects.create(programme=programme, indicator_code=SUPPORTED, value=Decimal("4500"))
    Target.objects.create(programme=programme, indicator_code=SUPPORTED, kind=Target.Kind.BASELINE, value=0)
    return programme


def _pdf_text(content: bytes) -> str:
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils (pdftotext) is required"
    text = subprocess.run([pdftotext, "-", "-"], input=content, capture_output=True, check=True).stdout.decode()  # noqa: S603
    return re.sub(r"\s+", " ", text)


def _download(client, job):
    response = client.get(reverse("jobs:download", kwargs={"slug": job.programme.slug, "job_id": job.public_id}))
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _sheet_rows(workbook, title):
    return [list(row) for row in workbook[title].iter_rows(min_row=2, values_only=True)]


def test_it_puts_every_indicator_and_target_in_the_pdf_text(small, coordinator):
    report = build_report(small, PERIOD, suppressed=False)

    text = _pdf_text(report_pdf(report))

    assert small.name in text
    for indicator in registry.all_indicators():
        assert re.sub(r"\s+", " ", str(indicator.name)) in text, indicator.code
    assert display(Decimal("4500")) in text  # the target, "4.500"
    supported = next(figure for figure in report.figures if figure.indicator.code == SUPPORTED)
    assert supported.value == 3
    assert supported.target == Decimal("4500")


def test_its_xlsx_figures_equal_the_registrys(small):
    report = build_report(small, PERIOD, suppressed=False)
    workbook = load_workbook(io.BytesIO(_xlsx(report)))

    rows = {row[0]: row for row in _sheet_rows(workbook, workbook.sheetnames[0])}
    for indicator in registry.all_indicators():
        expected = indicator.compute(small, PERIOD, Filters())
        assert Decimal(str(rows[indicator.code][4])) == Decimal(expected), indicator.code
    assert rows[SUPPORTED][4] == 3
    assert rows[SUPPORTED][7] == 4500
    # One sheet per breakdown: each row's figure is the breakdown function's.
    for indicator in registry.all_indicators():
        for dimension in indicator.breakdowns:
            sheet = _sheet_rows(workbook, _sheet_title(dimension))
            shown = {str(row[2]): row[4] for row in sheet if row[0] == indicator.code}
            expected = {str(row.key): row.value for row in indicator.breakdown(small, PERIOD, dimension, Filters())}
            assert {key: Decimal(str(value)) for key, value in shown.items()} == {
                key: Decimal(value) for key, value in expected.items()
            }, (indicator.code, dimension)


def _xlsx(report):
    return xlsx_workbook_bytes(report_sheets(report))


def _sheet_title(dimension):
    return str(BREAKDOWN_TITLES.get(dimension, dimension))[:31]


def test_it_suppresses_small_cells_in_the_pdf_and_the_xlsx_alike(small):
    report = build_report(small, PERIOD, suppressed=True)
    supported = next(figure for figure in report.figures if figure.indicator.code == SUPPORTED)
    assert supported.value is None

    workbook = load_workbook(io.BytesIO(_xlsx(report)))
    rows = {row[0]: row for row in _sheet_rows(workbook, workbook.sheetnames[0])}
    assert rows[SUPPORTED][4] == SUPPRESSED
    by_municipality = [row for row in _sheet_rows(workbook, _sheet_title("municipality")) if row[0] == SUPPORTED]
    assert by_municipality
    assert all(row[4] == SUPPRESSED for row in by_municipality)
    # No cell of the workbook counting people holds 1–4.
    for indicator in registry.all_indicators():
        if indicator.counts_people:
            value = rows[indicator.code][4]
            assert value in (SUPPRESSED, 0) or value >= registry.SMALL_CELL, indicator.code

    text = _pdf_text(report_pdf(report))
    assert SUPPRESSED in text


def test_an_evaluator_gets_the_report_through_a_job_with_small_cells_suppressed(client, login, small, member):
    evaluator = member(Role.EVALUATOR)
    login(client, evaluator)
    url = reverse("evaluation-reports:report", kwargs={"slug": small.slug})
    assert client.get(url).status_code == 200

    response = client.post(url, {"start": "2026-01-01", "end": "2026-06-30", "file_format": "xlsx", "exact": "on"})

    job = BackgroundJob.objects.get(kind=REPORT_KIND)
    assert response["Location"] == job.get_absolute_url()
    assert job.status == BackgroundJob.Status.DONE
    assert job.params["exact"] is False  # the field is not offered to evaluators, so not read
    workbook = load_workbook(io.BytesIO(_download(client, job)))
    rows = {row[0]: row for row in _sheet_rows(workbook, workbook.sheetnames[0])}
    assert rows[SUPPORTED][4] == SUPPRESSED
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(job.public_id)).count() == 1
    # The page lists the report.
    assert str(job.public_id) in client.get(url).content.decode()


def test_a_coordinator_may_ask_for_exact_figures_as_a_pdf(client, login, small, coordinator):
    login(client, coordinator)
    url = reverse("evaluation-reports:report", kwargs={"slug": small.slug})

    client.post(url, {"start": "2026-01-01", "end": "2026-06-30", "file_format": "pdf", "exact": "on"})

    job = BackgroundJob.objects.get(kind=REPORT_KIND)
    content = _download(client, job)
    assert content.startswith(b"%PDF")
    assert job.result_name.endswith(".pdf")
    assert "4.500" in _pdf_text(content)


def test_a_funder_with_an_exact_job_forged_still_gets_suppressed_figures(small, member):
    funder = member(Role.FUNDER)

    job = job_start(actor=funder, programme=small, kind=REPORT_KIND, params=report_params(PERIOD, "xlsx", exact=True))

    workbook = load_workbook(io.BytesIO(job.result.read()))
    rows = {row[0]: row for row in _sheet_rows(workbook, workbook.sheetnames[0])}
    assert rows[SUPPORTED][4] == SUPPRESSED


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.LAB_MANAGER, Role.VOLUNTEER])
def test_it_refuses_the_report_to_other_roles(client, login, small, member, role):
    login(client, member(role))
    url = reverse("evaluation-reports:report", kwargs={"slug": small.slug})

    assert client.get(url).status_code == 403
    assert client.post(url, {"start": "2026-01-01", "end": "2026-06-30", "file_format": "pdf"}).status_code == 403
    assert not BackgroundJob.objects.exists()


def test_it_refuses_a_period_that_ends_before_it_starts(client, login, small, coordinator):
    login(client, coordinator)
    url = reverse("evaluation-reports:report", kwargs={"slug": small.slug})

    response = client.post(url, {"start": "2026-06-30", "end": "2026-01-01", "file_format": "pdf"})

    assert response.status_code == 400
    assert "end" in response.context["form"].errors
    assert not BackgroundJob.objects.exists()


def test_the_report_page_costs_a_fixed_number_of_queries(client, login, small, coordinator):
    login(client, coordinator)
    url = reverse("evaluation-reports:report", kwargs={"slug": small.slug})
    client.get(url)
    counts = []
    for _ in range(2):
        for _ in range(3):
            job_start(actor=coordinator, programme=small, kind=REPORT_KIND, params=PARAMS)
        with CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        counts.append(len(context.captured_queries))
    assert counts[0] == counts[1]
