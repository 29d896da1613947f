"""The HSDS 3.0 API, mounted at /hsds/. Paths and parameter names follow the HSDS openapi.json."""

from __future__ import annotations

from django.urls import path

from trama.network.hsds import views

app_name = "hsds"

urlpatterns = [
    path("", views.root, name="root"),
    path("openapi.json", views.openapi, name="openapi"),
    # Ids are read as text so that a malformed one answers the API's JSON 404, not the site's page.
    path("services", views.service_list, name="service-list"),
    path("services/<str:service_id>", views.service_detail, name="service-detail"),
    path("organizations", views.organization_list, name="organization-list"),
    path("organizations/<str:organization_id>", views.organization_detail, name="organization-detail"),
    path("service_at_locations", views.service_at_location_list, name="service-at-location-list"),
    path(
        "service_at_locations/<str:service_at_location_id>",
        views.service_at_location_detail,
        name="service-at-location-detail",
    ),
]
