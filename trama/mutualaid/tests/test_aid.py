"""Mutual aid: requests (in Italy, from a household followed by a case, a citizen or a group),
offers, and the life of a match — proposed, accepted by both sides, done with its exchange in the
time bank. Privacy: before both accept, the helper's pages and JSON never contain the requester's
name, address or telephone; volunteers see nothing of cases."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import Role
from trama.casework.tests.factories import CaseFactory, HouseholdFactory, HouseholdMemberFactory
from trama.core.tests.factories import CitizenGroupFactory
from trama.mutualaid.models import Exchange, Match, MutualAidOffer, MutualAidRequest
from trama.mutualaid.permissions import visible_requests
from trama.mutualaid.services.aid import Party, citizen_contact, offer_create, request_cancel, request_create
from trama.mutualaid.services.matches import match_accept, match_cancel, match_complete, match_decline, match_propose
from trama.mutualaid.tests.factories import (
    PAVIA,
    MatchFactory,
    OfferFactory,
    OfferSlotFactory,
    RequestFactory,
    VolunteerFactory,
    a_tuesday,
    last_tuesday,
    pavia,
)

pytestmark = pytest.mark.django_db

SECRET_NAME = "Famiglia Segretissima"
SECRET_STREET = "Via Nascosta 13"
SECRET_PHONE = "+39 331 9876543"


def request_fields(**overrides) -> dict:
    starts = a_tuesday(16)
    fields = {
        "category": "shopping", "summary": "Spesa per una persona anziana", "municipality": pavia(),
        "starts_at": starts, "ends_at": starts + timedelta(hours=1), "language": "it", "urgency": "normal",
        "address": SECRET_STREET, "details": "Citofono secondo piano",
    }  # fmt: skip
    fields.update(overrides)
    return fields


@pytest.fixture
def territory(programme):
    programme.municipalities.add(pavia())
    return programme


@pytest.fixture
def followed(casework):
    """The casework persona's household, with a telephone and a name that must stay hidden."""
    casework.case.programme.municipalities.add(pavia())
    household = casework.household
    household.label, household.address = SECRET_NAME, SECRET_STREET
    contact = casework.person
    contact.phone = SECRET_PHONE
    contact.save()
    household.primary_contact = contact
    household.save()
    return casework


@pytest.fixture
def helper(member):
    """A volunteer with an account, and their offer near Pavia's centre."""

    def make(programme):
        volunteer = VolunteerFactory(programme=programme, user=member(Role.VOLUNTEER, of=programme))
        offer = OfferFactory(programme=programme, offerer_person=None, offerer_volunteer=volunteer)
        OfferSlotFactory(offer=offer)
        return volunteer, offer

    return make


# --- Requests -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("latitude", "longitude"), [("48.85661", "2.35222"), ("45.18", "19.50"), ("30.0", "9.1")])
def test_a_request_located_outside_italy_is_refused_and_nothing_is_saved(territory, coordinator, latitude, longitude):
    group = CitizenGroupFactory(programme=territory)
    with pytest.raises(ValidationError) as error:
        request_create(actor=coordinator, programme=territory, requester=Party(group=group),
                       fields=request_fields(latitude=Decimal(latitude), longitude=Decimal(longitude)))  # fmt: skip
    assert "latitude" in error.value.message_dict
    assert not MutualAidRequest.objects.exists()


def test_the_request_form_shows_the_error_on_the_coordinates(client, login, territory, coordinator):
    group = CitizenGroupFactory(programme=territory)
    login(client, coordinator)
    response = client.post(reverse("mutualaid:request-create", args=[territory.slug]), {
        "requester_kind": "group", "group": group.pk, "category": "shopping", "summary": "Spesa", "day": "2027-03-02",
        "start_time": "16:00", "end_time": "17:00", "urgency": "normal", "language": "it", "municipality": pavia().pk,
        "latitude": "48.85661", "longitude": "2.35222",
    })  # fmt: skip
    assert response.status_code == 200
    assert "latitude" in response.context["form"].errors
    assert not MutualAidRequest.objects.exists()


def test_without_coordinates_the_request_takes_the_centre_of_its_municipality(territory, coordinator):
    request = request_create(actor=coordinator, programme=territory,
                             requester=Party(group=CitizenGroupFactory(programme=territory)),
                             fields=request_fields())  # fmt: skip
    assert (request.latitude, request.longitude) == (pavia().latitude, pavia().longitude)


def test_a_request_must_end_after_it_starts(territory, coordinator):
    starts = a_tuesday(16)
    with pytest.raises(ValidationError) as error:
        request_create(actor=coordinator, programme=territory,
                       requester=Party(group=CitizenGroupFactory(programme=territory)),
                       fields=request_fields(ends_at=starts - timedelta(hours=1)))  # fmt: skip
    assert "ends_at" in error.value.message_dict


def test_a_household_asks_through_those_who_follow_its_case(followed):
    programme = followed.case.programme
    request = request_create(actor=followed.owner, programme=programme, requester=Party(household=followed.household),
                             fields=request_fields())  # fmt: skip
    assert request.requester_household == followed.household
    for outsider in (followed.colleague, followed.stranger, followed.lab_manager, followed.volunteer):
        with pytest.raises((PermissionDenied, ValidationError)):
            request_create(actor=outsider, programme=programme, requester=Party(household=followed.household),
                           fields=request_fields())  # fmt: skip
    assert MutualAidRequest.objects.count() == 1


def test_a_household_without_an_open_case_cannot_ask_as_a_followed_household(territory, coordinator):
    household = HouseholdFactory(programme=territory)
    with pytest.raises(ValidationError) as error:
        request_create(actor=coordinator, programme=territory, requester=Party(household=household),
                       fields=request_fields())  # fmt: skip
    assert "household" in error.value.message_dict


def test_a_households_request_is_seen_only_by_those_who_see_its_case(followed):
    programme = followed.case.programme
    household_request = RequestFactory(programme=programme, requester_person=None,
                                       requester_household=followed.household)  # fmt: skip
    citizen_request = RequestFactory(programme=programme)
    assert set(visible_requests(followed.owner, programme)) == {household_request, citizen_request}
    assert set(visible_requests(followed.coordinator, programme)) == {household_request, citizen_request}
    assert set(visible_requests(followed.lab_manager, programme)) == {citizen_request}
    assert set(visible_requests(followed.colleague, programme)) == {citizen_request}
    for nobody in (followed.volunteer, followed.evaluator, followed.funder, followed.outsider):
        assert list(visible_requests(nobody, programme)) == []


def test_a_citizen_who_was_a_beneficiary_offers_help_as_the_same_person(territory, coordinator):
    beneficiary = HouseholdMemberFactory(household__programme=territory).person
    CaseFactory(programme=territory, household=beneficiary.households.first())
    person = citizen_contact(actor=coordinator, programme=territory, first_name=beneficiary.first_name,
                             last_name=beneficiary.last_name.lower(), birth_date=beneficiary.birth_date)  # fmt: skip
    offer = offer_create(actor=coordinator, programme=territory, offerer=Party(person=person),
                         fields={"category": "child_minding", "description": "Tengo i bambini il sabato",
                                 "municipality": pavia(), "max_distance_km": 3})  # fmt: skip
    assert offer.offerer_person == beneficiary


def test_an_offer_of_a_volunteer_takes_their_languages_and_availability(territory, coordinator):
    volunteer = VolunteerFactory(programme=territory, languages=",ar,it,")
    volunteer.availability.create(weekday=3, start_minute=600, end_minute=720)
    offer = offer_create(actor=coordinator, programme=territory, offerer=Party(volunteer=volunteer),
                         fields={"category": "translation", "description": "Traduzioni dall'arabo",
                                 "municipality": pavia(), "max_distance_km": 10})  # fmt: skip
    assert offer.languages == ",ar,it,"
    assert [(s.weekday, s.start_minute) for s in offer.availability.all()] == [(3, 600)]


def test_an_offer_with_overlapping_availability_is_refused(territory, coordinator):
    from trama.mutualaid.services.volunteers import Slot

    group = CitizenGroupFactory(programme=territory)
    with pytest.raises(ValidationError) as error:
        offer_create(actor=coordinator, programme=territory, offerer=Party(group=group),
                     fields={"category": "lending", "description": "Prestito attrezzi", "municipality": pavia()},
                     slots=[Slot(1, 600, 720), Slot(1, 700, 800)])  # fmt: skip
    assert "availability" in error.value.message_dict
    assert not MutualAidOffer.objects.exists()


# --- The life of a match -------------------------------------------------------------------------


def test_a_match_goes_from_proposed_to_accepted_to_done_with_its_exchange(followed, helper):
    programme = followed.case.programme
    volunteer, offer = helper(programme)
    starts = last_tuesday(16)  # the help can be recorded as given only once its day has come
    request = request_create(
        actor=followed.owner,
        programme=programme,
        requester=Party(household=followed.household),
        fields=request_fields(starts_at=starts, ends_at=starts + timedelta(hours=1)),
    )
    other_offer = OfferFactory(programme=programme, latitude=PAVIA[0] + Decimal("0.01"))
    other = match_propose(actor=followed.owner, request=request, offer=other_offer)

    match = match_propose(actor=followed.owner, request=request, offer=offer)
    assert match.status == Match.Status.PROPOSED
    assert {reason["criterion"] for reason in match.reasons} == {
        "category",
        "distance",
        "availability",
        "language",
        "reliability",
    }
    match = match_accept(actor=volunteer.user, match=match, side=Match.Side.HELPER)
    assert match.status == Match.Status.PROPOSED
    match = match_accept(actor=followed.owner, match=match, side=Match.Side.REQUESTER)
    assert match.status == Match.Status.ACCEPTED
    other.refresh_from_db()
    assert other.status == Match.Status.CANCELLED  # the request has its helper
    request.refresh_from_db()
    assert request.status == MutualAidRequest.Status.MATCHED

    match_complete(actor=volunteer.user, match=match, hours="1.5", occurred_on=timezone.localdate(request.starts_at))

    match.refresh_from_db()
    request.refresh_from_db()
    offer.refresh_from_db()
    assert (match.status, request.status, offer.done_count) == (Match.Status.DONE, MutualAidRequest.Status.DONE, 1)
    exchange = Exchange.objects.get(match=match)
    assert exchange.giver.person == volunteer.person
    assert exchange.receiver.household == followed.household
    assert exchange.hours == Decimal("1.50")


def test_a_match_cannot_be_done_before_both_accept_nor_proposed_for_an_unavailable_helper(territory, coordinator):
    request = RequestFactory(programme=territory)
    match = MatchFactory(request=request)
    with pytest.raises(ValidationError):
        match_complete(actor=coordinator, match=match, hours="1")
    away = OfferFactory(programme=territory, is_active=False)
    with pytest.raises(ValidationError):
        match_propose(actor=coordinator, request=request, offer=away)
    assert not Exchange.objects.exists()
    assert Match.objects.count() == 1


def test_a_helper_who_drops_an_accepted_match_loses_reliability_and_the_request_reopens(territory, coordinator,
                                                                                          helper):  # fmt: skip
    volunteer, offer = helper(territory)
    match = MatchFactory(request=RequestFactory(programme=territory), offer=offer)
    match_accept(actor=volunteer.user, match=match, side=Match.Side.HELPER)
    match_accept(actor=coordinator, match=match, side=Match.Side.REQUESTER)
    match_decline(actor=volunteer.user, match=match, side=Match.Side.HELPER, reason="Imprevisto")
    offer.refresh_from_db()
    match.request.refresh_from_db()
    assert offer.failed_count == 1
    assert match.request.status == MutualAidRequest.Status.OPEN


def test_declining_a_proposal_does_not_count_against_the_helper(territory, helper):
    volunteer, offer = helper(territory)
    match = MatchFactory(request=RequestFactory(programme=territory), offer=offer)
    match_decline(actor=volunteer.user, match=match, side=Match.Side.HELPER)
    offer.refresh_from_db()
    assert offer.failed_count == 0


def test_staff_cannot_accept_for_a_volunteer_who_has_an_account(territory, coordinator, helper):
    _volunteer, offer = helper(territory)
    match = MatchFactory(request=RequestFactory(programme=territory), offer=offer)
    with pytest.raises(PermissionDenied):
        match_accept(actor=coordinator, match=match, side=Match.Side.HELPER)
    match.refresh_from_db()
    assert match.helper_accepted_at is None


def test_another_volunteer_cannot_answer_for_the_helper(territory, helper):
    _volunteer, offer = helper(territory)
    intruder, _ = helper(territory)
    match = MatchFactory(request=RequestFactory(programme=territory), offer=offer)
    with pytest.raises(PermissionDenied):
        match_accept(actor=intruder.user, match=match, side=Match.Side.HELPER)


def test_withdrawing_a_request_cancels_its_live_matches(territory, coordinator):
    request = RequestFactory(programme=territory)
    match = MatchFactory(request=request)
    request_cancel(actor=coordinator, request=request, reason="Risolto in famiglia")
    match.refresh_from_db()
    assert match.status == Match.Status.CANCELLED
    with pytest.raises(ValidationError):
        match_cancel(actor=coordinator, match=match, reason="di nuovo")


# --- Privacy ---------------------------------------------------------------------------------------


def test_the_helper_never_sees_who_asked_before_both_accept(client, login, followed, helper):
    programme = followed.case.programme
    volunteer, offer = helper(programme)
    request = request_create(actor=followed.owner, programme=programme, requester=Party(household=followed.household),
                             fields=request_fields())  # fmt: skip
    match = match_propose(actor=followed.owner, request=request, offer=offer)
    login(client, volunteer.user)
    pages = [
        reverse("mutualaid:my-home", args=[programme.slug]),
        reverse("mutualaid:my-match", args=[programme.slug, match.public_id]),
        reverse("mutualaid:my-matches-json", args=[programme.slug]),
        reverse("mutualaid:my-match-decline", args=[programme.slug, match.public_id]),
    ]

    def contents() -> str:
        return "".join(client.get(url).content.decode() for url in pages)

    client.post(reverse("mutualaid:my-match-accept", args=[programme.slug, match.public_id]))
    before = contents()
    for secret in (SECRET_NAME, SECRET_STREET, SECRET_PHONE, followed.person.first_name, "Citofono"):
        assert secret not in before
    assert client.get(pages[2]).json()["matches"][0]["summary"] == "Spesa per una persona anziana"
    assert "requester" not in client.get(pages[2]).json()["matches"][0]

    match_accept(actor=followed.owner, match=match, side=Match.Side.REQUESTER)

    after = contents()
    for secret in (SECRET_NAME, SECRET_STREET, SECRET_PHONE):
        assert secret in after
    assert client.get(pages[2]).json()["matches"][0]["requester"]["phone"] == SECRET_PHONE


def test_a_volunteer_sees_nothing_of_cases_nor_of_requests(client, login, followed):
    programme = followed.case.programme
    RequestFactory(programme=programme, requester_person=None, requester_household=followed.household)
    login(client, followed.volunteer)
    forbidden = [
        reverse("casework:case-list", args=[programme.slug]),
        reverse("casework:case-detail", args=[programme.slug, followed.case.public_id]),
        reverse("people:person-search", args=[programme.slug]),
        reverse("mutualaid:request-list", args=[programme.slug]),
        reverse("mutualaid:offer-list", args=[programme.slug]),
        reverse("mutualaid:volunteer-list", args=[programme.slug]),
        reverse("mutualaid:balances", args=[programme.slug]),
    ]
    for url in forbidden:
        response = client.get(url)
        assert response.status_code in (403, 404), url
        assert SECRET_NAME not in response.content.decode()


def test_another_volunteers_match_answers_404(client, login, territory, helper):
    _volunteer, offer = helper(territory)
    other, _ = helper(territory)
    match = MatchFactory(request=RequestFactory(programme=territory), offer=offer)
    login(client, other.user)
    assert client.get(reverse("mutualaid:my-match", args=[territory.slug, match.public_id])).status_code == 404
    response = client.post(reverse("mutualaid:my-match-accept", args=[territory.slug, match.public_id]))
    assert response.status_code == 404
    match.refresh_from_db()
    assert match.helper_accepted_at is None
