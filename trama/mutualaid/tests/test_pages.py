"""The pages: each list costs a fixed number of queries (the same with 2 and with 20 rows), searches
and filters narrow it, and every page answers only the roles it is for."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import Role
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory
from trama.casework.tests.factories import HouseholdFactory, PersonFactory
from trama.core.tests.factories import CitizenGroupFactory
from trama.mutualaid.models import HourLog, MicroNetwork, Volunteer
from trama.mutualaid.services.timebank import account_for, exchange_record, network_add_member
from trama.mutualaid.tests.factories import (
    HourLogFactory,
    MatchFactory,
    OfferFactory,
    RequestFactory,
    ShiftFactory,
    SignupFactory,
    VolunteerFactory,
    pavia,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, login, coordinator, programme):
    programme.municipalities.add(pavia())
    return login(client, coordinator)


def queries(client, url: str) -> int:
    client.get(url)  # the first request of a session also refreshes it: not the page's cost
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured)


def fixed_cost(client, url: str, add_rows: Callable[[int], None], *, at_most: int) -> None:
    add_rows(2)
    few = queries(client, url)
    add_rows(18)
    many = queries(client, url)
    assert few == many, f"{url}: {few} queries with 2 rows, {many} with 20"
    assert many <= at_most, f"{url}: {many} queries"


def test_the_volunteer_list_costs_a_fixed_number_of_queries(coordinator_client, programme, lead):
    def rows(n):
        for _ in range(n):
            VolunteerFactory(programme=programme, organisation=lead, skills=",homework,")

    fixed_cost(coordinator_client, reverse("mutualaid:volunteer-list", args=[programme.slug]), rows, at_most=14)


def test_the_request_and_offer_lists_cost_a_fixed_number_of_queries(coordinator_client, programme):
    group = CitizenGroupFactory(programme=programme)

    def requests(n):
        for index in range(n):
            request = RequestFactory(programme=programme, requester_person=None, requester_group=group) if index % 2 \
                else RequestFactory(programme=programme)  # fmt: skip
            MatchFactory(request=request)

    def offers(n):
        for _ in range(n):
            OfferFactory(programme=programme)

    fixed_cost(coordinator_client, reverse("mutualaid:request-list", args=[programme.slug]), requests, at_most=12)
    fixed_cost(coordinator_client, reverse("mutualaid:offer-list", args=[programme.slug]), offers, at_most=12)


def test_the_request_page_with_its_proposals_costs_a_fixed_number_of_queries(coordinator_client, programme):
    request = RequestFactory(programme=programme)

    def rows(n):
        for _ in range(n):
            OfferFactory(programme=programme)
        MatchFactory(request=request)

    # The read of the request is audited; on PostgreSQL the ranking also turns the JIT off (a savepoint).
    fixed_cost(coordinator_client, reverse("mutualaid:request-detail", args=[programme.slug, request.public_id]), rows,
               at_most=18)  # fmt: skip


def test_the_hours_shifts_and_time_bank_pages_cost_a_fixed_number_of_queries(coordinator_client, programme):
    def logs(n):
        for _ in range(n):
            HourLogFactory(volunteer=VolunteerFactory(programme=programme), status=HourLog.Status.PENDING)

    def shifts(n):
        activity = ActivityFactory(programme=programme, expand=False)
        for index in range(n):
            start = timezone.now() + timedelta(days=index + 1)
            shift = ShiftFactory(occurrence=OccurrenceFactory(activity=activity, starts_at=start))
            SignupFactory(shift=shift)

    def exchanges(n):
        network = MicroNetwork.objects.get_or_create(programme=programme, name="Rete")[0]
        for _ in range(n):
            giver = PersonFactory(programme=programme)
            receiver = HouseholdFactory(programme=programme)
            network_add_member(actor=None, network=network, holder=receiver)
            exchange_record(actor=None, programme=programme, giver=account_for(giver), receiver=account_for(receiver),
                            hours=Decimal("2"), occurred_on=timezone.localdate(), category="shopping")  # fmt: skip

    slug = programme.slug
    fixed_cost(coordinator_client, reverse("mutualaid:hours-review", args=[slug]), logs, at_most=10)
    fixed_cost(coordinator_client, reverse("mutualaid:shift-list", args=[slug]), shifts, at_most=12)
    fixed_cost(coordinator_client, reverse("mutualaid:balances", args=[slug]), exchanges, at_most=12)
    network = MicroNetwork.objects.get()
    fixed_cost(coordinator_client, reverse("mutualaid:network-detail", args=[slug, network.public_id]), exchanges,
               at_most=14)  # fmt: skip
    fixed_cost(coordinator_client, reverse("mutualaid:figures", args=[slug]), exchanges, at_most=26)


def test_the_volunteers_own_page_costs_a_fixed_number_of_queries(client, login, member, programme):
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    offer = OfferFactory(programme=programme, offerer_person=None, offerer_volunteer=volunteer)
    login(client, volunteer.user)

    def rows(n):
        for index in range(n):
            MatchFactory(request=RequestFactory(programme=programme), offer=offer)
            start = timezone.now() + timedelta(days=index + 1)
            SignupFactory(
                shift=ShiftFactory(occurrence=OccurrenceFactory(activity__programme=programme, starts_at=start)),
                volunteer=volunteer,
            )
            ShiftFactory(occurrence=OccurrenceFactory(activity__programme=programme, starts_at=start))  # fmt: skip

    fixed_cost(client, reverse("mutualaid:my-home", args=[programme.slug]), rows, at_most=16)
    fixed_cost(client, reverse("mutualaid:my-matches-json", args=[programme.slug]), rows, at_most=8)


def test_the_volunteer_list_searches_and_filters(coordinator_client, programme, lead):
    anna = VolunteerFactory(programme=programme, person__first_name="Anna", person__last_name="Bellini",
                            organisation=lead)  # fmt: skip
    VolunteerFactory(programme=programme, person__first_name="Bruno", person__last_name="Colombo")
    applied = VolunteerFactory(programme=programme, status=Volunteer.Status.APPLIED)
    url = reverse("mutualaid:volunteer-list", args=[programme.slug])

    def listed(**params) -> set:
        return set(coordinator_client.get(url, params).context["page"].object_list)

    assert listed(q="bellini") == {anna}
    assert listed(status="applied") == {applied}
    assert listed(organisation=str(lead.public_id)) == {anna}
    assert len(listed(status="nonsense")) == 3


def test_the_request_list_filters_by_status_and_kind(coordinator_client, programme):
    shopping = RequestFactory(programme=programme, category="shopping")
    RequestFactory(programme=programme, category="transport", status="done")
    url = reverse("mutualaid:request-list", args=[programme.slug])
    assert list(coordinator_client.get(url, {"category": "shopping"}).context["page"].object_list) == [shopping]
    assert list(coordinator_client.get(url, {"status": "open"}).context["page"].object_list) == [shopping]


ROUTES = {
    # name: roles that may open it (the others get 403, or 404 for a record they may not see)
    "volunteer-list": {Role.COORDINATOR, Role.LAB_MANAGER},
    "volunteer-create": {Role.COORDINATOR},
    "hours-review": {Role.COORDINATOR, Role.LAB_MANAGER},
    "shift-list": {Role.COORDINATOR, Role.LAB_MANAGER},
    "shift-create": {Role.COORDINATOR, Role.LAB_MANAGER},
    "request-list": {Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER},
    "request-create": {Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER},
    "offer-list": {Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER},
    "offer-create": {Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER},
    "figures": {Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER},
    "balances": {Role.COORDINATOR},
    "network-list": {Role.COORDINATOR},
    "group-list": {Role.COORDINATOR, Role.LAB_MANAGER},
}


@pytest.mark.parametrize("role", list(Role))
def test_every_page_answers_only_its_roles(client, login, member, programme, role):
    user = member(role)
    if role == Role.VOLUNTEER:
        VolunteerFactory(programme=programme, user=user)
    login(client, user)
    for name, allowed in ROUTES.items():
        status = client.get(reverse(f"mutualaid:{name}", args=[programme.slug])).status_code
        assert status == (200 if role in allowed else 403), (name, role, status)
    own = client.get(reverse("mutualaid:my-home", args=[programme.slug])).status_code
    assert own == (200 if role == Role.VOLUNTEER else 403)


def test_an_applicant_who_is_not_approved_has_no_volunteer_area(client, login, member, programme):
    user = member(Role.VOLUNTEER)
    VolunteerFactory(programme=programme, user=user, status=Volunteer.Status.APPLIED)
    login(client, user)
    assert client.get(reverse("mutualaid:my-home", args=[programme.slug])).status_code == 403


def test_the_figures_page_shows_no_name(client, login, member, programme):
    volunteer = VolunteerFactory(programme=programme, person__first_name="Nomevisibile", person__last_name="Cognome")
    household = HouseholdFactory(programme=programme, label="Famiglia Riservata")
    exchange_record(actor=None, programme=programme, giver=account_for(volunteer.person),
                    receiver=account_for(household), hours="2", occurred_on=timezone.localdate(),
                    category="company")  # fmt: skip
    network = MicroNetwork.objects.create(programme=programme, name="Rete del Vallone")
    network_add_member(actor=None, network=network, holder=household)
    login(client, member(Role.EVALUATOR))
    page = client.get(reverse("mutualaid:figures", args=[programme.slug])).content.decode()
    assert "Rete del Vallone" in page
    for name in ("Nomevisibile", "Cognome", "Famiglia Riservata"):
        assert name not in page


def test_a_lab_manager_opens_only_their_volunteers(client, login, member, programme, lead):
    from trama.core.tests.factories import OrganisationFactory, PartnershipFactory

    partner = OrganisationFactory(name="Associazione del laboratorio")
    PartnershipFactory(programme=programme, organisation=partner)
    manager = member(Role.LAB_MANAGER, organisation=partner)
    own = VolunteerFactory(programme=programme, organisation=partner)
    other = VolunteerFactory(programme=programme, organisation=lead)
    login(client, manager)
    assert client.get(reverse("mutualaid:volunteer-detail", args=[programme.slug, own.public_id])).status_code == 200
    assert client.get(reverse("mutualaid:volunteer-detail", args=[programme.slug, other.public_id])).status_code == 404
    assert client.get(reverse("mutualaid:volunteer-approve", args=[programme.slug, own.public_id])).status_code == 403


def test_a_volunteer_logs_hours_from_their_page_and_a_30_hour_day_shows_the_error(client, login, member, programme):
    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER))
    login(client, volunteer.user)
    url = reverse("mutualaid:my-hours", args=[programme.slug])
    today = timezone.localdate().isoformat()
    response = client.post(url, {"day": today, "hours": "30", "description": "Festa"})
    assert response.status_code == 400
    assert "hours" in response.context["form"].errors
    assert not HourLog.objects.exists()
    response = client.post(url, {"day": today, "hours": "2,5", "description": "Festa"})
    assert response.status_code == 302
    assert HourLog.objects.get().hours == Decimal("2.50")


def test_the_certificate_lists_the_confirmed_hours_of_the_year(client, login, member, programme):
    import shutil
    import subprocess

    volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER), person__last_name="Certificata")
    HourLogFactory(volunteer=volunteer, hours=Decimal("3.5"), status=HourLog.Status.CONFIRMED,
                   description="Biblioteca di quartiere", date=timezone.localdate())  # fmt: skip
    HourLogFactory(volunteer=volunteer, hours=Decimal("9"), status=HourLog.Status.PENDING,
                   description="Non ancora confermate", date=timezone.localdate())  # fmt: skip
    login(client, volunteer.user)
    response = client.get(reverse("mutualaid:my-certificate", args=[programme.slug]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        pytest.skip("poppler-utils (pdftotext) is not installed")
    text = subprocess.run([pdftotext, "-", "-"], input=response.content, capture_output=True, check=True).stdout  # noqa: S603
    text = text.decode()
    assert "Certificata" in text
    assert "Biblioteca di quartiere" in text
    assert "Non ancora confermate" not in text
    assert "3,50" in text or "3.50" in text
