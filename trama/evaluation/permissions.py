"""Who sees what of the evaluation (DESIGN.md "Access", SECURITY.md S8).

Coordinators, evaluators and funders see the programme's indicators. Coordinators see exact figures
and may drill down to the records behind a number; evaluators and funders see small cells
suppressed and never a name. Operators never reach records through the evaluation pages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from trama.accounts.models import Membership, Role, User
from trama.accounts.permissions import ProgrammeAccess
from trama.territory.models import Programme

DASHBOARD_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)


def sees_exact_figures(access: ProgrammeAccess) -> bool:
    return access.has_role(Role.COORDINATOR)


def may_drill_down(access: ProgrammeAccess) -> bool:
    return access.has_role(Role.COORDINATOR)


def may_set_targets(access: ProgrammeAccess) -> bool:
    return access.has_role(Role.COORDINATOR)


def check_dashboard(user: User | None, programme: Programme) -> bool:
    """Whether `user` may see the programme's dashboard: its figures exactly (True) or suppressed (False).
    PermissionDenied when neither."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied
    roles = set(Membership.objects.active().filter(user=user, programme=programme).values_list("role", flat=True))
    if Role.COORDINATOR in roles:
        return True
    if roles & {Role.EVALUATOR, Role.FUNDER}:
        return False
    raise PermissionDenied


def funded_programmes(user: User | None) -> list[Programme]:
    """The programmes in which `user` is a funder (the view across programmes)."""
    if user is None or not user.is_authenticated:
        return []
    ids = Membership.objects.active().filter(user=user, role=Role.FUNDER).values("programme")
    return list(Programme.objects.filter(pk__in=ids).order_by("name"))
