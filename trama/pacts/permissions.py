"""Who may see and change which pact (S1), checked by selectors and services alike.

- A pact is seen by the programme's coordinators and by the operators on its case's team — not by
  a supervisor or a colleague who is not on the team, and by no other role: it tells the household's
  economic situation.
- A lab manager sees only the commitments at the places their organisation runs (and at the
  activities they manage), with the beneficiary's name and the hours — no budget, no case — and
  confirms the hours given there.
- Evaluators and funders see the programme's aggregates only (`selectors.programme_overview`).

Nested records (lines, disbursements, commitments, reviews) are always fetched through their pact
(S2): a child of another pact answers 404.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.permissions import managed_activities
from trama.casework.models import CaseTeamMember
from trama.pacts.models import Commitment, Pact
from trama.territory.models import Programme

PACT_ROLES = (Role.COORDINATOR, Role.OPERATOR)
OVERVIEW_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)
GIVING_BACK_ROLES = (Role.COORDINATOR, Role.LAB_MANAGER)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def _coordinator(found: list[Membership]) -> Membership | None:
    return next((m for m in found if m.role == Role.COORDINATOR), None)


def visible_pacts(user: User | None, programme: Programme) -> QuerySet[Pact]:
    """The one scoping function of pacts: those of `programme` that `user` may see."""
    found = memberships(user, programme)
    pacts = Pact.objects.filter(programme=programme)
    if _coordinator(found) is not None:
        return pacts
    if not any(m.role == Role.OPERATOR for m in found):
        return pacts.none()
    return pacts.filter(case_id__in=CaseTeamMember.objects.filter(user=user).values("case_id"))


def reading_membership(user: User, programme: Programme) -> Membership | None:
    found = memberships(user, programme)
    return _coordinator(found) or next((m for m in found if m.role == Role.OPERATOR), None)


def get_pact_for_user(
    user: User, programme: Programme, pact_id: object, *, request: HttpRequest | None = None, audit: bool = True
) -> Pact:
    """Fetch and authorise one pact; 404 alike for missing and forbidden. Opening a pact is a read
    of the case record: it writes a READ audit row in the same transaction (S10)."""
    with transaction.atomic():
        pact = (
            visible_pacts(user, programme)
            .select_related(
                "programme", "case__household", "case__organisation", "person", "latest_version", "version_in_force"
            )
            .filter(public_id=pact_id)
            .first()
        )
        if pact is None:
            raise Http404
        if audit:
            audit_record(
                action=AuditEvent.Action.READ, actor=user, request=request, programme=programme,
                membership=reading_membership(user, programme), target=pact,
            )  # fmt: skip
    return pact


def writer_membership(actor: User | None, pact: Pact) -> Membership | None:
    """The membership through which `actor` may change `pact`: a coordinator of its programme or
    an operator on its case's team. `None` is the system (the demo loader). PermissionDenied else."""
    if actor is None:
        return None
    found = memberships(actor, pact.programme)
    coordinator = _coordinator(found)
    if coordinator is not None:
        return coordinator
    team = CaseTeamMember.objects.filter(case_id=pact.case_id, user=actor).first()
    operators = [m for m in found if m.role == Role.OPERATOR]
    if team is None or not operators:
        raise PermissionDenied
    return next((m for m in operators if m.organisation_id == team.organisation_id), operators[0])


def can_write(user: User | None, pact: Pact) -> bool:
    try:
        writer_membership(user, pact)
    except PermissionDenied:
        return False
    return True


def coordinator_membership(actor: User | None, programme: Programme) -> Membership | None:
    """Decisions on money are the coordinators'. `None` is the system."""
    if actor is None:
        return None
    coordinator = _coordinator(memberships(actor, programme))
    if coordinator is None:
        raise PermissionDenied
    return coordinator


def lab_organisations(found: list[Membership]) -> list[int]:
    return [m.organisation_id for m in found if m.role == Role.LAB_MANAGER]


def giving_back_commitments(user: User | None, programme: Programme) -> QuerySet[Commitment]:
    """The commitments in force whose hours `user` confirms: every one for a coordinator; for a lab
    manager, those at the places their organisation runs or at the activities they manage."""
    found = memberships(user, programme)
    commitments = Commitment.objects.filter(pact__programme=programme, signed_hours__gt=0)
    if _coordinator(found) is not None:
        return commitments
    organisations = lab_organisations(found)
    if not organisations:
        return commitments.none()
    return commitments.filter(
        Q(place__managing_organisation_id__in=organisations)
        | Q(activity_id__in=managed_activities(user, programme).values("pk"))
    )


def confirmer_membership(actor: User | None, commitment: Commitment) -> Membership | None:
    """Who confirms hours given back: the lab manager of the place (or of the activity), or a
    coordinator — the only one who can, for a citizen group, whose contact has no account."""
    if actor is None:
        return None
    programme = commitment.pact.programme
    found = memberships(actor, programme)
    coordinator = _coordinator(found)
    if coordinator is not None:
        return coordinator
    if not giving_back_commitments(actor, programme).filter(pk=commitment.pk).exists():
        raise PermissionDenied
    return next(m for m in found if m.role == Role.LAB_MANAGER)


def can_confirm(user: User | None, commitment: Commitment) -> bool:
    try:
        confirmer_membership(user, commitment)
    except PermissionDenied:
        return False
    return True
