"""The downloads of a programme's public map: GeoJSON, CSV, XLSX and a printable PDF.

All four are built from the same rows (`MapEntry`), read only through the network's public
selectors, so a file holds exactly what the map page shows: published records of a public
programme, a group's public contact only, and a group's exact point only if it chose so (S8).
A new format is one function `(MapDocument) -> bytes` and one line in `FORMATS`.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from trama.core.exports import Cell, csv_bytes, xlsx_bytes
from trama.core.pdf import render_pdf
from trama.network.models import CitizenGroup, CommunityPlace, DownloadCounter
from trama.network.selectors import MapFilters, public_groups, public_places
from trama.territory.models import Municipality, Programme

PLACE = "place"
GROUP = "group"


@dataclass(frozen=True)
class MapEntry:
    """One place or group as every download shows it. `point` is (latitude, longitude)."""

    type: str
    public_id: str
    name: str
    description: str
    kind: str  # a place's kind (label); empty for groups
    kind_code: str
    terms: tuple[str, ...]  # services of a place, themes of a group (labels)
    term_codes: tuple[str, ...]
    municipality: str
    province: str
    istat_code: str
    municipality_point: tuple[float, float] | None
    address: str  # places only: groups never publish a street
    postal_code: str
    neighbourhood: str  # groups only
    managed_by: str
    hours: tuple[str, ...]
    email: str
    phone: str
    website: str
    public_contact: str  # groups only
    accessibility: str
    point: tuple[float, float] | None
    exact: bool  # False: the point is the municipality's centre
    url: str

    @property
    def type_label(self) -> str:
        return _("place") if self.type == PLACE else _("citizen group")

    @property
    def precision_label(self) -> str:
        return str(CitizenGroup.Precision.EXACT.label if self.exact else CitizenGroup.Precision.MUNICIPALITY.label)


@dataclass(frozen=True)
class MapDocument:
    programme: Programme
    entries: list[MapEntry]
    filtered: bool  # a selection made with the map's filters, not the whole map
    map_url: str


def _as_point(point: tuple[Decimal, Decimal] | None) -> tuple[float, float] | None:
    return None if point is None else (float(point[0]), float(point[1]))


def _centre(municipality: Municipality) -> tuple[float, float] | None:
    if municipality.latitude is None or municipality.longitude is None:
        return None
    return (float(municipality.latitude), float(municipality.longitude))


def place_entry(place: CommunityPlace, absolute_url: Callable[[str], str]) -> MapEntry:
    services = list(place.services.all())
    hours = [f"{slot}{f' ({slot.note})' if slot.note else ''}" for slot in place.opening_hours.all()]
    return MapEntry(
        type=PLACE, public_id=str(place.public_id), name=place.name, description=place.description,
        kind=str(place.get_kind_display()), kind_code=place.kind,
        terms=tuple(term.label for term in services), term_codes=tuple(term.code for term in services),
        municipality=place.municipality.name, province=place.municipality.province_code,
        istat_code=place.municipality.istat_code, municipality_point=_centre(place.municipality),
        address=place.address, postal_code=place.postal_code, neighbourhood="",
        managed_by=place.managing_organisation.name, hours=tuple(hours),
        email=place.email, phone=place.phone, website=place.website, public_contact="",
        accessibility=place.accessibility, point=_as_point(place.point), exact=place.has_exact_point,
        url=absolute_url(place.get_absolute_url()),
    )  # fmt: skip


def group_entry(group: CitizenGroup, absolute_url: Callable[[str], str]) -> MapEntry:
    # Only public_point: a group's own coordinates leave the programme only if it chose "exact".
    point = _as_point(group.public_point)
    centre = _centre(group.municipality)
    themes = list(group.themes.all())
    return MapEntry(
        type=GROUP, public_id=str(group.public_id), name=group.name, description=group.description,
        kind="", kind_code="",
        terms=tuple(term.label for term in themes), term_codes=tuple(term.code for term in themes),
        municipality=group.municipality.name, province=group.municipality.province_code,
        istat_code=group.municipality.istat_code, municipality_point=centre,
        address="", postal_code="", neighbourhood=group.neighbourhood, managed_by="", hours=(),
        email="", phone="", website="", public_contact=group.public_contact, accessibility="",
        point=point, exact=point is not None and point != centre, url=absolute_url(group.get_absolute_url()),
    )  # fmt: skip


def map_document(
    *, programme: Programme, filters: MapFilters, absolute_url: Callable[[str], str], map_url: str
) -> MapDocument:
    """The places then the groups, each by municipality and name (three queries and two prefetches)."""
    entries = [place_entry(place, absolute_url) for place in public_places(programme, filters)]
    entries += [group_entry(group, absolute_url) for group in public_groups(programme, filters)]
    return MapDocument(programme=programme, entries=entries, filtered=filters != MapFilters(), map_url=map_url)


# --- GeoJSON (RFC 7946) -------------------------------------------------------------------


def _feature(entry: MapEntry) -> dict[str, Any]:
    properties: dict[str, Any] = {
        "type": entry.type,
        "name": entry.name,
        "municipality": entry.municipality,
        "province": entry.province,
        "istat_code": entry.istat_code,
        "precision": "exact" if entry.exact else "municipality",
        "url": entry.url,
    }
    if entry.type == PLACE:
        properties |= {
            "kind": entry.kind, "kind_code": entry.kind_code,
            "services": list(entry.terms), "service_codes": list(entry.term_codes),
            "address": entry.address, "postal_code": entry.postal_code, "managed_by": entry.managed_by,
            "opening_hours": list(entry.hours), "email": entry.email, "phone": entry.phone, "website": entry.website,
        }  # fmt: skip
    else:
        properties |= {
            "themes": list(entry.terms), "theme_codes": list(entry.term_codes),
            "neighbourhood": entry.neighbourhood, "public_contact": entry.public_contact,
        }  # fmt: skip
    geometry = None
    if entry.point is not None:
        latitude, longitude = entry.point
        geometry = {"type": "Point", "coordinates": [round(longitude, 5), round(latitude, 5)]}  # [lon, lat]
    return {"type": "Feature", "id": entry.public_id, "geometry": geometry, "properties": properties}


def geojson_file(document: MapDocument) -> bytes:
    collection = {"type": "FeatureCollection", "features": [_feature(entry) for entry in document.entries]}
    return json.dumps(collection, ensure_ascii=False, separators=(",", ":")).encode()


# --- CSV and XLSX -------------------------------------------------------------------------

# Column names are Italian whatever the visitor's language: people who reuse the file rely on them.
TABLE_HEADER = (
    "Tipo", "Nome", "Tipologia", "Servizi o temi", "Descrizione", "Gestito da", "Comune", "Provincia",
    "Codice ISTAT", "Indirizzo", "CAP", "Quartiere", "Orari", "E-mail", "Telefono", "Sito web",
    "Contatto pubblico", "Accessibilità", "Latitudine", "Longitudine", "Posizione", "Pagina",
)  # fmt: skip


def _table_row(entry: MapEntry) -> list[Cell]:
    latitude, longitude = entry.point if entry.point is not None else (None, None)
    return [
        entry.type_label, entry.name, entry.kind, "; ".join(entry.terms), entry.description, entry.managed_by,
        entry.municipality, entry.province, entry.istat_code, entry.address, entry.postal_code, entry.neighbourhood,
        "; ".join(entry.hours), entry.email, entry.phone, entry.website, entry.public_contact, entry.accessibility,
        latitude, longitude, entry.precision_label, entry.url,
    ]  # fmt: skip


def csv_file(document: MapDocument) -> bytes:
    return csv_bytes(TABLE_HEADER, [_table_row(entry) for entry in document.entries])


def xlsx_file(document: MapDocument) -> bytes:
    return xlsx_bytes(TABLE_HEADER, [_table_row(entry) for entry in document.entries], sheet_title="Mappa")


# --- PDF ----------------------------------------------------------------------------------

# The SVG box: points are drawn inside the plot area; the strip below it holds the scale bar.
SVG_WIDTH, SVG_HEIGHT = 1000, 640
PLOT_LEFT, PLOT_RIGHT, PLOT_TOP, PLOT_BOTTOM = 70, 930, 70, 570
# Below about 1.5 km across, a schematic map would spread a few points over the whole box.
MIN_SPAN_DEGREES = 0.015
KM_PER_DEGREE = 111.32
RING_STEP = 30  # distance between the centres of markers set around a shared position


@dataclass(frozen=True)
class NumberedEntry:
    number: int
    entry: MapEntry


def _numbered_by_municipality(entries: list[MapEntry]) -> list[tuple[str, list[NumberedEntry]]]:
    """[(municipality, entries)], municipalities by name, places before groups, numbered 1…n."""
    order = {PLACE: 0, GROUP: 1}
    ordered = sorted(entries, key=lambda e: (e.municipality, e.province, order[e.type], e.name.casefold()))
    sections: list[tuple[str, list[NumberedEntry]]] = []
    for number, entry in enumerate(ordered, start=1):
        heading = f"{entry.municipality} ({entry.province})"
        if not sections or sections[-1][0] != heading:
            sections.append((heading, []))
        sections[-1][1].append(NumberedEntry(number=number, entry=entry))
    return sections


def _ring_radius(count: int) -> float:
    """The radius of a ring of `count` markers RING_STEP apart (0 for none or a single marker)."""
    if count <= 1:
        return 0.0
    return max(RING_STEP / (2 * math.sin(math.pi / count)), RING_STEP / 2 + 6)


def schematic_map(numbered: list[NumberedEntry]) -> dict[str, Any]:
    """Markers and municipality labels projected into an SVG box (equirectangular, north up).

    Points sharing a position (groups shown at the same municipality centre) are set around it
    in a ring, so every number stays readable; each municipality's name goes under its centre.
    """
    located = [item for item in numbered if item.entry.point is not None]
    empty = {"markers": [], "labels": [], "width": SVG_WIDTH, "height": SVG_HEIGHT, "scale": None}
    if not located:
        return empty
    points = [item.entry.point for item in located if item.entry.point is not None]
    shrink = math.cos(math.radians(sum(lat for lat, _lon in points) / len(points)))  # shorter degrees of longitude
    west, east = min(lon for _lat, lon in points) * shrink, max(lon for _lat, lon in points) * shrink
    south, north = min(lat for lat, _lon in points), max(lat for lat, _lon in points)
    span_x, span_y = max(east - west, MIN_SPAN_DEGREES), max(north - south, MIN_SPAN_DEGREES)
    scale = min((PLOT_RIGHT - PLOT_LEFT) / span_x, (PLOT_BOTTOM - PLOT_TOP) / span_y)
    middle_x, middle_y = (PLOT_LEFT + PLOT_RIGHT) / 2, (PLOT_TOP + PLOT_BOTTOM) / 2
    centre_x, centre_y = (west + east) / 2, (south + north) / 2

    def project(latitude: float, longitude: float) -> tuple[float, float]:
        return (
            round(middle_x + (longitude * shrink - centre_x) * scale, 1),
            round(middle_y - (latitude - centre_y) * scale, 1),
        )

    at_position: dict[tuple[float, float], list[NumberedEntry]] = {}
    for item in located:
        at_position.setdefault(project(*item.entry.point), []).append(item)  # type: ignore[misc]
    markers = []
    for (x, y), items in at_position.items():
        radius = _ring_radius(len(items))
        for index, item in enumerate(items):
            angle = 2 * math.pi * index / len(items) - math.pi / 2  # the first one at the top
            markers.append(
                {
                    "x": round(x + radius * math.cos(angle), 1),
                    "y": round(y + radius * math.sin(angle), 1),
                    "number": item.number,
                    "is_place": item.entry.type == PLACE,
                }
            )
    labels = []
    centres = {item.entry.municipality: item.entry.municipality_point for item in numbered}
    for name, centre in sorted(centres.items()):
        if centre is None:
            continue
        x, y = project(*centre)
        if PLOT_LEFT - 60 <= x <= PLOT_RIGHT + 60 and PLOT_TOP - 60 <= y <= PLOT_BOTTOM + 60:
            below = _ring_radius(len(at_position.get((x, y), []))) + 36
            labels.append({"x": x, "y": y, "label_y": round(y + below, 1), "name": name})
    return empty | {"markers": markers, "labels": labels, "scale": _scale_bar(scale)}


def _scale_bar(units_per_degree: float) -> dict[str, Any]:
    """The longest round distance whose bar fits in a fifth of the box."""
    units_per_km = units_per_degree / KM_PER_DEGREE
    kilometres = next(
        (km for km in (100, 50, 20, 10, 5, 2, 1, 0.5, 0.2, 0.1) if km * units_per_km <= SVG_WIDTH / 5), 0.1
    )
    length = round(kilometres * units_per_km, 1)
    label = f"{kilometres:g} km" if kilometres >= 1 else f"{kilometres * 1000:g} m"
    return {"length": length, "label": label, "x": 20, "y": SVG_HEIGHT - 20, "end": round(20 + length, 1)}


def pdf_file(document: MapDocument) -> bytes:
    """An A4 document: a schematic map with numbered points, then every entry by municipality."""
    sections = _numbered_by_municipality(document.entries)
    numbered = [item for _heading, items in sections for item in items]
    context = {
        "programme": document.programme,
        "sections": sections,
        "numbered": numbered,
        "map": schematic_map(numbered),
        "places": sum(1 for entry in document.entries if entry.type == PLACE),
        "groups": sum(1 for entry in document.entries if entry.type == GROUP),
        "filtered": document.filtered,
        "map_url": document.map_url,
        "generated_on": timezone.localdate(),
    }
    return render_pdf("portal/pdf/map.html", "portal/pdf/map.css", context)


# --- The registry the download view reads ----------------------------------------------------


@dataclass(frozen=True)
class DownloadFormat:
    file: str  # a DownloadCounter.File value: what is counted
    extension: str
    content_type: str
    build: Callable[[MapDocument], bytes]


FORMATS: dict[str, DownloadFormat] = {
    DownloadCounter.File.PDF: DownloadFormat(DownloadCounter.File.PDF, "pdf", "application/pdf", pdf_file),
    DownloadCounter.File.GEOJSON: DownloadFormat(
        DownloadCounter.File.GEOJSON, "geojson", "application/geo+json", geojson_file
    ),
    DownloadCounter.File.CSV: DownloadFormat(DownloadCounter.File.CSV, "csv", "text/csv; charset=utf-8", csv_file),
    DownloadCounter.File.XLSX: DownloadFormat(
        DownloadCounter.File.XLSX,
        "xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        xlsx_file,
    ),
}
