"""Reads and writes of the lab's own pages: the week of the places a lab manager runs, the named
check-in sheet, the anonymous tally grid and the printable sign-in sheet.

Every read is scoped by `permissions.managed_activities` (a coordinator runs every activity, a lab
manager those at a place their organisation runs or organised by it), so an occurrence of another
organisation's activity looks missing (404). The writes build on `services`' public functions,
which check permission again and stay the only ones that touch attendance and tallies.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import groupby
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.models import (
    ADULT_AGE,
    MINOR_BANDS,
    AgeBand,
    Attendance,
    Occurrence,
    Registration,
    Tally,
    TallyGender,
)
from trama.activities.permissions import lab_organisations, managed_activities, management_membership
from trama.activities.services import Guardian, attendance_mark, contact_registration_create
from trama.core.pdf import render_pdf
from trama.network.models import CommunityPlace
from trama.people.models import Person
from trama.territory.models import Programme

if TYPE_CHECKING:
    from django.http import HttpRequest

# The sign-in sheet leaves this many empty rows for people who come without registering.
WALK_IN_ROWS = 10


# --- Scope -----------------------------------------------------------------------------------


def get_occurrence_for_manager(user: User, programme: Programme, occurrence_id: object) -> Occurrence:
    """The occurrence with `occurrence_id` if `user` runs its activity; 404 alike for missing and
    forbidden (an occurrence of another organisation's lab)."""
    occurrence = (
        Occurrence.objects.filter(activity__in=managed_activities(user, programme), public_id=occurrence_id)
        .select_related("activity__programme", "activity__place", "activity__municipality")
        .first()
    )
    if occurrence is None:
        raise Http404
    return occurrence


def managed_places(user: User, programme: Programme) -> QuerySet[CommunityPlace]:
    """The places whose week `user` may look at: every place of the programme for a coordinator;
    for a lab manager the places their organisation runs and those of the activities it organises."""
    memberships = list(Membership.objects.active().filter(user=user, programme=programme))
    places = CommunityPlace.objects.filter(programme=programme).order_by("name", "pk")
    if any(m.role == Role.COORDINATOR for m in memberships):
        return places
    organisations = lab_organisations(memberships)
    if not organisations:
        return places.none()
    organised = managed_activities(user, programme).filter(place__isnull=False).values("place_id")
    return places.filter(Q(managing_organisation__in=organisations) | Q(pk__in=organised))


# --- The week --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Week:
    """Monday to Sunday in the programme's time zone (Europe/Rome)."""

    monday: date

    @classmethod
    def containing(cls, day: date) -> Week:
        return cls(monday=day - timedelta(days=day.weekday()))

    @property
    def sunday(self) -> date:
        return self.monday + timedelta(days=6)

    @property
    def previous(self) -> date:
        return self.monday - timedelta(days=7)

    @property
    def next(self) -> date:
        return self.monday + timedelta(days=7)

    @property
    def start(self) -> datetime:
        return _local_midnight(self.monday)

    @property
    def end(self) -> datetime:
        """The next Monday's midnight: 167 or 169 hours after `start` in the weeks the clocks change."""
        return _local_midnight(self.monday + timedelta(days=7))

    @property
    def days(self) -> list[date]:
        return [self.monday + timedelta(days=n) for n in range(7)]


def _local_midnight(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


def _count_of(queryset: QuerySet[Any], group: str) -> Coalesce:
    """One correlated count per row: separate subqueries, so joining registrations, attendance and
    tallies at once never multiplies one by the other."""
    counted = queryset.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def week_occurrences(
    user: User, programme: Programme, week: Week, *, place: CommunityPlace | None = None
) -> QuerySet[Occurrence]:
    """The occurrences of `week` of the activities `user` runs, cancelled ones included, each with
    the activity's registered and waiting people, the attendance recorded and the tally total."""
    occurrences = Occurrence.objects.filter(
        activity__in=managed_activities(user, programme), starts_at__gte=week.start, starts_at__lt=week.end
    )
    if place is not None:
        occurrences = occurrences.filter(activity__place=place)
    registrations = Registration.objects.filter(activity=OuterRef("activity_id"))
    tallied = Tally.objects.filter(occurrence=OuterRef("pk")).order_by().values("occurrence").annotate(n=Sum("count"))
    # Volunteers on the date's shifts (the mutualaid app's models, looked up by name: that app
    # builds on this one, not the other way round).
    shifts = apps.get_model("mutualaid", "VolunteerShift").objects.filter(occurrence=OuterRef("pk"))
    signups = apps.get_model("mutualaid", "ShiftSignup").objects.filter(shift__occurrence=OuterRef("pk"))
    needed = shifts.order_by().values("occurrence").annotate(n=Sum("slots")).values("n")
    return (
        occurrences.select_related("activity__place")
        .annotate(
            registered=_count_of(registrations.filter(status=Registration.Status.REGISTERED), "activity"),
            waiting=_count_of(registrations.filter(status=Registration.Status.WAITING), "activity"),
            attended=_count_of(Attendance.objects.filter(occurrence=OuterRef("pk")), "occurrence"),
            tally_total=Coalesce(Subquery(tallied.values("n"), output_field=IntegerField()), 0),
            volunteers_needed=Coalesce(Subquery(needed, output_field=IntegerField()), 0),
            volunteers=_count_of(signups.exclude(status="cancelled"), "shift__occurrence"),
        )
        .order_by("starts_at", "activity__title", "pk")
    )


@dataclass(frozen=True)
class WeekDay:
    day: date
    occurrences: list[Occurrence]


def week_by_day(occurrences: QuerySet[Occurrence]) -> list[WeekDay]:
    """The days of the week that have something, in order, each with its occurrences."""
    return [
        WeekDay(day=day, occurrences=list(items))
        for day, items in groupby(occurrences, key=lambda o: timezone.localdate(o.starts_at))
    ]


# --- The check-in sheet ----------------------------------------------------------------------


def recording_refusal(occurrence: Occurrence, *, today: date | None = None) -> str:
    """Why attendance cannot be recorded for `occurrence` yet ("cancelled", "future"), or "".
    The services refuse the same cases; the page uses this to say so before anyone types."""
    if occurrence.is_cancelled:
        return "cancelled"
    if timezone.localdate(occurrence.starts_at) > (today or timezone.localdate()):
        return "future"
    return ""


def checkin_people(occurrence: Occurrence) -> list[Person]:
    """Who the check-in sheet lists, by surname (one query), each with `is_present` and
    `is_registered`: the people registered for the activity; when it needs no registration, also
    whoever came to its earlier dates; and always whoever is already recorded present, so saving
    the sheet never drops someone it does not show."""
    activity = occurrence.activity
    registered = Registration.objects.filter(
        activity=activity, person=OuterRef("pk"), status=Registration.Status.REGISTERED
    )
    present = Attendance.objects.filter(occurrence=occurrence, person=OuterRef("pk"))
    expected = Q(Exists(registered))
    if not activity.registration_required:
        earlier = Attendance.objects.filter(
            occurrence__activity=activity, occurrence__starts_at__lt=occurrence.starts_at, person=OuterRef("pk")
        ).exclude(occurrence=occurrence)
        expected |= Q(Exists(earlier))
    return list(
        Person.objects.filter(programme_id=activity.programme_id)
        .filter(Q(Exists(present)) | (expected & Q(erased_at__isnull=True)))
        .annotate(is_present=Exists(present), is_registered=Exists(registered))
        .order_by("last_name", "first_name", "pk")
    )


def is_minor_on(person: Person, day: date) -> bool:
    age = person.age(day)
    return age is not None and age < ADULT_AGE


@transaction.atomic
def participant_add(
    *,
    actor: User | None,
    occurrence: Occurrence,
    first_name: str,
    last_name: str,
    birth_date: date | None,
    gender: str = "",
    guardian: Guardian | None = None,
) -> Registration:
    """Someone who came without registering: found or added among the lab's contacts, registered
    (`services.contact_registration_create`) and marked present at `occurrence`, all or nothing —
    a cancelled or future date, a minor without a guardian's consent, a full activity (the person
    would only be on the waiting list) leave no registration behind."""
    management_membership(actor, occurrence.activity)
    registration = contact_registration_create(
        actor=actor, activity=occurrence.activity, first_name=first_name, last_name=last_name,
        birth_date=birth_date, gender=gender, guardian=guardian,
    )  # fmt: skip
    attendance_mark(actor=actor, occurrence=occurrence, person=registration.person, present=True)
    return registration


# --- The tally -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TallyCell:
    band: str
    gender: str

    @property
    def name(self) -> str:
        """The form field's name: the enum names, as band values hold "-" and "+" and can be empty."""
        return f"cell_{AgeBand(self.band).name.lower()}_{TallyGender(self.gender).name.lower()}"

    @property
    def is_minor(self) -> bool:
        return self.band in MINOR_BANDS


TALLY_CELLS = [TallyCell(band=band, gender=gender) for band in AgeBand.values for gender in TallyGender.values]


def tally_counts(occurrence: Occurrence) -> dict[tuple[str, str], int]:
    return {(t.age_band, t.gender): t.count for t in occurrence.tallies.all()}


@dataclass(frozen=True)
class TallySummary:
    total: int
    minors: int


def tally_summary(counts: dict[tuple[str, str], int]) -> TallySummary:
    return TallySummary(
        total=sum(counts.values()),
        minors=sum(count for (band, _gender), count in counts.items() if band in MINOR_BANDS),
    )


# --- The printable sign-in sheet -------------------------------------------------------------


def signin_sheet_people(occurrence: Occurrence) -> list[Person]:
    """The people registered for the activity, by surname: one row each on the paper sheet."""
    return list(
        Person.objects.filter(
            registrations__activity_id=occurrence.activity_id,
            registrations__status=Registration.Status.REGISTERED,
            erased_at__isnull=True,
        ).order_by("last_name", "first_name", "pk")
    )


@dataclass
class SigninSheet:
    occurrence: Occurrence
    people: list[Person]
    generated_at: datetime
    blank_rows: range = field(default_factory=lambda: range(WALK_IN_ROWS))


def signin_sheet_pdf(sheet: SigninSheet) -> bytes:
    activity = sheet.occurrence.activity
    context = {
        "occurrence": sheet.occurrence,
        "activity": activity,
        "programme": activity.programme,
        "people": sheet.people,
        "blank_rows": sheet.blank_rows,
        "first_blank": len(sheet.people) + 1,
        "generated_at": sheet.generated_at,
    }
    return render_pdf(
        "activities/attendance/pdf/signin_sheet.html", "activities/attendance/pdf/signin_sheet.css", context
    )


def signin_sheet_export(*, actor: User | None, occurrence: Occurrence, request: HttpRequest | None = None) -> bytes:
    """The sign-in sheet of `occurrence` as an A4 PDF, for its activity's managers only. A download
    of names: the export is audited (S10, S19); the file is made before the audit row so a slow
    render never holds the write transaction, and no file leaves if the audit write fails."""
    membership = management_membership(actor, occurrence.activity)
    sheet = SigninSheet(occurrence=occurrence, people=signin_sheet_people(occurrence), generated_at=timezone.now())
    pdf = signin_sheet_pdf(sheet)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, target=occurrence,
            programme=occurrence.activity.programme, membership=membership, reason="sign-in sheet (PDF)",
        )  # fmt: skip
    return pdf
