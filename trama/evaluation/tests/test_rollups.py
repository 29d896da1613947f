"""The roll-up of first attendances equals the plain query, whatever the services do."""

from __future__ import annotations

from datetime import date

import pytest

from trama.activities import services as activity_services
from trama.activities.models import Attendance
from trama.activities.tests.factories import ActivityFactory, AttendanceFactory, OccurrenceFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.evaluation.models import PersonFirstSeen, plain_first_seen, refresh
from trama.territory.models import Programme

pytestmark = pytest.mark.django_db


def _rollup() -> set[tuple[int, int, date]]:
    return set(PersonFirstSeen.objects.values_list("programme_id", "person_id", "first_seen"))


def _plain() -> set[tuple[int, int, date]]:
    return {(row["programme_id"], row["person_id"], row["first_seen"]) for row in plain_first_seen()}


def _occurrence(programme: Programme, day: int) -> object:
    activity = ActivityFactory(programme=programme, expand=False, registration_required=False)
    return OccurrenceFactory(activity=activity, starts_at=rome(2026, 3, day, 16, 30))


def test_it_follows_attendances_saved_and_deleted_one_by_one(programme: Programme, other_programme: Programme) -> None:
    later, earlier = _occurrence(programme, 20), _occurrence(programme, 5)
    person = PersonFactory(programme=programme)
    AttendanceFactory(occurrence=later, person=person)
    assert _rollup() == _plain() == {(programme.pk, person.pk, date(2026, 3, 20))}
    first = AttendanceFactory(occurrence=earlier, person=person)
    AttendanceFactory(occurrence=_occurrence(other_programme, 7))
    assert _rollup() == _plain()
    first.delete()
    assert _rollup() == _plain()
    assert (programme.pk, person.pk, date(2026, 3, 20)) in _rollup()
    Attendance.objects.filter(person=person).delete()
    assert _rollup() == _plain()
    assert not PersonFirstSeen.objects.filter(person=person).exists()


def test_it_follows_the_check_in_sheet_which_writes_in_bulk(programme: Programme) -> None:
    occurrence = _occurrence(programme, 12)
    people = [PersonFactory(programme=programme) for _index in range(3)]
    activity_services.attendance_set(actor=None, occurrence=occurrence, present=people)
    assert _rollup() == _plain()
    assert len(_rollup()) == 3
    activity_services.attendance_set(actor=None, occurrence=occurrence, present=people[:1])
    assert _rollup() == _plain()
    assert len(_rollup()) == 1


def test_refresh_rebuilds_it_equal_to_the_plain_query(programme: Programme, other_programme: Programme) -> None:
    for target in (programme, other_programme):
        occurrence = _occurrence(target, 9)
        for _index in range(4):
            AttendanceFactory(occurrence=occurrence)
    PersonFirstSeen.objects.all().delete()
    assert refresh(programme) == 4
    assert {row[0] for row in _rollup()} == {programme.pk}
    assert refresh() == 8
    assert _rollup() == _plain()
