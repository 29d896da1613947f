"""Work plan: the public form through which a company sends an opening, /<programme-slug>/lavoro/."""

from __future__ import annotations

from django.urls import path

from trama.work import public_views

app_name = "work-public"

urlpatterns = [
    path("<slug:slug>/lavoro/offerte/nuova/", public_views.opening_submit, name="opening-submit"),
    path("<slug:slug>/lavoro/offerte/grazie/", public_views.thanks, name="thanks"),
]
