"""Who may see and do what in the partnership's governance (S1). Services and selectors call these
again: a view is never the only guard.

- Coordinators manage bodies, members, meetings, attendance, minutes and decisions.
- Operators and lab managers (the partners' staff) read the bodies, meetings, minutes and
  decisions, with the names of the people.
- Evaluators and funders read them too, but never a person's name: organisations and counts only.
- Volunteers see nothing here; public meetings are on the public calendar.

A record one may not see answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from trama.accounts.models import Membership, Role, User
from trama.governance.models import Body, BodyMember, Decision, Meeting
from trama.territory.models import Programme

MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER, Role.EVALUATOR, Role.FUNDER)
# Who may read people's names in members, attendance and minutes.
NAME_READERS = (Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def _first(found: list[Membership], roles: tuple[str, ...]) -> Membership | None:
    for role in roles:
        for membership in found:
            if membership.role == role:
                return membership
    return None


def manager_membership(actor: User | None, programme: Programme) -> Membership | None:
    """The coordinator membership through which `actor` changes the governance; None for the
    system itself. Raises PermissionDenied otherwise."""
    if actor is None:
        return None
    membership = _first(memberships(actor, programme), MANAGERS)
    if membership is None:
        raise PermissionDenied
    return membership


def reader_membership(user: User | None, programme: Programme) -> Membership:
    membership = _first(memberships(user, programme), READERS)
    if membership is None:
        raise PermissionDenied
    return membership


def may_see_names(user: User | None, programme: Programme) -> bool:
    return _first(memberships(user, programme), NAME_READERS) is not None


def _get(queryset: QuerySet[Any], public_id: object) -> Any:
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def get_body_for_user(user: User, programme: Programme, body_id: object) -> Body:
    reader_membership(user, programme)
    return _get(Body.objects.for_programme(programme).select_related("action_line", "programme"), body_id)


def get_meeting_for_user(user: User, programme: Programme, meeting_id: object) -> Meeting:
    reader_membership(user, programme)
    return _get(
        Meeting.objects.for_programme(programme).select_related(
            "body", "place", "municipality", "activity", "programme"
        ),
        meeting_id,
    )


def get_decision_for_user(user: User, programme: Programme, decision_id: object) -> Decision:
    reader_membership(user, programme)
    return _get(
        Decision.objects.for_programme(programme).select_related(
            "meeting__body", "action_line", "responsible_organisation", "programme"
        ),
        decision_id,
    )


def get_member_for_manager(user: User, programme: Programme, member_id: object) -> BodyMember:
    manager_membership(user, programme)
    return _get(
        BodyMember.objects.filter(body__programme=programme).select_related("body__programme", "organisation", "user"),
        member_id,
    )
