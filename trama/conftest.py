"""Fixtures shared by the apps' tests: personas of two programmes, and a verified login."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from trama.accounts.models import Role, User
from trama.core.tests.factories import (
    MembershipFactory,
    OrganisationFactory,
    PartnershipFactory,
    ProgrammeFactory,
)
from trama.network.models import Organisation, Partnership
from trama.territory.models import Programme

if TYPE_CHECKING:
    from playwright.sync_api import Page


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    """Real hashing costs ~0.3 s per password; tests do not measure it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture
def programme() -> Programme:
    return ProgrammeFactory(slug="programma-a", name="Programma A")


@pytest.fixture
def other_programme() -> Programme:
    return ProgrammeFactory(slug="programma-b", name="Programma B")


@pytest.fixture
def lead(programme: Programme) -> Organisation:
    organisation = OrganisationFactory(name="Capofila A")
    PartnershipFactory(programme=programme, organisation=organisation, role=Partnership.Role.LEAD)
    return organisation


@pytest.fixture
def member(programme: Programme, lead: Organisation) -> Callable[..., User]:
    """`member(role)` makes a user with that role in `programme` (for the lead, unless told)."""

    def make(role: str, *, of: Programme | None = None, organisation: Organisation | None = None) -> User:
        return MembershipFactory(programme=of or programme, organisation=organisation or lead, role=role).user

    return make


@pytest.fixture
def coordinator(member: Callable[..., User]) -> User:
    return member(Role.COORDINATOR)


@pytest.fixture
def operator(member: Callable[..., User]) -> User:
    return member(Role.OPERATOR)


@pytest.fixture
def evaluator(member: Callable[..., User]) -> User:
    return member(Role.EVALUATOR)


@pytest.fixture
def volunteer(member: Callable[..., User]) -> User:
    return member(Role.VOLUNTEER)


@pytest.fixture
def login() -> Callable[[Client, User], Client]:
    """Sign `user` in on `client` with the second factor already passed, as after a real login."""

    def sign_in(client: Client, user: User) -> Client:
        client.force_login(user)
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
        return client

    return sign_in


CHROMIUM = Path(os.environ.get("TRAMA_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture
def page(request: pytest.FixtureRequest) -> Iterator[Page]:
    """A Playwright page in Debian's chromium (never a downloaded browser). A failing test leaves
    a screenshot in test-artifacts/; CSP violations and page errors are collected on `page.problems`."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(locale="it-IT", viewport={"width": 1280, "height": 900})
        browser_page = context.new_page()
        browser_page.set_default_timeout(10_000)
        problems: list[str] = []
        browser_page.on(
            "console",
            lambda message: problems.append(message.text) if message.type == "error" else None,
        )
        browser_page.on("pageerror", lambda error: problems.append(str(error)))
        browser_page.problems = problems  # type: ignore[attr-defined]
        yield browser_page
        report = getattr(request.node, "rep_call", None)
        if report is not None and report.failed:
            browser_page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-failure.png"), full_page=True)
        context.close()
        browser.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


# --- The personas of the case record (STYLE.md rule 18) ---------------------------------------


@pytest.fixture
def casework(programme: Programme, lead: Organisation) -> SimpleNamespace:
    """A case of programme A owned by `partner`, and every persona that must see it or not:

    - `owner`: operator of `partner` on the case team;
    - `colleague`: operator of `partner`, not on the team and not supervisor → sees nothing;
    - `supervisor`: operator of `partner` marked supervisor → sees all of `partner`'s cases;
    - `stranger`: operator of another organisation → sees nothing;
    - `coordinator`: coordinator of the programme → sees every case;
    - `lab_manager`, `evaluator`, `volunteer`, `funder`: see no case data;
    - `outsider`: coordinator of programme B → sees nothing of programme A.
    """
    from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory

    partner = OrganisationFactory(name="Cooperativa del caso")
    PartnershipFactory(programme=programme, organisation=partner)
    other = OrganisationFactory(name="Altra cooperativa")
    PartnershipFactory(programme=programme, organisation=other)

    def person(role: str, organisation: Organisation, *, supervisor: bool = False, of: Programme | None = None) -> User:
        return MembershipFactory(
            programme=of or programme, organisation=organisation, role=role, is_supervisor=supervisor
        ).user

    owner = person(Role.OPERATOR, partner)
    case = CaseFactory(programme=programme, organisation=partner)
    CaseTeamMemberFactory(case=case, user=owner, organisation=partner, is_lead=True)
    member = HouseholdMemberFactory(household=case.household)
    other_programme = ProgrammeFactory(slug="programma-b", name="Programma B")
    return SimpleNamespace(
        case=case,
        household=case.household,
        person=member.person,
        partner=partner,
        other_organisation=other,
        owner=owner,
        colleague=person(Role.OPERATOR, partner),
        supervisor=person(Role.OPERATOR, partner, supervisor=True),
        stranger=person(Role.OPERATOR, other),
        coordinator=person(Role.COORDINATOR, lead),
        lab_manager=person(Role.LAB_MANAGER, partner),
        evaluator=person(Role.EVALUATOR, lead),
        volunteer=person(Role.VOLUNTEER, partner),
        funder=person(Role.FUNDER, lead),
        outsider=person(Role.COORDINATOR, lead, of=other_programme),
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Transactional tests (browser journeys, real concurrency) empty the database when they end,
    reference data included (municipalities, taxonomy terms from data migrations): restore it for
    the tests that follow, whatever order `-n 2` gives them."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker is not None and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            item.add_marker(pytest.mark.django_db(**{**marker.kwargs, "serialized_rollback": True}), append=False)


@pytest.fixture(autouse=True)
def _dashboard_figures_not_kept(settings: Any) -> None:
    """Tests write records with factories (no audit, so no new version of the programme's records):
    the dashboard's figures are computed every time, except in the tests of keeping them."""
    settings.TRAMA_DASHBOARD_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _erasure_journal(settings: Any, tmp_path: Path) -> None:
    """Each test journals erasures in its own file, never in the checkout's journal."""
    settings.TRAMA_ERASURE_JOURNAL = tmp_path / "erasure-journal.jsonl"
