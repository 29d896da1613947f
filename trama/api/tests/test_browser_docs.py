"""The browsable documentation (/api/docs/): vendored Swagger UI under the strict CSP."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from trama.conftest import ARTIFACTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_the_operations_of_the_api_to_a_signed_in_person(live_server, page, coordinator, login):
    client = login(Client(), coordinator)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])

    page.goto(f"{live_server.url}/api/docs/")
    page.locator(".swagger-ui .opblock").first.wait_for(timeout=20_000)

    assert page.locator(".swagger-ui .opblock").count() > 10
    assert page.get_by_text("/api/v1/programmes/{slug}/places/", exact=True).first.is_visible()
    page.screenshot(path=str(ARTIFACTS / "api-docs.png"), full_page=False)
    assert page.problems == []  # type: ignore[attr-defined]  # no CSP violation, no script error
