"""Creating and editing people, duplicate detection, household membership (S1, S4, S10, S21)."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory
from trama.people.models import HouseholdMember, Person
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db

WOMAN = "RSSMRA85C54G388L"  # Maria Rossi, 14/03/1985, female


@pytest.fixture(autouse=True)
def _territory(programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


def _url(name: str, casework, **kwargs) -> str:
    return reverse(f"people:{name}", kwargs={"slug": casework.case.programme.slug, **kwargs})


def _person_data(**overrides: object) -> dict[str, object]:
    return {
        "first_name": "Maria",
        "last_name": "Rossi",
        "birth_date": "1985-03-14",
        "gender": "F",
        "tax_code": "",
        "email": "",
        "phone": "",
        "municipality": "018110",
        "languages": "italiano",
        "relation": HouseholdMember.Relation.PARENT,
        **overrides,
    }


@pytest.fixture
def maria(casework):
    """The known person: Maria Rossi, in the household of the fixture's case."""
    person = casework.person
    person.first_name, person.last_name, person.birth_date, person.tax_code = "Maria", "Rossi", date(1985, 3, 14), WOMAN
    person.save()
    return person


@pytest.fixture
def stranger_case(casework):
    """A case of another organisation, whose team is the `stranger` operator."""
    case = CaseFactory(programme=casework.case.programme, organisation=casework.other_organisation)
    CaseTeamMemberFactory(case=case, user=casework.stranger, organisation=casework.other_organisation)
    return case


def test_it_lets_a_coordinator_create_a_person(english, login, casework):
    login(english, casework.coordinator)
    response = english.post(_url("person-create", casework), _person_data(first_name="Anna", tax_code=WOMAN.lower()))
    person = Person.objects.get(first_name="Anna")
    assert response.status_code == 302
    assert person.tax_code == WOMAN
    assert person.created_by == casework.coordinator
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATE, target_id=str(person.public_id)).exists()


def test_it_refuses_person_creation_to_operators_outside_a_household(english, login, casework):
    login(english, casework.owner)
    assert english.post(_url("person-create", casework), _person_data()).status_code == 403
    assert not Person.objects.filter(first_name="Maria").exists()


def test_it_lets_the_case_team_add_a_new_member(english, login, casework):
    login(english, casework.owner)
    url = _url("household-member-create", casework, household_id=casework.household.public_id)
    response = english.post(url, _person_data(first_name="Giulia", relation="child", birth_date="2015-06-01"))
    assert response.status_code == 302
    member = HouseholdMember.objects.get(household=casework.household, person__first_name="Giulia")
    assert member.relation == "child"


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("colleague", 404), ("stranger", 404)])
def test_it_refuses_new_members_to_those_not_on_the_case_team(english, login, casework, persona, status):
    login(english, getattr(casework, persona))
    url = _url("household-member-create", casework, household_id=casework.household.public_id)
    assert english.post(url, _person_data(first_name="Giulia")).status_code == status
    assert not Person.objects.filter(first_name="Giulia").exists()


def test_it_shows_a_codice_fiscale_error_and_saves_nothing(english, login, casework):
    login(english, casework.coordinator)
    response = english.post(_url("person-create", casework), _person_data(tax_code=WOMAN, birth_date="1985-03-15"))
    assert response.status_code == 200
    assert "does not match the date of birth" in str(response.context["form"].errors["tax_code"])
    assert not Person.objects.filter(birth_date=date(1985, 3, 15)).exists()


# --- Duplicate detection ---------------------------------------------------------------------


def test_it_shows_the_match_to_a_user_who_may_see_it(english, login, casework, maria):
    login(english, casework.owner)
    url = _url("household-member-create", casework, household_id=casework.household.public_id)
    response = english.post(url, _person_data(first_name="maria", last_name="ROSSI"))
    assert response.status_code == 200
    assert response.context["duplicates"] == [maria]
    assert not response.context["hidden_duplicate"]
    assert Person.objects.filter(first_name__iexact="maria").count() == 1
    content = response.content.decode()
    assert reverse("people:person-detail", kwargs={"slug": "programma-a", "person_id": maria.public_id}) in content
    assert "Add this person to the household instead" in content


def test_it_offers_the_household_of_the_match_to_join(english, login, casework, maria, stranger_case):
    """A coordinator creating someone in another household is offered to add the known person."""
    login(english, casework.coordinator)
    url = _url("household-member-create", casework, household_id=stranger_case.household.public_id)
    response = english.post(url, _person_data())
    add_url = _url(
        "household-member-add", casework, household_id=stranger_case.household.public_id, person_id=maria.public_id
    )
    assert add_url in response.content.decode()
    english.post(add_url, {"relation": "parent"})
    assert HouseholdMember.objects.filter(household=stranger_case.household, person=maria).exists()


def test_it_tells_an_unauthorised_user_only_that_someone_is_known(english, login, casework, maria, stranger_case):
    login(english, casework.stranger)
    url = _url("household-member-create", casework, household_id=stranger_case.household.public_id)
    response = english.post(url, _person_data())
    assert response.status_code == 200
    assert response.context["duplicates"] == []
    assert response.context["hidden_duplicate"]
    content = response.content.decode()
    assert "already known to the programme" in content
    assert "contact the coordinator" in content.lower()
    for secret in (str(maria.public_id), WOMAN, casework.household.label, casework.partner.name):
        assert secret not in content
    assert Person.objects.filter(first_name="Maria").count() == 1
    # Different codice fiscale (here: none): the user may say it is someone else, and create.
    assert 'type="checkbox" name="different_person"' in content
    response = english.post(url, _person_data(different_person="on"))
    assert response.status_code == 302
    assert Person.objects.filter(first_name="Maria").count() == 2


def test_it_never_creates_a_second_person_with_the_same_codice_fiscale(english, login, casework, maria, stranger_case):
    login(english, casework.stranger)
    url = _url("household-member-create", casework, household_id=stranger_case.household.public_id)
    response = english.post(url, _person_data(first_name="Marta", tax_code=WOMAN, different_person="on"))
    assert response.status_code == 200
    assert response.context["same_tax_code"]
    assert 'type="checkbox" name="different_person"' not in response.content.decode()
    assert not Person.objects.filter(first_name="Marta").exists()


# --- Household membership -------------------------------------------------------------------


def test_it_removes_a_member_after_confirmation(english, login, casework):
    household = casework.household
    household.primary_contact = casework.person
    household.save()
    member = HouseholdMember.objects.get(household=household, person=casework.person)
    login(english, casework.owner)
    url = _url("household-member-remove", casework, household_id=household.public_id, member_id=member.public_id)
    assert english.get(url).status_code == 200
    assert HouseholdMember.objects.filter(pk=member.pk).exists()
    assert english.post(url).status_code == 302
    assert not HouseholdMember.objects.filter(pk=member.pk).exists()
    household.refresh_from_db()
    assert household.primary_contact is None
    assert Person.objects.filter(pk=casework.person.pk).exists()


def test_it_answers_404_for_a_member_of_another_household(english, login, casework):
    other = HouseholdMemberFactory(household__programme=casework.case.programme)
    login(english, casework.coordinator)
    url = _url(
        "household-member-remove", casework, household_id=casework.household.public_id, member_id=other.public_id
    )
    assert english.post(url).status_code == 404
    assert HouseholdMember.objects.filter(pk=other.pk).exists()


def test_it_sets_the_primary_contact(english, login, casework):
    login(english, casework.owner)
    url = _url("household-primary-contact", casework, household_id=casework.household.public_id)
    response = english.post(url, {"version": casework.household.version, "primary_contact": casework.person.public_id})
    assert response.status_code == 302
    casework.household.refresh_from_db()
    assert casework.household.primary_contact == casework.person


def test_it_refuses_a_primary_contact_outside_the_household(english, login, casework):
    outsider = HouseholdMemberFactory(household__programme=casework.case.programme).person
    login(english, casework.owner)
    url = _url("household-primary-contact", casework, household_id=casework.household.public_id)
    response = english.post(url, {"version": casework.household.version, "primary_contact": outsider.public_id})
    assert response.status_code == 200
    casework.household.refresh_from_db()
    assert casework.household.primary_contact is None


# --- Editing ----------------------------------------------------------------------------------


def test_it_edits_a_person_with_the_version_check(english, login, casework):
    person = casework.person
    login(english, casework.owner)
    url = _url("person-edit", casework, person_id=person.public_id)
    data = _person_data(first_name="Nuovo", last_name=person.last_name, version=person.version)
    assert english.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.first_name == "Nuovo"
    assert person.version == 2
    # A second edit from the old version is refused with a conflict message.
    response = english.post(url, {**data, "first_name": "Vecchio"}, follow=True)
    person.refresh_from_db()
    assert person.first_name == "Nuovo"
    assert "Someone else saved this record" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("supervisor", 403), ("colleague", 404), ("coordinator", 302)])
def test_it_lets_only_the_case_team_and_coordinators_edit(english, login, casework, persona, status):
    person = casework.person
    login(english, getattr(casework, persona))
    url = _url("person-edit", casework, person_id=person.public_id)
    data = _person_data(first_name="Cambiato", last_name=person.last_name, version=person.version)
    assert english.post(url, data).status_code == status
    person.refresh_from_db()
    assert (person.first_name == "Cambiato") is (status == 302)
