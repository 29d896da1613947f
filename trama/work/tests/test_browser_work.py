"""The operator's journey in a real browser (issue 10): from an internship opening, the ranked
candidates with their reasons; the operator proposes the best one, records the interview, the
internship with its grant, then the hiring with its incentive. Screenshots in test-artifacts/."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from playwright.sync_api import expect

from trama.conftest import ARTIFACTS
from trama.core.tests.factories import PASSWORD
from trama.funding.models import FundingSource
from trama.work.models import JobSeeker, Placement
from trama.work.tests.conftest import make_opening

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page: Page, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"work-{name}.png"), full_page=True)


def test_an_operator_matches_a_job_seeker_to_an_internship_and_records_the_hiring(
    live_server: Any, page: Page, work: Any, settings: Any
) -> None:
    settings.TRAMA_REQUIRE_2FA = False
    base, slug = live_server.url, work.programme.slug
    source = FundingSource.objects.create(
        programme=work.programme, kind=FundingSource.Kind.GRANT, name="Contributo Fondazione Cariplo",
        amount=Decimal(40000),
    )  # fmt: skip
    opening = make_opening(
        work.programme, work.company, work.bassa.montichiari, title="Magazziniere in tirocinio",
        skills=["warehouse", "forklift"], shifts=["morning"], contract="internship",
    )  # fmt: skip
    opening_url = reverse("work:opening-detail", kwargs={"slug": slug, "opening_id": opening.public_id})
    page.goto(f"{base}/accesso/?{urlencode({'next': opening_url})}")
    page.locator("#id_username").fill(work.owner.email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{opening_url}")

    # The candidates, best first, with the reasons: Anna has both skills and lives in Montichiari.
    candidates = page.locator("#candidates > li")
    expect(candidates).to_have_count(2)
    first = candidates.first
    expect(first).to_have_attribute("data-seeker", str(work.anna.public_id))
    expect(first.locator("[data-criterion=skills]")).to_have_attribute("data-score", "1,00")
    _shot(page, "1-candidates")
    first.locator("[data-action=propose]").click()
    page.locator("#step-form").wait_for()
    placement = Placement.objects.get(job_seeker=work.anna, opening=opening)
    expect(page.locator("#placement-status")).to_have_attribute("data-status", "proposed")

    today = timezone.localdate()
    form = page.locator("#step-form")
    # The interview.
    form.locator("select[name=to_status]").select_option("interview")
    expect(form.locator("fieldset[data-step=internship]")).to_be_hidden()
    form.locator("input[name=on]").fill(today.isoformat())
    form.locator("#save-step").click()
    expect(page.locator("#placement-status")).to_have_attribute("data-status", "interview")
    # The internship, with its grant.
    form = page.locator("#step-form")
    form.locator("select[name=to_status]").select_option("internship")
    expect(form.locator("fieldset[data-step=internship]")).to_be_visible()
    form.locator("input[name=internship_start]").fill(today.isoformat())
    form.locator("input[name=internship_end]").fill((today + timedelta(days=90)).isoformat())
    form.locator("input[name=grant_amount]").fill("500")
    form.locator("input[name=grant_months]").fill("3")
    form.locator("select[name=grant_source]").select_option(str(source.pk))
    _shot(page, "2-internship")
    form.locator("#save-step").click()
    expect(page.locator("#placement-status")).to_have_attribute("data-status", "internship")
    expect(page.locator("#internship")).to_contain_text("1500")
    # The hiring, with its incentive.
    form = page.locator("#step-form")
    form.locator("select[name=to_status]").select_option("hired")
    form.locator("select[name=hiring_contract]").select_option("permanent")
    form.locator("input[name=incentive_amount]").fill("3000")
    form.locator("select[name=incentive_source]").select_option(str(source.pk))
    form.locator("#save-step").click()
    expect(page.locator("#placement-status")).to_have_attribute("data-status", "hired")
    expect(page.locator("#transitions > li")).to_have_count(4)
    _shot(page, "3-hired")

    placement.refresh_from_db()
    assert placement.status == Placement.Status.HIRED
    assert placement.grant_amount == Decimal("500.00")
    assert placement.grant_months == 3
    assert placement.incentive_amount == Decimal("3000.00")
    assert placement.hiring_contract == "permanent"
    assert JobSeeker.objects.get(pk=work.anna.pk).status == JobSeeker.Status.PLACED
    assert page.problems == []  # type: ignore[attr-defined]
