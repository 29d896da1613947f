"""Who may see and do what with the budget and the fundraising (S1). Services and selectors call
these again: a view is never the only guard.

- Coordinators (the lead partner's staff) manage the budget, expenses, reallocations, campaigns,
  donors, donations and news posts.
- Evaluators and funders read the budget's aggregates (by source, by action line, the
  co-financing ratio) and the campaigns' progress: never a donor.
- Nobody else sees any of it; the public site shows published campaigns' totals and news only.

A record one may not see answers 404 like a missing one.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.funding.models import BudgetLine, Campaign, Donation, Donor, Expense, FundingSource, NewsPost
from trama.territory.models import Programme

MANAGERS = (Role.COORDINATOR,)
READERS = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def _first(found: list[Membership], roles: tuple[str, ...]) -> Membership | None:
    for role in roles:  # the order of `roles` is the preference
        for membership in found:
            if membership.role == role:
                return membership
    return None


def manager_membership(actor: User | None, programme: Programme) -> Membership | None:
    """The coordinator membership through which `actor` changes the budget or the fundraising;
    None for the system itself (the demo loader). Raises PermissionDenied otherwise."""
    if actor is None:
        return None
    membership = _first(memberships(actor, programme), MANAGERS)
    if membership is None:
        raise PermissionDenied
    return membership


def reader_membership(user: User | None, programme: Programme) -> Membership:
    """The membership through which `user` reads the budget's aggregates; PermissionDenied otherwise."""
    membership = _first(memberships(user, programme), READERS)
    if membership is None:
        raise PermissionDenied
    return membership


def can_manage(user: User | None, programme: Programme) -> bool:
    return _first(memberships(user, programme), MANAGERS) is not None


def _get(queryset: QuerySet[Any], public_id: object) -> Any:
    found = queryset.filter(public_id=public_id).first()
    if found is None:
        raise Http404
    return found


def get_line_for_user(user: User, programme: Programme, line_id: object) -> BudgetLine:
    reader_membership(user, programme)
    return _get(BudgetLine.objects.for_programme(programme).select_related("source", "action_line"), line_id)


def get_source_for_manager(user: User, programme: Programme, source_id: object) -> FundingSource:
    manager_membership(user, programme)
    return _get(FundingSource.objects.for_programme(programme).select_related("organisation"), source_id)


def get_expense_for_manager(user: User, programme: Programme, expense_id: object) -> Expense:
    manager_membership(user, programme)
    return _get(Expense.objects.for_programme(programme).select_related("line__source", "programme"), expense_id)


def get_campaign_for_user(user: User, programme: Programme, campaign_id: object) -> Campaign:
    reader_membership(user, programme)
    return _get(Campaign.objects.for_programme(programme).select_related("source", "programme"), campaign_id)


def get_news_for_manager(user: User, programme: Programme, post_id: object) -> NewsPost:
    manager_membership(user, programme)
    return _get(NewsPost.objects.for_programme(programme).select_related("campaign", "programme"), post_id)


def get_donor_for_manager(
    user: User, programme: Programme, donor_id: object, *, request: HttpRequest | None = None
) -> Donor:
    """Fetch one donor for a coordinator; the read of their personal record is audited (S10)."""
    with transaction.atomic():
        membership = manager_membership(user, programme)
        donor = _get(Donor.objects.for_programme(programme).select_related("municipality", "programme"), donor_id)
        audit_record(
            action=AuditEvent.Action.READ, actor=user, request=request, programme=programme,
            membership=membership, target=donor,
        )  # fmt: skip
    return donor


def get_donation_for_manager(user: User, programme: Programme, donation_id: object) -> Donation:
    manager_membership(user, programme)
    return _get(
        Donation.objects.for_programme(programme).select_related("donor__municipality", "campaign", "programme"),
        donation_id,
    )
