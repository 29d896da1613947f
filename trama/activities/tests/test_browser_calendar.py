"""The public calendar in a real browser: a visitor filters the calendar, opens an activity and
signs a child up as their parent, with consent, and sees the confirmation."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from trama.activities.models import Activity, Registration
from trama.activities.tests.factories import ActivityFactory, rome
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import CommunityPlaceFactory
from trama.territory.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _pavia() -> Municipality:
    """From the reference file, in case an earlier transactional test emptied the table its data
    migration filled."""
    pavia, _ = Municipality.objects.get_or_create(
        istat_code="018110",
        defaults={
            "cadastral_code": "G388", "name": "Pavia", "province_code": "PV", "province_name": "Pavia",
            "region_name": "Lombardia", "latitude": Decimal("45.19205"), "longitude": Decimal("9.15917"),
        },
    )  # fmt: skip
    return pavia


def test_it_lets_a_visitor_sign_a_child_up_from_the_calendar(live_server, page, programme):
    cache.clear()  # the sign-up's rate limit
    pavia = _pavia()
    programme.municipalities.add(pavia)
    lab = CommunityPlaceFactory(programme=programme, name="Laboratorio Borgo Ticino", municipality=pavia)
    tomorrow = timezone.localdate() + timedelta(days=1)
    summer = ActivityFactory(
        programme=programme, place=lab, title="Centro estivo al Borgo", kind=Activity.Kind.CULTURE,
        audience=Activity.Audience.CHILDREN_6_10, first_start=rome(tomorrow.year, tomorrow.month, tomorrow.day, 9, 0),
        duration_minutes=240, recurrence="FREQ=DAILY;COUNT=5", registration_required=True, capacity=20,
        description="Giochi, compiti e gite per i bambini del quartiere.",
    )  # fmt: skip
    ActivityFactory(programme=programme, place=lab, title="Serata per adulti", audience=Activity.Audience.ADULTS,
                    first_start=rome(tomorrow.year, tomorrow.month, tomorrow.day, 20, 30))  # fmt: skip
    ActivityFactory(programme=programme, place=lab, title="Riunione interna", is_public=False,
                    first_start=rome(tomorrow.year, tomorrow.month, tomorrow.day, 18, 0))  # fmt: skip

    page.goto(f"{live_server.url}/{programme.slug}/calendario/")
    assert page.locator("#calendar-results").get_attribute("data-count") == "6"
    assert page.get_by_text("Riunione interna").count() == 0

    page.select_option("#id_audience", Activity.Audience.CHILDREN_6_10)
    page.locator("form.trama-calendar-filters button[type=submit]").click()
    page.wait_for_url("**/calendario/?*audience=children_6_10*")
    assert page.locator("#calendar-results").get_attribute("data-count") == "5"
    assert page.get_by_text("Serata per adulti").count() == 0
    page.screenshot(path=str(ARTIFACTS / "public-calendar.png"), full_page=True)

    page.get_by_role("link", name="Centro estivo al Borgo").first.click()
    page.wait_for_url(f"**{summer.get_public_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Centro estivo al Borgo"
    assert page.locator("#activity-registration").get_attribute("data-places-left") == "20"

    nine_years_ago = tomorrow.replace(year=tomorrow.year - 9)
    page.fill("#id_first_name", "Lavinia")
    page.fill("#id_last_name", "Scognamiglio")
    page.fill("#id_birth_date", nine_years_ago.isoformat())
    page.fill("#id_guardian_name", "Rosaria Scognamiglio")
    page.fill("#id_guardian_phone", "+39 333 1234567")
    page.fill("#id_guardian_email", "rosaria@example.org")
    page.check("#id_consent")
    page.screenshot(path=str(ARTIFACTS / "public-calendar-activity.png"), full_page=True)
    page.locator("#signup-form button[type=submit]").click()

    page.wait_for_url("**/iscrizione/grazie/")
    outcome = page.locator("#signup-outcome")
    outcome.wait_for()
    assert outcome.get_attribute("data-status") == Registration.Status.REGISTERED
    assert "Lavinia" not in page.url
    assert "Scognamiglio" not in page.content()
    page.screenshot(path=str(ARTIFACTS / "public-calendar-signup.png"), full_page=True)

    registration = Registration.objects.get(activity=summer)
    assert registration.person.first_name == "Lavinia"
    assert registration.guardian_name == "Rosaria Scognamiglio"
    assert registration.guardian_consent_at is not None

    page.locator("#back-to-activity").click()
    page.wait_for_url(f"**{summer.get_public_url()}")
    assert page.locator("#activity-registration").get_attribute("data-places-left") == "19"
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
