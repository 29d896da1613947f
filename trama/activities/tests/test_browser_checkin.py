"""The lab manager's evening, in a real browser on a phone-sized screen (390 × 844): they open their
places' week, check in two of the three children registered for today's homework help, then record
the anonymous tally of the neighbourhood party — 120 people, 45 of them minors."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from trama.accounts.models import Role, User
from trama.activities.attendance import TallyCell
from trama.activities.models import AgeBand, Attendance, Tally, TallyGender
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, RegistrationFactory
from trama.casework.tests.factories import PersonFactory
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import (
    PASSWORD,
    CommunityPlaceFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)
from trama.territory.models import Municipality, Programme

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
PARTY = {
    (AgeBand.CHILDREN_6_10, TallyGender.FEMALE): 20,
    (AgeBand.CHILDREN_6_10, TallyGender.MALE): 15,
    (AgeBand.ADOLESCENTS_14_17, TallyGender.UNKNOWN): 10,
    (AgeBand.ADULTS_18_64, TallyGender.FEMALE): 40,
    (AgeBand.ADULTS_18_64, TallyGender.MALE): 35,
}


def _pavia() -> Municipality:
    # Created if an earlier transactional test emptied the table its data migration filled.
    pavia, _ = Municipality.objects.get_or_create(
        istat_code="018110",
        defaults={
            "cadastral_code": "G388", "name": "Pavia", "province_code": "PV", "province_name": "Pavia",
            "region_name": "Lombardia", "latitude": Decimal("45.19205"), "longitude": Decimal("9.15917"),
        },
    )  # fmt: skip
    return pavia


def _fits_the_screen(page: Page) -> None:
    """No horizontal scrolling on the phone: neither the whole page nor anything in its content is
    wider than the screen."""
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    main = page.locator("#main")
    assert main.evaluate("element => element.scrollWidth") <= PHONE["width"]
    overflowing = main.evaluate(
        "element => Array.from(element.querySelectorAll('*')).filter("
        "child => child.getBoundingClientRect().right > window.innerWidth + 0.5).length"
    )
    assert overflowing == 0


def test_a_lab_manager_checks_in_children_and_counts_a_party_on_a_phone(
    live_server: Any, page: Page, programme: Programme, member: Callable[..., User]
) -> None:
    page.set_viewport_size(PHONE)
    programme.municipalities.add(_pavia())
    lab_partner = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=programme, organisation=lab_partner)
    manager = MembershipFactory(
        programme=programme, organisation=lab_partner, role=Role.LAB_MANAGER,
        user=UserFactory(full_name="Elena Sacchi"),
    ).user  # fmt: skip
    lab = CommunityPlaceFactory(
        programme=programme, name="Laboratorio Aiuto Compiti", managing_organisation=lab_partner, municipality=_pavia()
    )
    homework = ActivityFactory(
        programme=programme, place=lab, title="Aiuto compiti del sabato", registration_required=True, capacity=12,
        municipality=_pavia(), expand=False,
    )  # fmt: skip
    party = ActivityFactory(
        programme=programme, place=lab, title="Festa di quartiere", kind="public_event", municipality=_pavia(),
        expand=False,
    )  # fmt: skip
    start = timezone.now() - timedelta(hours=1)  # attendance is recorded from the day of the date on
    lesson = OccurrenceFactory(activity=homework, starts_at=start, ends_at=start + timedelta(minutes=90))
    festa = OccurrenceFactory(activity=party, starts_at=start, ends_at=start + timedelta(hours=3))
    children = [
        PersonFactory(programme=programme, first_name=first, last_name=last, birth_date=date(2016, 3, 1))
        for first, last in (("Giulia", "Ferri"), ("Nicolò", "Bassi"), ("Amina", "Diallo"))
    ]
    for child in children:
        RegistrationFactory(activity=homework, person=child, guardian_name="Genitore", guardian_consent_at=start)

    # --- Sign in and land on the week ------------------------------------------------------
    week_url = reverse("activities:week", args=[programme.slug])
    day = timezone.localdate(start).isoformat()  # its week, even just after midnight on a Monday
    page.goto(f"{live_server.url}/accesso/?{urlencode({'next': f'{week_url}?settimana={day}'})}")
    page.get_by_label("Indirizzo email").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").last.click()
    page.wait_for_url(f"**{week_url}?settimana={day}")
    lesson_card = page.locator(f'[data-occurrence="{lesson.public_id}"]')
    lesson_card.wait_for()
    assert lesson_card.locator('[data-figure="registered"]').inner_text().strip() == "3 / 12"
    _fits_the_screen(page)

    # --- The check-in sheet: search, tick two of three, save -------------------------------
    lesson_card.locator('[data-link="checkin"]').click()
    page.wait_for_url("**/presenze/")
    search = page.locator("#checkin-search")
    search.fill("nicolo")  # accents do not matter
    assert page.locator("[data-checkin-row]:visible").count() == 1
    search.fill("")
    assert page.locator("[data-checkin-row]:visible").count() == 3
    page.get_by_label("Giulia Ferri").check()
    page.get_by_label("Amina Diallo").check()
    assert page.locator("#checkin-ticked").inner_text() == "2"
    _fits_the_screen(page)
    page.locator("#checkin-save").click()
    page.locator('#checkin-recorded[data-present="2"]').wait_for()
    assert "2" in page.locator(".messages[role=status]").inner_text()
    assert page.get_by_label("Giulia Ferri").is_checked()
    assert not page.get_by_label("Nicolò Bassi").is_checked()
    assert set(Attendance.objects.filter(occurrence=lesson).values_list("person__last_name", flat=True)) == {
        "Ferri", "Diallo",
    }  # fmt: skip
    page.screenshot(path=str(ARTIFACTS / "lab-checkin-phone.png"), full_page=True)

    # --- Back to the week, then the party's tally ------------------------------------------
    page.locator("#back-to-week").click()
    party_card = page.locator(f'[data-occurrence="{festa.public_id}"]')
    party_card.locator('[data-link="tally"]').click()
    page.wait_for_url("**/conteggio/")
    for (band, gender), count in PARTY.items():
        page.locator(f"#id_{TallyCell(band, gender).name}").fill(str(count))
    assert page.locator("#tally-live-total").inner_text() == "120"
    assert page.locator("#tally-live-minors").inner_text() == "45"
    _fits_the_screen(page)
    page.locator("#tally-save").click()
    page.locator('#tally-saved[data-total="120"][data-minors="45"]').wait_for()
    assert sum(Tally.objects.filter(occurrence=festa).values_list("count", flat=True)) == 120
    page.screenshot(path=str(ARTIFACTS / "lab-tally-phone.png"), full_page=True)

    # --- The week shows what was recorded --------------------------------------------------
    page.locator("#back-to-week").click()
    page.locator(f'[data-occurrence="{lesson.public_id}"] [data-figure="attended"]').wait_for()
    assert page.locator(f'[data-occurrence="{lesson.public_id}"] [data-figure="attended"]').inner_text() == "2"
    assert page.locator(f'[data-occurrence="{festa.public_id}"] [data-figure="tally"]').inner_text() == "120"

    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
