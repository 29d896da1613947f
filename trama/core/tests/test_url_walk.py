"""S3: no unprotected route. Every route of the URL resolver is called anonymously; only the
explicit public allow-list may answer; everything else sends the visitor to the login page."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

# Routes anyone may open: the public site, the login and password-recovery pages.
PUBLIC = {
    "portal:index",
    "portal:programme",
    "portal:map",
    "portal:map-data",
    "portal:place",
    "portal:place-photo",
    "portal:group",
    "portal:map-pdf",
    "portal:map-geojson",
    "portal:map-csv",
    "portal:map-xlsx",
    "accounts:login",
    "accounts:logout",
    "admin:logout",
    "accounts:password-reset",
    "accounts:password-reset-sent",
    "accounts:password-reset-confirm",
    "accounts:password-reset-complete",
    "set_language",
    "health",
    "hsds:root",
    "hsds:openapi",
    "hsds:service-list",
    "hsds:service-detail",
    "hsds:organization-list",
    "hsds:organization-detail",
    "hsds:service-at-location-list",
    "hsds:service-at-location-detail",
    "help:request",
    "help:thanks",
    "activities-public:calendar",
    "activities-public:detail",
    "activities-public:signup",
    "activities-public:signup-thanks",
    "activities-public:feed",
    "activities-public:place-feed",
    "funding-public:campaigns",
    "funding-public:campaign",
    "funding-public:news-list",
    "funding-public:news-detail",
    "mutualaid-public:apply",
    "mutualaid-public:thanks",
    "work-public:opening-submit",
    "work-public:thanks",
    "evaluation-public:results",
}

LOGIN_PAGES = ("/accesso/", "/admin/login/")
SAMPLE_VALUES = {"slug": "programma-a", "istat_code": "018110", "uidb64": "MTIz", "token": "abc-123"}


def _routes(resolver: URLResolver, namespace: str = "") -> Iterator[tuple[str, dict[str, object]]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            kwargs: dict[str, object] = {}
            for key, converter in converters.items():
                kind = type(converter).__name__
                if kind == "UUIDConverter":
                    kwargs[key] = uuid.uuid4()
                elif kind == "IntConverter":
                    kwargs[key] = 1
                else:
                    kwargs[key] = SAMPLE_VALUES.get(key, "x")
            yield f"{namespace}{entry.name}", kwargs


def _takes_an_id(name: str) -> bool:
    return any(set(kwargs) - {"slug"} for route, kwargs in _routes(get_resolver()) if route == name)


def _all_urls() -> list[tuple[str, str]]:
    urls = []
    for name, kwargs in _routes(get_resolver()):
        try:
            urls.append((name, reverse(name, kwargs=kwargs)))
        except NoReverseMatch:
            # Only the admin's regex routes (app_list) take arguments we cannot guess; they sit
            # behind the same admin login as the rest of the admin, which the walk covers.
            assert name.startswith("admin:"), name
    return urls


def test_it_protects_the_admin_login_with_our_own(client):
    response = client.get(reverse("admin:login"))
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_finds_the_routes_it_must_walk():
    names = {name for name, _ in _all_urls()}
    assert {"territory:programme-home", "accounts:member-list", "admin:index", "portal:programme"} <= names


def test_it_sends_anonymous_visitors_of_every_private_route_to_the_login(client):
    Programme.objects.create(slug="programma-a", name="Programma A")
    leaks = []
    for name, url in _all_urls():
        if name in PUBLIC:
            continue
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # The admin first redirects to its own login page, which itself redirects to ours.
            protected = response.status_code in (401, 403, 405) or (
                response.status_code == 302 and response["Location"].startswith(LOGIN_PAGES)
            )
            if not protected:
                leaks.append((method, name, url, response.status_code))
    assert leaks == []


def test_it_answers_the_public_routes_anonymously(client):
    Programme.objects.create(slug="programma-a", name="Programma A")
    for name, url in _all_urls():
        if name in PUBLIC and name not in {"accounts:logout", "admin:logout", "set_language"}:
            # A public route that takes a record id answers 404 for the random id of the walk.
            expected = {200, 404} if _takes_an_id(name) else {200}
            assert client.get(url).status_code in expected, name
