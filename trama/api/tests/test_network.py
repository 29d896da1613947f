from __future__ import annotations

import pytest
from django.urls import reverse

from trama.accounts.models import AuditEvent, Role
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OrganisationFactory
from trama.network.models import CommunityPlace, Organisation, Partnership
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def pavia(programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"api:{name}", kwargs={"slug": "programma-a", **kwargs})


def test_it_lists_the_organisations_of_the_programme_with_their_role(api, coordinator, lead, other_programme):
    outsider = OrganisationFactory(name="Ente di un altro programma")
    Partnership.objects.create(programme=other_programme, organisation=outsider, role=Partnership.Role.PARTNER)
    response = api(coordinator).get(_url("organisation-list"))
    assert response.status_code == 200
    assert [(o["name"], o["role"]) for o in response.json()["results"]] == [("Capofila A", "lead")]


def test_it_creates_an_organisation_and_its_partnership(api, coordinator):
    body = {"name": "APS Le Radici", "kind": "third_sector", "role": "supporter", "municipality": "018110"}
    response = api(coordinator).post(_url("organisation-list"), body, format="json")
    assert response.status_code == 201
    organisation = Organisation.objects.get(name="APS Le Radici")
    assert response.json()["id"] == str(organisation.public_id)
    assert Partnership.objects.get(organisation=organisation).role == "supporter"
    assert AuditEvent.objects.filter(action="create", target_id=str(organisation.public_id)).exists()


def test_it_refuses_a_duplicate_organisation_name(api, coordinator, lead):
    body = {"name": "Capofila A", "kind": "third_sector", "role": "supporter"}
    response = api(coordinator).post(_url("organisation-list"), body, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["error"]["fields"]


def test_it_shows_a_lab_manager_only_the_places_of_their_organisation(api, member, lead, programme):
    mine = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    CommunityPlaceFactory(programme=programme, managing_organisation=OrganisationFactory(name="Altro"))
    response = api(member(Role.LAB_MANAGER)).get(_url("place-list"))
    assert [p["id"] for p in response.json()["results"]] == [str(mine.public_id)]


def test_it_filters_places_by_kind_and_text(api, coordinator, lead, programme):
    CommunityPlaceFactory(programme=programme, managing_organisation=lead, name="Scuola Carducci", kind="school")
    CommunityPlaceFactory(programme=programme, managing_organisation=lead, name="Lab Ticino")
    client = api(coordinator)
    assert [p["name"] for p in client.get(_url("place-list"), {"kind": "school"}).json()["results"]] == [
        "Scuola Carducci"
    ]
    assert [p["name"] for p in client.get(_url("place-list"), {"q": "ticino"}).json()["results"]] == ["Lab Ticino"]


def test_it_creates_a_place_through_the_service(api, coordinator, lead):
    body = {
        "kind": "community_lab",
        "name": "Laboratorio Borgo",
        "managing_organisation": str(lead.public_id),
        "address": "Via Milazzo 1",
        "municipality": "018110",
        "services": ["listening-desk"],
    }
    response = api(coordinator).post(_url("place-list"), body, format="json", HTTP_IDEMPOTENCY_KEY="place-1")
    assert response.status_code == 201, response.json()
    place = CommunityPlace.objects.get(name="Laboratorio Borgo")
    assert response.json()["services"] == ["listening-desk"]
    assert response["ETag"] == '"1"'
    assert AuditEvent.objects.filter(action="create", target_id=str(place.public_id)).exists()


def test_it_refuses_a_place_managed_by_an_organisation_outside_the_programme(api, coordinator):
    stranger = OrganisationFactory(name="Estraneo")
    body = {
        "kind": "community_lab",
        "name": "X",
        "managing_organisation": str(stranger.public_id),
        "address": "Via 1",
        "municipality": "018110",
    }
    response = api(coordinator).post(_url("place-list"), body, format="json")
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["managing_organisation"]


def test_it_lets_a_lab_manager_edit_their_place_but_not_create_one(api, member, lead, programme):
    client = api(member(Role.LAB_MANAGER))
    place = CommunityPlaceFactory(programme=programme, managing_organisation=lead)
    url = _url("place-detail", place_id=place.public_id)
    response = client.patch(url, {"accessibility": "Rampa"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response.json()["accessibility"] == "Rampa"
    assert client.post(_url("place-list"), {}, format="json").status_code == 403


def test_it_hides_the_groups_from_lab_managers(api, member, programme):
    group = CitizenGroupFactory(programme=programme)
    client = api(member(Role.LAB_MANAGER))
    assert client.get(_url("group-list")).status_code == 403
    assert client.get(_url("group-detail", group_id=group.public_id)).status_code == 403


def test_it_answers_404_for_a_group_of_another_programme(api, coordinator, other_programme):
    group = CitizenGroupFactory(programme=other_programme)
    assert api(coordinator).get(_url("group-detail", group_id=group.public_id)).status_code == 404


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_groups_in_a_fixed_number_of_queries(api, coordinator, programme, rows, django_assert_num_queries):
    client = api(coordinator)
    client.get(_url("group-list"))
    for _ in range(rows):
        CitizenGroupFactory(programme=programme, themes=["green-areas"])
    with django_assert_num_queries(6):
        response = client.get(_url("group-list"), {"page_size": 50})
    assert len(response.json()["results"]) == rows


@pytest.mark.parametrize("rows", [2, 20])
def test_it_lists_organisations_in_a_fixed_number_of_queries(
    api, coordinator, programme, rows, django_assert_num_queries
):
    client = api(coordinator)
    client.get(_url("organisation-list"))
    for _ in range(rows):
        Partnership.objects.create(programme=programme, organisation=OrganisationFactory(), role="partner")
    with django_assert_num_queries(5):
        response = client.get(_url("organisation-list"), {"page_size": 50})
    assert len(response.json()["results"]) == rows + 1
