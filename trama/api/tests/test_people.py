"""People and households in the API: the pages' roles and visibility, writes through the services."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import (
    CaseFactory,
    CaseTeamMemberFactory,
    ConsentFactory,
    HouseholdMemberFactory,
    PersonFactory,
)
from trama.people.models import Consent, HouseholdMember, Person
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttle() -> None:
    """The per-token request count lives in the cache, keyed by the token's row id, which the
    database hands out again after each test's rollback: start every test from zero."""
    cache.clear()


PAVIA = "018110"


def url(programme, *parts: object) -> str:
    tail = "".join(f"{part}/" for part in parts)
    return f"/api/v1/programmes/{programme.slug}/{tail}"


@pytest.fixture
def w(casework):
    casework.programme = casework.case.programme
    casework.programme.municipalities.add(Municipality.objects.get(istat_code=PAVIA))
    return casework


def ids(response) -> set[str]:
    return {row["id"] for row in response.json()["results"]}


# --- Who sees whom ------------------------------------------------------------------------------


def test_it_lists_the_people_of_the_cases_one_may_see(api, w):
    person = str(w.person.public_id)
    assert person in ids(api(w.owner).get(url(w.programme, "people")))
    assert person in ids(api(w.coordinator).get(url(w.programme, "people")))
    assert person in ids(api(w.supervisor).get(url(w.programme, "people")))
    assert ids(api(w.colleague).get(url(w.programme, "people"))) == set()
    assert ids(api(w.stranger).get(url(w.programme, "people"))) == set()


@pytest.mark.parametrize("persona", ["evaluator", "lab_manager", "volunteer", "funder"])
def test_it_refuses_people_to_roles_without_case_data(api, w, persona):
    client = api(getattr(w, persona))
    assert client.get(url(w.programme, "people")).status_code == 403
    assert client.get(url(w.programme, "people", w.person.public_id)).status_code == 403
    assert client.get(url(w.programme, "households")).status_code == 403


def test_it_answers_404_outside_what_one_may_see(api, w):
    assert api(w.colleague).get(url(w.programme, "people", w.person.public_id)).status_code == 404
    assert api(w.stranger).get(url(w.programme, "households", w.household.public_id)).status_code == 404
    # A coordinator of another programme does not even learn that the programme exists.
    assert api(w.outsider).get(url(w.programme, "people")).status_code == 404
    other = PersonFactory()
    assert api(w.coordinator).get(url(w.programme, "people", other.public_id)).status_code == 404


def test_it_refuses_anonymous_requests(api, w):
    response = api(None).get(url(w.programme, "people"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_it_audits_the_read_of_a_person(api, w):
    response = api(w.owner).get(url(w.programme, "people", w.person.public_id))
    assert response.status_code == 200
    assert response.json()["households"][0]["id"] == str(w.household.public_id)
    assert response["ETag"] == f'"{w.person.version}"'
    assert AuditEvent.objects.filter(
        actor=w.owner, action=AuditEvent.Action.READ, target_id=str(w.person.public_id)
    ).exists()


def test_it_audits_a_list_without_the_search_text(api, w):
    api(w.owner).get(url(w.programme, "people"), {"q": w.person.last_name})
    event = AuditEvent.objects.get(actor=w.owner, target_type="people.person_search")
    assert w.person.last_name not in event.reason


def test_it_costs_the_same_queries_for_2_and_20_people(api, w):
    client = api(w.coordinator)
    client.get(url(w.programme, "people"))  # the token's "last used" mark is written once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(w.programme, "people")).status_code == 200
        return len(queries)

    HouseholdMemberFactory(household=w.household)
    few = count()
    for _ in range(18):
        HouseholdMemberFactory(household=w.household)
    assert Person.objects.filter(programme=w.programme).count() == 20
    assert count() == few


def test_it_costs_the_same_queries_for_2_and_20_households(api, w):
    client = api(w.owner)
    client.get(url(w.programme, "households"))

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(w.programme, "households")).status_code == 200
        return len(queries)

    def add_case() -> None:
        case = CaseFactory(programme=w.programme, organisation=w.partner)
        CaseTeamMemberFactory(case=case, user=w.owner, organisation=w.partner)

    add_case()
    few = count()
    for _ in range(18):
        add_case()
    assert len(client.get(url(w.programme, "households")).json()["results"]) == 20
    assert count() == few


# --- Creating people ------------------------------------------------------------------------------


NEW = {"first_name": "Giulia", "last_name": "Bianchi", "birth_date": "2016-05-02", "municipality": PAVIA}


def test_it_creates_a_person_in_a_household_of_the_case_team(api, w):
    body = {**NEW, "household": str(w.household.public_id), "relation": HouseholdMember.Relation.CHILD}
    response = api(w.owner).post(url(w.programme, "people"), body, format="json")
    assert response.status_code == 201, response.json()
    person = Person.objects.get(public_id=response.json()["id"])
    assert person.birth_date == date(2016, 5, 2)
    assert HouseholdMember.objects.filter(household=w.household, person=person).exists()
    assert AuditEvent.objects.filter(actor=w.owner, action=AuditEvent.Action.CREATE, target_id=str(person.public_id))


def test_it_leaves_people_without_a_household_to_coordinators(api, w):
    assert api(w.owner).post(url(w.programme, "people"), NEW, format="json").status_code == 403
    assert api(w.coordinator).post(url(w.programme, "people"), NEW, format="json").status_code == 201


def test_it_refuses_a_household_one_may_not_see(api, w):
    body = {**NEW, "household": str(w.household.public_id), "relation": "child"}
    response = api(w.colleague).post(url(w.programme, "people"), body, format="json")
    assert response.status_code == 400
    assert "household" in response.json()["error"]["fields"]
    assert not Person.objects.filter(first_name="Giulia").exists()


def test_it_replays_a_create_sent_twice_with_the_same_key(api, w):
    client = api(w.coordinator)
    first = client.post(url(w.programme, "people"), NEW, format="json", HTTP_IDEMPOTENCY_KEY="persona-1")
    again = client.post(url(w.programme, "people"), NEW, format="json", HTTP_IDEMPOTENCY_KEY="persona-1")
    assert first.status_code == again.status_code == 201, (first.json(), again.json())
    assert again.json()["id"] == first.json()["id"]
    assert again["Idempotent-Replayed"] == "true"
    assert Person.objects.filter(first_name="Giulia").count() == 1
    other_body = {**NEW, "first_name": "Marta"}
    reused = client.post(url(w.programme, "people"), other_body, format="json", HTTP_IDEMPOTENCY_KEY="persona-1")
    assert reused.status_code == 409


def test_it_answers_409_for_a_possible_duplicate(api, w):
    person = w.person
    body = {"first_name": person.first_name, "last_name": person.last_name, "birth_date": str(person.birth_date)}
    response = api(w.coordinator).post(url(w.programme, "people"), body, format="json")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "duplicate"
    assert response.json()["error"]["fields"]["duplicates"] == [str(person.public_id)]
    confirmed = api(w.coordinator).post(url(w.programme, "people"), {**body, "different_person": True}, format="json")
    assert confirmed.status_code == 201


# --- Editing people ----------------------------------------------------------------------------------


def test_it_requires_if_match_to_edit_a_person(api, w):
    client = api(w.owner)
    target = url(w.programme, "people", w.person.public_id)
    assert client.patch(target, {"phone": "0382 123456"}, format="json").status_code == 428
    stale = client.patch(target, {"phone": "0382 123456"}, format="json", HTTP_IF_MATCH='"99"')
    assert stale.status_code == 412
    etag = client.get(target)["ETag"]
    response = client.patch(target, {"phone": "0382 123456"}, format="json", HTTP_IF_MATCH=etag)
    assert response.status_code == 200, response.json()
    assert response.json()["phone"] == "0382 123456"
    assert response["ETag"] == f'"{w.person.version + 1}"'
    assert client.patch(target, {"phone": "0382 000000"}, format="json", HTTP_IF_MATCH=etag).status_code == 412


def test_it_keeps_the_fields_not_sent(api, w):
    Person.objects.filter(pk=w.person.pk).update(email="rossi@example.org")
    client = api(w.coordinator)
    target = url(w.programme, "people", w.person.public_id)
    response = client.patch(target, {"languages": "italiano"}, format="json", HTTP_IF_MATCH=client.get(target)["ETag"])
    assert response.status_code == 200
    assert response.json()["email"] == "rossi@example.org"
    assert response.json()["first_name"] == w.person.first_name


def test_it_lets_a_supervisor_read_but_not_edit(api, w):
    client = api(w.supervisor)
    target = url(w.programme, "people", w.person.public_id)
    etag = client.get(target)["ETag"]
    assert client.patch(target, {"phone": "1"}, format="json", HTTP_IF_MATCH=etag).status_code == 403
    assert Person.objects.get(pk=w.person.pk).phone == w.person.phone


# --- Households ----------------------------------------------------------------------------------------


def test_it_shows_a_household_with_its_members_and_visible_cases(api, w):
    response = api(w.owner).get(url(w.programme, "households", w.household.public_id))
    assert response.status_code == 200
    data = response.json()
    assert [m["person"] for m in data["members"]] == [str(w.person.public_id)]
    assert [c["id"] for c in data["cases"]] == [str(w.case.public_id)]
    assert AuditEvent.objects.filter(actor=w.owner, target_id=str(w.household.public_id)).exists()


def test_it_sets_the_primary_contact_with_if_match(api, w):
    client = api(w.owner)
    target = url(w.programme, "households", w.household.public_id)
    body = {"primary_contact": str(w.person.public_id)}
    assert client.patch(target, body, format="json").status_code == 428
    response = client.patch(target, body, format="json", HTTP_IF_MATCH=client.get(target)["ETag"])
    assert response.status_code == 200, response.json()
    assert response.json()["primary_contact"] == str(w.person.public_id)
    stranger = PersonFactory(programme=w.programme)
    refused = client.patch(
        target, {"primary_contact": str(stranger.public_id)}, format="json", HTTP_IF_MATCH=response["ETag"]
    )
    assert refused.status_code == 400


def test_it_adds_a_known_person_to_a_household(api, w):
    known = PersonFactory(programme=w.programme)
    target = url(w.programme, "households", w.household.public_id, "members")
    body = {"person": str(known.public_id), "relation": "grandparent"}
    response = api(w.coordinator).post(target, body, format="json")
    assert response.status_code == 201, response.json()
    assert HouseholdMember.objects.filter(household=w.household, person=known, relation="grandparent").exists()
    assert api(w.colleague).post(target, body, format="json").status_code == 404


# --- Consent -------------------------------------------------------------------------------------------


def test_it_records_a_sharing_consent_that_a_referral_then_finds(api, w):
    target = url(w.programme, "people", w.person.public_id, "consents")
    body = {"purpose": "sharing", "partner": str(w.other_organisation.public_id), "given_on": "2024-01-10"}
    response = api(w.owner).post(target, body, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["is_active"] is True
    assert response.json()["partner"] == str(w.other_organisation.public_id)
    consent = Consent.objects.get(person=w.person)
    assert AuditEvent.objects.filter(actor=w.owner, action="create", target_id=str(consent.public_id)).exists()
    assert [row["id"] for row in api(w.coordinator).get(target).json()["results"]] == [str(consent.public_id)]
    assert api(w.colleague).get(target).status_code == 404


def test_it_refuses_a_consent_that_breaks_the_rules(api, w):
    target = url(w.programme, "people", w.person.public_id, "consents")
    no_partner = api(w.owner).post(target, {"purpose": "sharing", "given_on": "2024-01-10"}, format="json")
    assert no_partner.status_code == 400
    assert "partner" in no_partner.json()["error"]["fields"]
    child = HouseholdMemberFactory(household=w.household, person__birth_date=date(2018, 1, 1)).person
    alone = api(w.owner).post(
        url(w.programme, "people", child.public_id, "consents"),
        {"purpose": "photos", "given_on": "2024-01-10"},
        format="json",
    )
    assert alone.status_code == 400
    assert "given_by" in alone.json()["error"]["fields"]
    assert (
        api(w.supervisor).post(target, {"purpose": "photos", "given_on": "2024-01-10"}, format="json").status_code
        == 403
    )
    assert not Consent.objects.exists()


def test_it_withdraws_a_consent(api, w):
    consent = ConsentFactory(person=w.person, purpose=Consent.Purpose.CONTACT)
    target = url(w.programme, "people", w.person.public_id, "consents", consent.public_id, "withdraw")
    response = api(w.owner).post(target, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["is_active"] is False
    assert api(w.owner).post(target, format="json").status_code == 400
    other = ConsentFactory(person=PersonFactory(programme=w.programme))
    foreign = url(w.programme, "people", w.person.public_id, "consents", other.public_id, "withdraw")
    assert api(w.owner).post(foreign, format="json").status_code == 404
