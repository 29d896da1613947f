"""Background jobs: started by who may, run in-process without a broker, progress recorded, the
result downloadable by its owner only and audited; a failure recorded without its details."""

from __future__ import annotations

import io
import logging

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Role
from trama.activities.services import tally_set
from trama.activities.tests.factories import ActivityFactory, rome
from trama.jobs.models import BackgroundJob
from trama.jobs.registry import JobKind, Result, register
from trama.jobs.services import job_start

pytestmark = pytest.mark.django_db
PERIOD = {"start": "2025-09-01", "end": "2026-08-31"}


@pytest.fixture
def counted(programme):
    activity = ActivityFactory(programme=programme, first_start=rome(2025, 10, 4, 15), title="Festa")
    tally_set(actor=None, occurrence=activity.occurrences.get(), cells={("6-10", "F"): 12, ("18-64", ""): 30})
    return activity


def test_a_coordinator_gets_the_reach_report_as_a_workbook(client, login, coordinator, programme, counted):
    login(client, coordinator)
    response = client.post(reverse("activities:reach-report", kwargs={"slug": programme.slug}), PERIOD)
    job = BackgroundJob.objects.get()
    assert response["Location"] == job.get_absolute_url()
    assert job.status == BackgroundJob.Status.DONE
    assert job.progress == 100
    page = client.get(job.get_absolute_url())
    assert page.status_code == 200
    download = client.get(reverse("jobs:download", kwargs={"slug": programme.slug, "job_id": job.public_id}))
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    totals = workbook.worksheets[0]
    assert totals.cell(row=2, column=6).value == 42  # anonymous attendance: 12 + 30
    assert len(workbook.worksheets) == 7  # totals, five breakdowns, the counting rules
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_id=str(job.public_id)).count() == 1


def test_only_the_owner_sees_and_downloads_a_job(client, login, coordinator, member, programme, counted):
    job = job_start(actor=coordinator, programme=programme, kind="reach-report", params=PERIOD)
    login(client, member(Role.COORDINATOR))
    assert client.get(job.get_absolute_url()).status_code == 404
    assert (
        client.get(reverse("jobs:download", kwargs={"slug": programme.slug, "job_id": job.public_id})).status_code
        == 404
    )


def test_an_operator_cannot_start_the_reach_report(client, login, operator, programme):
    login(client, operator)
    response = client.post(reverse("activities:reach-report", kwargs={"slug": programme.slug}), PERIOD)
    assert response.status_code == 403
    assert not BackgroundJob.objects.exists()


def _boom(job, progress):
    progress(50, "half way")
    raise ValueError("Maria Rossi, via Roma 1")  # a message that quotes personal data


FAILING = register(JobKind(code="test-failing", label="failing", allowed=lambda user, programme: True, run=_boom))


def test_a_failed_job_is_recorded_without_the_errors_words(coordinator, programme, caplog):
    with caplog.at_level(logging.ERROR, logger="trama.jobs.services"):
        job = job_start(actor=coordinator, programme=programme, kind="test-failing", params={})
    assert job.status == BackgroundJob.Status.FAILED
    assert "ValueError" in caplog.text
    assert "Maria Rossi" not in caplog.text


def test_a_job_of_a_deactivated_user_does_not_run(coordinator, programme):
    register(JobKind(code="test-ok", label="ok", allowed=lambda user, programme: True,
                     run=lambda job, progress: Result("a.txt", b"x")))  # fmt: skip
    job = BackgroundJob.objects.create(programme=programme, owner=coordinator, kind="test-ok")
    coordinator.is_active = False
    coordinator.save()
    from trama.jobs.services import run_job

    run_job(job.pk)
    job.refresh_from_db()
    assert job.status == BackgroundJob.Status.FAILED
    assert not job.result


def test_the_report_period_is_checked_before_a_job_starts(client, login, coordinator, programme):
    login(client, coordinator)
    response = client.post(
        reverse("activities:reach-report", kwargs={"slug": programme.slug}),
        {"start": "2026-08-31", "end": "2025-09-01"},
    )
    assert response.status_code == 302
    assert not BackgroundJob.objects.exists()
