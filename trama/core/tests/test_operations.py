"""Operations: the health endpoint answers for the proxy, and JSON logs carry no personal data."""

from __future__ import annotations

import json
import logging

import pytest
from django.test import RequestFactory

from trama.core import health
from trama.core.logs import JsonFormatter

pytestmark = pytest.mark.django_db


def test_the_health_endpoint_is_green_without_login_and_says_nothing_of_the_data(client):
    response = client.get("/salute/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "cache": "ok", "queue": "in-process"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_the_health_endpoint_answers_503_when_a_dependency_fails(client, monkeypatch):
    def broken() -> str:
        raise ConnectionError("redis down")

    monkeypatch.setitem(health.CHECKS, "queue", broken)
    response = client.get("/salute/")
    assert response.status_code == 503
    assert response.json()["queue"] == "error"


def test_a_json_log_line_has_the_request_line_but_never_its_body():
    request = RequestFactory().post("/area/x/", {"note": "CANARY-7f3a-nota-riservata"})
    record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: %s", ("/area/x/",), None)
    record.request = request
    record.status_code = 403
    line = json.loads(JsonFormatter().format(record))
    assert line == {
        "time": line["time"], "level": "WARNING", "logger": "django.request", "message": "Forbidden: /area/x/",
        "method": "POST", "path": "/area/x/", "status": 403,
    }  # fmt: skip
    assert "CANARY" not in json.dumps(line)
