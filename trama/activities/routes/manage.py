"""Managing activities, their dates and registrations; the programme's closures."""

from __future__ import annotations

from django.urls import path

from trama.activities.views import manage

A = "<slug:slug>/attivita/"

urlpatterns = [
    path(A, manage.activity_list, name="list"),
    path(f"{A}nuova/", manage.activity_create, name="create"),
    path(f"{A}chiusure/", manage.closure_list, name="closures"),
    path(f"{A}<uuid:activity_id>/", manage.activity_detail, name="detail"),
    path(f"{A}<uuid:activity_id>/modifica/", manage.activity_edit, name="edit"),
    path(f"{A}<uuid:activity_id>/date/nuova/", manage.occurrence_add, name="occurrence-add"),
    path(
        f"{A}<uuid:activity_id>/iscrizioni/famiglia/",
        manage.registration_add,
        {"source": "case"},
        name="register-household",
    ),
    path(
        f"{A}<uuid:activity_id>/iscrizioni/contatto/",
        manage.registration_add,
        {"source": "contacts"},
        name="register-contact",
    ),
    path(f"{A}iscrizioni/<uuid:registration_id>/annulla/", manage.registration_cancel, name="registration-cancel"),
    path(f"{A}date/<uuid:occurrence_id>/sposta/", manage.occurrence_move, name="occurrence-move"),
    path(f"{A}date/<uuid:occurrence_id>/annulla/", manage.occurrence_cancel, name="occurrence-cancel"),
    path(f"{A}date/<uuid:occurrence_id>/ripristina/", manage.occurrence_restore, name="occurrence-restore"),
]
