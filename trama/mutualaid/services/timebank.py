"""Writes of the time bank: accounts, exchanges as a balanced double entry, micro-networks and their
members, and the members of citizen groups (the journey from beneficiary to active citizen).

An exchange writes its two ledger entries — +hours for the giver, −hours for the receiver — in the
same transaction; entries are append-only, so the ledger always sums to zero.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.accounts.permissions import acting_coordinator
from trama.mutualaid.models import (
    Account,
    Category,
    Exchange,
    GroupMember,
    LedgerEntry,
    Match,
    MicroNetwork,
    MicroNetworkMember,
)
from trama.mutualaid.permissions import memberships
from trama.network.models import CitizenGroup, CommunityPlace
from trama.people.models import Household, Person
from trama.territory.models import Programme

Holder = Person | Household | CitizenGroup
MAX_EXCHANGE_HOURS = Decimal(24)


def account_for(holder: Holder) -> Account:
    """The holder's time-bank account, opened the first time it is needed."""
    field = {Person: "person", Household: "household", CitizenGroup: "group"}[type(holder)]
    account, _created = Account.objects.get_or_create(**{field: holder}, defaults={"programme_id": holder.programme_id})
    return account


def exchange_record(
    *,
    actor: User | None,
    programme: Programme,
    giver: Account,
    receiver: Account,
    hours: object,
    occurred_on: date,
    category: str,
    match: Match | None = None,
) -> Exchange:
    """Record `hours` given by `giver` to `receiver`, with its two balanced ledger entries. Callers
    check who may record it (the match services do)."""
    try:
        amount = Decimal(str(hours)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"hours": _("Write the hours as a number, e.g. 2 or 1.5.")}) from None
    if amount <= 0 or amount > MAX_EXCHANGE_HOURS:
        raise ValidationError({"hours": _("An exchange counts more than zero and at most 24 hours.")})
    if giver.pk == receiver.pk:
        raise ValidationError(_("An exchange needs two different accounts."))
    if giver.programme_id != programme.pk or receiver.programme_id != programme.pk:
        raise ValidationError(_("Both accounts must belong to the programme."))
    if category not in Category.values:
        raise ValidationError({"category": _("Choose the kind of help from the list.")})
    if occurred_on > timezone.localdate():
        raise ValidationError({"occurred_on": _("An exchange is recorded once it has happened.")})
    with transaction.atomic():
        exchange = Exchange.objects.create(
            programme=programme, match=match, category=category, giver=giver, receiver=receiver, hours=amount,
            occurred_on=occurred_on, recorded_by=actor,
        )  # fmt: skip
        LedgerEntry.objects.bulk_create(
            [
                LedgerEntry(exchange=exchange, account=giver, hours=amount, occurred_on=occurred_on),
                LedgerEntry(exchange=exchange, account=receiver, hours=-amount, occurred_on=occurred_on),
            ]
        )
        audit_record(action=AuditEvent.Action.CREATE, actor=actor, programme=programme, target=exchange)
    return exchange


# --- Micro-networks ------------------------------------------------------------------------------


def network_create(
    *, actor: User | None, programme: Programme, name: str, description: str = "", place: CommunityPlace | None = None
) -> MicroNetwork:
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Give the micro-network a name.")})
    with transaction.atomic():
        membership = acting_coordinator(actor, programme)
        if place is not None and place.programme_id != programme.pk:
            raise ValidationError({"place": _("The place is not in this programme's network.")})
        if MicroNetwork.objects.filter(programme=programme, name__iexact=name).exists():
            raise ValidationError({"name": _("A micro-network with this name already exists.")})
        network = MicroNetwork.objects.create(
            programme=programme, name=name, description=description.strip(), place=place
        )
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=programme, target=network
        )
    return network


def network_add_member(
    *, actor: User | None, network: MicroNetwork, holder: Person | Household, joined_on: date | None = None
) -> MicroNetworkMember:
    """Households and citizens take part in a micro-network (their account joins it)."""
    with transaction.atomic():
        membership = acting_coordinator(actor, network.programme)
        if holder.programme_id != network.programme_id:
            raise ValidationError(_("This record belongs to another programme."))
        if isinstance(holder, Person) and (holder.erased_at is not None or holder.is_restricted):
            raise ValidationError(_("This person's data may not be used."))
        account = account_for(holder)
        if MicroNetworkMember.objects.filter(network=network, account=account).exists():
            raise ValidationError(_("%(name)s is already a member.") % {"name": holder})
        member = MicroNetworkMember.objects.create(
            network=network, account=account, joined_on=joined_on or timezone.localdate()
        )
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=network.programme,
            target=member,
        )  # fmt: skip
    return member


def network_remove_member(*, actor: User | None, member: MicroNetworkMember) -> None:
    """The member leaves; the exchanges they made stay in the ledger."""
    with transaction.atomic():
        network = member.network
        membership = acting_coordinator(actor, network.programme)
        audit_record(
            action=AuditEvent.Action.DELETE, actor=actor, membership=membership, programme=network.programme,
            target=member,
        )  # fmt: skip
        member.delete()


# --- Members of citizen groups -----------------------------------------------------------------


def _group_manager(actor: User | None, group: CitizenGroup) -> Membership | None:
    """Coordinators and lab managers keep the groups' members."""
    if actor is None:
        return None
    for membership in memberships(actor, group.programme):
        if membership.role in (Role.COORDINATOR, Role.LAB_MANAGER):
            return membership
    raise PermissionDenied


def group_member_add(
    *, actor: User | None, group: CitizenGroup, person: Person, joined_on: date | None = None
) -> GroupMember:
    joined_on = joined_on or timezone.localdate()
    if joined_on > timezone.localdate():
        raise ValidationError({"joined_on": _("The date cannot be in the future.")})
    with transaction.atomic():
        membership = _group_manager(actor, group)
        if person.programme_id != group.programme_id:
            raise ValidationError(_("This record belongs to another programme."))
        if person.erased_at is not None or person.is_restricted:
            raise ValidationError(_("This person's data may not be used."))
        if GroupMember.objects.filter(group=group, person=person, left_on__isnull=True).exists():
            raise ValidationError(_("%(name)s is already a member.") % {"name": person})
        member = GroupMember.objects.create(group=group, person=person, joined_on=joined_on)
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=group.programme,
            target=member,
        )  # fmt: skip
    return member


def group_member_leave(*, actor: User | None, member: GroupMember, left_on: date | None = None) -> GroupMember:
    """The person leaves the group; the record stays (evaluation counts who took part, and when)."""
    with transaction.atomic():
        member = GroupMember.objects.select_for_update().select_related("group__programme").get(pk=member.pk)
        membership = _group_manager(actor, member.group)
        if member.left_on is not None:
            return member
        member.left_on = left_on or timezone.localdate()
        if member.left_on < member.joined_on:
            raise ValidationError({"left_on": _("A member cannot leave before joining.")})
        member.save(update_fields=["left_on", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE, actor=actor, membership=membership, programme=member.group.programme,
            target=member,
        )  # fmt: skip
    return member
