"""S24: 50 concurrent identical POSTs with one Idempotency-Key create one record.

Real concurrency needs real connections and row locks: PostgreSQL only (SQLite serialises writers).
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from rest_framework.test import APIClient

from trama.api.models import IdempotencyRecord
from trama.network.models import CitizenGroup
from trama.territory.models import Municipality

CONCURRENT = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL's concurrency"),
]


def test_it_creates_one_record_for_50_concurrent_identical_posts(programme, coordinator, token_for):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    secret = token_for(coordinator)
    url = reverse("api:group-list", kwargs={"slug": programme.slug})
    body = {"name": "Orti condivisi", "municipality": "018110"}
    barrier = threading.Barrier(CONCURRENT)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()

    def post() -> None:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
        try:
            barrier.wait(timeout=30)
            response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="one-key")
            with lock:
                answers.append((response.status_code, response.json().get("id", "")))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(CONCURRENT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert len(answers) == CONCURRENT
    assert {status for status, _ in answers} == {201}
    assert CitizenGroup.objects.count() == 1
    assert {group_id for _, group_id in answers} == {str(CitizenGroup.objects.get().public_id)}
    assert IdempotencyRecord.objects.count() == 1
