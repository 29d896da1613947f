"""The decisive journey of casework (issue 4), in a real browser: a family asks for help on the
public form, the coordinator triages the request into a case assigned to a partner's operator, and
the operator assesses the needs, starts a homework pathway with a session, records the guardian's
consent to sharing and refers the child to a lab run by another partner: the referral is pending."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, override
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.casework.models import Assessment, IntakeRequest, Referral
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import (
    PASSWORD,
    CommunityPlaceFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)
from trama.network import taxonomy
from trama.network.models import Partnership, TaxonomyTerm
from trama.territory.models import Municipality, Programme

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def it(msgid: Any, **values: Any) -> str:
    """The Italian text the pages render for `msgid` (the interface's default language); `msgid`
    may be a lazy label of a model's choices."""
    with override("it"):
        text = gettext(msgid) if isinstance(msgid, str) else str(msgid)
    return text % values if values else text


def label(msgid: str) -> str:
    """A model field's label as a form renders it: the translated verbose name, capitalised."""
    return capfirst(it(msgid))


def exactly(text: str) -> re.Pattern[str]:
    """A label that is `text` alone (Django adds a colon after it), not a longer one containing it."""
    return re.compile(rf"^{re.escape(text)}:?$")


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


def _with_authenticator(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="app", confirmed=True)


def _sign_in(page: Page, base_url: str, user: User, device: TOTPDevice) -> None:
    """Password, then the second factor: coordinators and operators read case data (S5)."""
    page.goto(f"{base_url}/accesso/")
    page.get_by_label(it("Email address")).fill(user.email)
    page.get_by_label(it("Password")).fill(PASSWORD)
    page.get_by_role("button", name=it("Sign in")).last.click()
    page.wait_for_url("**/account/2fa/verifica/**")
    page.get_by_label(it("Code")).fill(f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name=it("Verify")).click()
    page.wait_for_url("**/area/**")


def _heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text().strip()


def test_it_takes_a_family_from_the_help_form_to_a_pending_referral_to_a_lab(
    live_server: Any, page: Page, programme: Programme, member: Callable[..., User], settings: Any
) -> None:
    settings.TRAMA_REQUIRE_2FA = True
    page.set_default_timeout(10_000)
    base = live_server.url
    today = timezone.localdate()

    # --- The programme's network ------------------------------------------------------------
    programme.municipalities.add(_pavia())
    taxonomy.sync_terms(TaxonomyTerm)
    coordinator = member(Role.COORDINATOR)
    partner = OrganisationFactory(name="Cooperativa Il Ponte")
    PartnershipFactory(programme=programme, organisation=partner, role=Partnership.Role.PARTNER)
    operator = MembershipFactory(
        programme=programme, organisation=partner, role=Role.OPERATOR, user=UserFactory(full_name="Luca Bassi")
    ).user
    lab_partner = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=programme, organisation=lab_partner, role=Partnership.Role.PARTNER)
    member(Role.LAB_MANAGER, organisation=lab_partner)
    lab = CommunityPlaceFactory(
        programme=programme,
        name="Laboratorio Aiuto Compiti",
        managing_organisation=lab_partner,
        municipality=_pavia(),
        services=["homework-help"],
    )
    assert lab.services.filter(code="homework-help").exists()
    coordinator_device = _with_authenticator(coordinator)
    operator_device = _with_authenticator(operator)

    # --- 1. A family asks for help on the public form ---------------------------------------
    page.goto(f"{base}/{programme.slug}/aiuto/")
    assert _heading(page) == it("I need help")
    page.get_by_label(it("Your name")).fill("Maria Rossi")
    page.get_by_label(it("Your telephone number")).fill("0382 123456")
    page.get_by_label(it("Municipality where the family lives")).select_option(label="Pavia")
    page.get_by_role("radio", name=it("Yes"), exact=True).check()
    page.get_by_label(it("What is happening")).fill("Ho perso il lavoro e mia figlia fatica a scuola.")
    page.get_by_label(
        it("I have read the privacy notice and I agree that the programme's team uses these details to contact me.")
    ).check()
    page.get_by_role("button", name=it("Send the request")).click()
    page.wait_for_url(f"**/{programme.slug}/aiuto/grazie/")
    assert _heading(page) == it("Thank you: your request has been sent")
    page.screenshot(path=str(ARTIFACTS / "casework-journey-1-help.png"), full_page=True)
    intake = IntakeRequest.objects.get(programme=programme)
    assert (intake.contact_name, intake.has_minors, intake.status) == ("Maria Rossi", True, "new")

    # --- 2. The coordinator triages the request into a case for the partner's operator --------
    _sign_in(page, base, coordinator, coordinator_device)
    page.goto(f"{base}/area/{programme.slug}/casi/")
    page.get_by_role("link", name=it("Intake queue")).click()
    assert _heading(page) == it("Intake queue")
    row = page.get_by_role("row").filter(has_text="Maria Rossi")
    assert "Pavia" in row.inner_text()
    row.get_by_role("link", name=it("Triage")).click()
    assert _heading(page) == it("Request of %(name)s", name="Maria Rossi")
    assert page.get_by_text("Ho perso il lavoro e mia figlia fatica a scuola.").is_visible()
    page.get_by_role("radio", name=it("A new household")).check()
    assert page.get_by_label(it("Name of the new household")).input_value() == "Famiglia Rossi"
    page.get_by_label(it("Organisation in charge")).select_option(label=partner.name)
    page.get_by_label(it("Case lead (an operator of that organisation)")).select_option(
        label=f"Luca Bassi — {partner.name}"
    )
    page.get_by_role("button", name=it("Open the case")).click()
    page.wait_for_url(f"**/area/{programme.slug}/casi/*/")
    assert page.get_by_text(it("The case has been opened and assigned.")).is_visible()
    assert _heading(page) == "Famiglia Rossi"
    assert page.get_by_text(partner.name).first.is_visible()
    assert page.get_by_role("listitem").filter(has_text="Luca Bassi").is_visible()
    page.screenshot(path=str(ARTIFACTS / "casework-journey-2-triage.png"), full_page=True)
    page.get_by_role("button", name=it("Sign out")).click()
    page.wait_for_load_state()

    # --- 3. The operator assesses, adds the child, starts a pathway and records a session -----
    _sign_in(page, base, operator, operator_device)
    page.goto(f"{base}/area/{programme.slug}/casi/")
    assert _heading(page) == it("Cases")
    page.get_by_role("link", name="Famiglia Rossi").click()
    assert _heading(page) == "Famiglia Rossi"
    case_url = page.url

    page.get_by_role("link", name=it("Record an assessment")).click()
    assert _heading(page) == it("Record a needs assessment")
    page.get_by_label(it("Date of the assessment")).fill(today.isoformat())
    for score, dimension in enumerate(Assessment.Dimension, start=1):
        group = page.get_by_role("group", name=capfirst(it(dimension.label)), exact=True)
        group.get_by_role("radio").nth((score - 1) % 5).check()
    page.get_by_role("button", name=it("Save the assessment")).click()
    page.wait_for_url(f"{case_url}#assessments")
    assert page.get_by_text(it("The assessment has been recorded.")).is_visible()
    assessment = Assessment.objects.get(case__household__label="Famiglia Rossi")
    assert assessment.scores.count() == 8

    page.get_by_role("link", name=it("open the household")).click()
    assert _heading(page) == "Famiglia Rossi"
    page.get_by_role("link", name=it("Add a member")).click()
    page.get_by_label(exactly(label("first name"))).fill("Giulia")
    page.get_by_label(exactly(label("last name"))).fill("Rossi")
    page.get_by_label(exactly(label("date of birth"))).fill(date(today.year - 10, 3, 15).isoformat())
    page.get_by_label(it("Relation to the household")).select_option(label=it("child"))
    page.get_by_role("button", name=it("Save"), exact=True).click()
    assert page.get_by_text(it("The person has been added to the household.")).is_visible()
    assert page.get_by_role("link", name="Giulia Rossi", exact=True).is_visible()

    page.goto(case_url)
    page.get_by_role("link", name=it("Start a pathway")).click()
    assert _heading(page) == it("Start a pathway")
    page.get_by_label(it("Kind")).select_option(label=it("homework support"))
    page.get_by_label(it("Title")).fill("Compiti con Giulia")
    page.get_by_label(exactly(it("Start"))).fill(today.isoformat())
    page.get_by_role("button", name=it("Create the pathway")).click()
    assert page.get_by_text(it("The pathway has been created.")).is_visible()
    assert _heading(page) == "Compiti con Giulia"

    page.get_by_role("link", name=it("Record a session")).click()
    assert _heading(page) == it("Record a session")
    page.get_by_label(exactly(it("Date"))).fill(today.isoformat())
    page.get_by_label(exactly(it("Time"))).fill("09:00")
    page.get_by_label(it("Modality")).select_option(label=it("in person"))
    page.get_by_role("checkbox", name="Giulia Rossi").check()
    page.get_by_label(it("Confidential note (only the case team reads it)")).fill("Prima lezione di matematica.")
    page.get_by_role("button", name=it("Save the session")).click()
    assert page.get_by_text(it("The session has been recorded.")).is_visible()

    page.goto(case_url)
    pathways = page.locator("#pathways")
    assert pathways.get_by_role("link", name="Compiti con Giulia").is_visible()
    assert page.locator("#sessions").get_by_text("Compiti con Giulia").first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "casework-journey-3-case.png"), full_page=True)

    # --- 4. The guardian consents to sharing with the lab's partner; the child is referred ----
    page.get_by_role("link", name=it("open the household")).click()
    page.get_by_role("link", name="Giulia Rossi", exact=True).click()
    assert _heading(page) == "Giulia Rossi"
    page.get_by_role("link", name=it("Record a consent")).click()
    page.get_by_label(label("purpose")).select_option(label=it("sharing with a named partner"))
    page.get_by_label(exactly(it("Partner"))).select_option(label=lab_partner.name)
    page.get_by_role("radio", name=it("a parent or guardian")).check()
    page.get_by_label(label("name of the parent or guardian")).fill("Maria Rossi")
    page.get_by_role("button", name=it("Save"), exact=True).click()
    assert page.get_by_text(it("The consent has been recorded.")).is_visible()
    assert page.get_by_role("row").filter(has_text=lab_partner.name).filter(has_text=it("in force")).is_visible()

    page.goto(case_url)
    page.get_by_role("link", name=it("Refer someone")).click()
    assert _heading(page) == it("Refer someone")
    assert page.get_by_text(f"Giulia Rossi → {lab_partner.name}").is_visible()
    page.get_by_label(it("Person referred")).select_option(label="Giulia Rossi")
    page.get_by_role("radio", name=it("community place")).check()
    page.get_by_role("combobox", name=exactly(it("Community place"))).select_option(label=lab.name)
    page.get_by_label(exactly(it("What for"))).fill(it("homework support"))
    page.get_by_role("button", name=it("Send the referral")).click()
    assert page.get_by_text(it("The referral has been sent.")).is_visible()
    assert _heading(page) == it("Referral of %(name)s: %(service)s", name="Giulia", service=it("homework support"))
    assert page.locator(".lead .badge").inner_text() == it("pending")

    page.get_by_role("link", name="Famiglia Rossi").first.click()
    referral_row = page.locator("#referrals").get_by_role("row").filter(has_text="Giulia Rossi")
    assert lab.name in referral_row.inner_text()
    assert referral_row.locator(".badge").first.inner_text() == it("pending")
    page.locator("#referrals").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "casework-journey-4-referral.png"), full_page=True)

    referral = Referral.objects.get()
    assert (referral.status, referral.target_place, referral.from_organisation) == ("pending", lab, partner)
    assert referral.consent_override == ""
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
