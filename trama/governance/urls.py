"""Partnership governance: staff addresses under /area/<programme-slug>/governance/."""

from __future__ import annotations

from django.urls import path

from trama.governance import views

app_name = "governance"

G = "<slug:slug>/governance/"

urlpatterns = [
    path(G, views.body_list, name="body-list"),
    path(f"{G}organi/nuovo/", views.body_edit, name="body-create"),
    path(f"{G}organi/<uuid:body_id>/", views.body_detail, name="body-detail"),
    path(f"{G}organi/<uuid:body_id>/modifica/", views.body_edit, name="body-edit"),
    path(f"{G}organi/<uuid:body_id>/componenti/nuovo/", views.member_add, name="member-add"),
    path(f"{G}organi/<uuid:body_id>/riunioni/nuova/", views.meeting_create, name="meeting-create"),
    path(f"{G}componenti/<uuid:member_id>/termina/", views.member_end, name="member-end"),
    path(f"{G}riunioni/", views.meeting_list, name="meeting-list"),
    path(f"{G}riunioni/<uuid:meeting_id>/", views.meeting_detail, name="meeting-detail"),
    path(f"{G}riunioni/<uuid:meeting_id>/modifica/", views.meeting_edit, name="meeting-edit"),
    path(f"{G}riunioni/<uuid:meeting_id>/presenze/", views.meeting_attendance, name="meeting-attendance"),
    path(f"{G}riunioni/<uuid:meeting_id>/decisioni/nuova/", views.decision_add, name="decision-add"),
    path(f"{G}decisioni/", views.decision_list, name="decision-list"),
    path(f"{G}decisioni/<uuid:decision_id>/", views.decision_detail, name="decision-detail"),
]
