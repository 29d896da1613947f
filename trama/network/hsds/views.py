"""The HSDS 3.0 API of the network directory: public, anonymous, read-only JSON.

Every answer reads the published places (and groups) of the public programmes through the public
selectors, in the same few queries whatever the number of rows; the HSDS records are then built,
filtered and sorted in Python (a service is a (place, term) pair, not a row), and only the
requested page is serialised. The mapping itself is documented in `trama.network.hsds`.
"""

from __future__ import annotations

import functools
import math
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.views.decorators.http import require_safe

from trama.network import hsds
from trama.network.models import CitizenGroup, CommunityPlace
from trama.network.selectors import MapFilters, public_groups, public_places
from trama.territory.models import Programme

OPENAPI = Path(__file__).with_name("openapi.json")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
UNENCODED_OFFSET = re.compile(r"(T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?) (\d{2}:?\d{2})$")

Row = TypeVar("Row", CommunityPlace, CitizenGroup)
Found = TypeVar("Found")


class BadRequest(Exception):
    """A parameter the client has to correct; the message says which and how."""


class NotFound(Exception):
    pass


def _endpoint(view: Callable[..., hsds.Json]) -> Callable[..., HttpResponse]:
    """GET/HEAD only; the view returns a dict, errors become the one error shape {"detail": …}."""

    @require_safe
    @functools.wraps(view)
    def respond(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        try:
            return _json(view(request, *args, **kwargs))
        except BadRequest as error:
            return _json({"detail": str(error)}, status=400)
        except NotFound:
            return _json({"detail": "Not found."}, status=404)

    return respond


def _json(data: hsds.Json, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


# --- Endpoints ------------------------------------------------------------------------------


@_endpoint
def root(request: HttpRequest) -> hsds.Json:
    return {
        "version": hsds.HSDS_VERSION,
        "profile": hsds.PROFILE_URL,
        "openapi_url": request.build_absolute_uri(reverse("hsds:openapi")),
    }


@require_safe
def openapi(request: HttpRequest) -> HttpResponse:
    """The HSDS 3.0 API description, served unchanged from the committed copy."""
    return HttpResponse(_openapi_document(), content_type="application/json")


@functools.cache
def _openapi_document() -> bytes:
    return OPENAPI.read_bytes()


@_endpoint
def service_list(request: HttpRequest) -> hsds.Json:
    params = request.GET
    number, per_page = _paging(params)
    full = _boolean(params, "full")
    services = _ServiceQuery.parse(params).apply(_services(params.get("programme", "")))
    return hsds.page(
        services, number=number, per_page=per_page, serialise=hsds.service_full if full else hsds.service_list_item
    )


@_endpoint
def service_detail(request: HttpRequest, service_id: str) -> hsds.Json:
    wanted = _id_or_404(service_id)
    return hsds.service_full(_one(service for service in _services() if service.id == wanted))


@_endpoint
def service_at_location_list(request: HttpRequest) -> hsds.Json:
    params = request.GET
    number, per_page = _paging(params)
    full = _boolean(params, "full")
    if params.get("proximity"):
        raise BadRequest("proximity is not supported: this directory cannot locate a postcode's centroid.")
    services = _ServiceQuery.parse(params).apply(_services(params.get("programme", "")))
    serialise = hsds.service_at_location_full if full else hsds.service_at_location_list_item
    return hsds.page(services, number=number, per_page=per_page, serialise=serialise)


@_endpoint
def service_at_location_detail(request: HttpRequest, service_at_location_id: str) -> hsds.Json:
    wanted = _id_or_404(service_at_location_id)
    service = _one(service for service in _services() if service.at_location_id == wanted)
    return hsds.service_at_location_full(service)


@_endpoint
def organization_list(request: HttpRequest) -> hsds.Json:
    params = request.GET
    number, per_page = _paging(params)
    full, full_service = _boolean(params, "full"), _boolean(params, "full_service")
    words = _search_words(params)
    directory = _Directory.load(params.get("programme", ""))
    organisations = [entity for entity in directory.organisations() if _matches(words, entity.name, entity.description)]

    def serialise(entity: hsds.Entity) -> hsds.Json:
        if not full:
            return hsds.organization_summary(entity)
        return hsds.organization_full(entity, directory.places_of(entity), full_service=full_service)

    return hsds.page(organisations, number=number, per_page=per_page, serialise=serialise)


@_endpoint
def organization_detail(request: HttpRequest, organization_id: str) -> hsds.Json:
    wanted = _id_or_404(organization_id)
    full_service = _boolean(request.GET, "full_service")
    directory = _Directory.load()
    entity = _one(entity for entity in directory.organisations() if str(entity.public_id) == wanted)
    return hsds.organization_full(entity, directory.places_of(entity), full_service=full_service)


# --- Reading the directory ------------------------------------------------------------------


@dataclass(frozen=True)
class _Directory:
    """The published places and groups of the public programmes (or of one, by slug)."""

    places: list[CommunityPlace]
    groups: list[CitizenGroup]

    @classmethod
    def load(cls, programme_slug: str = "", *, with_groups: bool = True) -> _Directory:
        programmes = Programme.objects.public().order_by("slug")
        if programme_slug:
            programmes = programmes.filter(slug=programme_slug)
        filters = MapFilters(show=frozenset({"places", "groups"} if with_groups else {"places"}))
        selected = list(programmes)
        return cls(
            places=_across(public_places(programme, filters) for programme in selected),
            groups=_across(public_groups(programme, filters) for programme in selected),
        )

    def organisations(self) -> list[hsds.Entity]:
        """The managing organisations of the places, once each, and the groups; by name."""
        managers = {str(place.managing_organisation.public_id): place.managing_organisation for place in self.places}
        entities: list[hsds.Entity] = [*managers.values(), *self.groups]
        return sorted(entities, key=lambda entity: (entity.name.casefold(), str(entity.public_id)))

    def places_of(self, entity: hsds.Entity) -> list[CommunityPlace]:
        if isinstance(entity, CitizenGroup):
            return []
        return [place for place in self.places if place.managing_organisation.public_id == entity.public_id]


def _across(querysets: Iterable[QuerySet[Row]]) -> list[Row]:
    """The selectors' querysets of each programme OR-ed into one: each keeps its own conditions
    (programme, published) and the prefetches, and the request costs the same queries whether one
    programme is public or ten."""
    combined: QuerySet[Row] | None = None
    for queryset in querysets:
        combined = queryset if combined is None else combined | queryset
    return [] if combined is None else list(combined)


def _services(programme_slug: str = "") -> list[hsds.Service]:
    places = _Directory.load(programme_slug, with_groups=False).places
    return sorted(
        hsds.services_of(places),
        key=lambda service: (
            service.place.municipality.name,
            service.place.name.casefold(),
            str(service.place.public_id),
            service.term.position,
        ),
    )


def _one(candidates: Iterable[Found]) -> Found:
    for candidate in candidates:
        return candidate
    raise NotFound


# --- Parameters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _ServiceQuery:
    """The filters HSDS defines for services and service_at_locations; cumulative (AND)."""

    words: tuple[str, ...]
    taxonomy_term_id: str | None
    taxonomy_id: str | None
    organization_id: str | None
    modified_after: datetime | None
    postcode: str

    @classmethod
    def parse(cls, params: QueryDict) -> _ServiceQuery:
        return cls(
            words=_search_words(params),
            taxonomy_term_id=_uuid(params, "taxonomy_term_id"),
            taxonomy_id=_uuid(params, "taxonomy_id"),
            organization_id=_uuid(params, "organization_id"),
            modified_after=_datetime(params, "modified_after"),
            postcode=params.get("postcode", "").replace(" ", ""),
        )

    def apply(self, services: list[hsds.Service]) -> list[hsds.Service]:
        return [service for service in services if self.keeps(service)]

    def keeps(self, service: hsds.Service) -> bool:
        place = service.place
        checks = (
            self.taxonomy_term_id is None or str(service.term.public_id) == self.taxonomy_term_id,
            self.taxonomy_id is None or self.taxonomy_id == hsds.taxonomy_id(hsds.SERVICE_TAXONOMY),
            self.organization_id is None or str(service.organisation.public_id) == self.organization_id,
            self.modified_after is None or service.last_modified >= self.modified_after,
            not self.postcode or place.postal_code == self.postcode,
        )
        return all(checks) and _matches(
            self.words, service.name, place.description, service.organisation.name, place.municipality.name
        )


def _paging(params: QueryDict) -> tuple[int, int]:
    if params.get("format", "json") != "json":
        raise BadRequest("format: only json is available.")
    number = _integer(params, "page", default=1, maximum=math.inf)
    per_page = _integer(params, "per_page", default=DEFAULT_PER_PAGE, maximum=MAX_PER_PAGE)
    return number, per_page


def _integer(params: QueryDict, name: str, *, default: int, maximum: float) -> int:
    raw = params.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number.") from None
    if not 1 <= value <= maximum:
        limit = "" if maximum == math.inf else f" and at most {int(maximum)}"
        raise BadRequest(f"{name} must be at least 1{limit}.")
    return value


def _boolean(params: QueryDict, name: str) -> bool:
    raw = params.get(name, "false").lower()
    if raw not in {"true", "false"}:
        raise BadRequest(f"{name} must be true or false.")
    return raw == "true"


def _uuid(params: QueryDict, name: str) -> str | None:
    raw = params.get(name)
    if raw is None:
        return None
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise BadRequest(f"{name} must be a UUID.") from None


def _datetime(params: QueryDict, name: str) -> datetime | None:
    raw = params.get(name)
    if raw is None:
        return None
    # An unencoded "+01:00" arrives as " 01:00": a query string turns "+" into a space.
    raw = UNENCODED_OFFSET.sub(r"\1+\2", raw.strip())
    try:
        value = parse_datetime(raw)  # a date alone is read as its midnight
    except ValueError:
        value = None
    if value is None:
        raise BadRequest(f"{name} must be an ISO 8601 date-time, e.g. 2025-01-31T09:00:00+01:00.")
    return value if timezone.is_aware(value) else timezone.make_aware(value)


def _id_or_404(raw: str) -> str:
    """A malformed id names nothing: 404, like an unknown one."""
    try:
        return str(uuid.UUID(raw))
    except ValueError:
        raise NotFound from None


def _search_words(params: QueryDict) -> tuple[str, ...]:
    return tuple(params.get("search", "").casefold().split())


def _matches(words: tuple[str, ...], *texts: str) -> bool:
    """Every word of the search appears in one of the texts (case-insensitive)."""
    haystack = " ".join(texts).casefold()
    return all(word in haystack for word in words)
