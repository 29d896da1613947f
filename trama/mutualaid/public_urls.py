"""The public "I want to help" form: /<programme-slug>/volontari/ (DESIGN.md public addresses)."""

from __future__ import annotations

from django.urls import path

from trama.mutualaid.views import public

app_name = "mutualaid-public"

urlpatterns = [
    path("<slug:slug>/volontari/", public.apply, name="apply"),
    path("<slug:slug>/volontari/grazie/", public.thanks, name="thanks"),
]
