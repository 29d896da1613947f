"""Who may see and run which activities (DESIGN.md, "Access and data protection").

- A coordinator manages every activity of the programme.
- A lab manager manages the activities held at a place their organisation runs, or organised by
  their organisation: the programme, registrations, attendance and tallies.
- An operator sees the programme's activities and registers the people of the households they
  follow (their cases); they take no attendance.
- Evaluators, funders and volunteers see no registration or attendance: aggregates only.

Services call these functions again: a view is never the only guard.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet

from trama.accounts.models import Membership, Role, User
from trama.activities.models import Activity
from trama.territory.models import Programme

STAFF_ROLES = (Role.COORDINATOR, Role.LAB_MANAGER, Role.OPERATOR)


def _memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme))


def lab_organisations(memberships: list[Membership]) -> list[int]:
    return [m.organisation_id for m in memberships if m.role == Role.LAB_MANAGER]


def managed_activities(user: User | None, programme: Programme) -> QuerySet[Activity]:
    """The activities `user` runs: all for a coordinator, their organisation's for a lab manager."""
    memberships = _memberships(user, programme)
    activities = Activity.objects.filter(programme=programme)
    if any(m.role == Role.COORDINATOR for m in memberships):
        return activities
    organisations = lab_organisations(memberships)
    if not organisations:
        return activities.none()
    return activities.filter(
        Q(place__managing_organisation__in=organisations) | Q(organisers__in=organisations)
    ).distinct()


def visible_activities(user: User | None, programme: Programme) -> QuerySet[Activity]:
    """The activities whose page `user` may open: every one for the staff roles, none otherwise."""
    memberships = _memberships(user, programme)
    if any(m.role in (Role.COORDINATOR, Role.OPERATOR) for m in memberships):
        return Activity.objects.filter(programme=programme)
    return managed_activities(user, programme)


def management_membership(user: User | None, activity: Activity) -> Membership | None:
    """The membership through which `user` runs `activity` (for the audit row); None for the
    system itself. Raises PermissionDenied when they may not."""
    if user is None:
        return None
    memberships = _memberships(user, activity.programme)
    for membership in memberships:
        if membership.role == Role.COORDINATOR:
            return membership
    organisations = set(lab_organisations(memberships))
    if organisations and (
        (activity.place_id and activity.place.managing_organisation_id in organisations)
        or activity.organisers.filter(pk__in=organisations).exists()
    ):
        return next(m for m in memberships if m.role == Role.LAB_MANAGER and m.organisation_id in organisations)
    raise PermissionDenied


def can_manage(user: User | None, activity: Activity) -> bool:
    try:
        management_membership(user, activity)
    except PermissionDenied:
        return False
    return True


def get_activity_for_user(user: User, programme: Programme, public_id: object) -> Activity:
    """The activity with `public_id` if `user` may see it; 404 otherwise (it looks missing)."""
    from django.http import Http404

    activity = (
        visible_activities(user, programme)
        .select_related("programme", "place", "action_line", "municipality")
        .filter(public_id=public_id)
        .first()
    )
    if activity is None:
        raise Http404
    return activity
