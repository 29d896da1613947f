"""Reads about who may act where. Every programme-scoped page starts from these."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from trama.accounts.models import AuditEvent, Membership, User
from trama.territory.models import Programme


def programmes_for_user(user: User) -> QuerySet[Programme]:
    """The programmes where `user` has at least one active membership."""
    if not user.is_authenticated or not user.is_active:
        return Programme.objects.none()
    return Programme.objects.filter(memberships__user=user, memberships__is_active=True).distinct().order_by("name")


def memberships_for_user(user: User, programme: Programme) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    return list(
        Membership.objects.active()
        .filter(user=user, programme=programme)
        .select_related("organisation", "programme")
        .order_by("role")
    )


def programme_members(programme: Programme, *, query: str = "", role: str = "") -> QuerySet[Membership]:
    """Everyone with a role in the programme, active first; searchable by name or e-mail."""
    members = Membership.objects.filter(programme=programme).select_related("user", "organisation")
    if query:
        members = members.filter(Q(user__full_name__icontains=query) | Q(user__email__icontains=query))
    if role:
        members = members.filter(role=role)
    return members.order_by("-is_active", "user__full_name", "role")


def audit_events_for_programme(
    programme: Programme, *, action: str = "", actor_query: str = ""
) -> QuerySet[AuditEvent]:
    """The programme's audit trail, newest first: what coordinators may read (DESIGN.md, Access)."""
    events = AuditEvent.objects.filter(programme=programme).select_related("actor", "organisation")
    if action:
        events = events.filter(action=action)
    if actor_query:
        events = events.filter(actor__email__icontains=actor_query)
    return events.order_by("-created_at", "-id")
