"""My places' week: Monday to Sunday in Europe/Rome, the place filter, the figures of every
occurrence, only the activities the user runs, and a query count that does not grow with rows."""

from __future__ import annotations

from datetime import UTC, date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from trama.accounts.models import Role
from trama.activities.attendance import Week
from trama.activities.models import Occurrence, Registration
from trama.activities.tests.factories import (
    ActivityFactory,
    AttendanceFactory,
    OccurrenceFactory,
    RegistrationFactory,
    TallyFactory,
    rome,
)
from trama.activities.tests.test_attendance_pages import make_lab
from trama.core.tests.factories import CommunityPlaceFactory

pytestmark = pytest.mark.django_db


def week_url(programme, **query: str) -> str:
    address = reverse("activities:week", args=[programme.slug])
    return address + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def shown(response) -> list[Occurrence]:
    return [occurrence for day in response.context["days"] for occurrence in day.occurrences]


@pytest.fixture
def lab(programme):
    return make_lab(programme, people=0, starts_at=rome(2026, 11, 25, 16, 30))


@pytest.fixture
def manager_client(client, login, lab):
    return login(client, lab.manager)


# --- The week's bounds -----------------------------------------------------------------------


def test_a_week_runs_from_monday_to_sunday_midnight_in_rome():
    week = Week.containing(date(2026, 11, 28))  # a Saturday

    assert (week.monday, week.sunday) == (date(2026, 11, 23), date(2026, 11, 29))
    assert week.start == rome(2026, 11, 23, 0, 0)
    assert week.end == rome(2026, 11, 30, 0, 0)
    assert (week.previous, week.next) == (date(2026, 11, 16), date(2026, 11, 30))


def hours(week: Week) -> float:
    """Elapsed hours (in UTC: Python subtracts two times of the same zone by their wall clocks)."""
    return (week.end.astimezone(UTC) - week.start.astimezone(UTC)) / timedelta(hours=1)


def test_the_week_the_clocks_go_forward_is_an_hour_shorter():
    week = Week.containing(date(2026, 3, 29))  # summer time starts on Sunday 29 March 2026

    assert week.monday == date(2026, 3, 23)
    assert hours(week) == 167
    assert hours(Week.containing(date(2026, 10, 25))) == 169  # and back to winter time: an hour longer


def test_it_shows_the_occurrences_from_monday_midnight_to_sunday_night_in_rome(manager_client, lab):
    late_sunday_before = OccurrenceFactory(activity=lab.activity, starts_at=rome(2026, 11, 22, 23, 30))
    monday_early = OccurrenceFactory(activity=lab.activity, starts_at=rome(2026, 11, 23, 0, 30))
    sunday_late = OccurrenceFactory(activity=lab.activity, starts_at=rome(2026, 11, 29, 23, 0))
    next_monday = OccurrenceFactory(activity=lab.activity, starts_at=rome(2026, 11, 30, 0, 0))

    response = manager_client.get(week_url(lab.programme, settimana="2026-11-26"))

    assert response.status_code == 200
    assert [o.pk for o in shown(response)] == [monday_early.pk, lab.occurrence.pk, sunday_late.pk]
    assert late_sunday_before.pk not in {o.pk for o in shown(response)}
    assert next_monday.pk not in {o.pk for o in shown(response)}
    assert [day.day for day in response.context["days"]] == [date(2026, 11, 23), date(2026, 11, 25), date(2026, 11, 29)]
    content = response.content.decode()
    assert 'data-monday="2026-11-23" data-sunday="2026-11-29"' in content
    assert "settimana=2026-11-16" in content
    assert "settimana=2026-11-30" in content


def test_any_day_of_the_week_gives_the_same_week(manager_client, lab):
    for day in ("2026-11-23", "2026-11-25", "2026-11-29"):
        response = manager_client.get(week_url(lab.programme, settimana=day))
        assert response.context["week"].monday == date(2026, 11, 23)
        assert [o.pk for o in shown(response)] == [lab.occurrence.pk]


def test_it_shows_the_current_week_without_a_date_and_explains_a_bad_one(manager_client, lab):
    today = manager_client.get(week_url(lab.programme)).context
    bad = manager_client.get(week_url(lab.programme, settimana="31-02-2026"))

    assert today["week"] == Week.containing(today["today"])
    assert bad.status_code == 200
    assert "settimana" in bad.context["form"].errors
    assert bad.context["week"] == today["week"]


def test_it_keeps_the_place_when_only_the_date_is_wrong_and_refuses_far_off_years(manager_client, lab):
    for typo in ("0001-01-01", "9999-12-31"):
        response = manager_client.get(week_url(lab.programme, settimana=typo, luogo=str(lab.place.public_id)))
        assert response.status_code == 200
        assert set(response.context["form"].errors) == {"settimana"}
        assert response.context["place"] == lab.place


def test_it_says_when_nothing_is_scheduled(manager_client, lab):
    response = manager_client.get(week_url(lab.programme, settimana="2027-01-04"))

    assert response.context["days"] == []
    assert 'id="week-empty"' in response.content.decode()


# --- The place filter ------------------------------------------------------------------------


def test_it_narrows_the_week_to_one_of_my_places(manager_client, lab):
    second_place = CommunityPlaceFactory(programme=lab.programme, managing_organisation=lab.organisation)
    there = ActivityFactory(programme=lab.programme, place=second_place, expand=False)
    elsewhere = OccurrenceFactory(activity=there, starts_at=rome(2026, 11, 24, 10, 0))

    everything = manager_client.get(week_url(lab.programme, settimana="2026-11-24"))
    narrowed = manager_client.get(week_url(lab.programme, settimana="2026-11-24", luogo=str(second_place.public_id)))

    assert {o.pk for o in shown(everything)} == {lab.occurrence.pk, elsewhere.pk}
    assert [o.pk for o in shown(narrowed)] == [elsewhere.pk]
    assert f"luogo={second_place.public_id}" in narrowed.content.decode()  # kept by previous/next


def test_the_place_filter_offers_only_my_places(manager_client, lab):
    other = make_lab(lab.programme, name="Altra associazione", people=0, starts_at=rome(2026, 11, 24, 10, 0))

    page = manager_client.get(week_url(lab.programme, settimana="2026-11-24"))
    probing = manager_client.get(week_url(lab.programme, settimana="2026-11-24", luogo=str(other.place.public_id)))

    assert list(page.context["form"].fields["luogo"].queryset) == [lab.place]
    assert other.place.name not in page.content.decode()
    assert "luogo" in probing.context["form"].errors
    assert other.occurrence.pk not in {o.pk for o in shown(probing)}


def test_a_coordinator_sees_every_place_of_the_programme(client, login, coordinator, lab):
    other = make_lab(lab.programme, name="Altra associazione", people=0, starts_at=rome(2026, 11, 24, 10, 0))

    response = login(client, coordinator).get(week_url(lab.programme, settimana="2026-11-24"))

    assert set(response.context["form"].fields["luogo"].queryset) == {lab.place, other.place}
    assert {o.pk for o in shown(response)} == {lab.occurrence.pk, other.occurrence.pk}


# --- What each occurrence shows --------------------------------------------------------------


def test_it_shows_registrations_waiting_list_attendance_and_tally_of_each_occurrence(manager_client, lab):
    lab.activity.capacity = 3
    lab.activity.save(update_fields=["capacity"])
    registered = [RegistrationFactory(activity=lab.activity).person for _ in range(3)]
    RegistrationFactory.create_batch(2, activity=lab.activity, status=Registration.Status.WAITING)
    RegistrationFactory(activity=lab.activity, status=Registration.Status.CANCELLED)
    for person in registered[:2]:
        AttendanceFactory(occurrence=lab.occurrence, person=person)
    TallyFactory(occurrence=lab.occurrence, age_band="6-10", gender="F", count=45)
    TallyFactory(occurrence=lab.occurrence, age_band="18-64", gender="", count=75)

    response = manager_client.get(week_url(lab.programme, settimana="2026-11-25"))

    (occurrence,) = shown(response)
    assert (occurrence.registered, occurrence.waiting, occurrence.attended, occurrence.tally_total) == (3, 2, 2, 120)
    content = response.content.decode()
    assert 'data-figure="registered">3 / 3<' in content
    assert 'data-figure="waiting">2<' in content
    assert 'data-figure="attended">2<' in content
    assert 'data-figure="tally">120<' in content
    for name in ("checkin", "tally", "signin-sheet"):
        assert reverse(f"activities:{name}", args=[lab.programme.slug, lab.occurrence.public_id]) in content


def test_it_marks_cancelled_and_moved_dates(manager_client, lab):
    Occurrence.objects.filter(pk=lab.occurrence.pk).update(status=Occurrence.Status.CANCELLED, note="Sciopero")
    moved = OccurrenceFactory(
        activity=lab.activity, starts_at=rome(2026, 11, 27, 17, 0), original_start=rome(2026, 11, 26, 17, 0)
    )

    response = manager_client.get(week_url(lab.programme, settimana="2026-11-25"))

    content = response.content.decode()
    assert f'data-occurrence="{lab.occurrence.public_id}" data-status="cancelled"' in content
    assert f'data-occurrence="{moved.public_id}" data-status="moved"' in content
    assert "Sciopero" in content
    checkin = reverse("activities:checkin", args=[lab.programme.slug, lab.occurrence.public_id])
    assert checkin not in content  # nothing to record for a cancelled date


# --- Who sees what ---------------------------------------------------------------------------


def test_a_lab_manager_sees_only_the_activities_they_run(client, login, lab):
    other = make_lab(lab.programme, name="Altra associazione", people=0, starts_at=rome(2026, 11, 24, 10, 0))
    organised = ActivityFactory(programme=lab.programme, place=other.place, expand=False)
    organised.organisers.add(lab.organisation)
    guest = OccurrenceFactory(activity=organised, starts_at=rome(2026, 11, 26, 9, 0))

    mine = login(client, lab.manager).get(week_url(lab.programme, settimana="2026-11-24"))
    theirs = login(client, other.manager).get(week_url(lab.programme, settimana="2026-11-24"))

    assert {o.pk for o in shown(mine)} == {lab.occurrence.pk, guest.pk}
    assert {o.pk for o in shown(theirs)} == {other.occurrence.pk, guest.pk}  # held at their place
    assert str(lab.occurrence.public_id) not in theirs.content.decode()
    assert set(mine.context["form"].fields["luogo"].queryset) == {lab.place, other.place}


@pytest.mark.parametrize(
    ("role", "status"),
    [(Role.OPERATOR, 403), (Role.EVALUATOR, 403), (Role.VOLUNTEER, 403), (Role.FUNDER, 403)],
)
def test_other_roles_cannot_open_the_week(client, login, member, lab, role, status):
    response = login(client, member(role)).get(week_url(lab.programme))
    assert response.status_code == status


def test_a_member_of_another_programme_gets_404(client, login, member, lab, other_programme):
    stranger = member(Role.COORDINATOR, of=other_programme)
    assert login(client, stranger).get(week_url(lab.programme)).status_code == 404


# --- Cost ------------------------------------------------------------------------------------


def _week_with(programme, occurrences: int, name: str):
    lab = make_lab(programme, name=name, people=0, starts_at=rome(2026, 11, 23, 9, 0))
    for n in range(occurrences - 1):
        activity = ActivityFactory(programme=programme, place=lab.place, capacity=10, expand=False)
        activity.organisers.add(lab.organisation)
        occurrence = OccurrenceFactory(activity=activity, starts_at=rome(2026, 11, 23 + n % 7, 10 + n % 8, 0))
        person = RegistrationFactory(activity=activity).person
        RegistrationFactory(activity=activity, status=Registration.Status.WAITING)
        AttendanceFactory(occurrence=occurrence, person=person)
        TallyFactory(occurrence=occurrence)
    return lab


def test_the_week_costs_the_same_queries_for_2_and_20_occurrences(client, login, programme):
    small = _week_with(programme, 2, "Piccolo laboratorio")
    large = _week_with(programme, 20, "Grande laboratorio")
    counts = []
    for lab, expected in ((small, 2), (large, 20)):
        login(client, lab.manager)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(week_url(programme, settimana="2026-11-23"))
        assert len(shown(response)) == expected
        counts.append(len(queries.captured_queries))

    assert counts[0] == counts[1]


def test_it_shows_the_volunteers_signed_up_for_the_dates_shifts(manager_client, lab):
    from trama.mutualaid.tests.factories import ShiftFactory, SignupFactory

    shift = ShiftFactory(occurrence=lab.occurrence, slots=2)
    SignupFactory(shift=shift)
    SignupFactory(shift=shift, status="cancelled")
    response = manager_client.get(week_url(lab.programme, settimana="2026-11-26"))
    occurrence = next(o for o in shown(response) if o.pk == lab.occurrence.pk)
    assert (occurrence.volunteers, occurrence.volunteers_needed) == (1, 2)
    assert 'data-figure="volunteers">1 / 2<' in response.content.decode()
