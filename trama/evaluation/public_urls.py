"""Evaluation: public pages under /<programme-slug>/."""

from __future__ import annotations

from django.urls import path

from trama.evaluation import views

app_name = "evaluation-public"

urlpatterns = [
    path("<slug:slug>/risultati/", views.public_results, name="results"),
]
