"""The evaluator's documents in a real browser, under the strict CSP: the funder's report asked for
and downloaded from its job page, the extract page and the network page."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from trama.conftest import ARTIFACTS
from trama.jobs.models import BackgroundJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_evaluator_asks_for_the_report_and_downloads_it(live_server, page, programme, evaluator, login):
    client = login(Client(), evaluator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
    slug = programme.slug

    page.goto(f"{live_server.url}{reverse('evaluation-reports:report', kwargs={'slug': slug})}")
    assert page.locator("#id_exact").count() == 0  # exact figures are for coordinators only
    page.locator("input[name='file_format'][value='pdf']").check()
    page.locator("#report-form button[type=submit]").click()
    page.locator("#job-download").wait_for()
    with page.expect_download() as download:
        page.locator("#job-download").click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert BackgroundJob.objects.get().status == BackgroundJob.Status.DONE
    page.screenshot(path=str(ARTIFACTS / "evaluation-report-job.png"))

    page.goto(f"{live_server.url}{reverse('evaluation-reports:extracts', kwargs={'slug': slug})}")
    page.locator("#extract-codebook").wait_for()
    page.goto(f"{live_server.url}{reverse('evaluation-reports:network', kwargs={'slug': slug})}")
    page.locator("#network svg.network-picture").wait_for()
    page.screenshot(path=str(ARTIFACTS / "evaluation-network.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
