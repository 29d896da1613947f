"""The public map in a real browser: a visitor filters by a service, sees the markers and the same
results as a list, opens a lab's page and downloads the printable map. No tile server is reachable
here (and tests must not use the network): tiles fail, markers must show all the same."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from trama.conftest import ARTIFACTS
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OpeningHoursFactory
from trama.network import taxonomy
from trama.network.models import CommunityPlace, DownloadCounter, TaxonomyTerm
from trama.territory.models import Municipality

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MUNICIPALITIES = {
    # istat_code: (name, latitude, longitude) — from the reference file, in case an earlier
    # transactional test emptied the tables its data migration filled.
    "018110": ("Pavia", Decimal("45.19205"), Decimal("9.15917")),
    "018041": ("Cava Manara", Decimal("45.14014"), Decimal("9.10774")),
}


def _reference_data() -> dict[str, Municipality]:
    taxonomy.sync_terms(TaxonomyTerm)
    found = {}
    for code, (name, latitude, longitude) in MUNICIPALITIES.items():
        found[code], _ = Municipality.objects.get_or_create(
            istat_code=code,
            defaults={
                "cadastral_code": "X000", "name": name, "province_code": "PV", "province_name": "Pavia",
                "region_name": "Lombardia", "latitude": latitude, "longitude": longitude,
            },
        )  # fmt: skip
    return found


def _tile_pattern() -> str | None:
    """A glob for the tile server's requests, or None when tiles are switched off."""
    parts = urlsplit(settings.TRAMA_MAP_TILE_URL.replace("{s}", "a"))
    if not parts.netloc:
        return None
    host = parts.netloc.replace("a.", "*.", 1) if "{s}" in settings.TRAMA_MAP_TILE_URL else parts.netloc
    return f"{parts.scheme}://{host}/**"


def _wait_for_markers(page) -> None:
    """Wait until map.js has drawn the markers. A selector wait, not ``wait_for_function``: the
    latter evaluates a string, which the page's strict CSP (no 'unsafe-eval') rightly refuses."""
    page.locator("#map[data-markers]").wait_for(state="attached")


def test_it_lets_a_visitor_find_a_lab_on_the_map_and_download_it(live_server, page, programme):
    municipalities = _reference_data()
    programme.municipalities.add(*municipalities.values())
    lab = CommunityPlaceFactory(
        programme=programme,
        name="Laboratorio Aiuto Compiti",
        municipality=municipalities["018110"],
        services=["homework-help"],
    )
    OpeningHoursFactory(place=lab, weekday=3)
    CommunityPlaceFactory(
        programme=programme,
        kind=CommunityPlace.Kind.COMMUNITY_POINT,
        name="Sportello lavoro Cava",
        municipality=municipalities["018041"],
        latitude=None,
        longitude=None,
        services=["job-desk"],
    )
    CitizenGroupFactory(programme=programme, name="Giardinieri di Borgo Ticino", municipality=municipalities["018110"])

    # The tile server is unreachable, deterministically (no real network from tests). The browser
    # reports each failed image as a console error "Failed to load resource"; those are the only
    # console errors this test forgives, because a missing background is exactly the case the map
    # must survive. Anything else (a CSP violation, a script error) still fails the test.
    tile_errors: list[str] = []
    pattern = _tile_pattern()
    if pattern:
        tile_origin = pattern.removesuffix("/**").replace("*.", "")
        page.route(pattern, lambda route: route.abort("addressunreachable"))
        page.on(
            "console",
            lambda message: (
                tile_errors.append(message.text)
                if message.type == "error"
                and message.text.startswith("Failed to load resource")
                and tile_origin.split("://")[1] in (message.location.get("url") or "")
                else None
            ),
        )

    page.goto(f"{live_server.url}/{programme.slug}/mappa/")
    map_element = page.locator("#map")
    _wait_for_markers(page)
    assert map_element.get_attribute("data-markers") == "3"
    assert page.locator(".leaflet-marker-icon").count() >= 1  # markers or clusters, drawn without tiles

    page.select_option("#id_service", "homework-help")
    page.locator("form.trama-map-filters button[type=submit]").click()
    page.wait_for_url("**/mappa/?*service=homework-help*")
    _wait_for_markers(page)
    assert map_element.get_attribute("data-markers") == "1"
    assert page.locator(".leaflet-marker-icon").count() == 1
    results = page.locator(".trama-results")
    assert results.get_by_role("link", name="Laboratorio Aiuto Compiti").is_visible()
    assert results.get_by_text("Sportello lavoro Cava").count() == 0
    assert results.get_by_text("Giardinieri di Borgo Ticino").count() == 0
    page.screenshot(path=str(ARTIFACTS / "public-map-filtered.png"), full_page=True)

    # The marker's popup leads to the same page as the list.
    page.locator(".leaflet-marker-icon").first.click()
    popup_link = page.locator(".leaflet-popup-content a")
    assert popup_link.inner_text() == "Laboratorio Aiuto Compiti"
    assert popup_link.get_attribute("href").endswith(lab.get_absolute_url())

    results.get_by_role("link", name="Laboratorio Aiuto Compiti").click()
    page.wait_for_url(f"**{lab.get_absolute_url()}")
    assert page.get_by_role("heading", level=1).inner_text() == "Laboratorio Aiuto Compiti"
    page.screenshot(path=str(ARTIFACTS / "public-map-place.png"), full_page=True)

    page.go_back()
    with page.expect_download() as info:
        page.locator("#download-pdf").click()
    download = info.value
    assert download.suggested_filename == f"mappa-{programme.slug}.pdf"
    with open(download.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert DownloadCounter.objects.get(programme=programme, file="pdf").count == 1

    problems = Counter(page.problems)  # type: ignore[attr-defined]
    problems.subtract(Counter(tile_errors))
    assert +problems == Counter()  # no CSP violation, no script error


def test_it_draws_the_markers_on_a_plain_background_when_tiles_are_switched_off(live_server, page, programme, settings):
    settings.TRAMA_MAP_TILE_URL = ""  # an installation without a tile server
    municipalities = _reference_data()
    CommunityPlaceFactory(programme=programme, municipality=municipalities["018110"])
    CitizenGroupFactory(programme=programme, municipality=municipalities["018041"])

    page.goto(f"{live_server.url}/{programme.slug}/mappa/")
    _wait_for_markers(page)
    assert page.locator("#map").get_attribute("data-markers") == "2"
    assert page.locator(".leaflet-tile").count() == 0
    page.screenshot(path=str(ARTIFACTS / "public-map-without-tiles.png"), full_page=True)
    assert page.problems == []  # type: ignore[attr-defined]
