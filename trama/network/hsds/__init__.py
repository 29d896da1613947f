"""The network directory in Open Referral HSDS 3.0 (Human Services Data Specification).

Pure functions from the records the public selectors return (`public_places`, `public_groups`)
to HSDS dictionaries; `views.py` decides which records to serialise and how to page them. The
mapping, Trama → HSDS:

- **organization** ← an `Organisation` that manages at least one published place of a public
  programme, and every published `CitizenGroup` (an informal group: an organization with a
  location and themes but no services). id = the record's `public_id`.
- **location** ← a `CommunityPlace`: physical, one address (address, postcode, municipality,
  province, region, country "IT"), coordinates from `place.point`, its public telephone and its
  accessibility notes. A `CitizenGroup` gets one location too, whose coordinates come from
  `group.public_point` only when the group chose exact precision; at municipality precision it
  has no coordinates and its address is the municipality alone (HSDS requires `address_1`, so it
  carries the municipality's name, never a street). A group's own latitude/longitude are never read.
- **service** ← one per (place, service term): id = uuid5(place.public_id, term.code), so the
  same offer keeps its id across requests and reloads; name "<term name> — <place name>"; status
  "active"; organization = the managing organisation; schedules from the place's `OpeningHours`
  (freq WEEKLY, byday MO…SU, times in Italian local time); one attribute linking the taxonomy
  term (id = term.public_id, taxonomy "trama-services"); the place's public e-mail, telephone and
  website.
- **service_at_location** ← (service, its place's location).

Rows HSDS wants that Trama does not store (addresses, phones, schedules of a service, attributes,
service_at_location) get uuid5 ids derived from their owner's id and a fixed label: stable too.

Never published: a group's contact person (the selector does not even load those fields), a
group's exact point unless it chose so, its neighbourhood, and anything of an unpublished record or
of a programme that is not public (the views only read through the public selectors).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from trama.network.models import CitizenGroup, CommunityPlace, OpeningHours, Organisation, TaxonomyTerm

Json = dict[str, Any]

# The value of the spec's own example of `GET /` (examples/base.json at tag v3.0).
HSDS_VERSION = "3.0"
PROFILE_URL = "https://openreferral.org/imports/hsds/"
COUNTRY = "IT"
# Term names are stored and published in Italian (taxonomy.py), and so are schedule descriptions.
LANGUAGE = "it"

SERVICE_TAXONOMY = "trama-services"
THEME_TAXONOMY = "trama-themes"
TAXONOMY_DESCRIPTIONS = {
    SERVICE_TAXONOMY: "Servizi offerti nei luoghi della rete Trama.",
    THEME_TAXONOMY: "Temi dei gruppi di cittadini della rete Trama.",
}

WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
WEEKDAY_NAMES = {1: "lunedì", 2: "martedì", 3: "mercoledì", 4: "giovedì", 5: "venerdì", 6: "sabato", 7: "domenica"}

Entity = Organisation | CitizenGroup


def taxonomy_id(taxonomy: str) -> str:
    """A fixed id per vocabulary: consumers filter by it (`taxonomy_id`), so it must never change."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"trama:hsds:taxonomy:{taxonomy}"))


def _derived(owner: uuid.UUID | str, label: str) -> str:
    return str(uuid.uuid5(uuid.UUID(str(owner)), label))


def _some(**fields: Any) -> Json:
    """The optional fields that have a value: HSDS types forbid null, and "" says nothing."""
    return {key: value for key, value in fields.items() if value not in ("", None, [])}


@dataclass(frozen=True)
class Service:
    """An HSDS service: one service term offered at one published place."""

    place: CommunityPlace
    term: TaxonomyTerm

    @property
    def id(self) -> str:
        return str(uuid.uuid5(self.place.public_id, self.term.code))

    @property
    def at_location_id(self) -> str:
        return _derived(self.id, "service_at_location")

    @property
    def organisation(self) -> Organisation:
        return self.place.managing_organisation

    @property
    def name(self) -> str:
        return f"{self.term.name} — {self.place.name}"

    @property
    def last_modified(self) -> datetime:
        """The place's last change or its opening hours' (both are part of the service)."""
        return max([self.place.updated_at, *(hours.updated_at for hours in self.place.opening_hours.all())])


def services_of(places: Iterable[CommunityPlace]) -> list[Service]:
    """Every (place, service term) pair, from the terms the selector prefetched."""
    return [Service(place, term) for place in places for term in place.services.all()]


# --- Pages ----------------------------------------------------------------------------------


def page(items: Sequence[Any], *, number: int, per_page: int, serialise: Callable[[Any], Json]) -> Json:
    """HSDS's Page: only the requested slice is serialised. `size` counts the items of this page."""
    total_pages = math.ceil(len(items) / per_page)
    contents = [serialise(item) for item in items[(number - 1) * per_page : number * per_page]]
    return {
        "total_items": len(items),
        "total_pages": total_pages,
        "page_number": number,
        "size": len(contents),
        "first_page": number == 1,
        "last_page": number >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


# --- Organizations --------------------------------------------------------------------------


def organization_summary(entity: Entity) -> Json:
    """The one-to-one fields (organization_list.json)."""
    if isinstance(entity, CitizenGroup):
        return {
            "id": str(entity.public_id),
            "name": entity.name,
            "description": entity.description,
            **_some(email=_public_email(entity)),
        }
    # The organisation's own e-mail, telephone and tax codes stay out: the directory publishes
    # how to reach a place, not the back office of the body that runs it.
    return {
        "id": str(entity.public_id),
        "name": entity.name,
        "description": entity.description,
        **_some(website=entity.website),
    }


def organization_full(entity: Entity, places: Sequence[CommunityPlace] = (), *, full_service: bool = False) -> Json:
    """organization.json: with its locations and services (`places` = the ones it manages)."""
    if isinstance(entity, CitizenGroup):
        return {
            **organization_summary(entity),
            **_some(phones=_group_phones(entity)),
            "locations": [group_location(entity)],
            **_some(
                attributes=[
                    _attribute(entity.public_id, "organization", term, THEME_TAXONOMY) for term in entity.themes.all()
                ]
            ),
            "services": [],
        }
    services = services_of(places)
    return {
        **organization_summary(entity),
        "locations": [place_location(place) for place in places],
        "services": [service_full(service) if full_service else service_summary(service) for service in services],
    }


def _public_email(group: CitizenGroup) -> str:
    """`public_contact` is free text the group chose to publish: an e-mail goes in `email`…"""
    try:
        validate_email(group.public_contact)
    except ValidationError:
        return ""
    return group.public_contact


def _group_phones(group: CitizenGroup) -> list[Json]:
    """…anything else is taken as a telephone number."""
    if not group.public_contact or _public_email(group):
        return []
    return [
        {
            "id": _derived(group.public_id, "phone"),
            "organization_id": str(group.public_id),
            "number": group.public_contact,
        }
    ]


# --- Locations ------------------------------------------------------------------------------


def place_location(place: CommunityPlace, *, full: bool = True) -> Json:
    location: Json = {
        "id": str(place.public_id),
        "location_type": "physical",
        "organization_id": str(place.managing_organisation.public_id),
        "name": place.name,
        **_some(description=place.description),
    }
    point = place.point
    if point is not None:
        location["latitude"], location["longitude"] = float(point[0]), float(point[1])
    if not full:
        return location
    municipality = place.municipality
    address = {
        "id": _derived(place.public_id, "address"),
        "location_id": str(place.public_id),
        "address_1": place.address,
        "city": municipality.name,
        "region": municipality.region_name,
        "state_province": municipality.province_code,
        "postal_code": place.postal_code,
        "country": COUNTRY,
        "address_type": "physical",
    }
    accessibility = [
        {
            "id": _derived(place.public_id, "accessibility"),
            "location_id": str(place.public_id),
            "description": place.accessibility,
        }
    ]
    return {
        **location,
        "addresses": [address],
        **_some(phones=_place_phones(place, "location_id", str(place.public_id))),
        **_some(accessibility=accessibility if place.accessibility else []),
    }


def group_location(group: CitizenGroup, *, full: bool = True) -> Json:
    """Where a group is, as precisely as it chose: never its stored point otherwise."""
    location_id = _derived(group.public_id, "location")
    location: Json = {
        "id": location_id,
        "location_type": "physical",
        "organization_id": str(group.public_id),
        "name": group.name,
    }
    if group.location_precision == CitizenGroup.Precision.EXACT:
        point = group.public_point
        if point is not None:
            location["latitude"], location["longitude"] = float(point[0]), float(point[1])
    if not full:
        return location
    municipality = group.municipality
    # The selector loads only the municipality's name, codes and centre: no region here.
    address = {
        "id": _derived(location_id, "address"),
        "location_id": location_id,
        "address_1": municipality.name,
        "city": municipality.name,
        "state_province": municipality.province_code,
        "postal_code": "",
        "country": COUNTRY,
        "address_type": "physical",
    }
    return {**location, "addresses": [address]}


def _place_phones(place: CommunityPlace, owner_field: str, owner_id: str) -> list[Json]:
    """The place's public telephone, as a phone of its location or of one of its services."""
    if not place.phone:
        return []
    return [{"id": _derived(owner_id, "phone"), owner_field: owner_id, "number": place.phone}]


# --- Services -------------------------------------------------------------------------------


def service_summary(service: Service) -> Json:
    """The one-to-one fields of a service."""
    place = service.place
    return {
        "id": service.id,
        "organization_id": str(service.organisation.public_id),
        "name": service.name,
        **_some(description=place.description, url=place.website, email=place.email),
        "status": "active",
        "last_modified": service.last_modified.isoformat(),
    }


def service_list_item(service: Service) -> Json:
    """service_list.json: the one-to-one fields and the one-to-one organization."""
    return {**service_summary(service), "organization": organization_summary(service.organisation)}


def service_full(service: Service) -> Json:
    """service.json: a fully nested service."""
    return {
        **service_list_item(service),
        **_some(phones=_place_phones(service.place, "service_id", service.id)),
        "schedules": [_schedule(service, hours) for hours in service.place.opening_hours.all()],
        "service_at_locations": [_service_at_location_in_service(service)],
        "attributes": [_attribute(uuid.UUID(service.id), "service", service.term, SERVICE_TAXONOMY)],
    }


def _schedule(service: Service, hours: OpeningHours) -> Json:
    opens, closes = f"{hours.opens_at:%H:%M}", f"{hours.closes_at:%H:%M}"
    return {
        # One row of opening hours serves every service of its place: the id is per service.
        "id": _derived(service.id, f"schedule:{hours.public_id}"),
        "service_id": service.id,
        "freq": "WEEKLY",
        "wkst": "MO",
        "byday": WEEKDAYS[hours.weekday],
        "opens_at": f"{hours.opens_at:%H:%M:%S}",
        "closes_at": f"{hours.closes_at:%H:%M:%S}",
        "description": f"{WEEKDAY_NAMES[hours.weekday]} {opens}–{closes}",
        **_some(notes=hours.note),
    }


def _attribute(link_id: uuid.UUID, link_entity: str, term: TaxonomyTerm, taxonomy: str) -> Json:
    return {
        "id": _derived(link_id, f"attribute:{taxonomy}:{term.code}"),
        "link_id": str(link_id),
        "link_entity": link_entity,
        "taxonomy_term_id": str(term.public_id),
        "taxonomy_term": taxonomy_term(term, taxonomy),
    }


def taxonomy_term(term: TaxonomyTerm, taxonomy: str) -> Json:
    return {
        "id": str(term.public_id),
        "code": term.code,
        "name": term.name,
        # HSDS requires a description; our vocabularies define names only.
        "description": term.name,
        "taxonomy": taxonomy,
        "taxonomy_id": taxonomy_id(taxonomy),
        "taxonomy_detail": {
            "id": taxonomy_id(taxonomy),
            "name": taxonomy,
            "description": TAXONOMY_DESCRIPTIONS[taxonomy],
        },
        "language": LANGUAGE,
    }


# --- Service at location --------------------------------------------------------------------


def _service_at_location_in_service(service: Service) -> Json:
    return {
        "id": service.at_location_id,
        "service_id": service.id,
        "location_id": str(service.place.public_id),
        "location": place_location(service.place),
    }


def service_at_location_list_item(service: Service) -> Json:
    """service_at_location_list.json: the link with its one-to-one service and location."""
    return {
        "id": service.at_location_id,
        "service_id": service.id,
        "location_id": str(service.place.public_id),
        "service": service_summary(service),
        "location": place_location(service.place, full=False),
    }


def service_at_location_full(service: Service) -> Json:
    """service_at_location.json: the link with its full service and full location."""
    full_service = service_full(service)
    del full_service["service_at_locations"]  # the link is the outer object itself
    return {
        "id": service.at_location_id,
        "service_id": service.id,
        "location_id": str(service.place.public_id),
        "service": full_service,
        "location": place_location(service.place),
    }
