"""Issue 11's journey in a real browser: the coordinator records a meeting of the steering committee
(a wrong end time is refused first) with a decision; a peer trainer records the attendance of two
sessions of a Well-Fare Lab course and issues the certificates; the coordinator reads the budget by
source. Screenshots of each step go to test-artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, PartnershipFactory, UserFactory
from trama.funding.models import FundingSource
from trama.funding.services import budget as money
from trama.governance import services as governance
from trama.governance.models import Decision, Meeting
from trama.network.models import Partnership
from trama.territory.models import Municipality, Programme
from trama.training import services as training
from trama.training.models import Certificate

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def it(msgid: str) -> str:
    with override("it"):
        return gettext(msgid)


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


def _sign_in(page: Page, base_url: str, user: User, next_url: str) -> None:
    """Password, then the second factor (coordinators and operators need it, S15)."""
    device, _ = TOTPDevice.objects.get_or_create(user=user, name="app", defaults={"confirmed": True})
    # A code is accepted once (no replay): signing in again within the same 30 seconds needs a
    # fresh device state, as a new time step would give.
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)
    device.refresh_from_db()
    page.context.clear_cookies()
    page.goto(f"{base_url}/accesso/?next={next_url}")
    page.get_by_label(it("Email address")).fill(user.email)
    page.get_by_label(it("Password")).fill(PASSWORD)
    page.get_by_role("button", name=it("Sign in")).last.click()
    page.wait_for_url("**/account/2fa/verifica/**")
    page.get_by_label(it("Code")).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name=it("Verify")).click()
    page.wait_for_url(f"**{next_url}")


def test_a_coordinator_a_peer_trainer_and_the_budget(
    live_server: Any, page: Page, programme: Programme, member: Callable[..., User], lead: Any, settings: Any
) -> None:
    settings.TRAMA_REQUIRE_2FA = True
    base = live_server.url
    pavia = _pavia()
    programme.municipalities.add(pavia)
    programme.start_date, programme.end_date = timezone.localdate() - timedelta(days=400), None
    programme.save(update_fields=["start_date", "end_date"])
    coordinator = member(Role.COORDINATOR)
    acli = OrganisationFactory(name="Acli")
    PartnershipFactory(programme=programme, organisation=acli, role=Partnership.Role.PARTNER)
    peer = MembershipFactory(
        programme=programme, organisation=acli, role=Role.OPERATOR, user=UserFactory(full_name="Paola Tutor")
    ).user
    steering = governance.body_save(
        actor=None, programme=programme, fields={"kind": "steering_committee", "name": "Cabina di regia"}
    )
    governance.member_add(actor=None, body=steering, organisation=acli)
    first = (timezone.now() - timedelta(days=8)).replace(minute=0, second=0, microsecond=0)
    course = training.course_create(
        actor=None, programme=programme, fields={"title": "Leggere la vulnerabilità", "audience": "mixed"},
        first_start=first, duration_minutes=120, sessions=2, where={"venue": "Sala", "municipality": pavia},
    )  # fmt: skip
    training.trainer_add(actor=None, course=course, user=peer)
    people = [
        training.participant_ensure(actor=None, programme=programme, profile="operator", first_name=f, last_name=last)
        for f, last in (("Anna", "Rossi"), ("Bruno", "Verdi"))
    ]
    for participant in people:
        training.enrol(actor=None, course=course, participant=participant)
    grant = money.source_save(
        actor=None, programme=programme, fields={"kind": "grant", "name": "Fondazione", "amount": Decimal("7000.00")}
    )
    partner = money.source_save(
        actor=None, programme=programme,
        fields={"kind": "cofinancing", "name": "Cofinanziamento Acli", "organisation": acli,
                "amount": Decimal("3000.00")},
    )  # fmt: skip
    line = money.line_save(
        actor=None, programme=programme, fields={"source": grant, "title": "Tutor", "planned_amount": Decimal("5000")}
    )
    money.expense_record(
        actor=None, programme=programme, line=line, amount=Decimal("1234.56"), incurred_on=timezone.localdate(),
        description="Tutor di gennaio", paid=True,
    )  # fmt: skip

    # --- 1. The coordinator records a steering-committee meeting with a decision ----------------
    body_url = steering.get_absolute_url()
    _sign_in(page, base, coordinator, body_url)
    page.locator("#new-meeting").click()
    page.wait_for_url("**/riunioni/nuova/")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.locator("#id_title").fill("Cabina di regia di verifica")
    page.locator("#id_day").fill(day)
    page.locator("#id_start_time").fill("17:00")
    page.locator("#id_end_time").fill("16:00")  # before the start: refused, nothing saved
    page.locator("#id_agenda").fill("1. Stato di avanzamento\n2. Piano di comunicazione")
    page.locator("#meeting-form button[type=submit]").click()
    page.locator("#id_end_time.is-invalid, #id_end_time[aria-invalid=true], .alert-danger").first.wait_for()
    assert not Meeting.objects.exists()
    page.locator("#id_end_time").fill("19:00")
    page.locator("#meeting-form button[type=submit]").click()
    page.locator("#meeting-facts").wait_for()
    meeting = Meeting.objects.get()
    assert meeting.body == steering
    page.locator("#add-decision").click()
    page.locator("#id_title").fill("Approvare il piano di comunicazione")
    page.locator("#id_due_on").fill((timezone.localdate() + timedelta(days=30)).isoformat())
    page.locator("#decision-form button[type=submit]").click()
    page.locator("#decisions [data-decision]").wait_for()
    assert Decision.objects.get().meeting == meeting
    assert "Approvare il piano di comunicazione" in page.locator("#decisions").inner_text()
    page.screenshot(path=str(ARTIFACTS / "partnership-1-steering-meeting.png"), full_page=True)

    # --- 2. The peer trainer records attendance and issues the certificates ----------------------
    _sign_in(page, base, peer, course.get_absolute_url())
    for occurrence in course.activity.occurrences.order_by("starts_at"):
        page.locator(f'[data-session="{occurrence.public_id}"] [data-link="attendance"]').click()
        page.wait_for_url("**/presenze/")
        page.locator(f"#present-{people[0].public_id}").check()
        page.locator("#save-attendance").click()
        page.locator(f'[data-session="{occurrence.public_id}"][data-present="1"]').wait_for()
    page.locator(f'[data-participant="{people[0].public_id}"][data-hours="4.00"]').wait_for()
    page.locator("#issue-certificates").click()
    page.locator("#eligible").wait_for()
    page.screenshot(path=str(ARTIFACTS / "partnership-2-certificates-to-issue.png"), full_page=True)
    page.locator("#confirm-certificates").click()
    page.locator(f'[data-participant="{people[0].public_id}"] [data-certificate]').wait_for()
    certificate = Certificate.objects.get()
    assert (certificate.participant, certificate.hours, certificate.issued_by) == (people[0], Decimal("4.00"), peer)
    page.screenshot(path=str(ARTIFACTS / "partnership-3-course-with-certificate.png"), full_page=True)

    # --- 3. The coordinator reads the budget by source ---------------------------------------------
    budget_url = reverse("funding:budget", args=[programme.slug])
    _sign_in(page, base, coordinator, budget_url)
    table = page.locator("#budget-by-source")
    table.wait_for()
    assert table.locator(f'[data-source="{grant.public_id}"][data-spent="1234.56"]').count() == 1
    assert table.locator(f'[data-source="{partner.public_id}"][data-pledged="3000.00"]').count() == 1
    assert page.locator('#cofinancing[data-percent="30.00"]').count() == 1
    assert FundingSource.objects.count() == 2
    page.screenshot(path=str(ARTIFACTS / "partnership-4-budget-by-source.png"), full_page=True)

    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
