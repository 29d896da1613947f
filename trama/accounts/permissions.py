"""Access functions: fetch and authorise in one call.

A programme a user has no active membership in answers 404, the same as a programme that does not
exist, so addresses cannot be probed. A member whose role is not allowed gets 403: they know the
programme exists, and the message helps them ask the coordinator.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from trama.accounts.models import Membership, Role, User
from trama.accounts.selectors import memberships_for_user
from trama.territory.models import Programme


@dataclass(frozen=True)
class ProgrammeAccess:
    """What the signed-in user may do in the programme of the current request."""

    programme: Programme
    memberships: tuple[Membership, ...]

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(m.role for m in self.memberships)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def membership_for(self, *roles: str) -> Membership:
        """The membership the user acts through for an action open to `roles` (for the audit row)."""
        for membership in self.memberships:
            if membership.role in roles:
                return membership
        raise PermissionDenied


def get_programme_access(user: User, slug: str, *, roles: Iterable[str] | None = None) -> ProgrammeAccess:
    programme = Programme.objects.filter(slug=slug).first()
    if programme is None:
        raise Http404
    memberships = tuple(memberships_for_user(user, programme))
    if not memberships:
        raise Http404
    access = ProgrammeAccess(programme=programme, memberships=memberships)
    if roles is not None and not access.has_role(*roles):
        raise PermissionDenied
    return access


def programme_view(*roles: Role) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """Gate a view whose URL has `<slug:slug>`; the view receives `access` instead of `slug`.

    With no roles, any active member of the programme may use the view.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
            access = get_programme_access(request.user, slug, roles=roles or None)
            return view(request, access, *args, **kwargs)

        return wrapped

    return decorator


def requires_two_factor(user: User) -> bool:
    """Whether this user must pass TOTP before using the application (S15)."""
    from django.conf import settings

    if not settings.TRAMA_REQUIRE_2FA or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    return Membership.objects.active().filter(user=user, role__in=settings.TRAMA_2FA_ROLES).exists()


def acting_coordinator(actor: User | None, programme: Programme) -> Membership | None:
    """The coordinator membership through which `actor` changes `programme`, for the audit row.

    Services call this before any write a coordinator alone may make. `actor=None` is the system
    itself (the demo loader, a management command) and needs no membership.
    """
    if actor is None:
        return None
    membership = (
        Membership.objects.active()
        .filter(user=actor, programme=programme, role=Role.COORDINATOR)
        .select_related("organisation", "programme")
        .first()
    )
    if membership is None:
        raise PermissionDenied
    return membership
