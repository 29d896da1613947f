"""Evaluation: staff pages under /area/<programme-slug>/."""

from __future__ import annotations

from django.urls import path

from trama.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("<slug:slug>/valutazione/", views.dashboard, name="dashboard"),
    path("<slug:slug>/valutazione/obiettivi/", views.targets, name="targets"),
    path("<slug:slug>/valutazione/obiettivi/<uuid:target_id>/elimina/", views.target_delete, name="target-delete"),
    path("<slug:slug>/valutazione/programmi/", views.across, name="across"),
    path("<slug:slug>/valutazione/indicatori/<slug:code>/", views.records, name="records"),
]
