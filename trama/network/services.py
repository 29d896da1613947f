"""Writes about the organisations of the network and their roles in programmes."""

from __future__ import annotations

from django.db import transaction

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.accounts.permissions import acting_coordinator
from trama.network.models import Organisation, Partnership
from trama.territory.models import Municipality, Programme


def organisation_ensure(*, name: str, kind: str, municipality: Municipality | None = None) -> Organisation:
    """The organisation called `name`, created if missing (idempotent: the demo loader re-runs it)."""
    with transaction.atomic():
        organisation, created = Organisation.objects.get_or_create(
            name=name, defaults={"kind": kind, "municipality": municipality}
        )
        if created:
            audit_record(action=AuditEvent.Action.CREATE, actor=None, target=organisation)
    return organisation


def partnership_set(*, actor: User | None, programme: Programme, organisation: Organisation, role: str) -> Partnership:
    """Give `organisation` `role` in `programme`; a new lead replaces the previous lead's role."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if role == Partnership.Role.LEAD:
            previous_leads = Partnership.objects.select_for_update().filter(
                programme=programme, role=Partnership.Role.LEAD
            )
            for previous in previous_leads.exclude(organisation=organisation):
                previous.role = Partnership.Role.PARTNER
                previous.save(update_fields=["role", "updated_at"])
        partnership, created = Partnership.objects.select_for_update().get_or_create(
            programme=programme, organisation=organisation, defaults={"role": role}
        )
        if not created and partnership.role != role:
            partnership.role = role
            partnership.save(update_fields=["role", "updated_at"])
        elif not created:
            return partnership
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            actor=actor,
            membership=acting,
            programme=programme,
            target=partnership,
            reason=f"role={role}",
        )
    return partnership
