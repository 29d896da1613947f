"""The iCalendar feeds (RFC 5545): they parse with `icalendar`, carry Europe/Rome times, the
recurrence with its exceptions (closures, cancelled and moved dates), and never an internal
activity or a person's name."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event

from trama.activities.models import Activity, Occurrence
from trama.activities.services import occurrence_add, occurrence_cancel, occurrence_move
from trama.activities.tests.factories import ActivityFactory, ClosureFactory, RegistrationFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import CommunityPlaceFactory

pytestmark = pytest.mark.django_db


def _next_monday(weeks: int = 1, hour: int = 16, minute: int = 30) -> datetime:
    today = timezone.localdate()
    monday = today + timedelta(days=7 - today.weekday() + 7 * (weeks - 1))
    return rome(monday.year, monday.month, monday.day, hour, minute)


def _feed_url(programme) -> str:
    return reverse("activities-public:feed", kwargs={"slug": programme.slug})


def _place_feed_url(programme, place) -> str:
    return reverse("activities-public:place-feed", kwargs={"slug": programme.slug, "place_id": place.public_id})


def _parse(response) -> Calendar:
    assert response.status_code == 200
    return Calendar.from_ical(response.content)


def _events(calendar: Calendar, activity_or_occurrence) -> list[Event]:
    uid = f"{activity_or_occurrence.public_id}@trama"
    return [event for event in calendar.walk("VEVENT") if str(event["UID"]) == uid]


def _master(calendar: Calendar, activity: Activity) -> Event:
    (master,) = [event for event in _events(calendar, activity) if "RECURRENCE-ID" not in event]
    return master


def _override(calendar: Calendar, activity: Activity, original: datetime) -> Event:
    (override,) = [
        event
        for event in _events(calendar, activity)
        if "RECURRENCE-ID" in event and event.decoded("RECURRENCE-ID") == original
    ]
    return override


def _exdates(event: Event) -> set[datetime]:
    value = event.get("EXDATE")
    if value is None:
        return set()
    lists = value if isinstance(value, list) else [value]
    return {item.dt for dates in lists for item in dates.dts}


def _tzid(event: Event, name: str) -> str:
    return event[name].params["TZID"]


@pytest.fixture
def weekly(programme):
    """Homework help on eight Mondays at 16:30; the third Monday falls in a closure."""
    third = _next_monday(3)
    ClosureFactory(programme=programme, name="Ponte", start_date=third.date(), end_date=third.date())
    return ActivityFactory(
        programme=programme, title="Aiuto compiti del lunedì", first_start=_next_monday(1),
        recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=8", description="Porta il diario.",
    )  # fmt: skip


def test_it_serves_a_feed_that_icalendar_parses_with_europe_rome_times(client, programme, weekly):
    response = client.get(_feed_url(programme))
    calendar = _parse(response)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert "public" in response["Cache-Control"]
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]
    master = _master(calendar, weekly)
    assert _tzid(master, "DTSTART") == "Europe/Rome"
    assert _tzid(master, "DTEND") == "Europe/Rome"
    assert master.decoded("DTSTART") == weekly.first_start
    assert master.decoded("DTSTART").strftime("%H:%M") == "16:30"
    assert master.decoded("DTEND") - master.decoded("DTSTART") == timedelta(minutes=90)
    assert str(master["SUMMARY"]) == "Aiuto compiti del lunedì"
    assert "Porta il diario." in str(master["DESCRIPTION"])
    assert str(master["URL"]) == f"http://testserver{weekly.get_public_url()}"
    assert weekly.place.name in str(master["LOCATION"])
    assert weekly.place.address in str(master["LOCATION"])
    assert "DTSTAMP" in master
    assert "LAST-MODIFIED" in master


def test_it_gives_a_recurring_activity_one_event_with_its_rule_and_the_closure_as_exdate(client, programme, weekly):
    calendar = _parse(client.get(_feed_url(programme)))

    master = _master(calendar, weekly)
    rule = master["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"]
    assert rule["BYDAY"] == ["MO"]
    assert rule["COUNT"] == [8]
    assert _exdates(master) == {_next_monday(3)}
    assert _tzid(master, "EXDATE") == "Europe/Rome"
    # One event for the whole series: the seven dates are not repeated one by one.
    assert len(_events(calendar, weekly)) == 1
    assert weekly.occurrences.count() == 7


def test_it_gives_a_cancelled_date_an_override_with_the_same_uid_and_status_cancelled(client, programme, weekly):
    second = weekly.occurrences.get(original_start=_next_monday(2))
    occurrence_cancel(actor=None, occurrence=second, note="Maestra Ginevra ammalata")

    body = client.get(_feed_url(programme)).content
    override = _override(Calendar.from_ical(body), weekly, _next_monday(2))

    assert str(override["STATUS"]) == "CANCELLED"
    assert _tzid(override, "RECURRENCE-ID") == "Europe/Rome"
    assert override.decoded("DTSTART") == _next_monday(2)
    assert b"Ginevra" not in body  # the staff's note stays inside


def test_it_gives_a_moved_date_an_override_with_the_new_times(client, programme, weekly):
    fourth = weekly.occurrences.get(original_start=_next_monday(4))
    moved_to = _next_monday(4) + timedelta(days=1, hours=1)
    occurrence_move(actor=None, occurrence=fourth, starts_at=moved_to, ends_at=moved_to + timedelta(hours=2))

    calendar = _parse(client.get(_feed_url(programme)))
    override = _override(calendar, weekly, _next_monday(4))

    assert override.decoded("DTSTART") == moved_to
    assert override.decoded("DTEND") == moved_to + timedelta(hours=2)
    assert _tzid(override, "DTSTART") == "Europe/Rome"
    assert str(override["STATUS"]) == "CONFIRMED"
    assert _next_monday(4) not in _exdates(_master(calendar, weekly))


def test_it_gives_an_extra_date_and_a_single_date_activity_events_of_their_own(client, programme, weekly):
    extra_start = _next_monday(2) + timedelta(days=2)
    extra = occurrence_add(actor=None, activity=weekly, starts_at=extra_start, ends_at=extra_start + timedelta(hours=1))
    party = ActivityFactory(programme=programme, kind=Activity.Kind.PUBLIC_EVENT, title="Festa di quartiere",
                            first_start=_next_monday(2) + timedelta(days=5), recurrence="")  # fmt: skip
    party_date = party.occurrences.get()

    calendar = _parse(client.get(_feed_url(programme)))

    (extra_event,) = _events(calendar, extra)
    assert extra_event.decoded("DTSTART") == extra_start
    assert "RRULE" not in extra_event
    assert "RECURRENCE-ID" not in extra_event
    (party_event,) = _events(calendar, party_date)
    assert str(party_event["SUMMARY"]) == "Festa di quartiere"
    assert party_event.decoded("DTSTART") == party.first_start
    assert "RRULE" not in party_event


def test_it_excludes_a_first_start_that_the_rule_does_not_give(client, programme):
    # A Tuesday start with a Monday rule: RFC 5545 would count the Tuesday; the schedule does not.
    tuesday = _next_monday(1) + timedelta(days=1)
    activity = ActivityFactory(programme=programme, first_start=tuesday, recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=3")

    master = _master(_parse(client.get(_feed_url(programme))), activity)

    assert tuesday in _exdates(master)
    assert activity.occurrences.filter(starts_at=tuesday).count() == 0


def test_it_writes_until_in_utc_beside_a_start_with_a_time_zone(client, programme):
    activity = ActivityFactory(
        programme=programme, first_start=_next_monday(1), recurrence="FREQ=WEEKLY;BYDAY=MO;UNTIL=20991231"
    )
    body = client.get(_feed_url(programme)).content.decode()

    master = _master(Calendar.from_ical(body), activity)
    (until,) = master["RRULE"]["UNTIL"]
    assert until.utcoffset() == timedelta(0)
    assert "UNTIL=20991231T225959Z" in body  # 23:59:59 in Rome (winter time) is 22:59:59 UTC


def test_it_never_shows_internal_or_archived_activities_nor_names(client, programme, weekly):
    internal = ActivityFactory(programme=programme, title="Riunione riservata dell'équipe", is_public=False,
                               first_start=_next_monday(1))  # fmt: skip
    archived = ActivityFactory(programme=programme, title="Corso archiviato", status=Activity.Status.ARCHIVED,
                               first_start=_next_monday(1))  # fmt: skip
    child = PersonFactory(programme=programme, first_name="Eustachio", last_name="Quagliarulo")
    RegistrationFactory(activity=weekly, person=child, guardian_name="Filomena Quagliarulo")
    RegistrationFactory(activity=internal, person=PersonFactory(programme=programme, last_name="Zappacosta"))

    body = client.get(_feed_url(programme)).content.decode()

    assert "Aiuto compiti del lunedì" in body
    for secret in ("Riunione riservata", "Corso archiviato", str(internal.public_id), str(archived.public_id),
                   "Eustachio", "Quagliarulo", "Filomena", "Zappacosta"):  # fmt: skip
        assert secret not in body
    for occurrence in Occurrence.objects.filter(activity__in=[internal, archived]):
        assert str(occurrence.public_id) not in body


def test_it_leaves_out_activities_that_ended_long_ago_and_other_programmes(client, programme, other_programme):
    old = ActivityFactory(programme=programme, first_start=timezone.now() - timedelta(days=200))
    theirs = ActivityFactory(programme=other_programme, first_start=_next_monday(1))

    body = client.get(_feed_url(programme)).content.decode()

    assert str(old.occurrences.get().public_id) not in body
    assert str(theirs.occurrences.get().public_id) not in body


def test_it_answers_404_for_an_unknown_or_hidden_programme(client, programme):
    assert client.get(reverse("activities-public:feed", kwargs={"slug": "nessuno"})).status_code == 404
    programme.is_public = False
    programme.save()
    assert client.get(_feed_url(programme)).status_code == 404


# --- The feed of a place -----------------------------------------------------------------


def test_the_place_feed_has_only_that_places_activities(client, programme, weekly):
    elsewhere = ActivityFactory(programme=programme, title="Laboratorio altrove", first_start=_next_monday(1))
    at_venue = ActivityFactory(programme=programme, place=None, venue="Parco della Vernavola",
                               first_start=_next_monday(1))  # fmt: skip

    body = client.get(_place_feed_url(programme, weekly.place)).content
    calendar = Calendar.from_ical(body)

    assert _events(calendar, weekly)
    assert "Laboratorio altrove" not in body.decode()
    assert not _events(calendar, elsewhere.occurrences.get())
    assert not _events(calendar, at_venue.occurrences.get())
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Rome"]


def test_the_place_feed_answers_404_for_an_unpublished_place_or_one_of_another_programme(
    client, programme, other_programme
):
    hidden = CommunityPlaceFactory(programme=programme, is_published=False)
    theirs = CommunityPlaceFactory(programme=other_programme)

    assert client.get(_place_feed_url(programme, hidden)).status_code == 404
    assert client.get(_place_feed_url(programme, theirs)).status_code == 404


def test_an_unpublished_place_is_not_named_in_the_feed(client, programme):
    hidden = CommunityPlaceFactory(programme=programme, name="Sede non pubblicata", is_published=False)
    activity = ActivityFactory(programme=programme, place=hidden, first_start=_next_monday(1))

    calendar = _parse(client.get(_feed_url(programme)))

    (event,) = _events(calendar, activity.occurrences.get())
    assert "Sede non pubblicata" not in str(event["LOCATION"])
    assert hidden.municipality.name in str(event["LOCATION"])


# --- Cost ------------------------------------------------------------------------------------


def _grow(programme, place, size: int) -> None:
    """`size` activities of every shape: recurring with a cancelled, a moved and an extra date,
    and single dates, with registrations."""
    for number in range(size):
        if number % 2:
            activity = ActivityFactory(programme=programme, place=place, first_start=_next_monday(1),
                                       recurrence="FREQ=WEEKLY;BYDAY=MO;COUNT=6")  # fmt: skip
            dates = list(activity.occurrences.order_by("starts_at"))
            occurrence_cancel(actor=None, occurrence=dates[1])
            occurrence_move(actor=None, occurrence=dates[2], starts_at=dates[2].starts_at + timedelta(hours=1),
                            ends_at=dates[2].ends_at + timedelta(hours=1))  # fmt: skip
            start = dates[3].starts_at + timedelta(days=2)
            occurrence_add(actor=None, activity=activity, starts_at=start, ends_at=start + timedelta(hours=1))
        else:
            activity = ActivityFactory(programme=programme, place=place, first_start=_next_monday(2))
        RegistrationFactory(activity=activity)


@pytest.mark.parametrize("which", ["programme", "place"])
def test_it_builds_the_feeds_with_a_fixed_number_of_queries(client, programme, django_assert_num_queries, which):
    place = CommunityPlaceFactory(programme=programme)
    ClosureFactory(programme=programme)
    url = _feed_url(programme) if which == "programme" else _place_feed_url(programme, place)
    _grow(programme, place, 2)
    expected = 4 if which == "programme" else 5  # programme, (place), activities, their dates, closures
    with django_assert_num_queries(expected):
        assert len(_parse(client.get(url)).walk("VEVENT")) == 2 + 3
    _grow(programme, place, 18)
    with django_assert_num_queries(expected):
        assert len(_parse(client.get(url)).walk("VEVENT")) == 20 + 30
