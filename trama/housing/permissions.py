"""Who may see what of the housing plan (S1). Every page, export and service goes through these.

- The plan's staff are the programme's coordinators and operators. They see the dwellings offered
  to the plan, private owners' contacts included; nobody else does (lab managers, volunteers,
  evaluators, funders, companies see no page of the plan).
- Housing searches, tenancies and guarantees belong to a household followed by a case: they follow
  the case's own scoping (`trama.casework.permissions.visible_cases`) — coordinators all, an
  operator the cases whose team they are on (or their organisation's, as supervisor).
- A co-housing is seen by coordinators and by operators who see one of its households.
- Social caretakers are operators assigned to a building's caretaker team (`Caretaker`). An
  operator sees only the buildings whose team they are on, and their logbooks; coordinators see
  every building of the programme. Supervisors get nothing more here: the logbook is the team's.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from trama.accounts.models import Membership, Role, User
from trama.casework.permissions import visible_cases
from trama.housing.models import Building, CoHousing, CoHousingMember, Dwelling, HousingSearch, Tenancy
from trama.territory.models import Programme

PLAN_ROLES = (Role.COORDINATOR, Role.OPERATOR)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def is_coordinator(user: User | None, programme: Programme) -> bool:
    return any(m.role == Role.COORDINATOR for m in memberships(user, programme))


def plan_membership(user: User | None, programme: Programme) -> Membership | None:
    """The membership through which `user` works in the plan (coordinator first), or
    PermissionDenied. `None` is the system (demo loader, commands)."""
    if user is None:
        return None
    found = memberships(user, programme)
    for role in PLAN_ROLES:
        membership = next((m for m in found if m.role == role), None)
        if membership is not None:
            return membership
    raise PermissionDenied


def coordinator_membership(user: User | None, programme: Programme) -> Membership | None:
    if user is None:
        return None
    membership = next((m for m in memberships(user, programme) if m.role == Role.COORDINATOR), None)
    if membership is None:
        raise PermissionDenied
    return membership


def is_plan_staff(user: User | None, programme: Programme) -> bool:
    return any(m.role in PLAN_ROLES for m in memberships(user, programme))


# --- Dwellings ------------------------------------------------------------------------------------


def visible_dwellings(user: User, programme: Programme) -> QuerySet[Dwelling]:
    dwellings = Dwelling.objects.filter(programme=programme)
    return dwellings if is_plan_staff(user, programme) else dwellings.none()


def get_dwelling_for_user(user: User, programme: Programme, dwelling_id: object) -> Dwelling:
    dwelling = (
        visible_dwellings(user, programme)
        .select_related("municipality", "organisation", "programme")
        .filter(public_id=dwelling_id)
        .first()
    )
    if dwelling is None:
        raise Http404
    return dwelling


# --- Searches, tenancies, guarantees (through the case) -------------------------------------------


def visible_searches(user: User, programme: Programme) -> QuerySet[HousingSearch]:
    return HousingSearch.objects.filter(programme=programme, case__in=visible_cases(user, programme))


def get_search_for_user(user: User, programme: Programme, search_id: object) -> HousingSearch:
    search = (
        visible_searches(user, programme)
        .select_related("household", "case", "programme")
        .prefetch_related("municipalities")
        .filter(public_id=search_id)
        .first()
    )
    if search is None:
        raise Http404
    return search


def visible_tenancies(user: User, programme: Programme) -> QuerySet[Tenancy]:
    return Tenancy.objects.filter(programme=programme, search__in=visible_searches(user, programme))


def get_tenancy_for_user(user: User, programme: Programme, tenancy_id: object) -> Tenancy:
    tenancy = (
        visible_tenancies(user, programme)
        .select_related("search__household", "search__case", "dwelling__municipality", "programme")
        .filter(public_id=tenancy_id)
        .first()
    )
    if tenancy is None:
        raise Http404
    return tenancy


# --- Co-housing -----------------------------------------------------------------------------------


def visible_cohousings(user: User, programme: Programme) -> QuerySet[CoHousing]:
    cohousings = CoHousing.objects.filter(programme=programme)
    if is_coordinator(user, programme):
        return cohousings
    if not is_plan_staff(user, programme):
        return cohousings.none()
    households = visible_cases(user, programme).values("household_id")
    seen = CoHousingMember.objects.filter(cohousing_id=OuterRef("pk"), household_id__in=households)
    return cohousings.filter(Exists(seen))


def get_cohousing_for_user(user: User, programme: Programme, cohousing_id: object) -> CoHousing:
    cohousing = (
        visible_cohousings(user, programme)
        .select_related("dwelling__municipality", "programme")
        .filter(public_id=cohousing_id)
        .first()
    )
    if cohousing is None:
        raise Http404
    return cohousing


# --- Social caretaker -----------------------------------------------------------------------------


def visible_buildings(user: User, programme: Programme) -> QuerySet[Building]:
    """Coordinators: every building of the programme; operators: the buildings whose caretaker
    team they are on; anyone else: none."""
    found = memberships(user, programme)
    buildings = Building.objects.filter(programme=programme)
    if any(m.role == Role.COORDINATOR for m in found):
        return buildings
    if not any(m.role == Role.OPERATOR for m in found):
        return buildings.none()
    return buildings.filter(team__user=user)


def get_building_for_user(user: User, programme: Programme, building_id: object) -> Building:
    building = (
        visible_buildings(user, programme)
        .select_related("municipality", "programme")
        .filter(public_id=building_id)
        .first()
    )
    if building is None:
        raise Http404
    return building


def logbook_membership(user: User | None, building: Building) -> Membership | None:
    """Who may write the logbook: the building's caretakers (active operators) and coordinators."""
    if user is None:
        return None
    found = memberships(user, building.programme)
    coordinator = next((m for m in found if m.role == Role.COORDINATOR), None)
    if coordinator is not None:
        return coordinator
    team = building.team.filter(user=user).first()
    operator = next((m for m in found if m.role == Role.OPERATOR), None)
    if team is None or operator is None:
        raise PermissionDenied
    return next((m for m in found if m.role == Role.OPERATOR and m.organisation_id == team.organisation_id), operator)
