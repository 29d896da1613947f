"""The decisive journey of the pacts (issue 6), in a real browser: an operator drafts a pact for a
member of a household they follow — a budget line, a commitment at a community lab — records the
signature, starts it, asks for money and logs hours; a coordinator approves the money; the lab
manager confirms the hours; the two-sided ledger shows both sides, and the PDF to sign carries
the objectives."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory, PersonFactory
from trama.conftest import ARTIFACTS
from trama.core.tests.factories import (
    PASSWORD,
    CommunityPlaceFactory,
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    UserFactory,
)
from trama.network.models import Organisation
from trama.pacts.models import ContributionLog, Disbursement, Pact
from trama.territory.models import Municipality, Programme

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
OBJECTIVES = "Trovare un lavoro stabile entro sei mesi e pagare l'affitto con regolarità."


def _pavia() -> Municipality:
    pavia, _ = Municipality.objects.get_or_create(
        istat_code="018110",
        defaults={
            "cadastral_code": "G388", "name": "Pavia", "province_code": "PV", "province_name": "Pavia",
            "region_name": "Lombardia", "latitude": Decimal("45.19205"), "longitude": Decimal("9.15917"),
        },
    )  # fmt: skip
    return pavia


def _sign_in(page: Page, base: str, user: User, device: TOTPDevice | None = None) -> None:
    """Password, then the second factor for the roles that read case data (S15)."""
    page.goto(f"{base}{reverse('accounts:login')}")
    page.locator("input[name='username']").fill(user.email)
    page.locator("input[name='password']").fill(PASSWORD)
    page.locator("main form button[type='submit']").click()
    if device is not None:
        page.wait_for_url("**/account/2fa/verifica/**")
        page.locator("input[name='token']").fill(f"{totp(device.bin_key):06d}")
        page.locator("main form button[type='submit']").click()
    page.wait_for_url("**/area/**")


def _second_window(page: Page) -> Page:
    """Another person's browser beside the operator's (who stays signed in), reporting its script
    errors and CSP violations to the same `page.problems`."""
    context = page.context.browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
    other = context.new_page()
    other.set_default_timeout(10_000)
    problems = page.problems  # type: ignore[attr-defined]
    other.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    other.on("pageerror", lambda error: problems.append(str(error)))
    return other


def _submit(page: Page) -> None:
    page.locator("#pact-form button[type='submit']").click()
    page.wait_for_load_state()


def test_it_runs_a_pact_from_the_draft_to_the_two_sided_ledger(
    live_server: Any, page: Page, programme: Programme, member: Callable[..., User], settings: Any
) -> None:
    settings.TRAMA_REQUIRE_2FA = True
    base, slug, today = live_server.url, programme.slug, timezone.localdate()

    # --- The programme: a partner's operator following a household, a lab, a coordinator ------
    pavia = _pavia()
    programme.municipalities.add(pavia)
    coordinator = member(Role.COORDINATOR)
    partner = OrganisationFactory(name="Cooperativa Il Ponte")
    PartnershipFactory(programme=programme, organisation=partner)
    operator = MembershipFactory(
        programme=programme, organisation=partner, role=Role.OPERATOR, user=UserFactory(full_name="Luca Bassi")
    ).user
    lab_org = OrganisationFactory(name="Associazione Doposcuola")
    PartnershipFactory(programme=programme, organisation=lab_org)
    lab_manager = member(Role.LAB_MANAGER, organisation=lab_org)
    lab = CommunityPlaceFactory(
        programme=programme, name="Laboratorio Aiuto Compiti", managing_organisation=lab_org, municipality=pavia
    )
    foundation = OrganisationFactory(name="Fondazione del territorio", kind=Organisation.Kind.FOUNDATION)
    case = CaseFactory(programme=programme, organisation=partner, opened_on=today.replace(day=1))
    CaseTeamMemberFactory(case=case, user=operator, organisation=partner, is_lead=True)
    maria = HouseholdMemberFactory(
        household=case.household, person=PersonFactory(programme=programme, first_name="Maria", last_name="Rossi")
    ).person
    devices = {
        user.pk: TOTPDevice.objects.create(user=user, name="app", confirmed=True) for user in (coordinator, operator)
    }

    # --- 1. The operator drafts the pact, both sides, and records the signature --------------
    _sign_in(page, base, operator, devices[operator.pk])
    page.goto(f"{base}{reverse('pacts:pact-list', kwargs={'slug': slug})}")
    page.locator(f"a[href='{reverse('pacts:pact-create', kwargs={'slug': slug})}']").first.click()
    page.locator("#id_case").select_option(str(case.public_id))
    page.locator("main form button[type='submit']").click()
    page.locator("#id_person").select_option(str(maria.public_id))
    page.locator("#id_objectives").fill(OBJECTIVES)
    page.locator("#id_scope_1").check()  # the whole household
    _submit(page)
    pact = Pact.objects.get()
    assert page.url.endswith(pact.get_absolute_url())
    assert OBJECTIVES in page.locator("#objectives").inner_text()

    page.locator("#add-line").click()
    page.locator("#id_purpose").select_option("housing")
    page.locator("#id_description").fill("Tre mensilità di affitto")
    page.locator("#id_source").select_option("foundation")
    page.locator("#id_funder").select_option(str(foundation.public_id))
    page.locator("#id_amount").fill("900,50")
    _submit(page)
    page.locator("#add-commitment").click()
    page.locator("#id_description").fill("Aiuto nel doposcuola del martedì")
    page.locator("input[name='where'][value='place']").check()
    assert page.locator("#id_group").is_hidden()  # pacts.js shows only the list that applies
    page.locator("#id_place").select_option(str(lab.public_id))
    page.locator("#id_hours").fill("20")
    _submit(page)
    assert page.locator("#line-table").get_by_text("900,50").count() >= 1
    assert page.locator("#commitment-table").get_by_text(lab.name).is_visible()

    # The PDF to sign carries the objectives.
    with page.expect_download() as download:
        page.locator("#pending-version a").click()
    pdf_path = ARTIFACTS / "pacts-journey-pact.pdf"
    download.value.save_as(pdf_path)
    if shutil.which("pdftotext"):
        text = subprocess.run(  # noqa: S603 — a fixed local tool reading our own file
            [shutil.which("pdftotext"), str(pdf_path), "-"], capture_output=True, check=True
        ).stdout.decode()
        assert " ".join(OBJECTIVES.split()) in " ".join(text.split())

    page.locator("#sign-link").click()
    page.locator("#id_signed_on").fill(today.isoformat())
    _submit(page)
    page.locator("#start-link").click()
    page.locator("#id_started_on").fill(today.isoformat())
    _submit(page)
    assert page.locator(".lead [data-status]").get_attribute("data-status") == "active"

    page.locator("#request-money").click()
    line = pact.budget_lines.get()
    page.locator("#id_budget_line").select_option(str(line.public_id))
    page.locator("#id_amount").fill("300,25")
    page.locator("#id_payee").fill("Immobiliare Rossi")
    page.locator("#id_description").fill("Affitto del mese")
    _submit(page)
    assert page.locator("#disbursement-status").get_attribute("data-status") == "requested"

    page.goto(f"{base}{pact.get_absolute_url()}")
    commitment = pact.commitments.get()
    ids = {"slug": slug, "pact_id": pact.public_id, "commitment_id": commitment.public_id}
    page.locator(f"a[href='{reverse('pacts:hours-create', kwargs=ids)}']").click()
    page.locator("#id_hours").fill("2,5")
    page.locator("#id_note").fill("Compiti di matematica")
    _submit(page)
    assert page.locator(f"#log-table tr[data-status='{ContributionLog.Status.PENDING}']").count() == 1
    page.screenshot(path=str(ARTIFACTS / "pacts-journey-1-operator.png"), full_page=True)

    # --- 2. The coordinator approves the money ------------------------------------------------
    desk = _second_window(page)
    _sign_in(desk, base, coordinator, devices[coordinator.pk])
    desk.goto(f"{base}{reverse('pacts:requests', kwargs={'slug': slug})}")
    disbursement = Disbursement.objects.get()
    desk.locator(f"tr[data-disbursement='{disbursement.public_id}'] a").click()
    desk.locator("input[name='decision'][value='approve']").check()
    desk.locator("#decision-form button[type='submit']").click()
    desk.locator("#disbursement-status[data-status='approved']").wait_for()
    desk.screenshot(path=str(ARTIFACTS / "pacts-journey-2-coordinator.png"), full_page=True)
    desk.context.close()

    # --- 3. The lab manager confirms the hours, and sees no budget ----------------------------
    lab_desk = _second_window(page)
    _sign_in(lab_desk, base, lab_manager)
    lab_desk.goto(f"{base}{reverse('pacts:giving-back', kwargs={'slug': slug})}")
    assert "900,50" not in lab_desk.content()
    row = lab_desk.locator("#confirm-table tr").filter(has_text="Maria Rossi")
    row.locator("button[type='submit']").click()
    lab_desk.locator("#to-confirm .text-secondary").wait_for()
    assert lab_desk.locator("#confirm-table").count() == 0
    lab_desk.screenshot(path=str(ARTIFACTS / "pacts-journey-3-lab.png"), full_page=True)
    lab_desk.context.close()

    # --- 4. The operator's ledger shows both sides --------------------------------------------
    page.goto(f"{base}{pact.get_absolute_url()}")
    page.locator("#ledger-link").click()
    assert Decimal(page.locator("#total-given").get_attribute("data-amount")) == Decimal("300.25")
    assert Decimal(page.locator("#total-given-back").get_attribute("data-hours")) == Decimal("2.5")
    month = page.locator(f"#ledger-table tr[data-month='{today:%Y-%m}']")
    assert "Immobiliare Rossi" in month.locator(".ledger-given").inner_text()
    assert lab.name in month.locator(".ledger-given-back").inner_text()
    page.screenshot(path=str(ARTIFACTS / "pacts-journey-4-ledger.png"), full_page=True)

    assert (Disbursement.objects.get().status, ContributionLog.objects.get().status) == ("approved", "confirmed")
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
