from __future__ import annotations

from django.urls import path

from trama.network.models import DownloadCounter
from trama.portal import views

app_name = "portal"

# Public addresses are Italian and stable (DESIGN.md): people print and share them.
urlpatterns = [
    path("", views.index, name="index"),
    # The map of a programme's places and groups, their pages, and the map's files.
    path("<slug:slug>/mappa/", views.map_page, name="map"),
    path("<slug:slug>/mappa/dati.geojson", views.map_data, name="map-data"),
    path("<slug:slug>/mappa/luoghi/<uuid:place_id>/", views.place_detail, name="place"),
    path("<slug:slug>/mappa/luoghi/<uuid:place_id>/foto/", views.place_photo, name="place-photo"),
    path("<slug:slug>/mappa/gruppi/<uuid:group_id>/", views.group_detail, name="group"),
    path("<slug:slug>/mappa.pdf", views.map_download, {"file": DownloadCounter.File.PDF}, name="map-pdf"),
    path("<slug:slug>/mappa.geojson", views.map_download, {"file": DownloadCounter.File.GEOJSON}, name="map-geojson"),
    path("<slug:slug>/mappa.csv", views.map_download, {"file": DownloadCounter.File.CSV}, name="map-csv"),
    path("<slug:slug>/mappa.xlsx", views.map_download, {"file": DownloadCounter.File.XLSX}, name="map-xlsx"),
    # Last: it takes any first segment that is not one of the application's own.
    path("<slug:slug>/", views.programme, name="programme"),
]
