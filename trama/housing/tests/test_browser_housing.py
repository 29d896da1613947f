"""The decisive journey of the housing plan (issue 10), in a real browser: an operator opens the
search of a household they follow, sees the capped-rent dwelling ranked first with its reasons,
houses the household there and grants a rent guarantee from the fund; screenshots saved."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.conftest import ARTIFACTS
from trama.core.tests.factories import PASSWORD
from trama.housing import services
from trama.housing.models import Dwelling, Guarantee, HousingSearch, Tenancy
from trama.housing.tests.conftest import make_dwelling, make_search

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = Decimal


def _sign_in(page: Page, base: str, user: Any, device: TOTPDevice) -> None:
    page.goto(f"{base}{reverse('accounts:login')}")
    page.locator("input[name='username']").fill(user.email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    page.wait_for_url("**/account/2fa/verifica/**")
    page.locator("input[name='token']").fill(f"{totp(device.bin_key):06d}")
    page.locator("main form button[type='submit']").click()
    page.wait_for_url("**/area/**")


def test_an_operator_houses_a_household_in_a_capped_rent_dwelling_with_a_guarantee(live_server: Any, page: Page, plan):
    services.fund_deposit(
        actor=None,
        programme=plan.programme,
        amount=D("5000.00"),
        received_on=date(2026, 1, 2),
        source_note="Contributo della Fondazione",
    )
    search = make_search(plan, plan.case("Famiglia Ferraro"))
    capped = make_dwelling(plan, address="Via Cavour 12", monthly_rent=D("450.00"), capped_rent=True)
    make_dwelling(plan, address="Via Mercato 4", monthly_rent=D("480.00"))
    device = TOTPDevice.objects.create(user=plan.owner, name="app", confirmed=True)
    base = live_server.url

    _sign_in(page, base, plan.owner, device)
    page.goto(f"{base}{reverse('housing:search-list', kwargs={'slug': plan.programme.slug})}")
    page.locator(f"tr[data-search='{search.public_id}'] a").click()
    first = page.locator("#matches > li").first
    first.wait_for()
    assert first.get_attribute("data-match") == str(capped.public_id)
    assert first.locator("li[data-criterion]").count() == 6
    page.screenshot(path=str(ARTIFACTS / "housing-journey-1-matches.png"), full_page=True)

    first.locator("a[data-action='house']").click()
    page.locator("#tenancy-form").wait_for()
    page.locator("#tenancy-form button[type='submit']").click()
    page.locator("#guarantee-form").wait_for()
    tenancy = Tenancy.objects.get()
    assert tenancy.dwelling_id == capped.pk

    page.locator("#guarantee-form #id_amount").fill("1350,00")
    page.locator("#guarantee-form button[type='submit']").click()
    row = page.locator("#guarantee-table tr[data-guarantee]")
    row.wait_for()
    assert row.get_attribute("data-amount") == "1350.00"
    page.screenshot(path=str(ARTIFACTS / "housing-journey-2-guarantee.png"), full_page=True)

    guarantee = Guarantee.objects.get()
    assert (guarantee.tenancy_id, guarantee.amount, guarantee.months) == (tenancy.pk, D("1350.00"), 12)
    assert Dwelling.objects.get(pk=capped.pk).status == Dwelling.Status.LET
    assert HousingSearch.objects.get(pk=search.pk).status == HousingSearch.Status.HOUSED
    assert page.problems == []  # type: ignore[attr-defined]
