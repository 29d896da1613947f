"""Writes of the budget: its settings, funding sources, lines, expenses and reallocations.

Every function is keyword-only, atomic, audited and checks permission itself (coordinators; the
system when `actor` is None). Money is never over-committed (S22): recording an expense locks the
line's row (`select_for_update`; on SQLite the IMMEDIATE transaction) before it sums what the line
already uses, so two concurrent expenses cannot both take the last euro. A line's shortfall is
covered only by an explicit reallocation from another line of the same source, with a reason,
written and audited in the same transaction.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, User
from trama.core.concurrency import save_versioned
from trama.funding.models import Budget, BudgetLine, Expense, FundingSource, Reallocation
from trama.funding.money import MAX_AMOUNT, ZERO, cents, euro, is_exact_cents
from trama.funding.permissions import manager_membership
from trama.network.models import Partnership
from trama.territory.models import Programme

SOURCE_FIELDS = ("kind", "name", "organisation", "amount", "position")
LINE_FIELDS = ("source", "action_line", "title", "planned_amount", "position")
FROM_PARTNERSHIP = "co-financing from partnership"


def _audit(
    actor: User | None,
    membership: Membership | None,
    programme: Programme,
    target: Any,
    action: str,
    *,
    reason: str = "",
) -> None:
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def check_amount(value: Decimal | None, field: str, *, positive: bool = True) -> Decimal:
    """An amount in euro and cents, positive (or not negative), within the column's range."""
    if value is None or not isinstance(value, Decimal) or not is_exact_cents(value):
        raise ValidationError({field: _("Give an amount in euro with at most two decimals.")})
    if positive and value <= 0:
        raise ValidationError({field: _("The amount must be greater than zero.")})
    if value < 0:
        raise ValidationError({field: _("The amount cannot be negative.")})
    if value > MAX_AMOUNT:
        raise ValidationError({field: _("The amount is too large: check the figure.")})
    return value


def _used(line: BudgetLine) -> Decimal:
    """What the line's live expenses use (committed or paid), summed by the database."""
    total = Expense.objects.filter(line=line, status__in=Expense.LIVE).aggregate(total=Sum("amount"))["total"]
    return cents(total)


def _allocated(source: FundingSource, *, excluding: BudgetLine | None = None) -> Decimal:
    lines = BudgetLine.objects.filter(source=source)
    if excluding is not None and excluding.pk:
        lines = lines.exclude(pk=excluding.pk)
    return cents(lines.aggregate(total=Sum("amount"))["total"])


# --- Settings and sources ------------------------------------------------------------------------


def budget_settings_save(
    *, actor: User | None, programme: Programme, expected_version: int | None, required_cofinancing_percent: Decimal,
    note: str = "",
) -> Budget:  # fmt: skip
    """The co-financing the call requires. `expected_version` None creates the settings."""
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if not isinstance(required_cofinancing_percent, Decimal) or not (
            0 <= required_cofinancing_percent <= 100 and is_exact_cents(required_cofinancing_percent)
        ):
            raise ValidationError({"required_cofinancing_percent": _("Give a percentage between 0 and 100.")})
        budget = Budget.objects.filter(programme=programme).first()
        if budget is None:
            budget = Budget.objects.create(
                programme=programme, required_cofinancing_percent=required_cofinancing_percent, note=note.strip()
            )
            _audit(actor, membership, programme, budget, AuditEvent.Action.CREATE)
            return budget
        budget.required_cofinancing_percent, budget.note = required_cofinancing_percent, note.strip()
        save_versioned(
            budget, expected_version=expected_version or 0, update_fields=["required_cofinancing_percent", "note"]
        )
        _audit(actor, membership, programme, budget, AuditEvent.Action.UPDATE)
    return budget


def _check_source(programme: Programme, source: FundingSource) -> None:
    errors: dict[str, str] = {}
    if source.kind == FundingSource.Kind.COFINANCING:
        if source.organisation_id is None:
            errors["organisation"] = _("Name the partner that co-finances.")
        elif not Partnership.objects.filter(programme=programme, organisation_id=source.organisation_id).exists():
            errors["organisation"] = _("Only an organisation of the programme's partnership can co-finance it.")
    if not source.name.strip():
        errors["name"] = _("Give the source a name.")
    if errors:
        raise ValidationError(errors)


def source_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], source: FundingSource | None = None,
    expected_version: int = 0,
) -> FundingSource:  # fmt: skip
    """Create or edit a funding source. Its amount can never fall below what its lines allocate."""
    fields = {name: value for name, value in fields.items() if name in SOURCE_FIELDS}
    check_amount(fields.get("amount", source.amount if source else None), "amount", positive=False)
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if source is None:
            source = FundingSource(programme=programme, **fields)
            _check_source(programme, source)
            source.full_clean()
            source.save()
            _audit(actor, membership, programme, source, AuditEvent.Action.CREATE)
            return source
        if source.programme_id != programme.pk:
            raise ValidationError(_("The source belongs to another programme."))
        source = FundingSource.objects.select_for_update().get(pk=source.pk)
        changed = [name for name, value in fields.items() if getattr(source, name) != value]
        for name in changed:
            setattr(source, name, fields[name])
        _check_source(programme, source)
        allocated = _allocated(source)
        if source.amount < allocated:
            raise ValidationError(
                {"amount": _("The lines already allocate %(allocated)s of this source: the amount cannot be less.")
                 % {"allocated": euro(allocated)}}
            )  # fmt: skip
        source.full_clean()
        save_versioned(source, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, programme, source, AuditEvent.Action.UPDATE)
    return source


def cofinancing_sync(*, actor: User | None, programme: Programme) -> list[FundingSource]:
    """One co-financing source per partner with a pledge on its partnership (network), at the
    pledged amount. Returns the sources created or changed."""
    touched: list[FundingSource] = []
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        partnerships = (
            Partnership.objects.filter(programme=programme, cofinancing__isnull=False)
            .select_related("organisation")
            .order_by("organisation__name")
        )
        existing = {
            s.organisation_id: s
            for s in FundingSource.objects.select_for_update().filter(
                programme=programme, kind=FundingSource.Kind.COFINANCING
            )
        }
        for position, partnership in enumerate(partnerships, start=10):
            pledged = cents(partnership.cofinancing)
            source = existing.get(partnership.organisation_id)
            if source is None:
                source = FundingSource(
                    programme=programme, kind=FundingSource.Kind.COFINANCING, organisation=partnership.organisation,
                    name=_("Co-financing: %(partner)s") % {"partner": partnership.organisation.name},
                    amount=pledged, position=position,
                )  # fmt: skip
                source.full_clean()
                source.save()
                _audit(actor, membership, programme, source, AuditEvent.Action.CREATE, reason=FROM_PARTNERSHIP)
                touched.append(source)
            elif source.amount != pledged:
                allocated = _allocated(source)
                if pledged < allocated:
                    raise ValidationError(
                        _("%(partner)s now pledges %(pledged)s but its lines allocate %(allocated)s: reduce the "
                          "lines first.")
                        % {"partner": partnership.organisation.name, "pledged": euro(pledged),
                           "allocated": euro(allocated)}
                    )  # fmt: skip
                source.amount = pledged
                save_versioned(source, expected_version=source.version, update_fields=["amount"])
                _audit(actor, membership, programme, source, AuditEvent.Action.UPDATE, reason=FROM_PARTNERSHIP)
                touched.append(source)
    return touched


# --- Lines -----------------------------------------------------------------------------------------


def _check_line(programme: Programme, line: BudgetLine) -> None:
    errors: dict[str, str] = {}
    if line.source_id and line.source.programme_id != programme.pk:
        errors["source"] = _("The source belongs to another programme.")
    if line.action_line_id and line.action_line.programme_id != programme.pk:
        errors["action_line"] = _("The action line belongs to another programme.")
    if not line.title.strip():
        errors["title"] = _("Say what the line pays for.")
    if errors:
        raise ValidationError(errors)


def _check_source_room(line: BudgetLine) -> None:
    """The lines of a source never allocate more than the source pledges."""
    source = FundingSource.objects.select_for_update().get(pk=line.source_id)
    room = cents(source.amount) - _allocated(source, excluding=line)
    if line.amount > room:
        raise ValidationError(
            {"planned_amount": _("%(source)s has only %(room)s left to allocate.")
             % {"source": source.name, "room": euro(max(room, ZERO))}}
        )  # fmt: skip


def line_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], line: BudgetLine | None = None,
    expected_version: int = 0,
) -> BudgetLine:  # fmt: skip
    """Create a line, or change its planned amount: the current amount moves by the same
    difference (reallocations stay), and can never fall below what the line already uses."""
    fields = {name: value for name, value in fields.items() if name in LINE_FIELDS}
    if "planned_amount" in fields or line is None:
        check_amount(fields.get("planned_amount"), "planned_amount", positive=False)
    if isinstance(fields.get("title"), str):
        fields["title"] = fields["title"].strip()
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if line is None:
            line = BudgetLine(programme=programme, amount=fields["planned_amount"], **fields)
            _check_line(programme, line)
            _check_source_room(line)
            line.full_clean()
            line.save()
            _audit(actor, membership, programme, line, AuditEvent.Action.CREATE)
            return line
        if line.programme_id != programme.pk:
            raise ValidationError(_("The line belongs to another programme."))
        line = BudgetLine.objects.select_for_update().get(pk=line.pk)
        changed = [name for name, value in fields.items() if getattr(line, name) != value]
        if "planned_amount" in changed:
            line.amount = line.amount + fields["planned_amount"] - line.planned_amount
            changed.append("amount")
        for name in changed:
            if name != "amount":
                setattr(line, name, fields[name])
        _check_line(programme, line)
        used = _used(line)
        if line.amount < used:
            raise ValidationError(
                {"planned_amount": _("The line's expenses already use %(used)s: it cannot have less.")
                 % {"used": euro(used)}}
            )  # fmt: skip
        if {"amount", "source"} & set(changed):
            _check_source_room(line)
        line.full_clean()
        save_versioned(line, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, programme, line, AuditEvent.Action.UPDATE)
    return line


# --- Reallocations and expenses -------------------------------------------------------------------


def _locked_lines(*lines: BudgetLine) -> dict[int, BudgetLine]:
    """Lock the lines in the order of their ids, so two transactions never wait on each other."""
    ids = sorted({line.pk for line in lines})
    locked = (
        BudgetLine.objects.select_for_update(of=("self",)).select_related("source").filter(pk__in=ids).order_by("pk")
    )
    return {line.pk: line for line in locked}


def _move(
    *, actor: User | None, membership: Membership | None, programme: Programme, source_line: BudgetLine,
    target_line: BudgetLine, amount: Decimal, reason: str,
) -> Reallocation:  # fmt: skip
    """Move `amount` between two locked lines of the same source (the caller holds the locks)."""
    errors: dict[str, str] = {}
    if source_line.pk == target_line.pk:
        errors["from_line"] = _("Choose two different lines.")
    elif source_line.source_id != target_line.source_id:
        errors["from_line"] = _(
            "Money can be moved only between lines funded by the same source: each source's total stays as pledged."
        )
    if source_line.programme_id != programme.pk or target_line.programme_id != programme.pk:
        errors["from_line"] = _("The line belongs to another programme.")
    if not reason.strip():
        errors["reason"] = _("Give the reason for moving the money: it is kept in the budget's history.")
    if errors:
        raise ValidationError(errors)
    available = cents(source_line.amount) - _used(source_line)
    if amount > available:
        raise ValidationError(
            {"from_line": _("%(line)s has only %(available)s not yet committed or spent.")
             % {"line": source_line.title, "available": euro(max(available, ZERO))}}
        )  # fmt: skip
    source_line.amount -= amount
    target_line.amount += amount
    for line in (source_line, target_line):
        line.version += 1
        line.save(update_fields=["amount", "version", "updated_at"])
    reallocation = Reallocation.objects.create(
        programme=programme, from_line=source_line, to_line=target_line, amount=amount, reason=reason.strip(),
        recorded_by=actor,
    )  # fmt: skip
    _audit(actor, membership, programme, reallocation, AuditEvent.Action.CREATE, reason=f"reallocation of {amount} EUR")
    return reallocation


def reallocation_record(
    *, actor: User | None, programme: Programme, from_line: BudgetLine, to_line: BudgetLine, amount: Decimal,
    reason: str,
) -> Reallocation:  # fmt: skip
    """Move money between two lines of the same source (coordinators), with a reason (audited)."""
    check_amount(amount, "amount")
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        locked = _locked_lines(from_line, to_line)
        return _move(
            actor=actor, membership=membership, programme=programme, source_line=locked[from_line.pk],
            target_line=locked[to_line.pk], amount=amount, reason=reason,
        )  # fmt: skip


def _check_date(programme: Programme, day: date | None, field: str) -> None:
    if day is None:
        raise ValidationError({field: _("Give the date.")})
    if (programme.start_date and day < programme.start_date) or (programme.end_date and day > programme.end_date):
        start = programme.start_date.strftime("%d/%m/%Y") if programme.start_date else "…"
        end = programme.end_date.strftime("%d/%m/%Y") if programme.end_date else "…"
        message = _("The date is outside the programme's period (%(start)s – %(end)s).")
        raise ValidationError({field: message % {"start": start, "end": end}})


def expense_record(
    *, actor: User | None, programme: Programme, line: BudgetLine, amount: Decimal, incurred_on: date,
    description: str, supplier: str = "", reference: str = "", paid: bool = False, paid_on: date | None = None,
    cover_from: BudgetLine | None = None, cover_reason: str = "",
) -> Expense:  # fmt: skip
    """Commit (or, with `paid`, spend) `amount` on `line`.

    The line's row is locked first, then what it already uses is summed: an expense beyond the
    remaining amount is refused, unless `cover_from` names another line of the same source to
    move the shortfall from (an explicit reallocation, with `cover_reason`, audited)."""
    check_amount(amount, "amount")
    if not description.strip():
        raise ValidationError({"description": _("Say what the expense is for.")})
    _check_date(programme, incurred_on, "incurred_on")
    today = timezone.localdate()
    if paid:
        paid_on = paid_on or incurred_on
        _check_date(programme, paid_on, "paid_on")
        if paid_on > today:
            raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if line.programme_id != programme.pk:
            raise ValidationError({"line": _("The line belongs to another programme.")})
        locked = _locked_lines(line, *([cover_from] if cover_from is not None else []))
        target = locked[line.pk]
        remaining = cents(target.amount) - _used(target)
        if amount > remaining:
            if cover_from is None:
                raise ValidationError(
                    {"amount": _("Only %(remaining)s remain on this line: a coordinator can move the missing "
                                 "%(missing)s from another line of the same source.")
                     % {"remaining": euro(max(remaining, ZERO)), "missing": euro(amount - max(remaining, ZERO))}}
                )  # fmt: skip
            shortfall = amount - max(remaining, ZERO)
            try:
                _move(
                    actor=actor, membership=membership, programme=programme, source_line=locked[cover_from.pk],
                    target_line=target, amount=shortfall, reason=cover_reason,
                )  # fmt: skip
            except ValidationError as error:
                messages = error.message_dict if hasattr(error, "error_dict") else {"cover_from": error.messages}
                raise ValidationError(
                    {"cover_reason" if name == "reason" else "cover_from": text for name, text in messages.items()}
                ) from error
        expense = Expense(
            programme=programme, line=target, amount=amount, incurred_on=incurred_on, description=description.strip(),
            supplier=supplier.strip(), reference=reference.strip(), recorded_by=actor,
            status=Expense.Status.PAID if paid else Expense.Status.COMMITTED, paid_on=paid_on if paid else None,
        )  # fmt: skip
        expense.full_clean()
        expense.save()
        _audit(actor, membership, programme, expense, AuditEvent.Action.CREATE)
    return expense


def expense_mark_paid(*, actor: User | None, expense: Expense, paid_on: date) -> Expense:
    """A commitment is paid: it stays on its line (it already used the amount)."""
    programme = expense.programme
    _check_date(programme, paid_on, "paid_on")
    if paid_on > timezone.localdate():
        raise ValidationError({"paid_on": _("A payment cannot be dated in the future.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        expense = Expense.objects.select_for_update().get(pk=expense.pk)
        if expense.status != Expense.Status.COMMITTED:
            raise ValidationError(_("Only a committed expense can be marked as paid."))
        if paid_on < expense.incurred_on:
            raise ValidationError({"paid_on": _("The payment cannot be before the expense's date.")})
        expense.status, expense.paid_on = Expense.Status.PAID, paid_on
        expense.save(update_fields=["status", "paid_on", "updated_at"])
        _audit(actor, membership, programme, expense, AuditEvent.Action.UPDATE, reason="paid")
    return expense


def expense_cancel(*, actor: User | None, expense: Expense, reason: str) -> Expense:
    """Cancel a commitment or a payment recorded by mistake: its amount returns to the line. The
    row stays, with who cancelled it and why."""
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for cancelling.")})
    with transaction.atomic():
        membership = manager_membership(actor, expense.programme)
        _locked_lines(expense.line)
        expense = Expense.objects.select_for_update().get(pk=expense.pk)
        if expense.status == Expense.Status.CANCELLED:
            raise ValidationError(_("The expense is already cancelled."))
        expense.status, expense.cancelled_at, expense.cancel_reason = (
            Expense.Status.CANCELLED, timezone.now(), reason.strip(),
        )  # fmt: skip
        expense.save(update_fields=["status", "cancelled_at", "cancel_reason", "updated_at"])
        _audit(actor, membership, expense.programme, expense, AuditEvent.Action.DELETE, reason="cancelled")
    return expense
