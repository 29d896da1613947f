"""Helpers shared by the pact services: locking, the audit row, dates and exact numbers."""

from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import Membership, User
from trama.pacts.models import BudgetLine, ContributionLog, Disbursement, Pact
from trama.pacts.money import MAX_AMOUNT, cents, is_exact_cents


def locked_pact(pact: Pact) -> Pact:
    return (
        Pact.objects.select_for_update(of=("self",))
        .select_related("programme", "case", "person", "latest_version", "version_in_force")
        .get(pk=pact.pk)
    )


def audit(
    actor: User | None, membership: Membership | None, pact: Pact, action: str, *, target: Any = None, reason: str = ""
) -> None:
    audit_record(
        action=action, actor=actor, membership=membership, programme=pact.programme, target=target or pact,
        reason=reason,
    )  # fmt: skip


def refuse_if_closed(pact: Pact) -> None:
    if pact.status == Pact.Status.CLOSED:
        raise ValidationError(_("This pact is closed: it cannot change any more."), code="closed")


def add_months(day: date, months: int) -> date:
    """The same day `months` later (the last day of the month when that day does not exist)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def check_amount(value: Any, field: str = "amount") -> Decimal:
    """A positive amount in euro with at most two decimals, or a ValidationError on `field`."""
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise invalid(field, _("Write the amount in euro, e.g. 120,50."), "invalid") from None
    if not is_exact_cents(value):
        raise invalid(field, _("Write the amount in euro and cents, with at most two decimals."), "precision")
    if value <= 0:
        raise invalid(field, _("The amount must be more than zero."), "not_positive")
    if value > MAX_AMOUNT:
        raise invalid(field, _("The amount is too large."), "too_large")
    return cents(value)


def check_hours(value: Any, field: str = "hours", *, maximum: Decimal | None = None) -> Decimal:
    if not isinstance(value, Decimal):
        try:
            value = Decimal(str(value))
        except ArithmeticError:
            raise invalid(field, _("Write the hours as a number, e.g. 2 or 1,5."), "invalid") from None
    if not is_exact_cents(value):
        raise invalid(field, _("Write the hours with at most two decimals."), "precision")
    if value <= 0:
        raise invalid(field, _("The hours must be more than zero."), "not_positive")
    if maximum is not None and value > maximum:
        raise invalid(field, _("At most %(hours)s hours.") % {"hours": maximum.normalize()}, "too_many")
    return cents(value)


def spent_on_line(line: BudgetLine) -> Decimal:
    """What is already committed on `line`: approved and paid disbursements."""
    total = Disbursement.objects.filter(budget_line=line, status__in=Disbursement.SPENT).aggregate(total=Sum("amount"))[
        "total"
    ]
    return cents(total)


def confirmed_hours(pact: Pact) -> Decimal:
    total = ContributionLog.objects.filter(commitment__pact=pact, status=ContributionLog.Status.CONFIRMED).aggregate(
        total=Sum("hours")
    )["total"]
    return cents(total)


def required_text(value: str, field: str, message: str) -> str:
    value = (value or "").strip()
    if not value:
        raise invalid(field, message, "required")
    return value


def invalid(field: str, message: str, code: str) -> ValidationError:
    """A ValidationError on `field` that keeps its `code` (a plain dict would drop it)."""
    return ValidationError({field: ValidationError(message, code=code)})
