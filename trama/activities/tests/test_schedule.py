"""The schedule: RFC 5545 rules expanded into occurrences, closures skipped, dates moved and
cancelled one by one, a changed rule re-expanded without touching the past."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from trama.activities.models import Occurrence
from trama.activities.services import activity_create, activity_update, closure_save, occurrence_cancel, occurrence_move
from trama.activities.tests.factories import ActivityFactory, ClosureFactory, rome
from trama.core.tests.factories import CommunityPlaceFactory
from trama.territory.models import Municipality

pytestmark = pytest.mark.django_db
WEEKLY_SCHOOL_YEAR = "FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270609T235959Z"


def _local(occurrence: Occurrence) -> tuple[date, str]:
    start = timezone.localtime(occurrence.starts_at)
    return start.date(), start.strftime("%H:%M")


def _fields(place, **overrides):
    fields = {
        "title": "Aiuto compiti", "kind": "homework_help", "audience": "children_6_10", "place": place,
        "municipality": place.municipality, "first_start": rome(2026, 9, 14, 16, 30), "duration_minutes": 90,
        "recurrence": WEEKLY_SCHOOL_YEAR, "skip_closures": True, "is_public": True,
    }  # fmt: skip
    return fields | overrides


@pytest.fixture
def place(programme):
    programme.municipalities.add(Municipality.objects.get(istat_code="018110"))
    return CommunityPlaceFactory(programme=programme)


def test_it_expands_a_school_year_of_homework_help_skipping_the_christmas_holidays(programme, place):
    ClosureFactory(programme=programme, start_date=date(2026, 12, 23), end_date=date(2027, 1, 6))
    activity = activity_create(actor=None, programme=programme, fields=_fields(place))

    days = [_local(o) for o in activity.occurrences.order_by("starts_at")]
    assert days[0] == (date(2026, 9, 14), "16:30")
    assert days[-1] == (date(2027, 6, 9), "16:30")
    assert all(not (date(2026, 12, 23) <= day <= date(2027, 1, 6)) for day, _ in days)
    assert (date(2026, 12, 21), "16:30") in days
    assert (date(2027, 1, 11), "16:30") in days
    # Wall-clock time kept across the end of summer time (25 October 2026).
    assert {hour for _, hour in days} == {"16:30"}
    assert all(o.ends_at - o.starts_at == timedelta(minutes=90) for o in activity.occurrences.all())


def test_it_adds_nothing_when_the_schedule_is_expanded_again(programme, place):
    activity = activity_create(actor=None, programme=programme, fields=_fields(place))
    count = activity.occurrences.count()
    activity_update(actor=None, activity=activity, expected_version=1, fields={"title": "Aiuto compiti (medie)"})
    assert activity.occurrences.count() == count


def test_a_new_closure_drops_the_untouched_future_dates_it_covers(programme, place):
    activity = ActivityFactory(
        programme=programme,
        place=place,
        first_start=timezone.now() + timedelta(days=1),
        recurrence="FREQ=DAILY;COUNT=10",
    )
    tomorrow = timezone.localdate() + timedelta(days=1)
    closure_save(actor=None, programme=programme, name="Ponte", start_date=tomorrow + timedelta(days=2),
                 end_date=tomorrow + timedelta(days=3))  # fmt: skip
    assert activity.occurrences.count() == 8


def test_a_moved_occurrence_keeps_its_scheduled_date_and_survives_a_new_rule(programme, place):
    start = timezone.now().replace(microsecond=0) + timedelta(days=1)
    activity = activity_create(
        actor=None, programme=programme, fields=_fields(place, first_start=start, recurrence="FREQ=DAILY;COUNT=5")
    )
    first = activity.occurrences.order_by("starts_at").first()
    moved = occurrence_move(
        actor=None, occurrence=first, starts_at=first.starts_at + timedelta(hours=2),
        ends_at=first.ends_at + timedelta(hours=2), note="Palestra occupata",
    )  # fmt: skip
    assert moved.is_moved
    assert moved.original_start == first.starts_at

    activity_update(actor=None, activity=activity, expected_version=1, fields={"recurrence": "FREQ=DAILY;COUNT=2"})
    assert activity.occurrences.count() == 2
    assert activity.occurrences.filter(pk=moved.pk).exists()


def test_it_refuses_an_occurrence_ending_before_it_starts(programme, place):
    activity = ActivityFactory(programme=programme, place=place)
    occurrence = activity.occurrences.first()
    with pytest.raises(ValidationError) as error:
        occurrence_move(actor=None, occurrence=occurrence, starts_at=occurrence.starts_at,
                        ends_at=occurrence.starts_at - timedelta(minutes=1))  # fmt: skip
    assert "deve finire dopo" in str(error.value) or "must end after it starts" in str(error.value)
    occurrence.refresh_from_db()
    assert not occurrence.is_moved


def test_it_refuses_a_rule_that_is_not_rfc_5545(programme, place):
    with pytest.raises(ValidationError) as error:
        activity_create(actor=None, programme=programme, fields=_fields(place, recurrence="EVERY MONDAY"))
    assert "recurrence" in error.value.message_dict
    assert not programme.activities.exists()


def test_a_cancelled_date_stays_as_a_record(programme, place):
    activity = ActivityFactory(programme=programme, place=place, recurrence="FREQ=WEEKLY;COUNT=3")
    occurrence = activity.occurrences.order_by("starts_at")[1]
    occurrence_cancel(actor=None, occurrence=occurrence, note="Sciopero")
    assert activity.occurrences.filter(status=Occurrence.Status.CANCELLED).count() == 1
    assert activity.occurrences.count() == 3


def test_an_open_rule_is_kept_a_year_ahead_by_the_daily_extension(programme, place):
    from io import StringIO

    from django.core.management import call_command

    start = timezone.now().replace(microsecond=0) - timedelta(days=400)
    activity = ActivityFactory(programme=programme, place=place, first_start=start, recurrence="FREQ=WEEKLY")
    latest = activity.occurrences.order_by("-starts_at").first().starts_at
    assert latest > timezone.now() + timedelta(days=350)
    out = StringIO()
    call_command("extend_schedules", stdout=out)
    assert out.getvalue().startswith("0 dates added")
