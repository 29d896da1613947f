"""The downloads of the remaining lists: intake queue, fundraising, mutual aid, training, giving
back, and the work and housing plans. Each file holds exactly what the page shows to the same
person (S1), neutralised (S19), audited, in a number of queries that does not grow with the rows."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from trama.accounts.models import AuditEvent, Role, User
from trama.casework.models import IntakeRequest
from trama.casework.tests.factories import (
    CaseFactory,
    CaseTeamMemberFactory,
    ConsentFactory,
    IntakeRequestFactory,
    PersonFactory,
)
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, PartnershipFactory
from trama.funding.models import Reallocation
from trama.funding.tests.factories import BudgetLineFactory
from trama.housing import services as housing
from trama.housing.tests.conftest import PAVIA, make_dwelling, make_search
from trama.mutualaid.tests.factories import HourLogFactory, OfferFactory, RequestFactory, VolunteerFactory
from trama.network.models import Organisation, Partnership
from trama.people.models import Consent
from trama.territory.models import Municipality, Programme
from trama.training.models import Participant
from trama.work import services as work_services
from trama.work.tests.conftest import make_opening, make_seeker

pytestmark = pytest.mark.django_db
PAYLOADS = ['=HYPERLINK("http://x")', "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rReturn"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def xlsx_rows(content: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def download(client: Client, url: str, **params: str) -> list[list[str]]:
    response = client.get(url, {**params, "export": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return csv_rows(response.content)


def first_column(rows: list[list[str]]) -> set[str]:
    return {row[0] for row in rows[1:]}


def same_queries(client: Client, url: str, fill: Callable[[int], None], assert_num_queries: Any) -> None:
    """The download costs as many queries with 18 more rows as with 2."""
    fill(2)
    client.get(url, {"export": "csv"})  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        before = len(download(client, url))
    assert before >= 3
    fill(18)
    with assert_num_queries(len(small.captured_queries)):
        assert len(download(client, url)) == before + 18


# --- Work plan ------------------------------------------------------------------------------------


@pytest.fixture
def work(programme: Programme, lead: Organisation) -> SimpleNamespace:
    montichiari = Municipality.objects.get(name="Montichiari", province_code="BS")
    programme.municipalities.add(montichiari)
    partner = OrganisationFactory(name="Cooperativa Lavoro")
    PartnershipFactory(programme=programme, organisation=partner)
    company = OrganisationFactory(name="Logistica Bassa Srl", kind=Organisation.Kind.COMPANY)
    PartnershipFactory(programme=programme, organisation=company, role=Partnership.Role.NETWORK)
    other_company = OrganisationFactory(name="Altra Azienda Spa", kind=Organisation.Kind.COMPANY)
    PartnershipFactory(programme=programme, organisation=other_company, role=Partnership.Role.NETWORK)

    def person(role: str, organisation: Organisation) -> User:
        return MembershipFactory(programme=programme, organisation=organisation, role=role).user

    owner = person(Role.OPERATOR, partner)
    case = CaseFactory(programme=programme, organisation=partner, household__municipality=montichiari)
    CaseTeamMemberFactory(case=case, user=owner, organisation=partner, is_lead=True)
    anna = make_seeker(case, first="Anna", last="Ferri", municipality=montichiari)
    omar = make_seeker(case, first="Omar", last="Benali", municipality=montichiari)
    ours = make_opening(programme, company, montichiari, title="Magazziniere")
    theirs = make_opening(programme, other_company, montichiari, title="Cuoco")
    return SimpleNamespace(
        programme=programme,
        montichiari=montichiari,
        partner=partner,
        company=company,
        case=case,
        anna=anna,
        omar=omar,
        ours=ours,
        theirs=theirs,
        owner=owner,
        colleague=person(Role.OPERATOR, partner),
        coordinator=person(Role.COORDINATOR, lead),
        company_user=person(Role.COMPANY, company),
        evaluator=person(Role.EVALUATOR, lead),
    )


def _work_url(work: SimpleNamespace, name: str) -> str:
    return reverse(f"work:{name}", args=[work.programme.slug])


def test_it_gives_a_company_only_its_openings_and_the_candidates_who_agreed(
    client: Client, login: Callable, work: SimpleNamespace
):
    anna_here = work_services.placement_propose(actor=work.owner, opening=work.ours, seeker=work.anna)
    work_services.placement_propose(actor=work.owner, opening=work.ours, seeker=work.omar)
    work_services.placement_propose(actor=work.owner, opening=work.theirs, seeker=work.omar)
    ConsentFactory(person=work.anna.person, purpose=Consent.Purpose.SHARING, partner=work.company)
    login(client, work.company_user)
    assert first_column(download(client, _work_url(work, "opening-list"))) == {str(work.ours.public_id)}
    rows = download(client, _work_url(work, "placement-list"))
    assert first_column(rows) == {str(anna_here.public_id)}
    assert "Anna Ferri" in rows[1]
    assert not any("Benali" in cell for row in rows for cell in row)
    assert client.get(_work_url(work, "seeker-list"), {"export": "csv"}).status_code == 403
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT, target_type="list:inserimenti")
    assert event.actor == work.company_user
    assert event.role == Role.COMPANY
    assert "1 rows" in event.reason
    login(client, work.coordinator)
    assert len(download(client, _work_url(work, "opening-list"))) == 3
    assert len(download(client, _work_url(work, "placement-list"))) == 4


def test_it_gives_job_seekers_only_to_who_may_see_their_case(client: Client, login: Callable, work: SimpleNamespace):
    url = _work_url(work, "seeker-list")
    login(client, work.owner)
    assert first_column(download(client, url)) == {str(work.anna.public_id), str(work.omar.public_id)}
    assert first_column(download(client, url, q="ferri")) == {str(work.anna.public_id)}
    assert b"q=ferri&amp;export=csv" in client.get(url, {"q": "ferri", "page": "1"}).content
    login(client, work.colleague)
    assert download(client, url) == [download(client, url)[0]]  # the header only
    login(client, work.evaluator)
    assert client.get(url, {"export": "csv"}).status_code == 403


@pytest.mark.parametrize("name", ["seeker-list", "opening-list", "placement-list"])
def test_it_exports_the_work_lists_in_a_fixed_number_of_queries(
    client: Client, login: Callable, work: SimpleNamespace, django_assert_num_queries: Any, name: str
):
    counter = iter(range(1000))

    def fill(rows: int) -> None:
        for _ in range(rows):
            n = next(counter)
            if name == "seeker-list":
                make_seeker(work.case, first=f"Nome{n}", last=f"Cognome{n}", municipality=work.montichiari)
            elif name == "opening-list":
                make_opening(work.programme, work.company, work.montichiari, title=f"Ruolo {n}")
            else:
                seeker = make_seeker(work.case, first=f"Nome{n}", last=f"Cognome{n}", municipality=work.montichiari)
                work_services.placement_propose(actor=work.owner, opening=work.ours, seeker=seeker)

    login(client, work.coordinator)
    same_queries(client, _work_url(work, name), fill, django_assert_num_queries)


# --- Housing plan ---------------------------------------------------------------------------------


@pytest.fixture
def plan(programme: Programme, lead: Organisation) -> SimpleNamespace:
    pavia = Municipality.objects.get(istat_code=PAVIA)
    programme.municipalities.add(pavia)
    partner = OrganisationFactory(name="Cooperativa Casa")
    PartnershipFactory(programme=programme, organisation=partner)

    def person(role: str, organisation: Organisation = partner) -> User:
        return MembershipFactory(programme=programme, organisation=organisation, role=role).user

    owner = person(Role.OPERATOR)

    def case(label: str, *, team: User | None = owner) -> Any:
        made = CaseFactory(programme=programme, organisation=partner, household__label=label)
        if team is not None:
            CaseTeamMemberFactory(case=made, user=team, organisation=partner)
        return made

    return SimpleNamespace(
        programme=programme,
        places={PAVIA: pavia},
        owner=owner,
        case=case,
        colleague=person(Role.OPERATOR),
        coordinator=person(Role.COORDINATOR, lead),
        lab_manager=person(Role.LAB_MANAGER),
        evaluator=person(Role.EVALUATOR, lead),
    )


def _housing_url(plan: SimpleNamespace, name: str) -> str:
    return reverse(f"housing:{name}", args=[plan.programme.slug])


def test_it_gives_dwellings_with_the_owners_contacts_to_the_plan_staff_only(
    client: Client, login: Callable, plan: SimpleNamespace
):
    dwelling = make_dwelling(plan, owner_name="Gianni Riservato", owner_email="gianni@example.org")
    make_dwelling(plan, address="Via Lontana 9", capped_rent=True)
    url = _housing_url(plan, "dwelling-list")
    for user in (plan.owner, plan.coordinator):
        login(client, user)
        rows = download(client, url, q="Riservato")
        assert first_column(rows) == {str(dwelling.public_id)}
        assert {"Gianni Riservato", "gianni@example.org", "0382 000000"} <= set(rows[1])
        assert len(download(client, url, capped="1")) == 2
        assert b"q=Riservato&amp;export=xlsx" in client.get(url, {"q": "Riservato"}).content
    for user in (plan.lab_manager, plan.evaluator):
        login(client, user)
        assert client.get(url, {"export": "csv"}).status_code == 403
        assert client.get(url, {"export": "xlsx"}).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="list:alloggi").count() == 4


def test_it_gives_searches_and_cohousings_only_of_the_households_followed(
    client: Client, login: Callable, plan: SimpleNamespace
):
    followed = plan.case("Famiglia Seguita")
    hidden = make_search(plan, plan.case("Famiglia Nascosta", team=plan.colleague))
    mine = make_search(plan, followed)
    housing.cohousing_create(
        actor=None, programme=plan.programme, dwelling=make_dwelling(plan, rooms=4), title="Casa condivisa",
        starts_on=date(2026, 2, 1), terms="Spese a metà",
        households=[followed.household, plan.case("Famiglia Amica").household],
    )  # fmt: skip
    login(client, plan.owner)
    rows = download(client, _housing_url(plan, "search-list"))
    assert first_column(rows) == {str(mine.public_id)}
    assert "Famiglia Seguita" in rows[1]
    assert [row[1] for row in download(client, _housing_url(plan, "cohousing-list"))[1:]] == ["Casa condivisa"]
    login(client, plan.colleague)
    assert first_column(download(client, _housing_url(plan, "search-list"))) == {str(hidden.public_id)}
    assert len(download(client, _housing_url(plan, "cohousing-list"))) == 1
    login(client, plan.coordinator)
    assert len(download(client, _housing_url(plan, "search-list"))) == 3


def test_it_gives_an_operator_only_the_buildings_of_their_caretaker_team(
    client: Client, login: Callable, plan: SimpleNamespace
):
    building = housing.building_create(
        actor=plan.coordinator, programme=plan.programme, name="Case Ticino", address="Via Nuova 1",
        municipality=plan.places[PAVIA],
    )  # fmt: skip
    housing.building_create(
        actor=plan.coordinator, programme=plan.programme, name="Palazzo Altro", address="Via Vecchia 2",
        municipality=plan.places[PAVIA],
    )  # fmt: skip
    membership = plan.owner.memberships.get(programme=plan.programme)
    housing.caretaker_add(actor=plan.coordinator, building=building, member=membership)
    url = _housing_url(plan, "building-list")
    login(client, plan.owner)
    assert first_column(download(client, url)) == {str(building.public_id)}
    login(client, plan.colleague)
    assert len(download(client, url)) == 1
    login(client, plan.coordinator)
    assert len(download(client, url)) == 3


@pytest.mark.parametrize("name", ["dwelling-list", "search-list", "cohousing-list", "building-list"])
def test_it_exports_the_housing_lists_in_a_fixed_number_of_queries(
    client: Client, login: Callable, plan: SimpleNamespace, django_assert_num_queries: Any, name: str
):
    counter = iter(range(1000))

    def fill(rows: int) -> None:
        for _ in range(rows):
            n = next(counter)
            if name == "dwelling-list":
                make_dwelling(plan, address=f"Via Lunga {n}")
            elif name == "search-list":
                make_search(plan, plan.case(f"Famiglia {n:03d}"))
            elif name == "cohousing-list":
                housing.cohousing_create(
                    actor=None, programme=plan.programme, dwelling=make_dwelling(plan, address=f"Via Corta {n}"),
                    title=f"Coabitazione {n}", starts_on=date(2026, 2, 1), terms="Regole",
                    households=[plan.case(f"Famiglia {n:03d}").household, plan.case(f"Famiglia {n:03d}b").household],
                )  # fmt: skip
            else:
                building = housing.building_create(
                    actor=None, programme=plan.programme, name=f"Palazzo {n}", address="Via Nuova",
                    municipality=plan.places[PAVIA],
                )  # fmt: skip
                housing.log_entry_create(
                    actor=None, building=building, kind="issue", occurred_on=date(2026, 3, 1), text="Ascensore fermo"
                )

    login(client, plan.coordinator)
    same_queries(client, _housing_url(plan, name), fill, django_assert_num_queries)


# --- Intake queue ---------------------------------------------------------------------------------


def test_it_gives_the_intake_queue_of_the_programme_to_its_coordinators_only(
    client: Client, login: Callable, member: Callable, programme: Programme, other_programme: Programme
):
    waiting = IntakeRequestFactory(programme=programme, contact_name="Lucia Attesa")
    closed = IntakeRequestFactory(programme=programme, status=IntakeRequest.Status.CLOSED, closed_reason="Doppia")
    elsewhere = IntakeRequestFactory(programme=other_programme)
    url = reverse("casework:intake-list", args=[programme.slug])
    login(client, member(Role.COORDINATOR))
    response = client.get(url, {"export": "csv"})
    rows = csv_rows(response.content)
    assert first_column(rows) == {str(waiting.public_id)}  # the queue opens on the requests to triage
    assert "Lucia Attesa" in rows[1]
    assert b"compiti dei bambini" not in response.content  # the message is special-category: never exported
    everything = first_column(download(client, url, status=""))
    assert everything == {str(waiting.public_id), str(closed.public_id)}
    assert str(elsewhere.public_id) not in everything
    for role in (Role.OPERATOR, Role.EVALUATOR, Role.LAB_MANAGER):
        login(client, member(role))
        assert client.get(url, {"export": "csv"}).status_code == 403
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, target_type="list:accoglienza").count() == 2


def test_it_neutralises_formulas_in_the_intake_export(
    client: Client, login: Callable, coordinator: User, programme: Programme
):
    for name in PAYLOADS:
        IntakeRequestFactory(programme=programme, contact_name=name)
    login(client, coordinator)
    url = reverse("casework:intake-list", args=[programme.slug])
    names = {row[3] for row in download(client, url)[1:]}
    assert names == {f"'{payload}" for payload in PAYLOADS}
    rows = xlsx_rows(client.get(url, {"export": "xlsx"}).content)
    names = {row[3] for row in rows[1:]}
    assert all(str(value).startswith("'") for value in names)
    assert len(names) == len(PAYLOADS)


def test_it_exports_the_intake_queue_in_a_fixed_number_of_queries(
    client: Client, login: Callable, coordinator: User, programme: Programme, django_assert_num_queries: Any
):
    signaller = OrganisationFactory(name="Scuola media")

    def fill(rows: int) -> None:
        for _ in range(rows):
            IntakeRequestFactory(programme=programme, submitted_for=signaller, submitted_by=coordinator)

    login(client, coordinator)
    same_queries(client, reverse("casework:intake-list", args=[programme.slug]), fill, django_assert_num_queries)


# --- The other lists ------------------------------------------------------------------------------


def test_it_shows_who_recorded_a_reallocation_to_coordinators_only(
    client: Client, login: Callable, member: Callable, programme: Programme
):
    source_line = BudgetLineFactory(programme=programme)
    target_line = BudgetLineFactory(programme=programme, source=source_line.source)
    coordinator = member(Role.COORDINATOR)
    coordinator.full_name = "Chiara Registra"
    coordinator.save(update_fields=["full_name"])
    Reallocation.objects.create(
        programme=programme, from_line=source_line, to_line=target_line, amount=Decimal("150.00"),
        reason="Più ore di doposcuola", recorded_by=coordinator,
    )  # fmt: skip
    url = reverse("funding:reallocation-list", args=[programme.slug])
    login(client, coordinator)
    rows = download(client, url)
    assert "Chiara Registra" in rows[1]
    assert "150.00" in rows[1]
    for role in (Role.EVALUATOR, Role.FUNDER):
        login(client, member(role))
        rows = download(client, url)
        assert len(rows) == 2
        assert len(rows[0]) == len(rows[1]) == 6
        assert "Chiara Registra" not in rows[1]


def test_it_exports_participants_with_their_training_hours(
    client: Client, login: Callable, coordinator: User, programme: Programme, lead: Organisation
):
    participant = Participant.objects.create(
        programme=programme, person=PersonFactory(programme=programme, first_name="Ada", last_name="Formata"),
        organisation=lead, profile=Participant.Profile.OPERATOR, job_title="assistente sociale",
    )  # fmt: skip
    login(client, coordinator)
    rows = download(client, reverse("training:participant-list", args=[programme.slug]))
    assert rows[1][0] == str(participant.public_id)
    assert rows[1][1] == "Ada Formata"
    assert rows[1][2] == lead.name
    assert rows[1][4:] == ["assistente sociale", "0", "0", "0"]


def test_it_exports_mutual_aid_requests_offers_and_hours_with_their_scoping(
    client: Client, login: Callable, member: Callable, programme: Programme, lead: Organisation
):
    request = RequestFactory(programme=programme, summary="Spesa del sabato")
    offer = OfferFactory(programme=programme, description="Accompagno dal medico")
    log = HourLogFactory(volunteer=VolunteerFactory(programme=programme, organisation=lead))
    login(client, member(Role.COORDINATOR))
    rows = download(client, reverse("mutualaid:request-list", args=[programme.slug]))
    assert rows[1][0] == str(request.public_id)
    assert "Spesa del sabato" in rows[1]
    rows = download(client, reverse("mutualaid:offer-list", args=[programme.slug]))
    assert rows[1][0] == str(offer.public_id)
    assert str(offer.offerer_person) in rows[1]
    rows = download(client, reverse("mutualaid:hours-review", args=[programme.slug]))
    assert rows[1][0] == str(log.public_id)
    assert rows[1][1] == str(log.volunteer.person)
    login(client, member(Role.EVALUATOR))
    assert client.get(reverse("mutualaid:request-list", args=[programme.slug]), {"export": "csv"}).status_code == 403


@pytest.mark.parametrize(
    ("url_name", "role"),
    [
        ("casework:intake-list", Role.COORDINATOR),
        ("funding:donor-list", Role.COORDINATOR),
        ("funding:news-list", Role.COORDINATOR),
        ("funding:reallocation-list", Role.EVALUATOR),
        ("mutualaid:request-list", Role.OPERATOR),
        ("mutualaid:offer-list", Role.LAB_MANAGER),
        ("mutualaid:balances", Role.COORDINATOR),
        ("mutualaid:hours-review", Role.LAB_MANAGER),
        ("training:participant-list", Role.COORDINATOR),
        ("pacts:giving-back", Role.LAB_MANAGER),
        ("work:seeker-list", Role.OPERATOR),
        ("work:opening-list", Role.COMPANY),
        ("work:placement-list", Role.COORDINATOR),
        ("housing:dwelling-list", Role.OPERATOR),
        ("housing:search-list", Role.OPERATOR),
        ("housing:cohousing-list", Role.COORDINATOR),
        ("housing:building-list", Role.COORDINATOR),
    ],
)
def test_it_offers_csv_and_xlsx_of_the_remaining_lists(
    client: Client, login: Callable, member: Callable, programme: Programme, url_name: str, role: str
):
    user = member(role)
    login(client, user)
    url = reverse(url_name, args=[programme.slug])
    assert client.get(url).status_code == 200
    for file_format in ("csv", "xlsx"):
        response = client.get(url, {"export": file_format})
        assert response.status_code == 200, url_name
        assert response["Content-Disposition"].endswith(f'.{file_format}"')
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT, actor=user).count() == 2
