"""The pages where a person creates and revokes their personal API tokens."""

from __future__ import annotations

from django.urls import path

from trama.api import pages

app_name = "api-tokens"

urlpatterns = [
    path("", pages.token_list, name="list"),
    path("nuovo/", pages.token_create, name="create"),
    path("<uuid:token_id>/revoca/", pages.token_revoke, name="revoke"),
]
