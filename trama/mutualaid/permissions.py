"""Who may see and do what in volunteering and mutual aid (S1). Services call these again: a view is
never the only guard.

- Coordinators: everything of their programme.
- Lab managers: the volunteers assigned to their organisation or to a place it manages (training,
  insurance, hours); requests of citizens and groups, the offers, and their matches.
- Operators: the requests of the households whose case they may see, and of citizens and groups;
  the offers and their matches. They do not manage volunteers.
- Volunteers: only their own record, shifts, matches and hours — and of a match, the requester's
  identity only once both sides have accepted. Nothing of cases.
- Evaluators and funders: figures only (the time bank per micro-network), never a name.

A record one may not see answers 404 like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.permissions import visible_cases
from trama.mutualaid.models import Match, MutualAidOffer, MutualAidRequest, Volunteer
from trama.territory.models import Programme

STAFF_ROLES = (Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER)
VOLUNTEER_MANAGERS = (Role.COORDINATOR, Role.LAB_MANAGER)
FIGURES_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def _first(found: list[Membership], *roles: str) -> Membership | None:
    for role in roles:  # the order of `roles` is the preference
        for membership in found:
            if membership.role == role:
                return membership
    return None


# --- Volunteers -----------------------------------------------------------------------------------


def _lab_organisations(found: list[Membership]) -> list[int]:
    return [m.organisation_id for m in found if m.role == Role.LAB_MANAGER]


def visible_volunteers(user: User | None, programme: Programme) -> QuerySet[Volunteer]:
    """All the programme's volunteers for a coordinator; a lab manager's own (assigned to their
    organisation or to a place it manages); nobody's for the other roles."""
    found = memberships(user, programme)
    volunteers = Volunteer.objects.filter(programme=programme)
    if _first(found, Role.COORDINATOR):
        return volunteers
    organisations = _lab_organisations(found)
    if not organisations:
        return volunteers.none()
    return volunteers.filter(Q(organisation__in=organisations) | Q(place__managing_organisation__in=organisations))


def get_volunteer_for_user(
    user: User, programme: Programme, volunteer_id: object, *, request: HttpRequest | None = None
) -> Volunteer:
    """Fetch and authorise one volunteer; 404 alike for missing and forbidden. The read of their
    personal record is audited in the same transaction (S10)."""
    with transaction.atomic():
        volunteer = (
            visible_volunteers(user, programme)
            .select_related("person", "user", "organisation", "place__managing_organisation", "programme")
            .filter(public_id=volunteer_id)
            .first()
        )
        if volunteer is None:
            raise Http404
        audit_record(
            action=AuditEvent.Action.READ, actor=user, request=request, programme=programme,
            membership=_first(memberships(user, programme), *VOLUNTEER_MANAGERS), target=volunteer,
        )  # fmt: skip
    return volunteer


def volunteer_manager(actor: User | None, volunteer: Volunteer) -> Membership | None:
    """The membership through which `actor` manages `volunteer` (training, hours); None for the
    system itself. Raises PermissionDenied otherwise."""
    if actor is None:
        return None
    found = memberships(actor, volunteer.programme)
    coordinator = _first(found, Role.COORDINATOR)
    if coordinator:
        return coordinator
    organisations = set(_lab_organisations(found))
    place_organisation = volunteer.place.managing_organisation_id if volunteer.place_id else None
    for membership in found:
        if membership.role == Role.LAB_MANAGER and membership.organisation_id in organisations & {
            volunteer.organisation_id,
            place_organisation,
        }:
            return membership
    raise PermissionDenied


def own_volunteer(user: User | None, programme: Programme) -> Volunteer | None:
    """The approved volunteer record of the signed-in volunteer, or None."""
    found = memberships(user, programme)
    if not _first(found, Role.VOLUNTEER):
        return None
    return (
        Volunteer.objects.filter(programme=programme, user=user, status=Volunteer.Status.APPROVED)
        .select_related("person", "organisation", "place", "programme")
        .first()
    )


def require_own_volunteer(user: User | None, programme: Programme) -> Volunteer:
    volunteer = own_volunteer(user, programme)
    if volunteer is None:
        raise PermissionDenied
    return volunteer


# --- Requests, offers, matches ------------------------------------------------------------------


def visible_requests(user: User | None, programme: Programme) -> QuerySet[MutualAidRequest]:
    """A household's request shows that the household is followed: it is case data, seen by those
    who see the case. Requests of citizens and groups are seen by every staff role."""
    found = memberships(user, programme)
    requests = MutualAidRequest.objects.filter(programme=programme)
    if _first(found, Role.COORDINATOR):
        return requests
    if _first(found, Role.OPERATOR):
        households = visible_cases(user, programme).values("household_id")
        return requests.filter(Q(requester_household__isnull=True) | Q(requester_household__in=households))
    if _first(found, Role.LAB_MANAGER):
        return requests.filter(requester_household__isnull=True)
    return requests.none()


def get_request_for_user(
    user: User, programme: Programme, request_id: object, *, http_request: HttpRequest | None = None
) -> MutualAidRequest:
    """Fetch and authorise one request; 404 alike for missing and forbidden. With `http_request`
    (a page showing it) the read is audited: a household's request is case data (S10)."""
    with transaction.atomic():
        found = (
            visible_requests(user, programme)
            .select_related("programme", "municipality", "requester_household", "requester_person", "requester_group")
            .filter(public_id=request_id)
            .first()
        )
        if found is None:
            raise Http404
        if http_request is not None:
            audit_record(
                action=AuditEvent.Action.READ, actor=user, request=http_request, programme=programme,
                membership=_first(memberships(user, programme), *STAFF_ROLES), target=found,
            )  # fmt: skip
    return found


def request_staff(actor: User | None, request: MutualAidRequest) -> Membership | None:
    """The membership through which `actor` acts on `request`; PermissionDenied if they may not."""
    if actor is None:
        return None
    found = memberships(actor, request.programme)
    membership = _first(found, Role.COORDINATOR, Role.OPERATOR, Role.LAB_MANAGER)
    if membership is None or not visible_requests(actor, request.programme).filter(pk=request.pk).exists():
        raise PermissionDenied
    return membership


def visible_offers(user: User | None, programme: Programme) -> QuerySet[MutualAidOffer]:
    if not _first(memberships(user, programme), *STAFF_ROLES):
        return MutualAidOffer.objects.none()
    return MutualAidOffer.objects.filter(programme=programme)


def get_offer_for_user(user: User, programme: Programme, offer_id: object) -> MutualAidOffer:
    offer = (
        visible_offers(user, programme)
        .select_related("programme", "municipality", "offerer_volunteer__person", "offerer_person", "offerer_group")
        .filter(public_id=offer_id)
        .first()
    )
    if offer is None:
        raise Http404
    return offer


def offer_staff(actor: User | None, programme: Programme) -> Membership | None:
    if actor is None:
        return None
    membership = _first(memberships(actor, programme), Role.COORDINATOR, Role.LAB_MANAGER, Role.OPERATOR)
    if membership is None:
        raise PermissionDenied
    return membership


def helper_matches(volunteer: Volunteer) -> QuerySet[Match]:
    """The matches of a volunteer's own offers (the caller got the volunteer from
    `require_own_volunteer`: the signed-in user's approved record)."""
    return Match.objects.filter(programme_id=volunteer.programme_id, offer__offerer_volunteer=volunteer)


def get_helper_match(volunteer: Volunteer, match_id: object) -> Match:
    match = (
        helper_matches(volunteer)
        .select_related("request__municipality", "request__requester_household__primary_contact",
                        "request__requester_person", "request__requester_group", "offer__offerer_volunteer")
        .filter(public_id=match_id)
        .first()
    )  # fmt: skip
    if match is None:
        raise Http404
    return match


def get_staff_match(user: User, programme: Programme, match_id: object) -> Match:
    match = (
        Match.objects.filter(programme=programme, request__in=visible_requests(user, programme))
        .select_related("request", "offer__offerer_volunteer__person", "offer__offerer_person", "offer__offerer_group")
        .filter(public_id=match_id)
        .first()
    )
    if match is None:
        raise Http404
    return match


def sees_names_in_time_bank(user: User | None, programme: Programme) -> bool:
    """The balances of people and households: coordinators only; evaluators and funders read the
    micro-networks' figures."""
    return _first(memberships(user, programme), Role.COORDINATOR) is not None
