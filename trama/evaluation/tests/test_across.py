from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Role
from trama.activities.services import attendance_set
from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import MembershipFactory, OrganisationFactory, ProgrammeFactory
from trama.evaluation import selectors
from trama.evaluation.models import ProgrammeDataVersion, StoredFigure
from trama.evaluation.registry import Filters, Period, get
from trama.evaluation.selectors import ACROSS, across, reached_from_rollup
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
    counts = []
    for people in (2, 20):
        _reach(programme, people)
        StoredFigure.objects.all().delete()  # computed afresh each time
        with CaptureQueriesContext(connection) as queries:
            across([programme, other_programme], PERIOD)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def _named(programmes: list[Programme]) -> list[object]:
    table = across(programmes, PERIOD)
    return next(row for row in table.rows if row.indicator and row.indicator.code == "citizens-reached-named").cells


def test_the_figures_are_stored_and_read_back_while_nothing_changes(
    programme: Programme, other_programme: Programme, django_assert_num_queries: Callable
) -> None:
    _reach(programme, 6)
    _reach(other_programme, 7)
    assert [cell.value for cell in _named([programme, other_programme])] == [6, 7]
    assert StoredFigure.objects.filter(programme=programme, start=PERIOD.start, end=PERIOD.end).count() == len(ACROSS)
    # Versions, stored figures, the roll-up of people reached since the start: nothing computed.
    with django_assert_num_queries(3):
        assert [cell.value for cell in _named([programme, other_programme])] == [6, 7]


def test_a_check_in_makes_its_programme_computed_again_and_only_it(
    programme: Programme,
    other_programme: Programme,
    member: Callable,
    django_capture_on_commit_callbacks: Callable,
) -> None:
    _reach(programme, 6)
    _reach(other_programme, 7)
    _named([programme, other_programme])
    occurrence = OccurrenceFactory(
        activity=ActivityFactory(programme=programme, expand=False), starts_at=rome(2026, 4, 2, 17, 0)
    )
    newcomers = PersonFactory.create_batch(2, programme=programme)
    with django_capture_on_commit_callbacks(execute=True):
        attendance_set(actor=member(Role.COORDINATOR), occurrence=occurrence, present=newcomers)
    other_figures = dict(
        StoredFigure.objects.filter(programme=other_programme).values_list("indicator_code", "computed_at")
    )
    assert [cell.value for cell in _named([programme, other_programme])] == [8, 7]
    assert [cell.value for cell in _named([programme, other_programme])] == [
        get("citizens-reached-named").compute(programme, PERIOD, Filters()),
        get("citizens-reached-named").compute(other_programme, PERIOD, Filters()),
    ]
    assert dict(
        StoredFigure.objects.filter(programme=other_programme).values_list("indicator_code", "computed_at")
    ) == (other_figures)


def test_writes_of_one_transaction_bump_the_version_once_after_the_commit(
    programme: Programme, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        for _index in range(3):
            audit_record(action=AuditEvent.Action.CREATE, actor=None, programme=programme, target_type="test")
        audit_record(action=AuditEvent.Action.READ, actor=None, programme=programme, target_type="test")
        assert not ProgrammeDataVersion.objects.filter(programme=programme).exists()
    assert ProgrammeDataVersion.objects.get(programme=programme).version == 1


def _write_then_fail(programme: Programme) -> None:
    with transaction.atomic():
        audit_record(action=AuditEvent.Action.UPDATE, actor=None, programme=programme, target_type="test")
        raise RuntimeError


def test_a_rolled_back_write_changes_no_version_and_the_next_one_still_counts(
    programme: Programme, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            _write_then_fail(programme)
        with transaction.atomic():
            audit_record(action=AuditEvent.Action.UPDATE, actor=None, programme=programme, target_type="test")
    assert ProgrammeDataVersion.objects.get(programme=programme).version == 1


@override_settings(TRAMA_STORED_FIGURES_MAX_AGE=0)
def test_stored_figures_older_than_the_limit_are_computed_again(programme: Programme) -> None:
    """The safety net for a write that bypassed the services (here a factory: no audit)."""
    _reach(programme, 5)
    assert [cell.value for cell in _named([programme])] == [5]
    _reach(programme, 2)
    assert [cell.value for cell in _named([programme])] == [7]


def test_the_nightly_refresh_stores_what_each_funder_sees_first(
    client: Client,
    programme: Programme,
    other_programme: Programme,
    member: Callable,
    login: Callable,
) -> None:
    from django.core.management import call_command

    today = timezone.localdate()  # the fixtures' programmes have no start: their default period is today
    _reach(programme, 6, (today.year, today.month, today.day))
    _reach(other_programme, 9, (today.year, today.month, today.day))
    funder = member(Role.FUNDER)
    MembershipFactory(user=funder, programme=other_programme, organisation=OrganisationFactory(), role=Role.FUNDER)
    call_command("refresh_figures")
    period = selectors.across_default_period([programme, other_programme])
    stored = StoredFigure.objects.filter(start=period.start, end=period.end, indicator_code="citizens-reached-named")
    assert dict(stored.values_list("programme__slug", "value")) == {programme.slug: 6, other_programme.slug: 9}
    login(client, funder)
    response = client.get(reverse("evaluation:across", kwargs={"slug": programme.slug}))
    rows = {
        row.indicator.code: [cell.value for cell in row.cells]
        for row in response.context["table"].rows
        if row.indicator
    }
    assert rows["citizens-reached-named"] == [6, 9]
