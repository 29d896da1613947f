"""The hours given back, downloaded by a lab manager: their places only (issue 9, exports)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from trama.pacts.tests.builders import running

pytestmark = pytest.mark.django_db


def download(client: Client, url: str) -> list[list[str]]:
    response = client.get(url, {"export": "csv"})
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def first_column(rows: list[list[str]]) -> set[str]:
    return {row[0] for row in rows[1:]}


def test_it_gives_a_lab_manager_the_hours_given_back_at_their_places_only(
    client: Client, login: Callable, pactwork: SimpleNamespace
):
    commitment = running(pactwork).commitments.get()
    person = commitment.pact.person
    url = reverse("pacts:giving-back", args=[pactwork.programme.slug])
    login(client, pactwork.lab_manager)
    rows = download(client, url)
    assert first_column(rows) == {str(commitment.public_id)}
    assert f"{person.first_name} {person.last_name}" in rows[1]
    assert pactwork.place.name in rows[1]
    login(client, pactwork.other_lab_manager)
    assert len(download(client, url)) == 1
    login(client, pactwork.evaluator)
    assert client.get(url, {"export": "csv"}).status_code == 403
