from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils.text import capfirst

from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OpeningHoursFactory
from trama.network.models import DownloadCounter
from trama.portal.tests.conftest import CANARIES, PAVIA_CENTRE, SECRET_POINT_TEXTS
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db


def map_url(programme, **params):
    return reverse("portal:map", kwargs={"slug": programme.slug})


def data_names(client, programme, params=None):
    response = client.get(reverse("portal:map-data", kwargs={"slug": programme.slug}), params or {})
    return {feature["properties"]["name"] for feature in response.json()["features"]}


def test_it_lists_the_published_places_and_groups_with_links_to_their_pages(client, programme, network):
    body = client.get(map_url(programme), headers={"accept-language": "en"}).content.decode()
    for name in network.public_names:
        assert name in body
    for record in (network.lab, network.point, network.garden_group, network.family_group):
        assert f'href="{record.get_absolute_url()}"' in body
    assert "2 places, 2 citizen groups." in body
    assert "Via dei Mille 12" in body
    for name in network.hidden_names:
        assert name not in body


def test_it_gives_the_map_its_data_address_with_the_filters_and_the_tile_settings(client, programme, network, settings):
    settings.TRAMA_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    body = client.get(map_url(programme), {"service": "homework-help", "q": "compiti"}).content.decode()
    data_url = reverse("portal:map-data", kwargs={"slug": programme.slug})
    assert f'data-geojson-url="{data_url}?service=homework-help&amp;q=compiti"' in body
    assert 'data-tile-url="https://tiles.example.org/{z}/{x}/{y}.png"' in body
    assert "js/map.js" in body
    assert "vendor/leaflet/leaflet.js" in body
    assert "css/map.css" in body


def test_it_links_the_four_downloads_with_their_counts(client, programme, network):
    DownloadCounter.objects.create(programme=programme, file=DownloadCounter.File.PDF, count=1014)
    body = client.get(map_url(programme)).content.decode()
    for file in ("pdf", "geojson", "csv", "xlsx"):
        assert f'href="/{programme.slug}/mappa.{file}"' in body
    assert "1.014" in body


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"kind": "community_point"}, {"Punto di comunità Cava"}),
        ({"service": "homework-help"}, {"Laboratorio Aiuto Compiti"}),
        ({"theme": "green-areas"}, {"Giardinieri di Borgo Ticino"}),
        ({"municipality": "018041"}, {"Punto di comunità Cava", "Famiglie in rete"}),
        ({"q": "merende"}, {"Laboratorio Aiuto Compiti"}),
        ({"q": "giardinieri"}, {"Giardinieri di Borgo Ticino"}),
        ({"show": "groups"}, {"Giardinieri di Borgo Ticino", "Famiglie in rete"}),
        ({"show": "places", "municipality": "018110"}, {"Laboratorio Aiuto Compiti"}),
    ],
)
def test_it_narrows_the_list_and_the_map_data_with_the_filters(client, programme, network, params, expected):
    body = client.get(map_url(programme), params).content.decode()
    shown = {name for name in network.public_names if name in body}
    assert shown == expected
    assert data_names(client, programme, params) == expected


def test_it_ignores_a_filter_value_that_is_not_a_choice(client, programme, network):
    response = client.get(map_url(programme), {"kind": "castle", "municipality": "058091"})
    assert response.status_code == 200
    body = response.content.decode()
    assert all(name in body for name in network.public_names)
    assert data_names(client, programme, {"kind": "castle"}) == set(network.public_names)


def test_it_offers_only_the_programme_municipalities_in_the_filter(client, programme, network):
    body = client.get(map_url(programme)).content.decode()
    assert '<option value="018041">Cava Manara</option>' in body
    assert 'value="058091"' not in body  # Roma is not in this programme


def test_it_says_when_nothing_matches(client, programme, network):
    body = client.get(map_url(programme), {"q": "nessun risultato"}).content.decode()
    assert 'id="map"' not in body
    assert f'href="{map_url(programme)}"' in body  # clear the filters


def test_it_says_when_nothing_is_published_yet(client, programme):
    response = client.get(map_url(programme))
    assert response.status_code == 200
    assert 'id="map"' not in response.content.decode()


def test_it_never_shows_a_group_private_contact_or_secret_point(client, programme, network):
    pages = [
        client.get(map_url(programme)),
        client.get(network.garden_group.get_absolute_url()),
        client.get(network.family_group.get_absolute_url()),
        client.get(reverse("portal:map-data", kwargs={"slug": programme.slug})),
        client.get(reverse("portal:programme", kwargs={"slug": programme.slug})),
    ]
    for response in pages:
        assert response.status_code == 200
        body = response.content.decode()
        for secret in (*CANARIES, *SECRET_POINT_TEXTS):
            assert secret not in body, (response.request["PATH_INFO"], secret)


def test_it_draws_a_municipality_level_group_at_the_municipality_centre(client, programme, network):
    response = client.get(reverse("portal:map-data", kwargs={"slug": programme.slug}))
    features = {feature["properties"]["name"]: feature for feature in response.json()["features"]}
    garden = features["Giardinieri di Borgo Ticino"]
    assert garden["geometry"]["coordinates"] == PAVIA_CENTRE
    assert garden["properties"]["precision"] == "municipality"
    assert "address" not in garden["properties"]
    assert features["Famiglie in rete"]["geometry"]["coordinates"] == [9.11, 45.145]


def test_it_does_not_count_the_map_data_as_a_download(client, programme, network):
    client.get(map_url(programme))
    client.get(reverse("portal:map-data", kwargs={"slug": programme.slug}))
    assert not DownloadCounter.objects.filter(programme=programme).exists()


def test_it_shows_a_place_page(client, programme, network):
    response = client.get(network.lab.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    for fact in (
        "Laboratorio Aiuto Compiti",
        "Cooperativa Il Ponte",
        "Via dei Mille 12",
        "27100",
        "Pavia",
        "15:00–18:00",
        "su appuntamento",
        "lab@example.org",
        "0382 123456",
        "Ingresso senza gradini",
        "Compiti e merende",
    ):
        assert fact in body, fact
    assert capfirst(network.lab.services.get(code="homework-help").label) in body


def test_it_shows_a_group_page_with_what_the_group_published_only(client, programme, network):
    response = client.get(network.garden_group.get_absolute_url())
    assert response.status_code == 200
    body = response.content.decode()
    for fact in ("Giardinieri di Borgo Ticino", "Borgo Ticino", "Pavia", "gruppo@example.org"):
        assert fact in body
    for secret in (*CANARIES, *SECRET_POINT_TEXTS):
        assert secret not in body


def test_it_answers_404_for_records_that_are_not_public_here(client, programme, network, other_programme):
    slug = programme.slug
    addresses = [
        network.unpublished_place.get_absolute_url(),
        network.unpublished_group.get_absolute_url(),
        # Another programme's place, asked under this programme's address.
        reverse("portal:place", kwargs={"slug": slug, "place_id": network.foreign_place.public_id}),
        reverse("portal:group", kwargs={"slug": other_programme.slug, "group_id": network.garden_group.public_id}),
    ]
    for address in addresses:
        assert client.get(address).status_code == 404, address


def test_it_answers_404_for_every_map_address_of_a_programme_that_is_not_public(client, programme, network):
    programme.is_public = False
    programme.save(update_fields=["is_public"])
    slug = programme.slug
    addresses = [
        reverse("portal:map", kwargs={"slug": slug}),
        reverse("portal:map-data", kwargs={"slug": slug}),
        network.lab.get_absolute_url(),
        network.garden_group.get_absolute_url(),
    ]
    for address in addresses:
        assert client.get(address).status_code == 404, address


def test_it_shows_the_places_and_groups_on_the_programme_home(client, programme, network):
    body = client.get(reverse("portal:programme", kwargs={"slug": programme.slug})).content.decode()
    assert f'href="{map_url(programme)}"' in body
    assert "Laboratorio Aiuto Compiti" not in body  # counts only
    assert "<strong>2</strong>" in body  # citizen groups


def _grow(programme, size):
    pavia = Municipality.objects.get(istat_code="018110")
    for index in range(size):
        place = CommunityPlaceFactory(programme=programme, municipality=pavia, services=["job-desk", "mutual-aid"])
        OpeningHoursFactory(place=place, weekday=1 + index % 7)
        CitizenGroupFactory(programme=programme, municipality=pavia, themes=["families", "culture"])


@pytest.mark.parametrize("page", ["map", "data", "home"])
def test_it_serves_the_map_pages_with_a_fixed_number_of_queries(client, programme, django_assert_max_num_queries, page):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    address = {
        "map": reverse("portal:map", kwargs={"slug": programme.slug}),
        "data": reverse("portal:map-data", kwargs={"slug": programme.slug}),
        "home": reverse("portal:programme", kwargs={"slug": programme.slug}),
    }[page]
    _grow(programme, 1)
    with django_assert_max_num_queries(12) as few:
        assert client.get(address).status_code == 200
    _grow(programme, 19)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(address).status_code == 200


def test_it_serves_the_detail_pages_with_a_fixed_number_of_queries(client, programme, django_assert_num_queries):
    place = CommunityPlaceFactory(programme=programme, services=["job-desk", "mutual-aid", "digital-help"])
    for weekday in range(1, 6):
        OpeningHoursFactory(place=place, weekday=weekday)
    group = CitizenGroupFactory(programme=programme, themes=["families", "culture", "sport"])
    with django_assert_num_queries(5):  # programme, place, its services, its hours, its next activities
        client.get(place.get_absolute_url())
    with django_assert_num_queries(3):  # programme, group, its themes
        client.get(group.get_absolute_url())


def test_it_escapes_what_people_typed(client, programme):
    CommunityPlaceFactory(programme=programme, name="<script>alert(1)</script>")
    body = client.get(map_url(programme)).content.decode()
    assert "<script>alert(1)</script>" not in body
    data = client.get(reverse("portal:map-data", kwargs={"slug": programme.slug})).content
    assert json.loads(data)["features"][0]["properties"]["name"] == "<script>alert(1)</script>"
