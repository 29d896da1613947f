"""Writes about programmes, their territory, action lines and targets. Atomic and audited."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.accounts.permissions import acting_coordinator
from trama.core.concurrency import save_versioned
from trama.territory.models import ActionLine, Municipality, Programme, Target

# What a coordinator may change on the programme form (S4: an explicit allow-list).
PROGRAMME_EDITABLE_FIELDS = (
    "name", "tagline", "description", "funder", "call", "start_date", "end_date", "budget",
    "declared_inhabitants", "declared_households", "declared_households_with_minors",
    "declared_municipalities", "territory_note", "is_public",
)  # fmt: skip


def programme_ensure(*, slug: str, **fields: Any) -> Programme:
    """Create the programme with `slug` or bring its fields up to date (the demo loader re-runs it).

    The system alone creates programmes: an installation's administrator, not a coordinator.
    """
    unknown = set(fields) - set(PROGRAMME_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"Not programme fields: {sorted(unknown)}")
    with transaction.atomic():
        programme = Programme.objects.select_for_update().filter(slug=slug).first()
        if programme is None:
            programme = Programme(slug=slug, **fields)
            programme.full_clean()
            programme.save()
            audit_record(action=AuditEvent.Action.CREATE, actor=None, programme=programme, target=programme)
            return programme
        changed = [name for name, value in fields.items() if getattr(programme, name) != value]
        if changed:
            for name in changed:
                setattr(programme, name, fields[name])
            programme.full_clean()
            save_versioned(programme, expected_version=programme.version, update_fields=changed)
            audit_record(action=AuditEvent.Action.UPDATE, actor=None, programme=programme, target=programme)
    return programme


def programme_update(*, actor: User, programme: Programme, expected_version: int, fields: dict[str, Any]) -> Programme:
    """A coordinator's edit; raises StaleVersionError if someone saved the programme meanwhile."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        changed = [
            name for name in PROGRAMME_EDITABLE_FIELDS if name in fields and getattr(programme, name) != fields[name]
        ]
        for name in changed:
            setattr(programme, name, fields[name])
        programme.full_clean()
        save_versioned(programme, expected_version=expected_version, update_fields=changed)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=acting,
            target=programme,
            reason="fields=" + ",".join(changed),
        )
    return programme


def programme_set_municipalities(
    *, actor: User | None, programme: Programme, add: Iterable[Municipality] = (), remove: Iterable[Municipality] = ()
) -> None:
    add, remove = list(add), list(remove)
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        programme = Programme.objects.select_for_update().get(pk=programme.pk)
        current = set(programme.municipalities.values_list("pk", flat=True))
        to_add = [m for m in add if m.pk not in current]
        to_remove = [m for m in remove if m.pk in current]
        if not to_add and not to_remove:
            return
        programme.municipalities.add(*to_add)
        programme.municipalities.remove(*to_remove)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=acting,
            programme=programme,
            target=programme,
            reason=(
                "territory +"
                + ",".join(m.istat_code for m in to_add)
                + " -"
                + ",".join(m.istat_code for m in to_remove)
            ),
        )


def action_line_save(
    *,
    actor: User | None,
    programme: Programme,
    code: str,
    name: str,
    description: str = "",
    position: int = 0,
    action_line: ActionLine | None = None,
) -> ActionLine:
    """Create an action line, or update `action_line`; the code is unique within the programme."""
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        if action_line is None:
            action_line = ActionLine.objects.filter(programme=programme, code=code).first() or ActionLine(
                programme=programme
            )
        else:
            # Re-read: a ModelForm bound to the instance has already changed it in memory.
            action_line = ActionLine.objects.select_for_update().get(pk=action_line.pk)
            if action_line.programme_id != programme.pk:
                raise ValidationError("The action line belongs to another programme.")
        created = action_line.pk is None
        values = {"code": code, "name": name, "description": description, "position": position}
        if not created and all(getattr(action_line, key) == value for key, value in values.items()):
            return action_line
        for key, value in values.items():
            setattr(action_line, key, value)
        action_line.full_clean()
        action_line.save()
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            actor=actor,
            membership=acting,
            programme=programme,
            target=action_line,
        )
    return action_line


def action_line_delete(*, actor: User, action_line: ActionLine) -> None:
    with transaction.atomic():
        acting = acting_coordinator(actor, action_line.programme)
        audit_record(
            action=AuditEvent.Action.DELETE,
            actor=actor,
            membership=acting,
            programme=action_line.programme,
            target=action_line,
            reason=f"code={action_line.code}",
        )
        action_line.delete()


def target_set(
    *,
    actor: User | None,
    programme: Programme,
    indicator_code: str,
    value: Decimal,
    date: date | None,
    kind: str = Target.Kind.TARGET,
    note: str = "",
) -> Target:
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        target, created = Target.objects.select_for_update().get_or_create(
            programme=programme,
            indicator_code=indicator_code,
            kind=kind,
            date=date,
            defaults={"value": value, "note": note},
        )
        if not created and (target.value, target.note) == (value, note):
            return target
        target.value, target.note = value, note
        target.full_clean()
        target.save()
        audit_record(
            action=AuditEvent.Action.CREATE if created else AuditEvent.Action.UPDATE,
            actor=actor,
            membership=acting,
            programme=programme,
            target=target,
        )
    return target
