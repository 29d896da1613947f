"""The community's side: disbursements against budget lines (S22).

An operator on the case team requests; a coordinator — never the one who asked — approves or
refuses with a reason. The approval locks the budget line's row (SELECT … FOR UPDATE on
PostgreSQL; on SQLite the IMMEDIATE transaction takes the write lock first) and checks, in exact
decimals, that what the line signed minus what is already approved covers the request: thirty
concurrent approvals against a line that funds ten give exactly ten, and a line is never overspent.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, User
from trama.pacts.models import BudgetLine, Disbursement, Pact
from trama.pacts.money import cents, euro
from trama.pacts.permissions import coordinator_membership, writer_membership
from trama.pacts.services.common import audit, check_amount, invalid, locked_pact, required_text, spent_on_line


def remaining_on(line: BudgetLine) -> Any:
    """What `line` can still fund: the amount signed minus what is approved or paid."""
    return cents(line.signed_amount) - spent_on_line(line)


def _over_remaining(remaining: Any) -> ValidationError:
    return invalid(
        "amount",
        _("This is more than what remains on the budget line: %(remaining)s left.") % {"remaining": euro(remaining)},
        "over_remaining",
    )


def _check_date(pact: Pact, due_on: date) -> None:
    in_force = pact.version_in_force
    if due_on < in_force.start_date:
        raise invalid(
            "due_on",
            _("The expense is dated before the pact starts (%(date)s).")
            % {"date": in_force.start_date.strftime("%d/%m/%Y")},
            "before_start",
        )
    if due_on > in_force.end_date:
        raise invalid(
            "due_on",
            _("The expense is dated after the pact's end (%(date)s).")
            % {"date": in_force.end_date.strftime("%d/%m/%Y")},
            "after_end",
        )


def disbursement_request(
    *,
    actor: User | None,
    pact: Pact,
    budget_line: BudgetLine,
    amount: Any,
    payee: str,
    description: str,
    due_on: date,
) -> Disbursement:
    """Ask for money from a signed line of a running pact, dated within the pact's period."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        if budget_line.pact_id != pact.pk:
            raise invalid("budget_line", _("Choose a budget line of this pact."), "other_pact")
        if not pact.is_running:
            raise ValidationError(_("Money can be requested only while the pact is active."), code="not_running")
        amount = check_amount(amount)
        payee = required_text(payee, "payee", _("Say who is paid."))[:200]
        description = required_text(description, "description", _("Say what the money pays for."))[:300]
        _check_date(pact, due_on)
        line = BudgetLine.objects.select_for_update().get(pk=budget_line.pk)
        if line.signed_amount <= 0:
            raise invalid(
                "budget_line", _("This line is not signed yet: money can be requested once it is."), "not_signed"
            )
        remaining = remaining_on(line)
        if amount > remaining:
            raise _over_remaining(remaining)
        disbursement = Disbursement.objects.create(
            pact=pact, budget_line=line, amount=amount, payee=payee, description=description, due_on=due_on,
            requested_by=actor,
        )  # fmt: skip
        audit(actor, membership, pact, AuditEvent.Action.CREATE, target=disbursement, reason="requested")
    return disbursement


def _decidable(actor: User | None, disbursement: Disbursement) -> Disbursement:
    """Lock the line first, then the request: every decision takes the locks in the same order."""
    BudgetLine.objects.select_for_update().only("pk").get(pk=disbursement.budget_line_id)
    disbursement = (
        Disbursement.objects.select_for_update(of=("self",))
        .select_related("pact__programme", "pact__version_in_force", "budget_line")
        .get(pk=disbursement.pk)
    )
    if disbursement.status != Disbursement.Status.REQUESTED:
        raise ValidationError(_("This request has already been decided."), code="decided")
    if actor is not None and disbursement.requested_by_id == actor.pk:
        raise ValidationError(_("You asked for this money: another coordinator decides on it."), code="own_request")
    return disbursement


def disbursement_approve(*, actor: User | None, disbursement: Disbursement) -> Disbursement:
    """Approve a request if the line still covers it, to the cent; else refuse to approve, saying
    what remains."""
    with transaction.atomic():
        membership = coordinator_membership(actor, disbursement.pact.programme)
        disbursement = _decidable(actor, disbursement)
        pact = disbursement.pact
        if not pact.is_running:
            raise ValidationError(_("The pact is not active: money cannot be approved."), code="not_running")
        remaining = remaining_on(disbursement.budget_line)
        if disbursement.amount > remaining:
            raise _over_remaining(remaining)
        disbursement.status, disbursement.decided_by, disbursement.decided_at = (
            Disbursement.Status.APPROVED, actor, timezone.now()
        )  # fmt: skip
        disbursement.save(update_fields=["status", "decided_by", "decided_at", "updated_at"])
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, target=disbursement, reason="approved")
    return disbursement


def disbursement_refuse(*, actor: User | None, disbursement: Disbursement, reason: str) -> Disbursement:
    """Refuse a request; the reason is mandatory and shown to the case team."""
    with transaction.atomic():
        membership = coordinator_membership(actor, disbursement.pact.programme)
        reason = required_text(reason, "reason", _("Say why the request is refused."))[:300]
        disbursement = _decidable(actor, disbursement)
        disbursement.status, disbursement.refusal_reason = Disbursement.Status.REFUSED, reason
        disbursement.decided_by, disbursement.decided_at = actor, timezone.now()
        disbursement.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at", "updated_at"])
        audit(actor, membership, disbursement.pact, AuditEvent.Action.UPDATE, target=disbursement, reason="refused")
    return disbursement


def disbursement_withdraw(*, actor: User | None, disbursement: Disbursement) -> Disbursement:
    """The case team takes back a request not decided yet."""
    with transaction.atomic():
        membership = writer_membership(actor, disbursement.pact)
        disbursement = (
            Disbursement.objects.select_for_update(of=("self",))
            .select_related("pact__programme")
            .get(pk=disbursement.pk)
        )
        if disbursement.status != Disbursement.Status.REQUESTED:
            raise ValidationError(_("This request has already been decided."), code="decided")
        disbursement.status = Disbursement.Status.WITHDRAWN
        disbursement.save(update_fields=["status", "updated_at"])
        audit(actor, membership, disbursement.pact, AuditEvent.Action.UPDATE, target=disbursement, reason="withdrawn")
    return disbursement


def disbursement_record_payment(
    *, actor: User | None, disbursement: Disbursement, paid_on: date, receipt: ContentFile | None = None
) -> Disbursement:
    """Record that approved money was paid, on which day, with the receipt (`receipt` from
    `people.uploads.clean_signed_form`: PDF, JPEG or PNG, S20). The receipt can also come later."""
    with transaction.atomic():
        membership = writer_membership(actor, disbursement.pact)
        disbursement = (
            Disbursement.objects.select_for_update(of=("self",))
            .select_related("pact__programme")
            .get(pk=disbursement.pk)
        )
        if disbursement.status == Disbursement.Status.PAID:
            if receipt is None or disbursement.receipt:
                raise ValidationError(_("The payment is already recorded."), code="paid")
        elif disbursement.status != Disbursement.Status.APPROVED:
            raise ValidationError(_("Only approved money can be paid."), code="not_approved")
        else:
            if paid_on > timezone.localdate():
                raise invalid("paid_on", _("The date of payment cannot be in the future."), "future")
            if disbursement.decided_at is not None and paid_on < timezone.localdate(disbursement.decided_at):
                raise invalid("paid_on", _("The money cannot be paid before it was approved."), "before_approval")
            disbursement.status, disbursement.paid_on, disbursement.payment_recorded_by = (
                Disbursement.Status.PAID, paid_on, actor
            )  # fmt: skip
        stored = None
        if receipt is not None:
            disbursement.receipt.save(receipt.name, receipt, save=False)
            stored = disbursement.receipt.name
        try:
            disbursement.save(update_fields=["status", "paid_on", "payment_recorded_by", "receipt", "updated_at"])
            audit(actor, membership, disbursement.pact, AuditEvent.Action.UPDATE, target=disbursement, reason="paid")
        except Exception:
            if stored:
                disbursement.receipt.storage.delete(stored)
            raise
    return disbursement


def refuse_open_requests(pact: Pact, *, actor: User | None, reason: str) -> int:
    """When a pact closes, its requests still waiting are refused with `reason` (one by one, to
    keep their history)."""
    count = 0
    for disbursement in Disbursement.objects.select_for_update().filter(
        pact=pact, status=Disbursement.Status.REQUESTED
    ):
        disbursement.status, disbursement.refusal_reason = Disbursement.Status.REFUSED, reason
        disbursement.decided_by, disbursement.decided_at = actor, timezone.now()
        disbursement.save(update_fields=["status", "refusal_reason", "decided_by", "decided_at", "updated_at"])
        count += 1
    return count
