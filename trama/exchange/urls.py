"""Imports and exports: staff pages under /area/<programme-slug>/importa/."""

from __future__ import annotations

from django.urls import path

from trama.exchange import views

app_name = "exchange"

urlpatterns = [
    path("<slug:slug>/importa/", views.import_home, name="import-home"),
    path(
        "<slug:slug>/importa/modello/<slug:kind>.<str:file_format>",
        views.import_template,
        name="import-template",
    ),
    path("<slug:slug>/importa/carica/<slug:kind>/", views.import_upload, name="import-upload"),
    path("<slug:slug>/importa/<uuid:import_id>/", views.import_detail, name="import-detail"),
    path("<slug:slug>/importa/<uuid:import_id>/conferma/", views.import_confirm, name="import-confirm"),
    path("<slug:slug>/esporta/", views.export_start, name="export-start"),
]
