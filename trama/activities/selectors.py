"""Reads for running activities: the list with its filters, one activity's dates and registrations.

Scoped by who asks (`permissions.visible_activities`); registrations show names only to the
activity's managers — an operator sees only the people of the households they follow.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from trama.accounts.models import User
from trama.activities.models import Activity, Occurrence, Registration
from trama.activities.permissions import can_manage, visible_activities
from trama.territory.models import Programme

DATES_SHOWN = 12


def activity_list(
    user: User,
    programme: Programme,
    *,
    query: str = "",
    kind: str = "",
    place: str = "",
    status: str = Activity.Status.ACTIVE,
) -> QuerySet[Activity]:
    """The activities `user` may see, filtered, with their next date and seats taken (one query)."""
    activities = visible_activities(user, programme)
    if query:
        activities = activities.filter(Q(title__icontains=query) | Q(venue__icontains=query))
    if kind:
        activities = activities.filter(kind=kind)
    if place:
        activities = activities.filter(place__public_id=place)
    if status:
        activities = activities.filter(status=status)
    next_start = (
        Occurrence.objects.filter(
            activity=OuterRef("pk"), status=Occurrence.Status.SCHEDULED, ends_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    return (
        activities.select_related("programme", "place", "municipality", "action_line")
        .annotate(
            next_start=Subquery(next_start),
            registered=Count("registrations", filter=Q(registrations__status=Registration.Status.REGISTERED)),
            waiting=Count("registrations", filter=Q(registrations__status=Registration.Status.WAITING)),
        )
        .order_by("title", "pk")
    )


@dataclass
class ActivityPage:
    activity: Activity
    can_manage: bool
    upcoming: list[Occurrence]
    past: list[Occurrence]
    registrations: list[Registration]
    waiting: list[Registration]
    registered_count: int
    waiting_count: int


def activity_page(user: User, activity: Activity, *, own_people: QuerySet | None = None) -> ActivityPage:
    """What the activity's page shows to `user`. `own_people` (for operators) narrows the
    registrations to the people of the households they follow."""
    manager = can_manage(user, activity)
    now = timezone.now()
    occurrences = activity.occurrences.annotate(
        present=Count("attendances", distinct=True), counted=Count("tallies", distinct=True)
    )
    upcoming = list(occurrences.filter(ends_at__gte=now).order_by("starts_at")[:DATES_SHOWN])
    past = list(occurrences.filter(ends_at__lt=now).order_by("-starts_at")[:DATES_SHOWN])
    live = activity.registrations.exclude(status=Registration.Status.CANCELLED).select_related("person", "household")
    counts = dict(live.order_by().values_list("status").annotate(n=Count("pk")))
    if not manager:
        live = live.filter(person__in=own_people) if own_people is not None else live.none()
    live_list = list(live.order_by("registered_at", "pk"))
    return ActivityPage(
        activity=activity,
        can_manage=manager,
        upcoming=upcoming,
        past=past,
        registrations=[r for r in live_list if r.status == Registration.Status.REGISTERED],
        waiting=[r for r in live_list if r.status == Registration.Status.WAITING],
        registered_count=counts.get(Registration.Status.REGISTERED, 0),
        waiting_count=counts.get(Registration.Status.WAITING, 0),
    )
