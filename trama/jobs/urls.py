"""A job's page and download, under /area/<programme-slug>/lavori/."""

from __future__ import annotations

from django.urls import path

from trama.jobs import views

app_name = "jobs"

urlpatterns = [
    path("<slug:slug>/lavori/<uuid:job_id>/", views.job_detail, name="detail"),
    path("<slug:slug>/lavori/<uuid:job_id>/scarica/", views.job_download, name="download"),
]
