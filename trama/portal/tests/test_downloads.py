from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OpeningHoursFactory
from trama.network.models import DownloadCounter
from trama.portal.downloads import TABLE_HEADER, NumberedEntry, schematic_map
from trama.portal.services import download_record
from trama.portal.tests.conftest import CANARIES, PAVIA_CENTRE, SECRET_POINT_TEXTS
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db

FILES = ("pdf", "geojson", "csv", "xlsx")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "geojson": "application/geo+json",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def download(client, programme, file, params=None):
    return client.get(reverse(f"portal:map-{file}", kwargs={"slug": programme.slug}), params or {})


def pdf_text(content, tmp_path):
    path = tmp_path / "mappa.pdf"
    path.write_bytes(content)
    pdftotext = shutil.which("pdftotext")
    assert pdftotext, "poppler-utils is not installed"
    result = subprocess.run([pdftotext, "-layout", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603  # fixed argv, our own file
    return result.stdout


def csv_rows(content):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def xlsx_rows(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def counts(programme):
    return dict(DownloadCounter.objects.filter(programme=programme).values_list("file", "count"))


@pytest.mark.parametrize("file", FILES)
def test_it_serves_each_file_as_an_attachment_of_the_right_type(client, programme, network, file):
    response = download(client, programme, file)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPES[file]
    assert response["Content-Disposition"] == f'attachment; filename="mappa-{programme.slug}.{file}"'


def test_it_serves_a_valid_geojson_feature_collection(client, programme, network):
    collection = json.loads(download(client, programme, "geojson").content)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == 4
    for feature in collection["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        longitude, latitude = feature["geometry"]["coordinates"]
        # [longitude, latitude] (RFC 7946 §3.1.1), and in Italy: 6.5–18.6 E, 35.2–47.2 N.
        assert 6.5 <= longitude <= 18.6
        assert 35.2 <= latitude <= 47.2
        assert feature["properties"]["type"] in {"place", "group"}
        assert feature["properties"]["url"].startswith("http://testserver/")
    features = {feature["properties"]["name"]: feature for feature in collection["features"]}
    lab = features["Laboratorio Aiuto Compiti"]
    assert lab["geometry"]["coordinates"] == [9.155, 45.185]
    assert lab["properties"]["address"] == "Via dei Mille 12"
    assert lab["properties"]["service_codes"] == ["listening-desk", "homework-help"]
    assert lab["properties"]["kind_code"] == "community_lab"
    # A place without its own coordinates is drawn at its municipality's centre.
    assert features["Punto di comunità Cava"]["geometry"]["coordinates"] == [9.10774, 45.14014]
    garden = features["Giardinieri di Borgo Ticino"]
    assert garden["geometry"]["coordinates"] == PAVIA_CENTRE
    assert "address" not in garden["properties"]
    assert garden["properties"]["theme_codes"] == ["green-areas"]
    assert garden["properties"]["public_contact"] == "gruppo@example.org"


def test_it_writes_csv_and_xlsx_with_italian_headers_and_the_same_rows(client, programme, network):
    rows = csv_rows(download(client, programme, "csv").content)
    sheet = xlsx_rows(download(client, programme, "xlsx").content)
    assert rows[0] == list(TABLE_HEADER) == sheet[0]
    # Places, then groups, each by municipality (Cava Manara before Pavia) and name.
    assert (
        [row[1] for row in rows[1:]]
        == [row[1] for row in sheet[1:]]
        == [
            "Punto di comunità Cava",
            "Laboratorio Aiuto Compiti",
            "Famiglie in rete",
            "Giardinieri di Borgo Ticino",
        ]
    )
    lab = dict(zip(TABLE_HEADER, rows[2], strict=True))
    assert lab["Indirizzo"] == "Via dei Mille 12"
    assert lab["CAP"] == "27100"
    assert lab["Gestito da"] == "Cooperativa Il Ponte"
    assert "15:00" in lab["Orari"]
    assert lab["Latitudine"] == "45.185"
    lab_sheet = dict(zip(TABLE_HEADER, sheet[2], strict=True))
    assert lab_sheet["Longitudine"] == pytest.approx(9.155)
    garden = dict(zip(TABLE_HEADER, sheet[4], strict=True))
    assert garden["Indirizzo"] is None
    assert (garden["Latitudine"], garden["Longitudine"]) == (PAVIA_CENTRE[1], PAVIA_CENTRE[0])


def test_it_neutralises_formulas_in_csv_and_xlsx(client, programme):
    CommunityPlaceFactory(programme=programme, name='=HYPERLINK("http://evil.example","x")', address="@SUM(A1:A9)")
    CitizenGroupFactory(programme=programme, name="+cmd|' /C calc'!A0", public_contact="-1+1")
    csv_cells = {cell for row in csv_rows(download(client, programme, "csv").content) for cell in row}
    xlsx_cells = {cell for row in xlsx_rows(download(client, programme, "xlsx").content) for cell in row}
    for cells in (csv_cells, xlsx_cells):
        assert '\'=HYPERLINK("http://evil.example","x")' in cells
        assert "'@SUM(A1:A9)" in cells
        assert "'+cmd|' /C calc'!A0" in cells
        assert "'-1+1" in cells
        assert not any(isinstance(cell, str) and cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_it_prints_every_place_and_group_by_municipality_in_the_pdf(client, programme, network, tmp_path):
    response = download(client, programme, "pdf")
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content, tmp_path)
    for name in network.public_names:
        assert name in text, name
    for fact in ("Programma A", "Via dei Mille 12", "15:00–18:00", "famiglie@example.org", "Cooperativa Il Ponte"):
        assert fact in text, fact
    for name in network.hidden_names:
        assert name not in text
    # By municipality: Cava Manara's entries come before Pavia's.
    assert text.index("Cava Manara (PV)") < text.index("Pavia (PV)")
    assert text.index("Punto di comunità Cava") < text.index("Laboratorio Aiuto Compiti")


def test_it_prints_a_pdf_for_an_empty_map(client, programme, tmp_path):
    response = download(client, programme, "pdf")
    assert response.status_code == 200
    assert "Programma A" in pdf_text(response.content, tmp_path)


def test_it_never_puts_a_private_contact_or_secret_point_in_any_file(client, programme, network, tmp_path):
    texts = {
        "geojson": download(client, programme, "geojson").content.decode(),
        "csv": download(client, programme, "csv").content.decode("utf-8-sig"),
        "xlsx": json.dumps(xlsx_rows(download(client, programme, "xlsx").content), default=str),
        "pdf": pdf_text(download(client, programme, "pdf").content, tmp_path),
    }
    for file, text in texts.items():
        for secret in (*CANARIES, *SECRET_POINT_TEXTS):
            assert secret not in text, (file, secret)


def test_it_narrows_the_files_with_the_map_filters(client, programme, network):
    geojson = json.loads(download(client, programme, "geojson", {"service": "homework-help"}).content)
    assert [feature["properties"]["name"] for feature in geojson["features"]] == ["Laboratorio Aiuto Compiti"]
    rows = csv_rows(download(client, programme, "csv", {"municipality": "018041", "show": "groups"}).content)
    assert [row[1] for row in rows[1:]] == ["Famiglie in rete"]
    geojson = json.loads(download(client, programme, "geojson", {"theme": "green-areas"}).content)
    assert [feature["properties"]["name"] for feature in geojson["features"]] == ["Giardinieri di Borgo Ticino"]


def test_it_counts_each_download_once(client, programme, network):
    for file in ("geojson", "csv", "xlsx", "geojson"):
        download(client, programme, file)
    assert counts(programme) == {"geojson": 2, "csv": 1, "xlsx": 1}


def test_it_does_not_count_the_pages(client, programme, network):
    for address in (
        reverse("portal:programme", kwargs={"slug": programme.slug}),
        reverse("portal:map", kwargs={"slug": programme.slug}),
        reverse("portal:map-data", kwargs={"slug": programme.slug}),
        network.lab.get_absolute_url(),
        network.garden_group.get_absolute_url(),
    ):
        assert client.get(address).status_code == 200
    assert counts(programme) == {}


def test_it_continues_from_the_recorded_count(programme):
    DownloadCounter.objects.create(programme=programme, file=DownloadCounter.File.PDF, count=1014)
    download_record(programme=programme, file=DownloadCounter.File.PDF)
    download_record(programme=programme, file=DownloadCounter.File.CSV)
    assert counts(programme) == {"pdf": 1015, "csv": 1}


def test_it_refuses_to_count_an_unknown_file(programme):
    with pytest.raises(ValueError, match="unknown download file"):
        download_record(programme=programme, file="docx")


@pytest.mark.parametrize("file", FILES)
def test_it_answers_404_and_counts_nothing_for_a_programme_that_is_not_public(client, programme, network, file):
    programme.is_public = False
    programme.save(update_fields=["is_public"])
    assert download(client, programme, file).status_code == 404
    assert counts(programme) == {}


def test_it_refuses_to_count_a_post(client, programme):
    response = client.post(reverse("portal:map-csv", kwargs={"slug": programme.slug}))
    assert response.status_code == 405
    assert counts(programme) == {}


@pytest.mark.parametrize("file", ["geojson", "csv", "xlsx"])
def test_it_builds_the_files_with_a_fixed_number_of_queries(client, programme, django_assert_max_num_queries, file):
    pavia = Municipality.objects.get(istat_code="018110")

    def grow(size):
        for _ in range(size):
            place = CommunityPlaceFactory(programme=programme, municipality=pavia, services=["job-desk"])
            OpeningHoursFactory(place=place)
            CitizenGroupFactory(programme=programme, municipality=pavia, themes=["families"])

    grow(1)
    download(client, programme, file)  # the first download creates the counter's row
    with django_assert_max_num_queries(10) as few:
        download(client, programme, file)
    grow(19)
    with django_assert_max_num_queries(len(few.captured_queries)):
        download(client, programme, file)


def _entry(number, latitude, longitude, kind="place"):
    from trama.portal.downloads import MapEntry

    fields = dict.fromkeys(MapEntry.__dataclass_fields__, "")
    fields |= {
        "type": kind, "terms": (), "term_codes": (), "hours": (), "exact": True, "municipality": "Pavia",
        "municipality_point": (45.19205, 9.15917), "point": (latitude, longitude),
    }  # fmt: skip
    return NumberedEntry(number=number, entry=MapEntry(**fields))


def test_it_projects_the_schematic_map_north_up_inside_the_box():
    drawn = schematic_map([_entry(1, 45.30, 9.00), _entry(2, 45.10, 9.30), _entry(3, 45.2, 9.15, "group")])
    markers = {marker["number"]: marker for marker in drawn["markers"]}
    for marker in markers.values():
        assert 0 <= marker["x"] <= drawn["width"]
        assert 0 <= marker["y"] <= drawn["height"]
    assert markers[1]["x"] < markers[2]["x"]  # west is left
    assert markers[1]["y"] < markers[2]["y"]  # north is up
    assert markers[3]["is_place"] is False
    assert drawn["scale"]["label"].endswith("km")


def test_it_spreads_points_that_share_a_position():
    drawn = schematic_map([_entry(n, 45.19205, 9.15917) for n in range(1, 5)])
    positions = {(marker["x"], marker["y"]) for marker in drawn["markers"]}
    assert len(positions) == 4
