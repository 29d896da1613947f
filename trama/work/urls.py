"""Work plan: staff and company pages under /area/<programme-slug>/lavoro/."""

from __future__ import annotations

from django.urls import path

from trama.work import views

app_name = "work"

P = "<slug:slug>/lavoro/"

urlpatterns = [
    # Job seekers (staff)
    path(f"{P}candidati/", views.seeker_list, name="seeker-list"),
    path(f"{P}candidati/nuovo/", views.seeker_create, name="seeker-create"),
    path(f"{P}candidati/<uuid:seeker_id>/", views.seeker_detail, name="seeker-detail"),
    path(f"{P}candidati/<uuid:seeker_id>/modifica/", views.seeker_edit, name="seeker-edit"),
    path(f"{P}candidati/<uuid:seeker_id>/stato/", views.seeker_status, name="seeker-status"),
    path(f"{P}candidati/<uuid:seeker_id>/cv/", views.seeker_cv, name="seeker-cv"),
    path(f"{P}candidati/<uuid:seeker_id>/percorsi/nuovo/", views.pathway_create, name="pathway-create"),
    # Openings (staff; companies see their own)
    path(f"{P}offerte/", views.opening_list, name="opening-list"),
    path(f"{P}offerte/nuova/", views.opening_create, name="opening-create"),
    path(f"{P}offerte/<uuid:opening_id>/", views.opening_detail, name="opening-detail"),
    path(f"{P}offerte/<uuid:opening_id>/modifica/", views.opening_edit, name="opening-edit"),
    path(f"{P}offerte/<uuid:opening_id>/approva/", views.opening_approve, name="opening-approve"),
    path(f"{P}offerte/<uuid:opening_id>/chiudi/", views.opening_close, name="opening-close"),
    path(f"{P}offerte/<uuid:opening_id>/proponi/<uuid:seeker_id>/", views.placement_propose, name="placement-propose"),
    path(f"{P}aziende/nuova/", views.company_create, name="company-create"),
    # Placements: the pipeline
    path(f"{P}inserimenti/", views.placement_list, name="placement-list"),
    path(f"{P}inserimenti/<uuid:placement_id>/", views.placement_detail, name="placement-detail"),
    path(f"{P}inserimenti/<uuid:placement_id>/cv/", views.placement_cv, name="placement-cv"),
]
