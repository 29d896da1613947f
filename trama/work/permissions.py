"""Who may see what of the work plan (S1), in one place for views, selectors and services.

- Job seekers are people followed by a case: staff see a job seeker exactly when they may see the
  case (`trama.casework.permissions.visible_cases`): coordinators all, operators their cases.
- Openings carry no personal data: coordinators and operators see every opening of the programme;
  a company user (Role.COMPANY) sees only the openings of the organisations they belong to.
- Placements: staff see those of the job seekers they see. A company user sees the placements on
  their own openings only when the person gave a consent to share their data with that company
  (Consent purpose SHARING, partner = the company), active today — never the case, never notes.
- Nobody else sees anything. Missing and forbidden both answer 404.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.permissions import visible_cases
from trama.people.models import Consent
from trama.territory.models import Programme
from trama.work.models import JobSeeker, Opening, Placement

STAFF = (Role.COORDINATOR, Role.OPERATOR)


def _memberships(user: User, programme: Programme) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme))


def is_staff(user: User, programme: Programme) -> bool:
    return any(m.role in STAFF for m in _memberships(user, programme))


def is_coordinator(user: User, programme: Programme) -> bool:
    return any(m.role == Role.COORDINATOR for m in _memberships(user, programme))


def company_ids(user: User, programme: Programme) -> list[int]:
    """The organisations `user` acts for as a company in `programme`."""
    return [m.organisation_id for m in _memberships(user, programme) if m.role == Role.COMPANY]


def staff_membership(user: User | None, programme: Programme) -> Membership | None:
    """The membership a staff member acts through (coordinator first), for the audit row."""
    if user is None:
        return None
    memberships = [m for m in _memberships(user, programme) if m.role in STAFF]
    memberships.sort(key=lambda m: m.role != Role.COORDINATOR)
    return memberships[0] if memberships else None


# --- Job seekers -----------------------------------------------------------------------------------


def visible_seekers(user: User, programme: Programme) -> QuerySet[JobSeeker]:
    """The one scoping function of job seekers: those whose case `user` may see."""
    seekers = JobSeeker.objects.filter(programme=programme)
    if is_coordinator(user, programme):
        return seekers
    if not is_staff(user, programme):
        return seekers.none()
    return seekers.filter(case__in=visible_cases(user, programme).values("pk"))


def get_seeker_for_user(
    user: User, programme: Programme, seeker_id: Any, *, request: HttpRequest | None = None
) -> JobSeeker:
    """Fetch and authorise one job seeker; the read is audited (S10) in the same transaction."""
    with transaction.atomic():
        seeker = (
            visible_seekers(user, programme)
            .select_related("person", "case__household", "municipality", "programme")
            .filter(public_id=seeker_id)
            .first()
        )
        if seeker is None:
            raise Http404
        audit_record(
            action=AuditEvent.Action.READ,
            actor=user,
            request=request,
            programme=programme,
            membership=staff_membership(user, programme),
            target=seeker,
        )
    return seeker


# --- Openings --------------------------------------------------------------------------------------


def visible_openings(user: User, programme: Programme) -> QuerySet[Opening]:
    openings = Opening.objects.filter(programme=programme)
    if is_staff(user, programme):
        return openings
    companies = company_ids(user, programme)
    if companies:
        return openings.filter(company_id__in=companies)
    return openings.none()


def get_opening_for_user(user: User, programme: Programme, opening_id: Any) -> Opening:
    opening = (
        visible_openings(user, programme)
        .select_related("company", "municipality", "programme")
        .filter(public_id=opening_id)
        .first()
    )
    if opening is None:
        raise Http404
    return opening


# --- Placements ------------------------------------------------------------------------------------


def sharing_consent(company_field: str = "opening__company") -> Exists:
    """An active consent of the placement's person to share their data with the opening's company."""
    today = timezone.localdate()
    return Exists(
        Consent.objects.filter(
            person=OuterRef("job_seeker__person"),
            purpose=Consent.Purpose.SHARING,
            partner=OuterRef(company_field),
            given_on__lte=today,
        )
        .filter(Q(withdrawn_on__isnull=True) | Q(withdrawn_on__gt=today))
        .filter(Q(expires_on__isnull=True) | Q(expires_on__gte=today))
    )


def visible_placements(user: User, programme: Programme) -> QuerySet[Placement]:
    """The one scoping function of placements (staff through the job seeker, companies through
    their openings and the person's consent)."""
    placements = Placement.objects.filter(programme=programme)
    if is_staff(user, programme):
        return placements.filter(job_seeker__in=visible_seekers(user, programme).values("pk"))
    companies = company_ids(user, programme)
    if companies:
        return placements.filter(sharing_consent(), opening__company_id__in=companies)
    return placements.none()


def get_placement_for_user(
    user: User, programme: Programme, placement_id: Any, *, request: HttpRequest | None = None
) -> Placement:
    with transaction.atomic():
        placement = (
            visible_placements(user, programme)
            .select_related("opening__company", "opening__municipality", "job_seeker__person", "programme")
            .select_related("grant_source", "incentive_source")
            .filter(public_id=placement_id)
            .first()
        )
        if placement is None:
            raise Http404
        membership = staff_membership(user, programme) or next(
            (m for m in _memberships(user, programme) if m.role == Role.COMPANY), None
        )
        audit_record(
            action=AuditEvent.Action.READ,
            actor=user,
            request=request,
            programme=programme,
            membership=membership,
            target=placement,
        )
    return placement
