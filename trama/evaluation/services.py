"""Writes of the evaluation layer: the targets and baselines of a programme (coordinators only)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, User
from trama.accounts.permissions import acting_coordinator
from trama.evaluation import registry
from trama.territory.models import Programme, Target


def target_set(
    *,
    actor: User | None,
    programme: Programme,
    indicator_code: str,
    kind: str,
    value: Decimal,
    day: date | None = None,
    note: str = "",
) -> Target:
    """Set the target (or baseline) of an indicator for a date (none: by the programme's end).
    A second value for the same indicator, kind and date replaces the first."""
    errors = {}
    try:
        registry.get(indicator_code)
    except KeyError:
        errors["indicator_code"] = _("This indicator does not exist.")
    if kind not in Target.Kind.values:
        errors["kind"] = _("Choose target or baseline.")
    if value is None or value < 0:
        errors["value"] = _("The value cannot be negative.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        acting = acting_coordinator(actor, programme)
        target = (
            Target.objects.select_for_update()
            .filter(programme=programme, indicator_code=indicator_code, kind=kind, date=day)
            .first()
        )
        if target is not None and target.value == value and target.note == note:
            return target  # nothing changes: no new version, no audit row
        action = AuditEvent.Action.UPDATE if target else AuditEvent.Action.CREATE
        if target is None:
            target = Target(programme=programme, indicator_code=indicator_code, kind=kind, date=day)
        target.value, target.note = value, note
        target.full_clean()
        target.save()
        audit_record(
            action=action,
            actor=actor,
            membership=acting,
            programme=programme,
            target=target,
            reason=f"{kind} {indicator_code}={value}",
        )
    return target


def target_delete(*, actor: User | None, target: Target) -> None:
    with transaction.atomic():
        acting = acting_coordinator(actor, target.programme)
        audit_record(
            action=AuditEvent.Action.DELETE,
            actor=actor,
            membership=acting,
            programme=target.programme,
            target=target,
            reason=f"{target.kind} {target.indicator_code}",
        )
        target.delete()
