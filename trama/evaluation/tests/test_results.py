from __future__ import annotations

from datetime import date

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import CaseFactory, HouseholdFactory, PersonFactory
from trama.evaluation import services
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    cache.clear()


def _url(programme: Programme) -> str:
    return reverse("evaluation-public:results", kwargs={"slug": programme.slug})


def _world(programme: Programme, *, reached: int, households: int) -> None:
    programme.start_date = date(2026, 1, 1)
    programme.save(update_fields=["start_date"])
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(programme=programme, expand=False), starts_at=rome(2026, 3, 5, 16, 30)
    )
    for _index in range(reached):
        AttendanceFactory(occurrence=occurrence, person=PersonFactory(programme=programme, last_name="Zanardelli"))
    for _index in range(households):
        CaseFactory(programme=programme, household=HouseholdFactory(programme=programme), opened_on=date(2026, 2, 1))


def test_it_publishes_the_headline_figures_with_their_target_and_a_chart(client: Client, programme: Programme) -> None:
    _world(programme, reached=6, households=7)
    services.target_set(actor=None, programme=programme, indicator_code="households-supported", kind="target", value=9)
    response = client.get(_url(programme))
    assert response.status_code == 200
    figures = {figure.indicator.code: figure for figure in response.context["results"].figures}
    assert figures["households-supported"].shown.value == 7
    assert figures["households-supported"].target.value == 9
    content = response.content.decode()
    assert 'id="results-chart"' in content
    assert 'data-code="households-supported" data-value="7"' in content
    assert "Zanardelli" not in content


def test_it_suppresses_small_cells_on_the_public_page(client: Client, programme: Programme) -> None:
    _world(programme, reached=3, households=2)
    response = client.get(_url(programme))
    figures = {figure.indicator.code: figure for figure in response.context["results"].figures}
    assert figures["households-supported"].shown.suppressed
    assert figures["citizens-reached"].shown.suppressed
    assert 'data-value="2"' not in response.content.decode()


def test_it_is_not_published_for_a_private_programme(client: Client, programme: Programme) -> None:
    programme.is_public = False
    programme.save(update_fields=["is_public"])
    assert client.get(_url(programme)).status_code == 404


def test_it_is_served_from_the_cache_after_the_first_visit(
    client: Client, programme: Programme, django_assert_max_num_queries: object
) -> None:
    _world(programme, reached=6, households=6)
    client.get(_url(programme))
    with django_assert_max_num_queries(2):  # the session at most: no figure is computed again
        assert client.get(_url(programme)).status_code == 200


@pytest.mark.parametrize("rows", [6, 20])
def test_the_public_page_costs_a_fixed_number_of_queries(
    client: Client, programme: Programme, django_assert_num_queries: object, rows: int
) -> None:
    _world(programme, reached=rows, households=rows)
    with django_assert_num_queries(PUBLIC_QUERIES):
        assert client.get(_url(programme)).status_code == 200


# The programme, its targets and the headline indicators (the combined reach reads two of them).
PUBLIC_QUERIES = 10
