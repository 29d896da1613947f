from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_safe

from trama.activities.calendar import place_upcoming, programme_upcoming
from trama.network.selectors import (
    MapFilters,
    download_counts,
    public_group,
    public_groups,
    public_place,
    public_places,
)
from trama.portal.downloads import FORMATS, MapDocument, geojson_file, map_document
from trama.portal.forms import MapFilterForm
from trama.portal.selectors import network_summary
from trama.portal.services import download_record
from trama.territory.models import Programme
from trama.territory.selectors import programme_action_lines, programme_partners_by_role, programme_territory
from trama.work.models import Opening


def _public_programme(slug: str) -> Programme:
    """The programme if it is public; 404 alike for a hidden programme and an unknown address."""
    programme = Programme.objects.public().filter(slug=slug).first()
    if programme is None:
        raise Http404
    return programme


def index(request: HttpRequest) -> HttpResponse:
    """The programmes hosted here, and the way in for the people who work on them."""
    return render(request, "portal/index.html", {"programmes": Programme.objects.public().order_by("name")})


def programme(request: HttpRequest, slug: str) -> HttpResponse:
    """A programme's public home: aggregate facts only, never a person (S8)."""
    programme = _public_programme(slug)
    return render(
        request,
        "portal/programme.html",
        {
            "programme": programme,
            "territory": programme_territory(programme),
            "action_lines": programme_action_lines(programme),
            "partners_by_role": programme_partners_by_role(programme),
            "network": network_summary(programme),
            "upcoming": programme_upcoming(programme),
            # The work plan's "offer a job" invitation only where the programme runs one (seed 004).
            "runs_work_plan": Opening.objects.filter(programme=programme).exists(),
        },
    )


def _filtered_document(request: HttpRequest, programme: Programme) -> MapDocument:
    filters = MapFilters()
    if request.GET:  # the form reads three lists of choices: only when there is something to check
        form = MapFilterForm(request.GET, programme=programme)
        form.is_valid()  # an invalid value is dropped; the other filters still apply
        filters = form.filters()
    return map_document(
        programme=programme,
        filters=filters,
        absolute_url=request.build_absolute_uri,
        map_url=request.build_absolute_uri(reverse("portal:map", kwargs={"slug": programme.slug})),
    )


@require_safe
def map_page(request: HttpRequest, slug: str) -> HttpResponse:
    """The public map: filters, the map (JavaScript), and the same results as a text list."""
    programme = _public_programme(slug)
    form = MapFilterForm(request.GET, programme=programme)
    form.is_valid()
    filters = form.filters()
    places = list(public_places(programme, filters))
    groups = list(public_groups(programme, filters))
    counts = download_counts(programme)
    downloads = [
        {
            "file": file,
            "label": file.label,
            "url": reverse(f"portal:map-{file}", kwargs={"slug": slug}),
            "count": counts[file],
        }
        for file in FORMATS
    ]
    return render(
        request,
        "portal/map.html",
        {
            "programme": programme,
            "form": form,
            "filtered": form.is_filtered(),
            "places": places,
            "groups": groups,
            "query": request.GET.urlencode(),
            "downloads": downloads,
            "downloads_total": sum(counts.values()),
            "tile_url": settings.TRAMA_MAP_TILE_URL,
            "tile_attribution": settings.TRAMA_MAP_TILE_ATTRIBUTION,
        },
    )


@require_safe
def map_data(request: HttpRequest, slug: str) -> HttpResponse:
    """The GeoJSON the map page draws. Not a download: it is not counted."""
    programme = _public_programme(slug)
    return HttpResponse(geojson_file(_filtered_document(request, programme)), content_type="application/geo+json")


@require_GET
def map_download(request: HttpRequest, slug: str, file: str) -> HttpResponse:
    """One of the map's files (PDF, GeoJSON, CSV, XLSX), counted once per download."""
    programme = _public_programme(slug)
    download = FORMATS[file]
    content = download.build(_filtered_document(request, programme))
    download_record(programme=programme, file=download.file)
    response = HttpResponse(content, content_type=download.content_type)
    response["Content-Disposition"] = f'attachment; filename="mappa-{programme.slug}.{download.extension}"'
    return response


@require_safe
def place_detail(request: HttpRequest, slug: str, place_id: UUID) -> HttpResponse:
    programme = _public_programme(slug)
    place = public_place(programme, str(place_id))
    if place is None:
        raise Http404
    return render(
        request,
        "portal/place_detail.html",
        {"programme": programme, "place": place, "upcoming": place_upcoming(programme, place)},
    )


@require_safe
def group_detail(request: HttpRequest, slug: str, group_id: UUID) -> HttpResponse:
    programme = _public_programme(slug)
    group = public_group(programme, str(group_id))
    if group is None:
        raise Http404
    return render(request, "portal/group_detail.html", {"programme": programme, "group": group})


@require_safe
def place_photo(request: HttpRequest, slug: str, place_id: UUID) -> HttpResponse:
    """The photo of a published place. It was re-encoded without metadata on upload (S7, S20) and
    is served through this view, never from a media URL, so unpublishing a place hides it too."""
    programme = _public_programme(slug)
    place = public_place(programme, str(place_id))
    if place is None or not place.photo:
        raise Http404
    extension = place.photo.name.rsplit(".", 1)[-1].lower()
    content_type = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}.get(extension)
    if content_type is None:
        raise Http404
    response = FileResponse(place.photo.open("rb"), content_type=content_type)
    response["Content-Disposition"] = "inline"
    return response
