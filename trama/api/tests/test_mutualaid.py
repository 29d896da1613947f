"""Volunteers and mutual aid in the API: the pages' roles, a household's request only for who sees its
case, writes (requests, proposals, answers) through the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trama.accounts.models import AuditEvent
from trama.core.tests.factories import CitizenGroupFactory
from trama.mutualaid.models import Match, MutualAidRequest
from trama.mutualaid.tests.factories import (
    OfferFactory,
    OfferSlotFactory,
    RequestFactory,
    VolunteerFactory,
    a_tuesday,
    pavia,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


def url(programme, *parts: object) -> str:
    return f"/api/v1/programmes/{programme.slug}/" + "".join(f"{part}/" for part in parts)


@pytest.fixture
def w(casework):
    casework.programme = casework.case.programme
    casework.programme.municipalities.add(pavia())
    return casework


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def same_cost(client, target: str, add_rows) -> None:
    client.get(target)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(target).status_code == 200
        return len(queries)

    add_rows(2)
    few = count()
    add_rows(18)
    assert len(ids(client.get(target))) >= 20
    assert count() == few


def household_request(w) -> MutualAidRequest:
    return RequestFactory(programme=w.programme, requester_person=None, requester_household=w.household)


def body(**extra) -> dict:
    starts = a_tuesday(16)
    return {
        "category": "shopping", "summary": "Spesa per una persona anziana", "municipality": "018110",
        "starts_at": starts.isoformat(), "ends_at": (starts + timedelta(hours=1)).isoformat(), **extra,
    }  # fmt: skip


# --- Volunteers -----------------------------------------------------------------------------------


def test_it_shows_volunteers_to_coordinators_and_their_lab_managers(api, w):
    own = VolunteerFactory(programme=w.programme, organisation=w.partner)
    other = VolunteerFactory(programme=w.programme, organisation=w.other_organisation)
    assert set(ids(api(w.coordinator).get(url(w.programme, "volunteers")))) == {
        str(own.public_id),
        str(other.public_id),
    }
    assert ids(api(w.lab_manager).get(url(w.programme, "volunteers"))) == [str(own.public_id)]
    assert api(w.lab_manager).get(url(w.programme, "volunteers", other.public_id)).status_code == 404
    for persona in (w.owner, w.evaluator, w.volunteer, w.funder):
        assert api(persona).get(url(w.programme, "volunteers")).status_code == 403
    detail = api(w.lab_manager).get(url(w.programme, "volunteers", own.public_id))
    assert detail.json()["languages"] == ["it"]
    assert AuditEvent.objects.filter(actor=w.lab_manager, action="read", target_id=str(own.public_id)).exists()


def test_it_costs_the_same_queries_for_2_and_20_volunteers(api, w):
    def add(count: int) -> None:
        for _ in range(count):
            VolunteerFactory(programme=w.programme, organisation=w.partner)

    same_cost(api(w.coordinator), url(w.programme, "volunteers"), add)


# --- Requests ------------------------------------------------------------------------------------------


def test_it_shows_a_household_request_only_to_who_sees_the_case(api, w):
    request = household_request(w)
    citizen = RequestFactory(programme=w.programme)
    everyone = {str(request.public_id), str(citizen.public_id)}
    assert set(ids(api(w.owner).get(url(w.programme, "aid-requests")))) == everyone
    assert set(ids(api(w.coordinator).get(url(w.programme, "aid-requests")))) == everyone
    assert ids(api(w.colleague).get(url(w.programme, "aid-requests"))) == [str(citizen.public_id)]
    assert ids(api(w.lab_manager).get(url(w.programme, "aid-requests"))) == [str(citizen.public_id)]
    assert api(w.lab_manager).get(url(w.programme, "aid-requests", request.public_id)).status_code == 404
    assert api(w.evaluator).get(url(w.programme, "aid-requests")).status_code == 403
    assert api(w.outsider).get(url(w.programme, "aid-requests")).status_code == 404
    detail = api(w.owner).get(url(w.programme, "aid-requests", request.public_id))
    assert detail.json()["requester"] == {
        "kind": "household",
        "id": str(w.household.public_id),
        "name": w.household.label,
    }
    assert AuditEvent.objects.filter(actor=w.owner, action="read", target_id=str(request.public_id)).exists()


def test_it_records_a_household_request_once_per_key(api, w):
    data = body(household=str(w.household.public_id))
    first = api(w.owner).post(url(w.programme, "aid-requests"), data, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    again = api(w.owner).post(url(w.programme, "aid-requests"), data, format="json", HTTP_IDEMPOTENCY_KEY="r-1")
    assert first.status_code == again.status_code == 201, first.json()
    assert first.json()["id"] == again.json()["id"]
    request = MutualAidRequest.objects.get()
    assert request.requester_household == w.household
    assert AuditEvent.objects.filter(actor=w.owner, action="create", target_id=str(request.public_id)).exists()


def test_it_refuses_a_household_request_from_who_does_not_see_the_case(api, w):
    data = body(household=str(w.household.public_id))
    for persona in (w.lab_manager, w.colleague):
        response = api(persona).post(url(w.programme, "aid-requests"), data, format="json")
        assert response.status_code == 400
        assert "household" in response.json()["error"]["fields"]
    assert not MutualAidRequest.objects.exists()


def test_it_needs_exactly_one_requester(api, w):
    group = CitizenGroupFactory(programme=w.programme)
    both = body(household=str(w.household.public_id), group=str(group.public_id))
    assert api(w.coordinator).post(url(w.programme, "aid-requests"), both, format="json").status_code == 400
    citizen = body(citizen={"first_name": "Ada", "last_name": "Neri"})
    response = api(w.lab_manager).post(url(w.programme, "aid-requests"), citizen, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["requester"]["kind"] == "person"


def test_it_costs_the_same_queries_for_2_and_20_requests(api, w):
    def add(count: int) -> None:
        for _ in range(count):
            RequestFactory(programme=w.programme)

    same_cost(api(w.lab_manager), url(w.programme, "aid-requests"), add)


# --- Matches -----------------------------------------------------------------------------------------


def test_it_proposes_a_helper_and_records_both_answers(api, w):
    request = RequestFactory(programme=w.programme)
    offer = OfferFactory(programme=w.programme)
    OfferSlotFactory(offer=offer)
    client = api(w.coordinator)
    proposed = client.post(
        url(w.programme, "aid-requests", request.public_id, "matches"), {"offer": str(offer.public_id)}, format="json"
    )
    assert proposed.status_code == 201, proposed.json()
    match_id = proposed.json()["id"]
    for side in ("requester", "helper"):
        answered = client.post(url(w.programme, "aid-matches", match_id, "accept"), {"side": side}, format="json")
        assert answered.status_code == 200, answered.json()
    assert Match.objects.get(public_id=match_id).status == Match.Status.ACCEPTED
    assert MutualAidRequest.objects.get(pk=request.pk).status == MutualAidRequest.Status.MATCHED
    refused = client.post(url(w.programme, "aid-matches", match_id, "cancel"), {}, format="json")
    assert refused.status_code == 400
    cancelled = client.post(url(w.programme, "aid-matches", match_id, "cancel"), {"reason": "Rinuncia"}, format="json")
    assert cancelled.json()["status"] == Match.Status.CANCELLED


def test_it_answers_404_for_a_match_of_a_request_one_may_not_see(api, w):
    request = household_request(w)
    offer = OfferFactory(programme=w.programme)
    OfferSlotFactory(offer=offer)
    proposed = api(w.owner).post(
        url(w.programme, "aid-requests", request.public_id, "matches"), {"offer": str(offer.public_id)}, format="json"
    )
    assert proposed.status_code == 201, proposed.json()
    target = url(w.programme, "aid-matches", proposed.json()["id"], "accept")
    assert api(w.lab_manager).post(target, {"side": "requester"}, format="json").status_code == 404
    assert Match.objects.get().requester_accepted_at is None


def test_it_cancels_a_request_with_its_matches(api, w):
    request = RequestFactory(programme=w.programme)
    response = api(w.lab_manager).post(url(w.programme, "aid-requests", request.public_id, "cancel"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == MutualAidRequest.Status.CANCELLED
    assert (
        api(w.lab_manager)
        .post(url(w.programme, "aid-requests", request.public_id, "cancel"), {}, format="json")
        .status_code
        == 400
    )


def test_it_lists_the_offers_to_staff(api, w):
    offer = OfferFactory(programme=w.programme)
    assert ids(api(w.lab_manager).get(url(w.programme, "aid-offers"))) == [str(offer.public_id)]
    assert api(w.owner).get(url(w.programme, "aid-offers", offer.public_id)).json()["helper"] == offer.offerer_name
    assert api(w.evaluator).get(url(w.programme, "aid-offers")).status_code == 403
