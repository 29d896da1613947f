"""S1: every persona × {case list, case detail, person search, household detail, export}, with
the exact set each may see. Lists must equal the expected set; a detail answers 200 for what is
in it and 404 for the rest (403 for members whose role sees no case data at all)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.urls import reverse

from trama.accounts.models import AuditEvent
from trama.casework.permissions import visible_cases
from trama.casework.tests.factories import CaseFactory, CaseTeamMemberFactory, HouseholdFactory, HouseholdMemberFactory
from trama.core.tests.factories import MembershipFactory, PartnershipFactory
from trama.people.permissions import visible_households, visible_people

pytestmark = pytest.mark.django_db

PERSONAS = [
    "owner", "colleague", "supervisor", "stranger", "coordinator", "lab_manager", "evaluator", "volunteer", "funder",
    "outsider",
]  # fmt: skip
NO_CASE_ROLE = {"lab_manager", "evaluator", "volunteer", "funder"}  # members: 403
NOT_A_MEMBER = {"outsider"}  # 404, as for a programme that does not exist


@pytest.fixture
def world(programme, other_programme, casework) -> SimpleNamespace:
    """Three cases of programme A, a household without a case, and a case of programme B."""
    partner_lead = MembershipFactory(programme=programme, organisation=casework.partner).user
    case2 = CaseFactory(programme=programme, organisation=casework.partner, household__label="Famiglia Due")
    CaseTeamMemberFactory(case=case2, user=partner_lead, organisation=casework.partner)
    case3 = CaseFactory(programme=programme, organisation=casework.other_organisation, household__label="Famiglia Tre")
    CaseTeamMemberFactory(case=case3, user=casework.stranger, organisation=casework.other_organisation)
    orphan = HouseholdFactory(programme=programme, label="Famiglia senza caso")
    PartnershipFactory(programme=other_programme, organisation=casework.partner)
    case_b = CaseFactory(programme=other_programme, organisation=casework.partner, household__label="Famiglia B")
    people = {
        "case": casework.person,
        "case2": HouseholdMemberFactory(household=case2.household).person,
        "case3": HouseholdMemberFactory(household=case3.household).person,
        "orphan": HouseholdMemberFactory(household=orphan).person,
        "case_b": HouseholdMemberFactory(household=case_b.household).person,
    }
    cases = {"case": casework.case, "case2": case2, "case3": case3, "case_b": case_b}
    households = {key: case.household for key, case in cases.items()} | {"orphan": orphan}
    return SimpleNamespace(cases=cases, households=households, people=people, casework=casework)


# What each persona sees, by key of `world`.
VISIBLE_CASES = {
    "owner": {"case"},
    "colleague": set(),
    "supervisor": {"case", "case2"},
    "stranger": {"case3"},
    "coordinator": {"case", "case2", "case3"},
}
VISIBLE_HOUSEHOLDS = VISIBLE_CASES | {"coordinator": {"case", "case2", "case3", "orphan"}}
VISIBLE_PEOPLE = VISIBLE_HOUSEHOLDS
EXPORTERS = {"coordinator"}  # the data-subject export is for coordinators only


def _role_status(persona: str) -> int | None:
    if persona in NOT_A_MEMBER:
        return 404
    if persona in NO_CASE_ROLE:
        return 403
    return None


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_shows_each_persona_exactly_its_cases(client, login, programme, world, persona):
    user = getattr(world.casework, persona)
    login(client, user)
    response = client.get(reverse("casework:case-list", kwargs={"slug": programme.slug}))
    refused = _role_status(persona)
    expected = VISIBLE_CASES.get(persona, set())
    if refused:
        assert response.status_code == refused
    else:
        assert response.status_code == 200
        listed = {case.pk for case in response.context["page"].object_list}
        assert listed == {world.cases[key].pk for key in expected}
    # The scoping function itself gives the same answer (lists, search and exports share it).
    assert set(visible_cases(user, programme)) == {world.cases[key] for key in expected}
    for key, case in world.cases.items():
        url = reverse("casework:case-detail", kwargs={"slug": programme.slug, "case_id": case.public_id})
        status = client.get(url).status_code
        assert status == (refused or (200 if key in expected else 404)), (persona, key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_finds_exactly_the_people_each_persona_may_see(client, login, programme, world, persona):
    user = getattr(world.casework, persona)
    login(client, user)
    expected = {world.people[key].pk for key in VISIBLE_PEOPLE.get(persona, set())}
    assert set(visible_people(user, programme).values_list("pk", flat=True)) == expected
    response = client.get(reverse("people:person-search", kwargs={"slug": programme.slug}))
    refused = _role_status(persona)
    if refused:
        assert response.status_code == refused
    else:
        assert response.status_code == 200
        assert {person.pk for person in response.context["page"].object_list} == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_opens_exactly_the_households_each_persona_may_see(client, login, programme, world, persona):
    user = getattr(world.casework, persona)
    login(client, user)
    expected = VISIBLE_HOUSEHOLDS.get(persona, set())
    assert set(visible_households(user, programme)) == {world.households[key] for key in expected}
    refused = _role_status(persona)
    for key, household in world.households.items():
        url = reverse("people:household-detail", kwargs={"slug": programme.slug, "household_id": household.public_id})
        assert client.get(url).status_code == (refused or (200 if key in expected else 404)), (persona, key)


@pytest.mark.parametrize("persona", PERSONAS)
def test_it_exports_exactly_the_people_each_persona_may_export(client, login, programme, world, persona):
    user = getattr(world.casework, persona)
    login(client, user)
    refused = _role_status(persona) or (None if persona in EXPORTERS else 403)
    expected = VISIBLE_PEOPLE.get(persona, set()) if persona in EXPORTERS else set()
    for key, person in world.people.items():
        url = reverse("people:person-export-json", kwargs={"slug": programme.slug, "person_id": person.public_id})
        exports = AuditEvent.objects.filter(action="export").count()
        status = client.get(url).status_code
        assert status == (refused or (200 if key in expected else 404)), (persona, key)
        assert AuditEvent.objects.filter(action="export").count() == exports + (status == 200)
