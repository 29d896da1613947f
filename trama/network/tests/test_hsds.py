"""The HSDS 3.0 directory: every answer validates against the official compiled schemas (made
strict: no property HSDS does not define), and nothing private or unpublished ever leaves."""

from __future__ import annotations

import copy
import functools
import json
import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from jsonschema import Draft202012Validator, FormatChecker

from trama.core.tests.factories import (
    CitizenGroupFactory,
    CommunityPlaceFactory,
    OpeningHoursFactory,
    OrganisationFactory,
    ProgrammeFactory,
)
from trama.network import hsds
from trama.network.models import CitizenGroup, CommunityPlace, TaxonomyTerm
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

# The official compiled schemas of HSDS 3.0 (openreferral/specification, tag v3.0).
# The official compiled HSDS 3.0 schemas, copied into the repository (see hsds_schemas/README.md).
SCHEMAS = Path(os.environ.get("TRAMA_HSDS_SCHEMAS", Path(__file__).resolve().parent / "hsds_schemas"))
OPENAPI_COPY = Path(hsds.__file__).with_name("openapi.json")
PAGE_KEYS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")

# What the factories give a group's contact person: none of it may ever be published.
CONTACT_PERSON = ("Maria Riservata", "maria.riservata@example.org", "+39 333 0000000", "333 0000000")
HIDDEN = ("Luogo Nascosto", "Gruppo Nascosto", "Ente Nascosto", "Luogo Riservato", "Gruppo Riservato", "Ente Riservato")

# --- Schemas --------------------------------------------------------------------------------

FORMATS = FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _is_date_time(value: object) -> bool:
    # jsonschema checks date-time only with an optional package: check it here, offset required.
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


@FORMATS.checks("uri")
def _is_uri(value: object) -> bool:
    return not isinstance(value, str) or bool(urlsplit(value).scheme and urlsplit(value).netloc)


def _strict(schema: Any) -> Any:
    """The schema with `additionalProperties: false` on every object, to catch misspelt fields."""
    if isinstance(schema, dict):
        strict = {key: _strict(value) for key, value in schema.items()}
        if "properties" in schema and isinstance(schema["properties"], dict):
            strict["additionalProperties"] = False
        return strict
    if isinstance(schema, list):
        return [_strict(item) for item in schema]
    return schema


@functools.cache
def _official(name: str) -> dict[str, Any]:
    return json.loads((SCHEMAS / f"{name}.json").read_text())


@functools.cache
def _openapi() -> dict[str, Any]:
    return json.loads(OPENAPI_COPY.read_text())


@functools.cache
def _validator(name: str) -> Draft202012Validator:
    """`service`, `service_list`… for one object; `page:<name>` for HSDS's Page of them; `root`.

    The official schemas are taken as published (checking one against the metaschema costs
    seconds); the wrappers built here from the openapi's Page and `/` answer are checked.
    """
    if name.startswith("page:"):
        page = _openapi()["components"]["schemas"]["Page"]
        schema = {
            "type": "object",
            "properties": {**page["properties"], "contents": {"type": "array", "items": {}}},
            "required": [*PAGE_KEYS, "contents"],
        }
        Draft202012Validator.check_schema(schema)
        schema["properties"]["contents"]["items"] = _official(name.removeprefix("page:"))
    elif name == "root":
        answer = _openapi()["paths"]["/"]["get"]["responses"]["200"]["content"]["application/json"]
        schema = {**copy.deepcopy(answer["schema"]), "required": ["version", "profile", "openapi_url"]}
        Draft202012Validator.check_schema(schema)
    else:
        schema = _official(name)
    return Draft202012Validator(_strict(schema), format_checker=FORMATS)


def _valid(data: Any, name: str) -> Any:
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in _validator(name).iter_errors(data)]
    assert errors == [], name
    return data


def _get(client: Client, url: str, schema: str, **params: str) -> dict[str, Any]:
    response = client.get(url, params)
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    return _valid(response.json(), schema)


def _url(name: str, **kwargs: object) -> str:
    return reverse(f"hsds:{name}", kwargs=kwargs)


def _service_id(place: CommunityPlace, code: str) -> str:
    return str(uuid.uuid5(place.public_id, code))


def _term(code: str, vocabulary: str = "service") -> TaxonomyTerm:
    return TaxonomyTerm.objects.get(vocabulary=vocabulary, code=code)


# --- Data -----------------------------------------------------------------------------------


class Network:
    """One public programme with a place and two groups, and what must stay hidden around it."""

    def __init__(self, programme: Programme) -> None:
        self.programme = programme
        self.organisation = OrganisationFactory(name="Cooperativa Aurora", website="https://aurora.example.org")
        self.place = CommunityPlaceFactory(
            programme=programme,
            name="Laboratorio Centro",
            description="Spazio aperto alle famiglie.",
            managing_organisation=self.organisation,
            address="Via Roma 1",
            postal_code="27100",
            email="centro@example.org",
            phone="0382 123456",
            website="https://centro.example.org",
            accessibility="Ingresso senza gradini.",
            services=["homework-help", "listening-desk"],
        )
        OpeningHoursFactory(place=self.place, weekday=1, opens_at=time(15), closes_at=time(18))
        OpeningHoursFactory(place=self.place, weekday=3, opens_at=time(9), closes_at=time(12), note="su appuntamento")
        self.group = CitizenGroupFactory(
            programme=programme, name="Orti Condivisi", neighbourhood="Borgo Segreto", themes=["green-areas"]
        )
        self.exact_group = CitizenGroupFactory(
            programme=programme,
            name="Amici del Parco",
            location_precision=CitizenGroup.Precision.EXACT,
            latitude=Decimal("45.20000"),
            longitude=Decimal("9.17000"),
            public_contact="0382 111222",
        )
        hidden_organisation = OrganisationFactory(name="Ente Nascosto")
        self.unpublished_place = CommunityPlaceFactory(
            programme=programme,
            name="Luogo Nascosto",
            managing_organisation=hidden_organisation,
            is_published=False,
            services=["job-desk"],
        )
        self.unpublished_group = CitizenGroupFactory(programme=programme, name="Gruppo Nascosto", is_published=False)
        private = ProgrammeFactory(slug="programma-riservato", is_public=False)
        self.private_place = CommunityPlaceFactory(
            programme=private,
            name="Luogo Riservato",
            managing_organisation=OrganisationFactory(name="Ente Riservato"),
            services=["job-desk"],
        )
        self.private_group = CitizenGroupFactory(programme=private, name="Gruppo Riservato")


@pytest.fixture
def network(programme: Programme) -> Network:
    return Network(programme)


def _crawl(client: Client) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every answer of the API on the current data, each validated against its schema."""
    yield "root", _get(client, _url("root"), "root")
    lists = (
        ("service-list", "service_list", "service", "service-detail", "service_id"),
        ("organization-list", "organization_list", "organization", "organization-detail", "organization_id"),
        (
            "service-at-location-list",
            "service_at_location_list",
            "service_at_location",
            "service-at-location-detail",
            "service_at_location_id",
        ),
    )
    for list_name, item_schema, full_schema, detail_name, key in lists:
        simple = _get(client, _url(list_name), f"page:{item_schema}", per_page="200")
        yield list_name, simple
        yield f"{list_name}?full", _get(client, _url(list_name), f"page:{full_schema}", full="true", per_page="200")
        for item in simple["contents"]:
            url = _url(detail_name, **{key: item["id"]})
            yield url, _get(client, url, full_schema)
            if detail_name == "organization-detail":
                yield f"{url}?full_service", _get(client, url, full_schema, full_service="true")


def _everything(client: Client) -> str:
    return json.dumps([answer for _url_, answer in _crawl(client)], ensure_ascii=False)


# --- Root and the API description -----------------------------------------------------------


def test_it_describes_the_api_at_its_root(client):
    root = _get(client, _url("root"), "root")
    assert root == {
        "version": "3.0",
        "profile": "https://openreferral.org/imports/hsds/",
        "openapi_url": "http://testserver/hsds/openapi.json",
    }


def test_it_serves_the_official_openapi_with_our_description(client):
    response = client.get(urlsplit(_get(client, _url("root"), "root")["openapi_url"]).path)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    served = json.loads(response.content)
    assert served["info"]["title"].startswith("Trama")
    assert "REQUIRED" not in json.dumps(served["info"])
    assert set(served["paths"]) >= {"/", "/services", "/services/{id}", "/organizations", "/service_at_locations"}


def test_it_validates_every_answer_against_the_official_schemas(client, network):
    answers = dict(_crawl(client))
    # 2 services, 3 organisations (1 managing + 2 groups) and 2 services at locations: the crawl
    # read the root, each list plain and full, and each detail (organisations also with full_service).
    assert answers["service-list"]["total_items"] == 2
    assert answers["organization-list"]["total_items"] == 3
    assert answers["service-at-location-list"]["total_items"] == 2
    assert len(answers) == 1 + (2 + 2) + (2 + 3 * 2) + (2 + 2)


# --- Services -------------------------------------------------------------------------------


def test_it_publishes_one_service_per_place_and_service_term(client, network):
    page = _get(client, _url("service-list"), "page:service_list")
    # A place's services come in the order of the vocabulary (taxonomy.py).
    assert [item["name"] for item in page["contents"]] == [
        "Sportello di ascolto — Laboratorio Centro",
        "Aiuto compiti — Laboratorio Centro",
    ]
    item = page["contents"][1]
    assert item["id"] == _service_id(network.place, "homework-help")
    assert item["status"] == "active"
    assert item["organization_id"] == str(network.organisation.public_id)
    assert item["organization"]["name"] == "Cooperativa Aurora"
    assert {key: page[key] for key in PAGE_KEYS} == {
        "total_items": 2, "total_pages": 1, "page_number": 1, "size": 2,
        "first_page": True, "last_page": True, "empty": False,
    }  # fmt: skip


def test_it_serves_a_fully_nested_service(client, network):
    service_id = _service_id(network.place, "homework-help")
    service = _get(client, _url("service-detail", service_id=service_id), "service")
    assert service["id"] == service_id
    assert service["name"] == "Aiuto compiti — Laboratorio Centro"
    assert (service["email"], service["url"]) == ("centro@example.org", "https://centro.example.org")
    assert service["phones"][0]["number"] == "0382 123456"
    assert [(s["freq"], s["byday"], s["opens_at"], s["closes_at"]) for s in service["schedules"]] == [
        ("WEEKLY", "MO", "15:00:00", "18:00:00"),
        ("WEEKLY", "WE", "09:00:00", "12:00:00"),
    ]
    assert service["schedules"][1]["notes"] == "su appuntamento"
    term = _term("homework-help")
    assert service["attributes"][0]["taxonomy_term"] | {"taxonomy_detail": None} == {
        "id": str(term.public_id),
        "code": "homework-help",
        "name": "Aiuto compiti",
        "description": "Aiuto compiti",
        "taxonomy": "trama-services",
        "taxonomy_id": hsds.taxonomy_id("trama-services"),
        "taxonomy_detail": None,
        "language": "it",
    }
    (at_location,) = service["service_at_locations"]
    location = at_location["location"]
    assert at_location["location_id"] == location["id"] == str(network.place.public_id)
    assert (location["latitude"], location["longitude"]) == (45.185, 9.155)
    assert location["addresses"][0] | {"id": None, "location_id": None} == {
        "id": None,
        "location_id": None,
        "address_1": "Via Roma 1",
        "city": "Pavia",
        "region": "Lombardia",
        "state_province": "PV",
        "postal_code": "27100",
        "country": "IT",
        "address_type": "physical",
    }
    assert location["accessibility"][0]["description"] == "Ingresso senza gradini."


def test_it_keeps_every_id_stable_between_answers(client, network):
    first, second = _everything(client), _everything(client)
    assert first == second
    assert _service_id(network.place, "listening-desk") in first


def test_it_uses_the_municipality_centre_for_a_place_without_coordinates(client, network):
    CommunityPlace.objects.filter(pk=network.place.pk).update(latitude=None, longitude=None)
    service = _get(client, _url("service-detail", service_id=_service_id(network.place, "homework-help")), "service")
    location = service["service_at_locations"][0]["location"]
    pavia = network.place.municipality
    assert (location["latitude"], location["longitude"]) == (float(pavia.latitude), float(pavia.longitude))


def test_it_pages_the_services(client, programme):
    codes = ["homework-help", "listening-desk", "job-desk", "housing-desk", "digital-help"]
    for number in range(5):
        CommunityPlaceFactory(programme=programme, name=f"Luogo {number}", services=codes)
    pages = [_get(client, _url("service-list"), "page:service_list", per_page="10", page=str(n)) for n in (1, 2, 3)]
    assert [(p["total_items"], p["total_pages"], p["page_number"], p["size"]) for p in pages] == [
        (25, 3, 1, 10),
        (25, 3, 2, 10),
        (25, 3, 3, 5),
    ]
    assert [(p["first_page"], p["last_page"], p["empty"]) for p in pages] == [
        (True, False, False),
        (False, False, False),
        (False, True, False),
    ]
    ids = [item["id"] for p in pages for item in p["contents"]]
    assert len(set(ids)) == 25
    beyond = _get(client, _url("service-list"), "page:service_list", per_page="10", page="4")
    assert (beyond["contents"], beyond["size"], beyond["empty"], beyond["last_page"]) == ([], 0, True, True)


def test_it_answers_an_empty_page_when_nothing_is_published(client):
    page = _get(client, _url("service-list"), "page:service_list")
    assert {key: page[key] for key in PAGE_KEYS} | {"contents": page["contents"]} == {
        "total_items": 0, "total_pages": 0, "page_number": 1, "size": 0,
        "first_page": True, "last_page": True, "empty": True, "contents": [],
    }  # fmt: skip


# --- Filters --------------------------------------------------------------------------------


def _names(client: Client, url_name: str, schema: str, **params: str) -> list[str]:
    contents = _get(client, _url(url_name), schema, **params)["contents"]
    return [item.get("service", item)["name"] for item in contents]


@pytest.fixture
def other_place(network: Network) -> CommunityPlace:
    """A second place of the programme, run by another organisation."""
    return CommunityPlaceFactory(
        programme=network.programme,
        name="Casa di Quartiere",
        managing_organisation=OrganisationFactory(name="Associazione Borgo"),
        postal_code="27029",
        services=["homework-help"],
    )


@pytest.mark.parametrize(
    ("url_name", "schema"),
    [("service-list", "page:service_list"), ("service-at-location-list", "page:service_at_location_list")],
)
def test_it_filters_services_as_the_spec_lists(client, network, other_place, url_name, schema):
    homework = str(_term("homework-help").public_id)
    both = ["Aiuto compiti — Casa di Quartiere", "Aiuto compiti — Laboratorio Centro"]
    assert _names(client, url_name, schema, taxonomy_term_id=homework) == both
    assert _names(client, url_name, schema, search="aiuto compiti") == both
    assert _names(client, url_name, schema, search="BORGO") == ["Aiuto compiti — Casa di Quartiere"]
    assert _names(client, url_name, schema, search="famiglie ascolto") == ["Sportello di ascolto — Laboratorio Centro"]
    organisation = str(network.organisation.public_id)
    assert _names(client, url_name, schema, organization_id=organisation, taxonomy_term_id=homework) == [both[1]]
    assert _names(client, url_name, schema, organization_id=str(network.group.public_id)) == []
    assert _names(client, url_name, schema, taxonomy_id=hsds.taxonomy_id("trama-services"), search="casa") == [both[0]]
    assert _names(client, url_name, schema, taxonomy_id=hsds.taxonomy_id("trama-themes")) == []


@pytest.mark.parametrize(
    ("url_name", "schema"),
    [("service-list", "page:service_list"), ("service-at-location-list", "page:service_at_location_list")],
)
def test_it_filters_services_modified_after_a_moment(client, network, other_place, url_name, schema):
    long_ago = datetime(2020, 1, 1, tzinfo=UTC)
    CommunityPlace.objects.filter(pk=other_place.pk).update(updated_at=long_ago)
    assert len(_names(client, url_name, schema, modified_after="2021-01-01T00:00:00+01:00")) == 2
    assert len(_names(client, url_name, schema, modified_after="2021-01-01")) == 2
    assert len(_names(client, url_name, schema, modified_after="2019-12-31T23:00:00Z")) == 3
    assert _names(client, url_name, schema, modified_after="2999-01-01T00:00:00") == []
    # An unencoded "+" reaches us as a space; it still means the offset.
    assert len(_get(client, f"{_url(url_name)}?modified_after=2021-01-01T00:00:00+01:00", schema)["contents"]) == 2
    # New opening hours make a service modified again.
    OpeningHoursFactory(place=other_place)
    assert len(_names(client, url_name, schema, modified_after="2021-01-01T00:00:00Z")) == 3


def test_it_filters_services_at_locations_by_postcode(client, network, other_place):
    names = _names(client, "service-at-location-list", "page:service_at_location_list", postcode="27029")
    assert names == ["Aiuto compiti — Casa di Quartiere"]


def test_it_narrows_every_list_to_one_programme(client, network):
    other = ProgrammeFactory(slug="programma-b")
    CommunityPlaceFactory(
        programme=other, name="Luogo B", managing_organisation=OrganisationFactory(name="Ente B"), services=["job-desk"]
    )
    CitizenGroupFactory(programme=other, name="Gruppo B")
    assert len(_names(client, "service-list", "page:service_list")) == 3
    assert _names(client, "service-list", "page:service_list", programme="programma-b") == [
        "Sportello lavoro — Luogo B"
    ]
    organisations = _names(client, "organization-list", "page:organization_list", programme="programma-b")
    assert organisations == ["Ente B", "Gruppo B"]
    assert _names(client, "service-list", "page:service_list", programme="programma-riservato") == []
    assert _names(client, "organization-list", "page:organization_list", programme="nessuno") == []


def test_it_searches_the_organizations(client, network):
    everyone = _names(client, "organization-list", "page:organization_list")
    assert everyone == ["Amici del Parco", "Cooperativa Aurora", "Orti Condivisi"]
    assert _names(client, "organization-list", "page:organization_list", search="orti") == ["Orti Condivisi"]


# --- Organizations --------------------------------------------------------------------------


def test_it_serves_a_managing_organisation_with_its_places_and_services(client, network):
    url = _url("organization-detail", organization_id=network.organisation.public_id)
    organisation = _get(client, url, "organization")
    assert organisation["name"] == "Cooperativa Aurora"
    assert organisation["website"] == "https://aurora.example.org"
    assert [location["name"] for location in organisation["locations"]] == ["Laboratorio Centro"]
    assert {service["id"] for service in organisation["services"]} == {
        _service_id(network.place, "homework-help"),
        _service_id(network.place, "listening-desk"),
    }
    full = _get(client, url, "organization", full_service="true")
    assert all(service["schedules"] for service in full["services"])


def test_it_publishes_a_group_at_municipality_precision_without_coordinates_or_street(client, network):
    group = _get(client, _url("organization-detail", organization_id=network.group.public_id), "organization")
    assert (group["name"], group["email"]) == ("Orti Condivisi", "gruppo@example.org")
    (location,) = group["locations"]
    assert "latitude" not in location
    assert "longitude" not in location
    assert location["addresses"][0]["address_1"] == location["addresses"][0]["city"] == "Pavia"
    assert group["attributes"][0]["taxonomy_term"]["code"] == "green-areas"
    assert group["services"] == []


def test_it_publishes_a_group_that_chose_it_at_its_exact_point(client, network):
    group = _get(client, _url("organization-detail", organization_id=network.exact_group.public_id), "organization")
    (location,) = group["locations"]
    assert (location["latitude"], location["longitude"]) == (45.2, 9.17)
    assert group["phones"][0]["number"] == "0382 111222"
    assert "email" not in group


def test_it_never_exposes_the_point_street_or_neighbourhood_of_a_municipality_level_group(client, network):
    leaves = list(_leaves([answer for _url_, answer in _crawl(client)]))
    numbers = {leaf for leaf in leaves if isinstance(leaf, float)}
    assert numbers >= {45.185, 9.155, 45.2, 9.17}  # the place's and the exact group's points
    assert not numbers & {45.19, 9.16}  # the municipality-level group's stored point
    assert not any("Borgo Segreto" in leaf for leaf in leaves if isinstance(leaf, str))
    group = _get(client, _url("organization-detail", organization_id=network.group.public_id), "organization")
    pavia = network.group.municipality
    assert not {float(pavia.latitude), float(pavia.longitude)} & set(_leaves(group))
    assert not any("Via " in leaf for leaf in _leaves(group) if isinstance(leaf, str))


def _leaves(data: Any) -> Iterator[Any]:
    if isinstance(data, dict):
        for value in data.values():
            yield from _leaves(value)
    elif isinstance(data, list):
        for value in data:
            yield from _leaves(value)
    else:
        yield data


# --- Service at location --------------------------------------------------------------------


def test_it_links_each_service_to_its_location(client, network):
    page = _get(client, _url("service-at-location-list"), "page:service_at_location_list")
    item = page["contents"][0]
    assert item["service_id"] == item["service"]["id"] == _service_id(network.place, "listening-desk")
    assert item["location_id"] == item["location"]["id"] == str(network.place.public_id)
    detail = _get(client, _url("service-at-location-detail", service_at_location_id=item["id"]), "service_at_location")
    assert detail["location"]["addresses"][0]["address_1"] == "Via Roma 1"
    assert detail["service"]["schedules"]


# --- What never leaves ----------------------------------------------------------------------


def test_it_never_publishes_the_contact_person_of_a_group(client, network):
    everything = _everything(client)
    for secret in CONTACT_PERSON:
        assert secret not in everything


def test_it_never_publishes_unpublished_records_or_private_programmes(client, network):
    everything = _everything(client)
    for secret in HIDDEN:
        assert secret not in everything


@pytest.mark.parametrize(
    ("url_name", "key"),
    [
        ("service-detail", "service_id"),
        ("organization-detail", "organization_id"),
        ("service-at-location-detail", "service_at_location_id"),
    ],
)
def test_it_answers_404_for_unknown_malformed_or_hidden_ids(client, network, url_name, key):
    hidden_service = _service_id(network.unpublished_place, "job-desk")
    private_service = _service_id(network.private_place, "job-desk")
    ids = [
        str(uuid.uuid4()),
        "not-a-uuid",
        hidden_service,
        private_service,
        str(uuid.uuid5(uuid.UUID(hidden_service), "service_at_location")),
        str(uuid.uuid5(uuid.UUID(private_service), "service_at_location")),
        str(network.unpublished_group.public_id),
        str(network.private_group.public_id),
        str(network.unpublished_place.managing_organisation.public_id),
        str(network.private_place.managing_organisation.public_id),
    ]
    for unknown in ids:
        response = client.get(_url(url_name, **{key: unknown}))
        assert response.status_code == 404, unknown
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("service-list", {"page": "0"}),
        ("service-list", {"page": "two"}),
        ("service-list", {"per_page": "0"}),
        ("service-list", {"per_page": "201"}),
        ("service-list", {"per_page": "-5"}),
        ("service-list", {"modified_after": "yesterday"}),
        ("service-list", {"modified_after": "2025-13-01T00:00:00Z"}),
        ("service-list", {"taxonomy_term_id": "homework-help"}),
        ("service-list", {"organization_id": "42"}),
        ("service-list", {"taxonomy_id": "services"}),
        ("service-list", {"full": "maybe"}),
        ("service-list", {"format": "ndjson"}),
        ("organization-list", {"page": "1.5"}),
        ("organization-list", {"full_service": "yes"}),
        ("service-at-location-list", {"per_page": "1000"}),
        ("service-at-location-list", {"proximity": "1000", "postcode": "27100"}),
        ("service-at-location-list", {"modified_after": "2025-01-01T25:00:00"}),
    ],
)
def test_it_answers_400_with_a_json_error_for_bad_parameters(client, url_name, params):
    response = client.get(_url(url_name), params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    (parameter,) = [name for name in params if name != "postcode"]
    assert set(response.json()) == {"detail"}
    assert parameter in response.json()["detail"]


def test_it_is_read_only(client, network):
    for name in ("root", "service-list", "organization-list", "service-at-location-list"):
        assert client.post(_url(name)).status_code == 405
    assert client.head(_url("service-list")).status_code == 200


# --- Cost -----------------------------------------------------------------------------------


def _grow(programme: Programme, count: int) -> None:
    for number in range(count):
        place = CommunityPlaceFactory(
            programme=programme, managing_organisation=OrganisationFactory(), services=["homework-help", "job-desk"]
        )
        OpeningHoursFactory(place=place, weekday=number % 7 + 1)
        CitizenGroupFactory(
            programme=programme,
            themes=["families"],
            location_precision=CitizenGroup.Precision.EXACT if number % 2 else CitizenGroup.Precision.MUNICIPALITY,
        )


def test_it_answers_with_the_same_queries_for_one_record_or_thirty(client, programme, django_assert_max_num_queries):
    ProgrammeFactory(slug="programma-b")  # two public programmes: still one query per table
    _grow(programme, 1)

    def urls() -> list[str]:
        service = _get(client, _url("service-list"), "page:service_list")["contents"][0]["id"]
        organisation = _get(client, _url("organization-list"), "page:organization_list")["contents"][0]["id"]
        link = _get(client, _url("service-at-location-list"), "page:service_at_location_list")["contents"][0]["id"]
        return [
            f"{_url('service-list')}?full=true",
            f"{_url('organization-list')}?full=true&full_service=true",
            f"{_url('service-at-location-list')}?full=true",
            _url("service-detail", service_id=service),
            _url("organization-detail", organization_id=organisation) + "?full_service=true",
            _url("service-at-location-detail", service_at_location_id=link),
        ]

    bounds = []
    for url in urls():
        with django_assert_max_num_queries(6) as queries:
            assert client.get(url).status_code == 200
        bounds.append(len(queries.captured_queries))
    _grow(programme, 29)
    for url, bound in zip(urls(), bounds, strict=True):
        with django_assert_max_num_queries(bound):
            assert client.get(url).status_code == 200
