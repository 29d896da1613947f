from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django.utils import translation


@pytest.fixture
def english(client: Client) -> Iterator[Client]:
    """Pages and messages in English, so tests can read the msgids (the Italian catalogue comes later)."""
    client.cookies["django_language"] = "en"
    with translation.override("en"):
        yield client
