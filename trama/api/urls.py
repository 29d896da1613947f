"""The REST API under /api/v1/ and its OpenAPI schema under /api/schema/.

Each domain module lists its own routes (relative to /api/, under base.PROGRAMME_PREFIX); this
file only joins them into the `api` namespace.
"""

from __future__ import annotations

from django.urls import path

from trama.api import activities, casework, indicators, mutualaid, network, pacts, people, views

app_name = "api"

urlpatterns: list = [
    path("v1/", views.ApiRoot.as_view(), name="root"),
    path("v1/programmes/<slug:slug>/", views.ProgrammeIndex.as_view(), name="programme"),
    path("schema/", views.SchemaView.as_view(), name="schema"),
    path("docs/", views.api_docs, name="docs"),
    *network.urlpatterns,
    *activities.urlpatterns,
    *indicators.urlpatterns,
    *people.urlpatterns,
    *casework.urlpatterns,
    *pacts.urlpatterns,
    *mutualaid.urlpatterns,
]
