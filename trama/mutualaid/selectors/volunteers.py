"""Reads about volunteers, their shifts and their hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from trama.accounts.models import User
from trama.activities.models import Occurrence
from trama.activities.permissions import managed_activities
from trama.mutualaid.models import HourLog, ShiftSignup, Volunteer, VolunteerShift
from trama.mutualaid.permissions import visible_volunteers
from trama.territory.models import Programme

OPEN_SHIFTS_DAYS = 60
HOUR = Decimal(3600)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class VolunteerFilters:
    query: str = ""
    status: str = ""
    organisation: str = ""  # public_id

    @property
    def active(self) -> bool:
        return bool(self.query or self.status or self.organisation)


def volunteer_list(user: User, programme: Programme, filters: VolunteerFilters) -> QuerySet[Volunteer]:
    volunteers = visible_volunteers(user, programme).select_related("person", "organisation", "place")
    if filters.query:
        words = filters.query.split()
        for word in words:
            volunteers = volunteers.filter(
                Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word)
                | Q(person__email__icontains=word)
            )  # fmt: skip
    if filters.status in Volunteer.Status.values:
        volunteers = volunteers.filter(status=filters.status)
    if filters.organisation:
        volunteers = volunteers.filter(organisation__public_id=filters.organisation)
    return volunteers.order_by("person__last_name", "person__first_name", "pk")


def status_counts(user: User, programme: Programme) -> dict[str, int]:
    rows = visible_volunteers(user, programme).values("status").annotate(count=Count("pk"))
    counts = dict.fromkeys(Volunteer.Status.values, 0)
    counts.update({row["status"]: row["count"] for row in rows})
    return counts


# --- Hours ----------------------------------------------------------------------------------------

SHIFT_DURATION = ExpressionWrapper(
    F("shift__occurrence__ends_at") - F("shift__occurrence__starts_at"), output_field=DurationField()
)


@dataclass(frozen=True)
class HoursSummary:
    shifts: Decimal
    logs: Decimal
    pending: Decimal

    @property
    def total(self) -> Decimal:
        """What counts: attended shifts and confirmed logs (pending logs do not, yet)."""
        return self.shifts + self.logs


def _in_period(field: str, start: date | None, end: date | None) -> Q:
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field}__gte": start})
    if end is not None:
        condition &= Q(**{f"{field}__lte": end})
    return condition


def as_hours(duration: timedelta | None) -> Decimal:
    return (Decimal(duration.total_seconds()) / HOUR).quantize(CENT) if duration else Decimal("0.00")


def _cents(value: Decimal | None) -> Decimal:
    # SQLite adds decimals as floating point: back to the hundredth.
    return Decimal(str(value or 0)).quantize(CENT)


def attended_signups(volunteer: Volunteer, start: date | None = None, end: date | None = None) -> QuerySet[ShiftSignup]:
    return (
        ShiftSignup.objects.filter(volunteer=volunteer, attended=True)
        .filter(_in_period("shift__occurrence__starts_at__date", start, end))
        .annotate(duration=SHIFT_DURATION)
        .select_related("shift__occurrence__activity__place")
        .order_by("shift__occurrence__starts_at")
    )


def volunteer_hours(volunteer: Volunteer, start: date | None = None, end: date | None = None) -> HoursSummary:
    """A volunteer's hours over a period (every day when no bounds): two queries."""
    served = ShiftSignup.objects.filter(volunteer=volunteer, attended=True).filter(
        _in_period("shift__occurrence__starts_at__date", start, end)
    )
    shifts = as_hours(served.aggregate(total=Sum(SHIFT_DURATION))["total"])
    logs = (
        HourLog.objects.filter(volunteer=volunteer)
        .filter(_in_period("date", start, end))
        .aggregate(
            confirmed=Sum("hours", filter=Q(status=HourLog.Status.CONFIRMED)),
            pending=Sum("hours", filter=Q(status=HourLog.Status.PENDING)),
        )
    )
    return HoursSummary(shifts=shifts, logs=_cents(logs["confirmed"]), pending=_cents(logs["pending"]))


def programme_volunteer_hours(programme: Programme, start: date | None = None, end: date | None = None) -> Decimal:
    """All the programme's volunteers' hours over a period (evaluation: "volunteers and their hours")."""
    served = ShiftSignup.objects.filter(volunteer__programme=programme, attended=True).filter(
        _in_period("shift__occurrence__starts_at__date", start, end)
    )
    logged = HourLog.objects.filter(volunteer__programme=programme, status=HourLog.Status.CONFIRMED).filter(
        _in_period("date", start, end)
    )
    return as_hours(served.aggregate(total=Sum(SHIFT_DURATION))["total"]) + _cents(
        logged.aggregate(total=Sum("hours"))["total"]
    )


def hour_logs(volunteer: Volunteer) -> QuerySet[HourLog]:
    return HourLog.objects.filter(volunteer=volunteer).select_related("reviewed_by").order_by("-date", "-created_at")


def hours_to_review(user: User, programme: Programme) -> QuerySet[HourLog]:
    """Logs waiting for confirmation, of the volunteers `user` manages, oldest first."""
    return (
        HourLog.objects.filter(status=HourLog.Status.PENDING, volunteer__in=visible_volunteers(user, programme))
        .select_related("volunteer__person")
        .order_by("date", "created_at", "pk")
    )


def get_log_to_review(user: User, programme: Programme, log_id: object) -> HourLog:
    log = hours_to_review(user, programme).filter(public_id=log_id).first()
    if log is None:
        raise Http404
    return log


# --- Shifts ---------------------------------------------------------------------------------------

TAKEN = Count("signups", filter=Q(signups__status=ShiftSignup.Status.SIGNED_UP))


def managed_shifts(user: User, programme: Programme, *, upcoming: bool = True) -> QuerySet[VolunteerShift]:
    """The shifts of the activities `user` runs, with the places taken."""
    shifts = VolunteerShift.objects.filter(occurrence__activity__in=managed_activities(user, programme))
    if upcoming:
        shifts = shifts.filter(occurrence__ends_at__gte=timezone.now())
    return (
        shifts.annotate(taken=TAKEN)
        .select_related("occurrence__activity__place")
        .order_by("occurrence__starts_at", "task", "pk")
    )


def get_shift_for_manager(user: User, programme: Programme, shift_id: object) -> VolunteerShift:
    shift = managed_shifts(user, programme, upcoming=False).filter(public_id=shift_id).first()
    if shift is None:
        raise Http404
    return shift


def shift_signups(shift: VolunteerShift) -> QuerySet[ShiftSignup]:
    return (
        shift.signups.filter(status=ShiftSignup.Status.SIGNED_UP)
        .select_related("volunteer__person")
        .order_by("signed_up_at")
    )


def open_shifts(volunteer: Volunteer, *, days: int = OPEN_SHIFTS_DAYS) -> QuerySet[VolunteerShift]:
    """Shifts of the coming weeks with a free place, that the volunteer has not taken yet."""
    now = timezone.now()
    mine = ShiftSignup.objects.filter(volunteer=volunteer, status=ShiftSignup.Status.SIGNED_UP).values("shift_id")
    return (
        VolunteerShift.objects.filter(
            occurrence__activity__programme_id=volunteer.programme_id,
            occurrence__status=Occurrence.Status.SCHEDULED,
            occurrence__starts_at__gt=now,
            occurrence__starts_at__lte=now + timedelta(days=days),
        )
        .exclude(pk__in=mine)
        .annotate(taken=TAKEN)
        .filter(taken__lt=F("slots"))
        .select_related("occurrence__activity__place")
        .order_by("occurrence__starts_at", "task", "pk")
    )


def my_signups(volunteer: Volunteer) -> QuerySet[ShiftSignup]:
    """The volunteer's shifts still to come."""
    return (
        ShiftSignup.objects.filter(
            volunteer=volunteer, status=ShiftSignup.Status.SIGNED_UP, shift__occurrence__ends_at__gte=timezone.now()
        )
        .select_related("shift__occurrence__activity__place")
        .order_by("shift__occurrence__starts_at")
    )


def get_own_signup(volunteer: Volunteer, shift_id: object) -> ShiftSignup:
    signup = my_signups(volunteer).filter(shift__public_id=shift_id).first()
    if signup is None:
        raise Http404
    return signup


def get_open_shift(volunteer: Volunteer, shift_id: object) -> VolunteerShift:
    shift = (
        VolunteerShift.objects.filter(occurrence__activity__programme_id=volunteer.programme_id, public_id=shift_id)
        .select_related("occurrence__activity")
        .first()
    )
    if shift is None:
        raise Http404
    return shift
