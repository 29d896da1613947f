"""Who may see which person and household (S1): exactly those of the cases one may see.

Coordinators see every person and household of their programme; an operator sees the members of
the households whose cases they may see; nobody else sees anyone.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.permissions import visible_cases
from trama.people.models import Household, Person
from trama.territory.models import Programme


def _is_coordinator(user: User, programme: Programme) -> bool:
    return Membership.objects.active().filter(user=user, programme=programme, role=Role.COORDINATOR).exists()


def _reading_membership(user: User, programme: Programme) -> Membership | None:
    """The membership a read of case data is made through, for the audit row (who, organisation, role)."""
    return (
        Membership.objects.active()
        .filter(user=user, programme=programme, role__in=[Role.COORDINATOR, Role.OPERATOR])
        .select_related("organisation")
        .order_by("role")
        .first()
    )


def visible_households(user: User, programme: Programme) -> QuerySet[Household]:
    households = Household.objects.filter(programme=programme)
    if _is_coordinator(user, programme):
        return households
    return households.filter(cases__in=visible_cases(user, programme)).distinct()


def visible_people(user: User, programme: Programme) -> QuerySet[Person]:
    people = Person.objects.filter(programme=programme)
    if _is_coordinator(user, programme):
        return people
    return people.filter(households__in=visible_households(user, programme)).distinct()


def get_person_for_user(
    user: User, programme: Programme, person_id: object, *, request: HttpRequest | None = None
) -> Person:
    """Fetch and authorise one person; 404 alike for missing and forbidden; the read is audited."""
    with transaction.atomic():
        person = visible_people(user, programme).filter(public_id=person_id).first()
        if person is None:
            raise Http404
        audit_record(
            action=AuditEvent.Action.READ,
            actor=user,
            request=request,
            programme=programme,
            membership=_reading_membership(user, programme),
            target=person,
        )
    return person


def get_household_for_user(
    user: User, programme: Programme, household_id: object, *, request: HttpRequest | None = None
) -> Household:
    with transaction.atomic():
        household = visible_households(user, programme).filter(public_id=household_id).first()
        if household is None:
            raise Http404
        audit_record(
            action=AuditEvent.Action.READ,
            actor=user,
            request=request,
            programme=programme,
            membership=_reading_membership(user, programme),
            target=household,
        )
    return household
