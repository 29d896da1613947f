"""The public calendar: what a visitor may read of the activities, and the iCalendar feeds.

Only the programme's public, active activities ever leave through here; of them, the calendar
shows what an activity is, where and when — never who registered or attended (S8). A place is
named only when it is published on the map; otherwise the venue or the municipality says where.

The feeds follow RFC 5545 so that calendar applications accept them: a recurring activity is one
event with its rule, the dates its closures skip as EXDATE, and one override per moved or
cancelled date (same UID, RECURRENCE-ID = the date the schedule gave it). Every other date (an
extra date, a single-date activity) is an event of its own, with a UID from its public id.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vRecur

from trama.activities.models import Activity, Closure, Occurrence, Registration
from trama.activities.services import schedule_starts
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.territory.models import Programme

FEED_TIME_ZONE = "Europe/Rome"
# Feeds keep the activities with a date in the last three months: subscribers see what just
# happened, and a programme's feed does not grow for ever.
FEED_PAST = timedelta(days=90)
# The detail page lists this many of the next dates (the feed has them all).
NEXT_DATES = 10
# The programme's home and a place's page show this many of the next dates.
UPCOMING_PREVIEW = 5
UID_DOMAIN = "trama"


# --- Reads ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CalendarFilters:
    """What a visitor chose on the calendar page; empty means "all"."""

    place: str = ""  # the public id of a published place
    audience: str = ""
    kind: str = ""


def public_activities(programme: Programme) -> QuerySet[Activity]:
    """The activities a visitor may see: public and active. Every public read starts here."""
    return Activity.objects.for_programme(programme).filter(is_public=True, status=Activity.Status.ACTIVE)


def calendar_places(programme: Programme) -> list[tuple[str, str]]:
    """(public id, name) of the published places that hold public activities, for the filter."""
    places = (
        CommunityPlace.objects.for_programme(programme)
        .published()
        .filter(Exists(public_activities(programme).filter(place=OuterRef("pk"))))
        .order_by("name")
        .values_list("public_id", "name")
    )
    return [(str(public_id), name) for public_id, name in places]


def upcoming_occurrences(
    programme: Programme, filters: CalendarFilters | None = None, *, now: datetime | None = None
) -> QuerySet[Occurrence]:
    """The dates still to come of the public activities, in order. Cancelled dates stay in the
    list (the page strikes them through) so that nobody comes in vain."""
    filters = filters or CalendarFilters()
    occurrences = Occurrence.objects.filter(
        activity__in=public_activities(programme), ends_at__gt=now or timezone.now()
    ).select_related("activity__place", "activity__municipality")
    if filters.place:
        occurrences = occurrences.filter(activity__place__public_id=filters.place, activity__place__is_published=True)
    if filters.audience:
        occurrences = occurrences.filter(activity__audience=filters.audience)
    if filters.kind:
        occurrences = occurrences.filter(activity__kind=filters.kind)
    return occurrences.order_by("starts_at", "activity__title", "pk")


@dataclass(frozen=True)
class Day:
    day: date
    occurrences: list[Occurrence]


def by_day(occurrences: Iterable[Occurrence]) -> list[Day]:
    """Occurrences (in order) grouped by their local day."""
    days: list[Day] = []
    for occurrence in occurrences:
        day = timezone.localdate(occurrence.starts_at)
        if days and days[-1].day == day:
            days[-1].occurrences.append(occurrence)
        else:
            days.append(Day(day=day, occurrences=[occurrence]))
    return days


def public_activity(programme: Programme, activity_id: object) -> Activity | None:
    """A public activity with what its page shows: place, organisers, the published groups that
    co-organise it, and `seats_taken` (a number, never a name)."""
    return (
        public_activities(programme)
        .filter(public_id=activity_id)
        .select_related("place__municipality", "municipality")
        .prefetch_related(
            Prefetch("organisers", queryset=Organisation.objects.order_by("name").only("id", "name")),
            Prefetch(
                "co_organising_groups",
                queryset=CitizenGroup.objects.published().order_by("name").only("id", "public_id", "name"),
            ),
        )
        .annotate(seats_taken=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)))
        .first()
    )


def places_left(activity: Activity) -> int | None:
    """Free places of an activity fetched by `public_activity`; None when there is no limit."""
    if activity.capacity is None:
        return None
    return max(activity.capacity - activity.seats_taken, 0)


def next_dates(activity: Activity, *, limit: int = NEXT_DATES, now: datetime | None = None) -> list[Occurrence]:
    """Up to `limit` + 1 dates still to come (the extra one tells the page there are more)."""
    return list(activity.occurrences.filter(ends_at__gt=now or timezone.now()).order_by("starts_at")[: limit + 1])


def takes_signups(activity: Activity, dates: list[Occurrence]) -> bool:
    """Whether the public sign-up form is offered: registration required and a date to come."""
    return activity.registration_required and any(not occurrence.is_cancelled for occurrence in dates)


def programme_upcoming(programme: Programme, *, limit: int = UPCOMING_PREVIEW) -> list[Occurrence]:
    """The next dates of the programme's public activities (its public home)."""
    return list(upcoming_occurrences(programme).filter(status=Occurrence.Status.SCHEDULED)[:limit])


def place_upcoming(programme: Programme, place: CommunityPlace, *, limit: int = UPCOMING_PREVIEW) -> list[Occurrence]:
    """The next dates of the public activities held at a published place (its public page)."""
    occurrences = upcoming_occurrences(programme, CalendarFilters(place=str(place.public_id)))
    return list(occurrences.filter(status=Occurrence.Status.SCHEDULED)[:limit])


def feed_activities(
    programme: Programme, *, place: CommunityPlace | None = None, now: datetime | None = None
) -> list[Activity]:
    """The activities of a feed, with every date of theirs: public, active, with a date ending
    after `FEED_PAST` ago; at `place` only, when given."""
    since = (now or timezone.now()) - FEED_PAST
    activities = (
        public_activities(programme)
        .filter(Exists(Occurrence.objects.filter(activity=OuterRef("pk"), ends_at__gt=since)))
        .select_related("place__municipality", "municipality")
        .prefetch_related(Prefetch("occurrences", queryset=Occurrence.objects.order_by("starts_at")))
        .order_by("first_start", "pk")
    )
    if place is not None:
        activities = activities.filter(place=place)
    return list(activities)


# --- iCalendar --------------------------------------------------------------------------------


def _uid(public_id: object) -> str:
    return f"{public_id}@{UID_DOMAIN}"


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(FEED_TIME_ZONE))


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def location(activity: Activity) -> str:
    """Where, in words: a published place's name and address, else the venue, and the town."""
    parts: list[str] = []
    place = activity.place
    if place is not None and place.is_published:
        parts += [place.name, place.address]
    elif activity.venue:
        parts.append(activity.venue)
    parts.append(activity.municipality.name)
    return ", ".join(part for part in parts if part)


def _description(activity: Activity, url: str) -> str:
    lines = [activity.description.strip()] if activity.description.strip() else []
    lines.append(
        _("%(kind)s for %(audience)s.")
        % {"kind": activity.get_kind_display().capitalize(), "audience": activity.get_audience_display()}
    )
    if activity.registration_required:
        lines.append(_("Registration required: sign up at %(url)s") % {"url": url})
    return "\n\n".join(lines)


def _rule(activity: Activity) -> vRecur:
    """The activity's RRULE, with UNTIL in UTC as RFC 5545 wants beside a DTSTART with a TZID
    (the rule field also accepts a floating or date-only UNTIL)."""
    rule = vRecur.from_ical(activity.recurrence.strip().removeprefix("RRULE:"))
    until = rule.get("UNTIL")
    if until:
        value = until[0]
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(23, 59, 59))
        if timezone.is_naive(value):
            value = value.replace(tzinfo=ZoneInfo(FEED_TIME_ZONE))
        rule["UNTIL"] = [_utc(value)]
    return rule


def _event(activity: Activity, url: str, *, uid: str, start: datetime, end: datetime, modified: datetime) -> Event:
    event = Event()
    event.add("uid", uid)
    event.add("dtstamp", _utc(modified))
    event.add("last-modified", _utc(modified))
    event.add("dtstart", _local(start))
    event.add("dtend", _local(end))
    event.add("summary", activity.title)
    event.add("description", _description(activity, url))
    event.add("location", location(activity))
    event.add("url", url)
    event.add("categories", [activity.get_kind_display()])
    return event


def _occurrence_event(activity: Activity, occurrence: Occurrence, url: str, *, uid: str) -> Event:
    modified = max(activity.updated_at, occurrence.updated_at)
    event = _event(activity, url, uid=uid, start=occurrence.starts_at, end=occurrence.ends_at, modified=modified)
    event.add("status", "CANCELLED" if occurrence.is_cancelled else "CONFIRMED")
    return event


def activity_events(activity: Activity, url: str, closures: list[Closure]) -> list[Event]:
    """The VEVENTs of one activity (its occurrences prefetched)."""
    occurrences = list(activity.occurrences.all())
    if not activity.is_recurring:
        return [_occurrence_event(activity, o, url, uid=_uid(o.public_id)) for o in occurrences]
    # Every date the rule gives, and the ones the closures leave (`schedule_starts` is the one
    # definition of both; the activity itself is not touched).
    every = schedule_starts(activity, [], skip_closures=False)
    kept = set(schedule_starts(activity, closures))
    rule_dates = set(every)
    originals = {o.original_start for o in occurrences if o.original_start is not None}
    # A date in a closure is excluded, unless its occurrence survived (it was moved, or it is past).
    exdates = [start for start in every if start not in kept and start not in originals]
    if activity.first_start not in rule_dates:
        # RFC 5545 counts DTSTART as a date even when the rule does not give it; dateutil does not.
        exdates.insert(0, activity.first_start)
    master = _event(
        activity, url, uid=_uid(activity.public_id), start=activity.first_start,
        end=activity.first_start + timedelta(minutes=activity.duration_minutes), modified=activity.updated_at,
    )  # fmt: skip
    master.add("status", "CONFIRMED")
    master.add("rrule", _rule(activity))
    if exdates:
        master.add("exdate", [_local(start) for start in sorted(exdates)])
    events = [master]
    for occurrence in occurrences:
        if occurrence.original_start in rule_dates:
            if occurrence.is_moved or occurrence.is_cancelled:
                override = _occurrence_event(activity, occurrence, url, uid=_uid(activity.public_id))
                override.add("recurrence-id", _local(occurrence.original_start))
                events.append(override)
        else:
            # An extra date, or one the rule no longer gives but that was kept (past, or changed
            # by hand): the master does not produce it, so it is an event of its own.
            events.append(_occurrence_event(activity, occurrence, url, uid=_uid(occurrence.public_id)))
    return events


def ical_feed(
    *, programme: Programme, activities: list[Activity], closures: list[Closure], name: str,
    absolute_url: Callable[[str], str],
) -> bytes:  # fmt: skip
    """The iCalendar file of `activities` (from `feed_activities`)."""
    calendar = Calendar()
    calendar.add("prodid", "-//Trama//Calendario delle attività//IT")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.calendar_name = name
    calendar.add("x-wr-timezone", FEED_TIME_ZONE)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    events: list[Event] = []
    moments = [timezone.now()]
    for activity in activities:
        url = absolute_url(reverse("activities-public:detail", args=[programme.slug, activity.public_id]))
        events += activity_events(activity, url, closures)
        moments += [activity.first_start, *(o.ends_at for o in activity.occurrences.all())]
    # The VTIMEZONE's transitions cover the feed's dates, and a year more for the open rules.
    first, last = _local(min(moments)).date(), _local(max(moments)).date() + timedelta(days=366)
    calendar.add_component(Timezone.from_tzid(FEED_TIME_ZONE, first_date=first, last_date=last))
    for event in events:
        calendar.add_component(event)
    return calendar.to_ical()


def programme_closures(programme: Programme) -> list[Closure]:
    return list(Closure.objects.filter(programme=programme))
