from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse

from trama.accounts.models import Role
from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from trama.evaluation.registry import Filters, Period, get
from trama.evaluation.selectors import across, reached_from_rollup
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db

PERIOD = Period(date(2026, 1, 1), date(2026, 12, 31))


def _reach(programme: Programme, people: int, day: tuple[int, int, int] = (2026, 3, 5)) -> None:
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(programme=programme, expand=False), starts_at=rome(*day, 16, 30)
    )
    for _index in range(people):
        AttendanceFactory(occurrence=occurrence)


def test_a_funder_sees_its_programmes_side_by_side(
    client: Client, programme: Programme, other_programme: Programme, member: Callable, login: Callable
) -> None:
    third = ProgrammeFactory(slug="programma-c", name="Programma C")
    _reach(programme, 6)
    _reach(other_programme, 9)
    _reach(third, 12)
    funder = member(Role.FUNDER)
    MembershipFactory(user=funder, programme=other_programme, organisation=OrganisationFactory(), role=Role.FUNDER)
    login(client, funder)
    url = reverse("evaluation:across", kwargs={"slug": programme.slug}) + "?start=2026-01-01&end=2026-12-31"
    response = client.get(url)
    assert response.status_code == 200
    table = response.context["table"]
    assert [p.slug for p in table.programmes] == ["programma-a", "programma-b"]
    rows = {row.indicator.code: [cell.value for cell in row.cells] for row in table.rows if row.indicator}
    assert rows["citizens-reached-named"] == [6, 9]
    assert "programma-c" not in response.content.decode()


def test_only_funders_see_the_view_across_programmes(
    client: Client, programme: Programme, member: Callable, login: Callable
) -> None:
    url = reverse("evaluation:across", kwargs={"slug": programme.slug})
    for role in (Role.COORDINATOR, Role.EVALUATOR, Role.OPERATOR):
        assert login(Client(), member(role)).get(url).status_code == 403


def test_the_rollup_figures_equal_the_plain_counts(programme: Programme, other_programme: Programme) -> None:
    _reach(programme, 6, (2025, 11, 5))
    _reach(programme, 3)
    _reach(other_programme, 7)
    since_start, new = reached_from_rollup([programme, other_programme], PERIOD)
    assert since_start == {programme.pk: 9, other_programme.pk: 7}
    assert new == {
        programme.pk: get("citizens-reached-named").compute(programme, PERIOD, Filters()),
        other_programme.pk: 7,
    }


def test_small_cells_are_suppressed_across_programmes(programme: Programme, other_programme: Programme) -> None:
    _reach(programme, 2)
    _reach(other_programme, 8)
    table = across([programme, other_programme], PERIOD)
    named = next(row for row in table.rows if row.indicator and row.indicator.code == "citizens-reached-named")
    assert [cell.value for cell in named.cells] == [None, 8]
    assert named.cells[0].suppressed


def test_the_across_view_costs_the_same_queries_per_programme_whatever_the_rows(
    programme: Programme, other_programme: Programme
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for people in (2, 20):
        _reach(programme, people)
        with CaptureQueriesContext(connection) as queries:
            across([programme, other_programme], PERIOD)
        counts.append(len(queries))
    assert counts[0] == counts[1]
