"""Hours of training, from the records: a session's hours are its date's duration (start to end),
a person's hours the sum over the sessions they attended. Exact decimals (two places), computed
from one query of the course's dates and one of its attendance, however many people and dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from trama.activities.models import Attendance, Occurrence

if TYPE_CHECKING:
    from trama.training.models import Course

CENT = Decimal("0.01")
SECONDS_PER_HOUR = Decimal(3600)


def as_hours(duration: timedelta) -> Decimal:
    return (Decimal(int(duration.total_seconds())) / SECONDS_PER_HOUR).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class Attended:
    hours: Decimal = Decimal("0.00")
    sessions: int = 0
    occurrence_ids: tuple[int, ...] = ()


def held_hours(activity_id: int) -> Decimal:
    """The hours of the course's dates that took place (started, not cancelled)."""
    dates = Occurrence.objects.filter(
        activity_id=activity_id, status=Occurrence.Status.SCHEDULED, starts_at__lte=timezone.now()
    ).values_list("starts_at", "ends_at")
    return sum((as_hours(end - start) for start, end in dates), Decimal("0.00"))


def attended_by_person(activity_id: int, person_ids: list[int] | None = None) -> dict[int, Attended]:
    rows = Attendance.objects.filter(occurrence__activity_id=activity_id)
    if person_ids is not None:
        rows = rows.filter(person_id__in=person_ids)
    found: dict[int, Attended] = {}
    for person_id, occurrence_id, start, end in rows.values_list(
        "person_id", "occurrence_id", "occurrence__starts_at", "occurrence__ends_at"
    ).order_by("occurrence__starts_at"):
        attended = found.setdefault(person_id, Attended())
        attended.hours += as_hours(end - start)
        attended.sessions += 1
        attended.occurrence_ids += (occurrence_id,)
    return found


def hours_by_person(course: Course) -> tuple[Decimal, dict[int, Attended]]:
    """(hours held so far, person id → what they attended) for a course."""
    return held_hours(course.activity_id), attended_by_person(course.activity_id)


def eligible(attended: Decimal, held: Decimal, min_percent: int) -> bool:
    """Attended at least `min_percent` of the hours held (and something was held)."""
    return held > 0 and attended * 100 >= held * min_percent
