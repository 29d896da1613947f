from __future__ import annotations

from django.urls import path

from trama.network import views

app_name = "network"

urlpatterns = [
    # Organisations and their roles in the programme
    path("<slug:slug>/rete/", views.network_overview, name="overview"),
    path("<slug:slug>/rete/enti/nuovo/", views.organisation_edit, name="organisation-create"),
    path("<slug:slug>/rete/enti/<uuid:organisation_id>/", views.organisation_edit, name="organisation-edit"),
    path("<slug:slug>/rete/enti/<uuid:organisation_id>/rimuovi/", views.partnership_remove, name="partnership-remove"),
    # Community places
    path("<slug:slug>/luoghi/", views.place_list, name="place-list"),
    path("<slug:slug>/luoghi/nuovo/", views.place_create, name="place-create"),
    path("<slug:slug>/luoghi/<uuid:place_id>/", views.place_edit, name="place-edit"),
    path("<slug:slug>/luoghi/<uuid:place_id>/orari/", views.place_hours, name="place-hours"),
    path("<slug:slug>/luoghi/<uuid:place_id>/foto/", views.place_photo, name="place-photo"),
    path("<slug:slug>/luoghi/<uuid:place_id>/elimina/", views.place_delete, name="place-delete"),
    # Citizen groups
    path("<slug:slug>/gruppi/", views.group_list, name="group-list"),
    path("<slug:slug>/gruppi/nuovo/", views.group_edit, name="group-create"),
    path("<slug:slug>/gruppi/<uuid:group_id>/", views.group_edit, name="group-edit"),
    path("<slug:slug>/gruppi/<uuid:group_id>/elimina/", views.group_delete, name="group-delete"),
]
