"""The public calendar and the activity pages: dates to come grouped by day, filters, pagination,
404s, and never an internal activity or a person's name."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from trama.activities.models import Activity, Occurrence
from trama.activities.services import occurrence_cancel, occurrence_move
from trama.activities.tests.factories import ActivityFactory, OccurrenceFactory, RegistrationFactory, rome
from trama.casework.tests.factories import PersonFactory
from trama.core.tests.factories import CitizenGroupFactory, CommunityPlaceFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def _day(days: int, hour: int = 17) -> datetime:
    day = timezone.localdate() + timedelta(days=days)
    return rome(day.year, day.month, day.day, hour, 0)


def _calendar_url(programme, **query: str) -> str:
    url = reverse("activities-public:calendar", kwargs={"slug": programme.slug})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _shown(response) -> set[str]:
    """The public ids of the occurrences listed on the calendar page."""
    assert response.status_code == 200
    return set(re.findall(r'data-occurrence="([0-9a-f-]{36})"', response.content.decode()))


def _only_date(activity: Activity) -> Occurrence:
    return activity.occurrences.get()


# --- The listing -----------------------------------------------------------------------------


def test_it_lists_the_dates_to_come_grouped_by_day(client, programme):
    lab = ActivityFactory(programme=programme, title="Laboratorio di ceramica", first_start=_day(2),
                          recurrence="FREQ=DAILY;COUNT=3")  # fmt: skip
    party = ActivityFactory(programme=programme, title="Festa di primavera", first_start=_day(2, hour=20))
    past = ActivityFactory(programme=programme, title="Incontro passato", first_start=_day(-3))

    response = client.get(_calendar_url(programme))
    body = response.content.decode()

    expected = {str(o.public_id) for o in Occurrence.objects.filter(activity__in=[lab, party])}
    assert _shown(response) == expected
    assert "Incontro passato" not in body
    assert str(_only_date(past).public_id) not in body
    day_ids = re.findall(r'<h2 id="day-(\d{4}-\d{2}-\d{2})"', body)
    assert day_ids == [(timezone.localdate() + timedelta(days=n)).isoformat() for n in (2, 3, 4)]
    first_day = body[body.index(f'id="day-{day_ids[0]}"') : body.index(f'id="day-{day_ids[1]}"')]
    assert "Laboratorio di ceramica" in first_day
    assert "Festa di primavera" in first_day
    assert re.search(r'data-count="4"', body)


def test_it_shows_a_cancelled_date_still_to_come_as_cancelled(client, programme):
    activity = ActivityFactory(programme=programme, first_start=_day(1), recurrence="FREQ=DAILY;COUNT=2")
    first, second = activity.occurrences.order_by("starts_at")
    occurrence_cancel(actor=None, occurrence=first)

    body = client.get(_calendar_url(programme)).content.decode()

    assert f'data-occurrence="{first.public_id}" data-status="cancelled"' in body
    assert f'data-occurrence="{second.public_id}" data-status="scheduled"' in body


def test_it_keeps_a_date_that_is_under_way(client, programme):
    now = timezone.now()
    activity = ActivityFactory(programme=programme, first_start=now - timedelta(minutes=30), expand=False)
    running = OccurrenceFactory(activity=activity, starts_at=now - timedelta(minutes=30),
                                ends_at=now + timedelta(minutes=60))  # fmt: skip
    OccurrenceFactory(activity=activity, starts_at=now - timedelta(hours=3), ends_at=now - timedelta(hours=1))

    assert _shown(client.get(_calendar_url(programme))) == {str(running.public_id)}


def test_it_never_lists_internal_archived_or_other_programmes_activities(client, programme, other_programme):
    public = ActivityFactory(programme=programme, first_start=_day(1))
    internal = ActivityFactory(programme=programme, title="Équipe riservata", is_public=False, first_start=_day(1))
    archived = ActivityFactory(programme=programme, title="Corso chiuso", status=Activity.Status.ARCHIVED,
                               first_start=_day(1))  # fmt: skip
    theirs = ActivityFactory(programme=other_programme, title="Evento di un altro programma", first_start=_day(1))

    response = client.get(_calendar_url(programme))
    body = response.content.decode()

    assert _shown(response) == {str(_only_date(public).public_id)}
    for hidden in (internal, archived, theirs):
        assert hidden.title not in body
        assert str(hidden.public_id) not in body


def test_it_filters_by_place_audience_and_kind(client, programme):
    lab = CommunityPlaceFactory(programme=programme, name="Laboratorio Borgo")
    other = CommunityPlaceFactory(programme=programme, name="Laboratorio Centro")
    homework = ActivityFactory(programme=programme, place=lab, first_start=_day(1),
                               kind=Activity.Kind.HOMEWORK_HELP, audience=Activity.Audience.CHILDREN_6_10)  # fmt: skip
    sport = ActivityFactory(programme=programme, place=other, first_start=_day(1),
                            kind=Activity.Kind.SPORT, audience=Activity.Audience.ADOLESCENTS)  # fmt: skip
    evening = ActivityFactory(programme=programme, place=lab, first_start=_day(2),
                              kind=Activity.Kind.THEMATIC_MEETING, audience=Activity.Audience.ADULTS)  # fmt: skip

    def ids(*activities: Activity) -> set[str]:
        return {str(_only_date(a).public_id) for a in activities}

    assert _shown(client.get(_calendar_url(programme, place=lab.public_id))) == ids(homework, evening)
    assert _shown(client.get(_calendar_url(programme, audience="adolescents"))) == ids(sport)
    assert _shown(client.get(_calendar_url(programme, kind="thematic_meeting"))) == ids(evening)
    assert _shown(client.get(_calendar_url(programme, place=lab.public_id, kind="homework_help"))) == ids(homework)
    # A value that is not a choice is dropped; the other filters still apply.
    assert _shown(client.get(_calendar_url(programme, audience="nobody", kind="sport"))) == ids(sport)


def test_it_offers_only_published_places_with_public_activities_as_filters(client, programme):
    used = CommunityPlaceFactory(programme=programme, name="Laboratorio Usato")
    hidden = CommunityPlaceFactory(programme=programme, name="Sede Nascosta", is_published=False)
    CommunityPlaceFactory(programme=programme, name="Laboratorio Vuoto")
    ActivityFactory(programme=programme, place=used, first_start=_day(1))
    ActivityFactory(programme=programme, place=hidden, first_start=_day(1))

    body = client.get(_calendar_url(programme)).content.decode()

    assert f'<option value="{used.public_id}">Laboratorio Usato</option>' in body
    assert "Sede Nascosta" not in body  # neither as a filter nor as the place of its activity
    assert "Laboratorio Vuoto" not in body
    # An unpublished place is no choice: the filter is dropped with a warning, like any bad value.
    filtered = client.get(_calendar_url(programme, place=hidden.public_id))
    assert _shown(filtered) == _shown(client.get(_calendar_url(programme)))
    assert 'class="alert alert-warning" role="alert"' in filtered.content.decode()


def test_it_says_so_when_nothing_is_scheduled(client, programme):
    response = client.get(_calendar_url(programme))
    assert _shown(response) == set()
    assert 'data-count="0"' in response.content.decode()
    assert 'class="alert alert-info" role="status"' in response.content.decode()


def test_it_paginates_and_keeps_the_filters_in_the_page_links(client, programme):
    activity = ActivityFactory(programme=programme, first_start=_day(1), recurrence="FREQ=DAILY;COUNT=35",
                               kind=Activity.Kind.SPORT)  # fmt: skip
    dates = [str(o.public_id) for o in activity.occurrences.order_by("starts_at")]

    first = client.get(_calendar_url(programme, kind="sport"))
    second = client.get(_calendar_url(programme, kind="sport", page="2"))

    assert _shown(first) == set(dates[:30])
    assert _shown(second) == set(dates[30:])
    assert "?kind=sport&amp;page=2" in first.content.decode()


def test_it_offers_the_feed_to_subscribe(client, programme):
    body = client.get(_calendar_url(programme)).content.decode()
    assert f'href="webcal://testserver/{programme.slug}/calendario.ics"' in body
    assert f'href="http://testserver/{programme.slug}/calendario.ics"' in body


def test_it_answers_404_for_an_unknown_or_hidden_programme(client, programme):
    assert client.get(reverse("activities-public:calendar", kwargs={"slug": "nessuno"})).status_code == 404
    programme.is_public = False
    programme.save()
    assert client.get(_calendar_url(programme)).status_code == 404


# --- The activity's page -----------------------------------------------------------------


def test_the_detail_page_shows_what_where_who_organises_and_the_next_dates(client, programme):
    place = CommunityPlaceFactory(programme=programme, name="Laboratorio San Pietro", address="Via Milano 12")
    cooperative = OrganisationFactory(name="Cooperativa Il Sorriso")
    group = CitizenGroupFactory(programme=programme, name="Mamme in rete")
    unpublished = CitizenGroupFactory(programme=programme, name="Gruppo non pubblicato", is_published=False)
    activity = ActivityFactory(
        programme=programme, place=place, title="Merende e compiti", first_start=_day(1),
        recurrence="FREQ=DAILY;COUNT=4", description="Con i volontari del quartiere.",
    )  # fmt: skip
    activity.organisers.add(cooperative)
    activity.co_organising_groups.add(group, unpublished)
    dates = list(activity.occurrences.order_by("starts_at"))
    occurrence_cancel(actor=None, occurrence=dates[1], note="Assenza di Ermenegilda")
    occurrence_move(actor=None, occurrence=dates[2], starts_at=dates[2].starts_at + timedelta(hours=1),
                    ends_at=dates[2].ends_at + timedelta(hours=1))  # fmt: skip

    response = client.get(activity.get_public_url())
    body = response.content.decode()

    assert response.status_code == 200
    assert "Merende e compiti" in body
    assert "Con i volontari del quartiere." in body
    assert f'href="{place.get_absolute_url()}">Laboratorio San Pietro</a>, Via Milano 12' in body
    assert "Cooperativa Il Sorriso" in body
    assert f'href="{group.get_absolute_url()}">Mamme in rete</a>' in body
    assert "Gruppo non pubblicato" not in body
    assert group.contact_name not in body
    assert group.contact_email not in body
    assert f'data-occurrence="{dates[1].public_id}" data-status="cancelled"' in body
    assert f'data-occurrence="{dates[2].public_id}" data-status="scheduled" data-moved="true"' in body
    assert "Ermenegilda" not in body  # the staff's note stays inside
    assert 'data-registration-required="false"' in body
    assert 'id="signup-form"' not in body


def test_the_detail_page_names_the_venue_when_there_is_no_published_place(client, programme):
    outdoors = ActivityFactory(programme=programme, place=None, venue="Parco della Vernavola", first_start=_day(1))
    hidden = CommunityPlaceFactory(programme=programme, name="Sede Riservata", is_published=False)
    inside = ActivityFactory(programme=programme, place=hidden, first_start=_day(1))

    assert "Parco della Vernavola, Pavia" in client.get(outdoors.get_public_url()).content.decode()
    body = client.get(inside.get_public_url()).content.decode()
    assert "Sede Riservata" not in body
    assert hidden.address not in body


def test_the_detail_page_counts_the_places_left_and_never_names_who_took_them(client, programme):
    activity = ActivityFactory(programme=programme, first_start=_day(1), registration_required=True, capacity=5)
    child = PersonFactory(programme=programme, first_name="Gelsomina", last_name="Trapanese")
    RegistrationFactory(activity=activity, person=child, guardian_name="Pasquale Trapanese")
    RegistrationFactory(activity=activity)
    RegistrationFactory(activity=activity, status="waiting")
    RegistrationFactory(activity=activity, status="cancelled")

    body = client.get(activity.get_public_url()).content.decode()

    assert 'data-places-left="3"' in body
    assert 'id="signup-form"' in body
    for name in ("Gelsomina", "Trapanese", "Pasquale"):
        assert name not in body
    assert "Gelsomina" not in client.get(_calendar_url(programme)).content.decode()


def test_the_detail_page_answers_404_for_internal_archived_foreign_or_unknown_activities(
    client, programme, other_programme
):
    internal = ActivityFactory(programme=programme, is_public=False, first_start=_day(1))
    archived = ActivityFactory(programme=programme, status=Activity.Status.ARCHIVED, first_start=_day(1))
    theirs = ActivityFactory(programme=other_programme, first_start=_day(1))

    for activity in (internal, archived):
        assert client.get(activity.get_public_url()).status_code == 404
    foreign = reverse("activities-public:detail", args=[programme.slug, theirs.public_id])
    assert client.get(foreign).status_code == 404
    unknown = reverse("activities-public:detail", args=[programme.slug, "00000000-0000-4000-8000-000000000000"])
    assert client.get(unknown).status_code == 404


def test_it_escapes_what_staff_typed(client, programme):
    activity = ActivityFactory(programme=programme, title="<script>alert(1)</script>", first_start=_day(1),
                               description="<img src=x onerror=alert(2)>")  # fmt: skip
    for url in (_calendar_url(programme), activity.get_public_url()):
        body = client.get(url).content.decode()
        assert "<script>alert(1)</script>" not in body
        assert "<img src=x" not in body


# --- The programme's home and the place's page -------------------------------------------------


def test_the_programme_home_links_the_calendar_and_shows_the_next_activities(client, programme):
    activity = ActivityFactory(programme=programme, title="Cineforum del giovedì", first_start=_day(3))
    internal = ActivityFactory(programme=programme, title="Riunione di staff", is_public=False, first_start=_day(1))

    body = client.get(programme.get_absolute_url()).content.decode()

    assert f'href="{_calendar_url(programme)}"' in body
    assert f'href="{activity.get_public_url()}">Cineforum del giovedì</a>' in body
    assert internal.title not in body


def test_the_place_page_shows_its_next_activities_and_its_feed(client, programme):
    place = CommunityPlaceFactory(programme=programme)
    here = ActivityFactory(programme=programme, place=place, title="Ginnastica dolce", first_start=_day(2))
    elsewhere = ActivityFactory(programme=programme, title="Altrove", first_start=_day(2))

    body = client.get(place.get_absolute_url()).content.decode()

    assert f'href="{here.get_public_url()}">Ginnastica dolce</a>' in body
    assert elsewhere.title not in body
    feed = reverse("activities-public:place-feed", kwargs={"slug": programme.slug, "place_id": place.public_id})
    assert f'href="{feed}"' in body


# --- Cost ------------------------------------------------------------------------------------


def _grow(programme, size: int) -> None:
    place = CommunityPlaceFactory(programme=programme)
    for number in range(size):
        activity = ActivityFactory(programme=programme, place=place if number % 2 else None, venue="Oratorio",
                                   first_start=_day(1 + number % 5), recurrence="FREQ=WEEKLY;COUNT=2")  # fmt: skip
        RegistrationFactory(activity=activity)
        occurrence_cancel(actor=None, occurrence=activity.occurrences.first())


def test_the_calendar_costs_a_fixed_number_of_queries(client, programme, django_assert_num_queries):
    # programme, places for the filter, count, the page of dates with their activities and places
    _grow(programme, 2)
    with django_assert_num_queries(4):
        assert len(_shown(client.get(_calendar_url(programme)))) == 4
    _grow(programme, 18)
    with django_assert_num_queries(4):
        assert len(_shown(client.get(_calendar_url(programme)))) == 30


def test_the_detail_page_costs_a_fixed_number_of_queries(client, programme, django_assert_num_queries):
    activity = ActivityFactory(programme=programme, first_start=_day(1), recurrence="FREQ=DAILY;COUNT=2",
                               registration_required=True, capacity=30)  # fmt: skip
    RegistrationFactory(activity=activity)
    # programme, activity with its seats taken, organisers, groups, next dates
    with django_assert_num_queries(5):
        client.get(activity.get_public_url())
    for _ in range(10):
        RegistrationFactory(activity=activity)
        activity.organisers.add(OrganisationFactory())
        activity.co_organising_groups.add(CitizenGroupFactory(programme=programme))
    with django_assert_num_queries(5):
        client.get(activity.get_public_url())
