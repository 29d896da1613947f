"""The public "I need help" form lives at /<programme-slug>/aiuto/ (DESIGN.md public addresses)."""

from __future__ import annotations

from django.urls import path

from trama.casework.views import intake

app_name = "help"

urlpatterns = [
    path("<slug:slug>/aiuto/", intake.help_request, name="request"),
    path("<slug:slug>/aiuto/grazie/", intake.help_thanks, name="thanks"),
]
