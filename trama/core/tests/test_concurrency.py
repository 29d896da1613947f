"""S21: no lost updates. Of many edits started from the same version, exactly one wins."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from django.db import connection, connections

from trama.core.concurrency import StaleVersionError
from trama.territory.models import Programme
from trama.territory.services import programme_update


@pytest.mark.django_db
def test_it_refuses_the_second_of_two_edits_from_the_same_version(coordinator, programme):
    programme_update(actor=coordinator, programme=programme, expected_version=1, fields={"tagline": "prima"})
    with pytest.raises(StaleVersionError):
        programme_update(actor=coordinator, programme=programme, expected_version=1, fields={"tagline": "seconda"})
    programme.refresh_from_db()
    assert (programme.tagline, programme.version) == ("prima", 2)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_it_lets_exactly_one_of_twenty_concurrent_edits_win(coordinator, programme):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent row locks need PostgreSQL")
    start = Barrier(20)

    def edit(n: int) -> str:
        start.wait()
        try:
            programme_update(
                actor=coordinator, programme=Programme.objects.get(pk=programme.pk), expected_version=1,
                fields={"tagline": f"edit {n}"},
            )  # fmt: skip
            return "won"
        except StaleVersionError:
            return "stale"
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=20) as pool:
        outcomes = list(pool.map(edit, range(20)))
    programme.refresh_from_db()
    assert outcomes.count("won") == 1
    assert outcomes.count("stale") == 19
    assert programme.version == 2
    assert programme.history.count() == 2
