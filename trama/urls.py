from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from django.views.i18n import set_language

from trama.core.health import health

# The administration site signs people in through Trama's own login, so it gets the same
# lockout, audit and second factor as everything else.
admin.site.login = login_required(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Trama"

urlpatterns = [
    path("salute/", health, name="health"),
    path("lingua/", set_language, name="set_language"),
    path("admin/", admin.site.urls),
    path("area/", include("trama.territory.urls")),
    path("area/", include("trama.network.urls")),
    path("area/", include("trama.people.urls")),
    path("area/", include("trama.casework.urls")),
    path("area/", include("trama.activities.urls")),
    path("area/", include("trama.pacts.urls")),
    path("area/", include("trama.mutualaid.urls")),
    path("area/", include("trama.training.urls")),
    path("area/", include("trama.governance.urls")),
    path("area/", include("trama.funding.urls")),
    path("area/", include("trama.jobs.urls")),
    path("area/", include("trama.work.urls")),
    path("area/", include("trama.housing.urls")),
    path("area/", include("trama.evaluation.urls")),
    path("area/", include("trama.evaluation.report_urls")),
    path("area/", include("trama.exchange.urls")),
    path("api/", include("trama.api.urls")),
    path("account/api/", include("trama.api.page_urls")),
    path("", include("trama.accounts.urls")),
    path("hsds/", include("trama.network.hsds.urls")),
    path("", include("trama.casework.public_urls")),
    path("", include("trama.activities.public_urls")),
    path("", include("trama.mutualaid.public_urls")),
    path("", include("trama.funding.public_urls")),
    path("", include("trama.work.public_urls")),
    path("", include("trama.evaluation.public_urls")),
    # Last: `/<programme-slug>/` catches the first free path segment (see RESERVED_SLUGS).
    path("", include("trama.portal.urls")),
]
