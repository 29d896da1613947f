"""The volunteer's journey (issue 7), in a real browser: a citizen applies on the public "I want to
help" form, the coordinator approves them (with the second factor), the programme proposes them for
a neighbour's shopping, and the volunteer — signed in to their own page — accepts the match, sees
who asked only then, and logs their hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import PASSWORD, CommunityPlaceFactory, OrganisationFactory, PartnershipFactory
from trama.mutualaid.models import HourLog, Match, Volunteer
from trama.mutualaid.services.aid import Party, citizen_contact, offer_create, request_create
from trama.territory.models import Municipality, Programme

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEIGHBOUR = ("Ada", "Ferrandi", "0382 445566")
STREET = "Via dei Mille 21"


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


def _sign_in(page: Page, base: str, email: str, next_url: str, device: TOTPDevice | None = None) -> None:
    page.goto(f"{base}/accesso/?{urlencode({'next': next_url})}")
    page.locator("#id_username").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    if device is not None:
        page.wait_for_url("**/account/2fa/verifica/**")
        page.locator("#id_token").fill(f"{totp(device.bin_key):06d}")
        page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"**{next_url}")


def _next_tuesday() -> Any:
    today = timezone.localdate()
    return today + timedelta(days=(1 - today.weekday()) % 7 or 7)


def test_a_citizen_applies_is_approved_accepts_a_match_and_logs_hours(
    live_server: Any, page: Page, programme: Programme, member: Callable[..., User], lead: Any, settings: Any
) -> None:
    settings.TRAMA_REQUIRE_2FA = True
    base = live_server.url
    slug = programme.slug
    programme.municipalities.add(_pavia())
    partner = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=programme, organisation=partner)
    lab = CommunityPlaceFactory(programme=programme, name="Laboratorio Crosione", managing_organisation=partner,
                                municipality=_pavia())  # fmt: skip
    coordinator = member(Role.COORDINATOR)
    device = TOTPDevice.objects.create(user=coordinator, name="app", confirmed=True)

    # --- A citizen applies on the public form ----------------------------------------------------
    page.goto(f"{base}{reverse('mutualaid-public:apply', args=[slug])}")
    page.locator("#id_first_name").fill("Giulia")
    page.locator("#id_last_name").fill("Bassi")
    page.locator("#id_birth_date").fill("1988-05-17")
    page.locator("#id_email").fill("giulia.bassi@example.org")
    page.locator("#id_phone").fill("333 7654321")
    page.locator("#id_municipality").select_option(str(_pavia().pk))
    page.locator('input[name="skills"][value="shopping"]').check()
    page.locator('input[name="languages"][value="it"]').check()
    page.locator('input[name="languages"][value="ar"]').check()
    page.locator('input[name="municipalities"]').first.check()
    page.locator("#id_slot-0-weekday").select_option("2")
    page.locator("#id_slot-0-start").fill("15:00")
    page.locator("#id_slot-0-end").fill("19:00")
    page.locator("#id_consent").check()
    page.screenshot(path=str(ARTIFACTS / "volunteer-1-public-form.png"), full_page=True)
    page.locator("#send-application").click()
    page.locator("#volunteer-thanks").wait_for()
    volunteer = Volunteer.objects.get(person__email="giulia.bassi@example.org")
    assert volunteer.status == Volunteer.Status.APPLIED
    page.screenshot(path=str(ARTIFACTS / "volunteer-2-thanks.png"), full_page=True)

    # --- The coordinator approves, at the lab ------------------------------------------------------
    _sign_in(page, base, coordinator.email, reverse("mutualaid:volunteer-list", args=[slug]), device)
    page.locator(f'[data-volunteer="{volunteer.public_id}"] a').click()
    page.locator("#approve-link").click()
    page.locator("#id_place").select_option(str(lab.pk))
    page.locator("#id_training_on").fill(timezone.localdate().isoformat())
    page.locator("#id_insurance_policy").fill("Polizza RC volontari 2026/118")
    page.locator("#approve-submit").click()
    page.locator('[data-status="approved"]').wait_for()
    volunteer.refresh_from_db()
    assert volunteer.status == Volunteer.Status.APPROVED
    assert volunteer.place == lab
    assert volunteer.user is not None
    page.screenshot(path=str(ARTIFACTS / "volunteer-3-approved.png"), full_page=True)

    # --- A neighbour needs shopping: the coordinator proposes Giulia --------------------------------
    offer = offer_create(actor=coordinator, programme=programme, offerer=Party(volunteer=volunteer),
                         fields={"category": "shopping", "description": "Spesa il martedì pomeriggio",
                                 "municipality": _pavia(), "max_distance_km": 5})  # fmt: skip
    neighbour = citizen_contact(actor=coordinator, programme=programme, first_name=NEIGHBOUR[0],
                                last_name=NEIGHBOUR[1], phone=NEIGHBOUR[2])  # fmt: skip
    tuesday = _next_tuesday()
    starts = timezone.make_aware(datetime(tuesday.year, tuesday.month, tuesday.day, 16, 0))  # noqa: DTZ001
    aid_request = request_create(
        actor=coordinator, programme=programme, requester=Party(person=neighbour),
        fields={"category": "shopping", "summary": "Spesa settimanale per una signora anziana", "address": STREET,
                "municipality": _pavia(), "starts_at": starts, "ends_at": starts + timedelta(hours=1),
                "language": "ar"},
    )  # fmt: skip
    page.goto(f"{base}{aid_request.get_absolute_url()}")
    candidate = page.locator(f'[data-offer="{offer.public_id}"]')
    assert candidate.locator('[data-criterion="language"]').count() == 1
    page.screenshot(path=str(ARTIFACTS / "volunteer-4-proposals.png"), full_page=True)
    candidate.locator("button[type=submit]").click()
    page.locator('[data-action="requester-accepts"]').click()
    page.locator("[data-match][data-status=proposed]").wait_for()
    match = Match.objects.get(request=aid_request)
    assert match.requester_accepted_at is not None
    page.locator("header form button[type=submit]").last.click()  # sign out
    page.wait_for_url(f"{base}/**")

    # --- The volunteer accepts from their own page, then sees who asked ------------------------------
    volunteer.user.set_password(PASSWORD)  # as if they had followed the invitation's link
    volunteer.user.save(update_fields=["password"])
    _sign_in(page, base, "giulia.bassi@example.org", reverse("mutualaid:my-home", args=[slug]))
    waiting = page.locator(f'#matches-waiting [data-match="{match.public_id}"]')
    assert NEIGHBOUR[1] not in page.locator("main").inner_text()
    waiting.locator("a").click()
    page.locator("#match-facts").wait_for()
    assert page.locator("#requester-identity").count() == 0
    assert STREET not in page.locator("main").inner_text()
    page.locator("#accept-match").click()
    page.locator("#requester-identity").wait_for()
    assert page.locator('#requester-identity [data-field="name"]').inner_text() == " ".join(NEIGHBOUR[:2])
    assert page.locator('#requester-identity [data-field="address"]').inner_text() == STREET
    assert page.locator('#requester-identity [data-field="phone"]').inner_text() == NEIGHBOUR[2]
    match.refresh_from_db()
    assert match.status == Match.Status.ACCEPTED
    page.screenshot(path=str(ARTIFACTS / "volunteer-5-match-accepted.png"), full_page=True)

    # --- … and logs the hours of last Saturday's neighbourhood party --------------------------------
    page.goto(f"{base}{reverse('mutualaid:my-home', args=[slug])}")
    form = page.locator("#log-hours-form")
    form.locator("#id_day").fill((timezone.localdate() - timedelta(days=1)).isoformat())
    form.locator("#id_hours").fill("2,5")
    form.locator("#id_description").fill("Allestimento della festa di quartiere")
    page.locator("#log-hours-submit").click()
    page.locator('#my-logs [data-status="pending"]').wait_for()
    log = HourLog.objects.get(volunteer=volunteer)
    assert (log.hours, log.status) == (Decimal("2.50"), HourLog.Status.PENDING)
    page.screenshot(path=str(ARTIFACTS / "volunteer-6-hours-logged.png"), full_page=True)

    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
