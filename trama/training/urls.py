"""Well-Fare Lab training: staff addresses under /area/<programme-slug>/formazione/."""

from __future__ import annotations

from django.urls import path

from trama.training import views

app_name = "training"

T = "<slug:slug>/formazione/"

urlpatterns = [
    path(T, views.course_list, name="course-list"),
    path(f"{T}nuovo/", views.course_create, name="course-create"),
    path(f"{T}il-mio-percorso/", views.my_passport, name="passport-mine"),
    path(f"{T}persone/", views.participant_list, name="participant-list"),
    path(f"{T}persone/<uuid:participant_id>/", views.passport, name="passport"),
    path(f"{T}attestati/<uuid:certificate_id>.pdf", views.certificate_pdf, name="certificate-pdf"),
    path(f"{T}formatori/<uuid:trainer_id>/rimuovi/", views.trainer_remove, name="trainer-remove"),
    path(f"{T}incontri/<uuid:occurrence_id>/presenze/", views.session_attendance, name="session-attendance"),
    path(f"{T}incontri/<uuid:occurrence_id>/modifica/", views.session_assign, name="session-assign"),
    path(f"{T}<uuid:course_id>/", views.course_detail, name="course-detail"),
    path(f"{T}<uuid:course_id>/modifica/", views.course_edit, name="course-edit"),
    path(f"{T}<uuid:course_id>/moduli/nuovo/", views.module_add, name="module-add"),
    path(f"{T}<uuid:course_id>/formatori/nuovo/", views.trainer_add, name="trainer-add"),
    path(f"{T}<uuid:course_id>/incontri/nuovo/", views.session_add, name="session-add"),
    path(f"{T}<uuid:course_id>/iscrizioni/nuova/", views.enrol, name="enrol"),
    path(f"{T}<uuid:course_id>/attestati/", views.certificates_issue, name="certificates-issue"),
]
