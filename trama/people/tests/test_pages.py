"""Person search, person page and household page: who sees what (S1), audit (S10), query counts."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from trama.accounts.models import AuditEvent
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdMemberFactory, PersonFactory

pytestmark = pytest.mark.django_db

SEES = ("owner", "supervisor", "coordinator")
SEES_NOBODY = ("colleague", "stranger")
REFUSED = ("lab_manager", "evaluator", "volunteer", "funder")  # 403: members without the role
OUTSIDERS = ("outsider",)  # 404: not a member of the programme


def _search(casework, **params):
    return reverse("people:person-search", kwargs={"slug": casework.case.programme.slug}), params


def _names(response) -> set[str]:
    return {f"{p.first_name} {p.last_name}" for p in response.context["page"].object_list}


@pytest.mark.parametrize("persona", SEES + SEES_NOBODY)
def test_it_searches_only_the_people_one_may_see(client, login, casework, persona):
    other = CaseFactory(programme=casework.case.programme, organisation=casework.other_organisation)
    outsider_member = HouseholdMemberFactory(household=other.household)
    login(client, getattr(casework, persona))
    url, _ = _search(casework)
    response = client.get(url)
    assert response.status_code == 200
    expected = {str(casework.person)} if persona in SEES else set()
    if persona == "coordinator":
        expected.add(str(outsider_member.person))
    assert _names(response) == expected


@pytest.mark.parametrize("persona", REFUSED)
def test_it_refuses_the_search_to_other_roles(client, login, casework, persona):
    login(client, getattr(casework, persona))
    url, _ = _search(casework)
    assert client.get(url).status_code == 403


def test_it_hides_the_programme_from_outsiders(client, login, casework):
    login(client, casework.outsider)
    url, _ = _search(casework)
    assert client.get(url).status_code == 404


def test_it_searches_by_name_codice_fiscale_and_birth_date(client, login, casework):
    person = casework.person
    person.first_name, person.last_name, person.tax_code = "Maria", "Rossi", "RSSMRA85C54G388L"
    person.birth_date = date(1985, 3, 14)
    person.save()
    HouseholdMemberFactory(household=casework.household, person__first_name="Luca", person__last_name="Bianchi",
                           person__birth_date=date(2012, 1, 1))  # fmt: skip
    login(client, casework.owner)
    url, _ = _search(casework)
    for query in ("rossi", "maria ross", "rssmra85c54g388l", "14/03/1985", "1985-03-14"):
        assert _names(client.get(url, {"q": query})) == {"Maria Rossi"}, query
    assert _names(client.get(url, {"q": "Verdi"})) == set()


def test_it_audits_each_search_with_the_length_of_the_query_only(client, login, casework):
    login(client, casework.owner)
    url, _ = _search(casework)
    client.get(url, {"q": "Rossi Maria"})
    event = AuditEvent.objects.get(target_type="people.person_search")
    assert event.action == AuditEvent.Action.READ
    assert event.actor == casework.owner
    assert event.role == "operator"
    assert "11" in event.reason
    assert "Rossi" not in event.reason


def test_it_hides_restricted_people_from_the_search(client, login, casework):
    casework.person.is_restricted = True
    casework.person.save()
    login(client, casework.coordinator)
    url, _ = _search(casework)
    assert _names(client.get(url)) == set()
    assert _names(client.get(url, {"limitati": "1"})) == {str(casework.person)}
    login(client, casework.owner)
    assert _names(client.get(url, {"limitati": "1"})) == set()  # only coordinators may ask


def test_it_paginates_the_search(client, login, casework):
    for _ in range(30):
        HouseholdMemberFactory(household=casework.household)
    login(client, casework.owner)
    url, _ = _search(casework)
    response = client.get(url)
    assert len(response.context["page"].object_list) == 25
    assert response.context["page"].paginator.count == 31


@pytest.mark.parametrize("persona", ["owner", "coordinator"])
def test_it_costs_a_fixed_number_of_queries_to_search(client, login, casework, persona, django_assert_max_num_queries):
    login(client, getattr(casework, persona))
    url, _ = _search(casework)
    with django_assert_max_num_queries(21):
        assert client.get(url).status_code == 200
    for _ in range(20):
        member = HouseholdMemberFactory(household=casework.household)
        HouseholdMemberFactory(person=member.person)  # a second household, invisible to the owner
    with django_assert_max_num_queries(21):
        response = client.get(url)
    assert len(response.context["page"].object_list) == 21


def test_it_never_shows_a_household_the_user_may_not_see(client, login, casework):
    hidden = CaseFactory(programme=casework.case.programme, organisation=casework.other_organisation)
    HouseholdMemberFactory(household=hidden.household, person=casework.person)
    login(client, casework.owner)
    url, _ = _search(casework)
    content = client.get(url).content.decode()
    assert casework.household.label in content
    assert hidden.household.label not in content


# --- Person page ---------------------------------------------------------------------------


def _person_url(casework, person=None):
    person = person or casework.person
    return reverse("people:person-detail", kwargs={"slug": casework.case.programme.slug, "person_id": person.public_id})


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 200) for p in SEES] + [(p, 404) for p in SEES_NOBODY + OUTSIDERS] + [(p, 403) for p in REFUSED],
)
def test_it_shows_the_person_page_to_those_who_may_see_it(client, login, casework, persona, status):
    login(client, getattr(casework, persona))
    response = client.get(_person_url(casework))
    assert response.status_code == status
    if status == 200:
        assert AuditEvent.objects.filter(
            action=AuditEvent.Action.READ, target_id=str(casework.person.public_id), actor=getattr(casework, persona)
        ).exists()


def test_it_answers_404_for_a_person_of_another_programme(client, login, casework, other_programme):
    stranger = PersonFactory(programme=other_programme)
    login(client, casework.coordinator)
    assert client.get(_person_url(casework, stranger)).status_code == 404


# --- Household page ----------------------------------------------------------------------


def _household_url(casework, household=None):
    household = household or casework.household
    return reverse(
        "people:household-detail", kwargs={"slug": casework.case.programme.slug, "household_id": household.public_id}
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [(p, 200) for p in SEES] + [(p, 404) for p in SEES_NOBODY + OUTSIDERS] + [(p, 403) for p in REFUSED],
)
def test_it_shows_the_household_to_those_who_may_see_it(client, login, casework, persona, status):
    login(client, getattr(casework, persona))
    assert client.get(_household_url(casework)).status_code == status


def test_it_computes_the_composition_from_birth_dates(client, login, casework):
    today = timezone.localdate()

    def born(years: int) -> date:
        return (
            date(today.year - years - 1, 1, 1) if (today.month, today.day) < (1, 1) else date(today.year - years, 1, 1)
        )

    for years in (3, 8, 12, 15, 16, 19, 45):
        HouseholdMemberFactory(household=casework.household, person__birth_date=born(years))
    HouseholdMemberFactory(household=casework.household, person__birth_date=None)
    login(client, casework.owner)
    composition = client.get(_household_url(casework)).context["composition"]
    assert composition.adults == 3  # the factory's 1985 parent, 19 and 45
    assert composition.newly_adults == 1
    assert composition.minors == 5
    assert composition.minors_by_band == {"0–5": 1, "6–10": 1, "11–13": 1, "14–17": 2}
    assert composition.unknown_age == 1


def test_it_lists_only_the_cases_the_user_may_see(client, login, casework):
    other_case = CaseFactory(
        programme=casework.case.programme, household=casework.household, organisation=casework.other_organisation
    )
    login(client, casework.owner)
    cases = [case for case, _url in client.get(_household_url(casework)).context["cases"]]
    assert cases == [casework.case]
    login(client, casework.coordinator)
    cases = {case for case, _url in client.get(_household_url(casework)).context["cases"]}
    assert cases == {casework.case, other_case}


@pytest.mark.parametrize("persona", ["owner", "coordinator"])
def test_it_costs_a_fixed_number_of_queries_to_show_a_household(
    client, login, casework, persona, django_assert_max_num_queries
):
    login(client, getattr(casework, persona))
    with django_assert_max_num_queries(23):
        assert client.get(_household_url(casework)).status_code == 200
    for _ in range(15):
        HouseholdMemberFactory(household=casework.household)
    for _ in range(3):
        case = CaseFactory(
            programme=casework.case.programme, household=casework.household, organisation=casework.partner
        )
        CaseTeamMemberFactory(case=case, user=casework.owner, organisation=casework.partner, is_lead=True)
    with django_assert_max_num_queries(23):
        response = client.get(_household_url(casework))
    assert len(response.context["members"]) == 16


def test_it_renders_every_page_of_the_people_area(client, login, casework):
    from trama.casework.tests.factories import ConsentFactory

    consent = ConsentFactory(person=casework.person)
    member = casework.household.memberships.get()
    slug = casework.case.programme.slug
    person, household = casework.person.public_id, casework.household.public_id
    pages = [
        ("person-search", {}),
        ("person-create", {}),
        ("person-detail", {"person_id": person}),
        ("person-edit", {"person_id": person}),
        ("consent-create", {"person_id": person}),
        ("consent-withdraw", {"person_id": person, "consent_id": consent.public_id}),
        ("person-rights", {"person_id": person}),
        ("person-access-report", {"person_id": person}),
        ("person-erase", {"person_id": person}),
        ("household-detail", {"household_id": household}),
        ("household-member-create", {"household_id": household}),
        ("household-member-add", {"household_id": household, "person_id": person}),
        ("household-member-remove", {"household_id": household, "member_id": member.public_id}),
        ("household-primary-contact", {"household_id": household}),
        ("processing-register", {}),
    ]
    login(client, casework.coordinator)
    for name, kwargs in pages:
        response = client.get(reverse(f"people:{name}", kwargs={"slug": slug, **kwargs}))
        assert response.status_code == 200, name
        assert b"People" in response.content or b"Persone" in response.content, name  # the menu entry
