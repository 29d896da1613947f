"""The register of processing page and its CSV (S14, S19)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from trama.core.processing import RegisterEntry

pytestmark = pytest.mark.django_db


def _url(name: str) -> str:
    return reverse(f"people:{name}", kwargs={"slug": "programma-a"})


def test_it_shows_the_register_to_coordinators(english, login, casework):
    login(english, casework.coordinator)
    response = english.get(_url("processing-register"))
    assert response.status_code == 200
    assert "codice fiscale" in response.content.decode()
    assert "10 years after the case is closed" in response.content.decode()


@pytest.mark.parametrize(("persona", "status"), [("owner", 403), ("evaluator", 403), ("outsider", 404)])
def test_it_refuses_the_register_to_others(client, login, casework, persona, status):
    login(client, getattr(casework, persona))
    assert client.get(_url("processing-register")).status_code == status
    assert client.get(_url("processing-register-csv")).status_code == status


def test_it_downloads_the_register_as_csv_with_formulas_neutralised(client, login, casework, monkeypatch):
    entry = RegisterEntry('=HYPERLINK("http://x")', "@SUM(A1)", "f", "c", "p", "r")
    monkeypatch.setattr("trama.people.views.register", lambda: [entry])
    login(client, casework.coordinator)
    response = client.get(_url("processing-register-csv"))
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="registro-trattamenti.csv"'
    text = response.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "'@SUM(A1)" in text
