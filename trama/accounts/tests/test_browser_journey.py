"""The decisive journey of the foundation, in a real browser: a coordinator signs in, enrols
the second factor, switches the interface to English and opens the programme page."""

from __future__ import annotations

from base64 import b32decode

import pytest
from django_otp.oath import totp

from trama.conftest import ARTIFACTS
from trama.core.tests.factories import PASSWORD, ActionLineFactory
from trama.territory.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_takes_a_coordinator_from_login_to_the_programme_page_in_english(live_server, page, coordinator, programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    ActionLineFactory(programme=programme, name="FAMIGLIE #BENECOMUNE")

    page.goto(f"{live_server.url}/accesso/")
    page.get_by_label("Indirizzo email").fill(coordinator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").last.click()

    # Coordinators read case data: the second factor is enrolled before anything else.
    page.wait_for_url("**/account/2fa/attiva/**")
    secret = page.locator("code.otp-secret").inner_text()
    page.get_by_label("Codice").fill(f"{totp(b32decode(secret)):06d}")
    page.get_by_role("button", name="Conferma").click()
    assert page.locator(".backup-codes li").count() == 10
    page.get_by_role("link", name="Continua").click()

    page.wait_for_url(f"**/area/{programme.slug}/")
    assert page.get_by_role("heading", level=1).inner_text() == programme.name

    page.get_by_label("Lingua").select_option("en")
    page.get_by_role("button", name="Cambia lingua").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="Sign out").is_visible()

    page.get_by_role("link", name="Public page").click()
    page.wait_for_url(f"**/{programme.slug}/")
    assert page.get_by_text("FAMIGLIE #BENECOMUNE").is_visible()
    assert page.get_by_role("cell", name="018110").is_visible()

    page.screenshot(path=str(ARTIFACTS / "coordinator-programme-page.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
