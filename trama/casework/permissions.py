"""Who may see which case (S1). Every list, detail, search, export and API of case data goes
through `visible_cases`; nested records are fetched through their case (S2).

- coordinators of the programme see all its cases;
- an operator sees the cases whose team they are on, and — when their membership marks them
  supervisor — every case of their organisation;
- a colleague of the same organisation who is neither, and every other role, sees none.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Case
from trama.territory.models import Programme


def _memberships(user: User, programme: Programme) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme))


def visible_cases(user: User, programme: Programme) -> QuerySet[Case]:
    """The one scoping function of case data: the cases of `programme` that `user` may see."""
    memberships = _memberships(user, programme)
    cases = Case.objects.filter(programme=programme)
    if any(m.role == Role.COORDINATOR for m in memberships):
        return cases
    operator = [m for m in memberships if m.role == Role.OPERATOR]
    if not operator:
        return cases.none()
    supervised = [m.organisation_id for m in operator if m.is_supervisor]
    return cases.filter(Q(team__user=user) | Q(organisation_id__in=supervised)).distinct()


def can_see_cases(user: User, programme: Programme) -> bool:
    return any(m.role in (Role.COORDINATOR, Role.OPERATOR) for m in _memberships(user, programme))


def get_case_for_user(
    user: User, programme: Programme, case_id: object, *, request: HttpRequest | None = None, reason: str = ""
) -> Case:
    """Fetch and authorise one case; 404 alike for missing and forbidden. Every read is audited
    (S10): the audit row is written in the same transaction as the read."""
    with transaction.atomic():
        case = (
            visible_cases(user, programme)
            .select_related("household", "organisation", "action_line", "programme")
            .filter(public_id=case_id)
            .first()
        )
        if case is None:
            raise Http404
        membership = next(
            (m for m in _memberships(user, programme) if m.role in (Role.COORDINATOR, Role.OPERATOR)), None
        )
        audit_record(
            action=AuditEvent.Action.READ,
            actor=user,
            request=request,
            programme=programme,
            membership=membership,
            target=case,
            reason=reason,
        )
    return case


def is_case_team_member(user: User, case: Case) -> bool:
    """Sensitive text (session and assessment notes) is for the case team only (S6) — not for
    coordinators or supervisors who can see the case but do not work on it."""
    return case.team.filter(user=user).exists()
