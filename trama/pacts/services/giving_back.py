"""The beneficiary's side: hours given back and their confirmation.

Hours are logged against a commitment in force. Logged by whoever may confirm them — the lab
manager of the place, the managers of the activity, a coordinator (for a citizen group, whose
contact has no account, on the contact's word) — they count at once; logged by the case team,
they wait for that confirmation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, Membership, User
from trama.pacts.models import Commitment, ContributionLog, Pact
from trama.pacts.permissions import confirmer_membership, writer_membership
from trama.pacts.services.common import audit, check_hours, invalid, required_text

MAX_HOURS_A_DAY = Decimal(12)


def _recorder(actor: User | None, commitment: Commitment) -> tuple[Membership | None, bool]:
    """The membership `actor` logs hours through, and whether their word confirms them."""
    if actor is None:
        return None, True
    try:
        return confirmer_membership(actor, commitment), True
    except PermissionDenied:
        return writer_membership(actor, commitment.pact), False


def _confirmed_for(commitment: Commitment) -> str:
    return commitment.group.contact_name if commitment.group_id and commitment.group.contact_name else ""


def contribution_record(
    *, actor: User | None, commitment: Commitment, day: date, hours: Any, note: str = ""
) -> ContributionLog:
    """Log hours given back on `day`, within the pact's period and not in the future."""
    with transaction.atomic():
        commitment = Commitment.objects.select_related(
            "pact__programme", "pact__version_in_force", "pact__case", "place", "group", "activity"
        ).get(pk=commitment.pk)
        membership, confirms = _recorder(actor, commitment)
        pact = (
            Pact.objects.select_for_update(of=("self",)).select_related("version_in_force").get(pk=commitment.pact_id)
        )
        if not pact.is_running:
            raise ValidationError(_("Hours are given back while the pact is active."), code="not_running")
        if not commitment.in_force:
            raise ValidationError(_("This commitment is not signed yet."), code="not_signed")
        hours = check_hours(hours, maximum=MAX_HOURS_A_DAY)
        in_force = pact.version_in_force
        if day > timezone.localdate():
            raise invalid("date", _("The date cannot be in the future."), "future")
        if day < in_force.start_date or (pact.started_on is not None and day < pact.started_on):
            raise invalid("date", _("The date is before the pact started."), "before_start")
        if day > in_force.end_date:
            raise invalid("date", _("The date is after the pact's end."), "after_end")
        log = ContributionLog(
            commitment=commitment, date=day, hours=hours, note=note.strip()[:200], recorded_by=actor,
            status=ContributionLog.Status.CONFIRMED if confirms else ContributionLog.Status.PENDING,
        )  # fmt: skip
        if confirms:
            log.confirmed_by, log.confirmed_at, log.confirmed_for = actor, timezone.now(), _confirmed_for(commitment)
        log.save()
        audit(actor, membership, pact, AuditEvent.Action.CREATE, target=log,
              reason="confirmed" if confirms else "to confirm")  # fmt: skip
    return log


def _pending(log: ContributionLog) -> ContributionLog:
    log = (
        ContributionLog.objects.select_for_update(of=("self",))
        .select_related("commitment__pact__programme", "commitment__group")
        .get(pk=log.pk)
    )
    if log.status != ContributionLog.Status.PENDING:
        raise ValidationError(_("These hours have already been checked."), code="checked")
    return log


def contribution_confirm(*, actor: User | None, log: ContributionLog) -> ContributionLog:
    with transaction.atomic():
        membership = confirmer_membership(actor, log.commitment)
        log = _pending(log)
        log.status, log.confirmed_by, log.confirmed_at = ContributionLog.Status.CONFIRMED, actor, timezone.now()
        log.confirmed_for = _confirmed_for(log.commitment)
        log.save(update_fields=["status", "confirmed_by", "confirmed_at", "confirmed_for", "updated_at"])
        audit(actor, membership, log.commitment.pact, AuditEvent.Action.UPDATE, target=log, reason="confirmed")
    return log


def contribution_reject(*, actor: User | None, log: ContributionLog, reason: str) -> ContributionLog:
    """The place does not confirm the hours (the person did not come): say why."""
    with transaction.atomic():
        membership = confirmer_membership(actor, log.commitment)
        reason = required_text(reason, "reason", _("Say why the hours are not confirmed."))[:300]
        log = _pending(log)
        log.status, log.rejection_reason = ContributionLog.Status.REJECTED, reason
        log.save(update_fields=["status", "rejection_reason", "updated_at"])
        audit(actor, membership, log.commitment.pact, AuditEvent.Action.UPDATE, target=log, reason="not confirmed")
    return log


# --- Hours given in mutual aid and volunteering (issue 7: they count towards a commitment) ---

TIME_BANK_MAX_LOG = Decimal("99.99")


def _time_bank_period(pact: Pact) -> tuple[date, date]:
    in_force = pact.version_in_force
    start = max(in_force.start_date, pact.started_on or in_force.start_date)
    return start, min(timezone.localdate(), in_force.end_date)


def time_bank_available(pact: Pact) -> Decimal:
    """Hours the beneficiary gave in the time bank and as a volunteer during the pact, not yet
    counted on any of its commitments."""
    if pact.person_id is None or pact.version_in_force_id is None:
        return Decimal("0.00")
    from trama.mutualaid.selectors.timebank import hours_given

    start, end = _time_bank_period(pact)
    if end < start:
        return Decimal("0.00")
    given = Decimal(hours_given(pact.person, start, end))
    counted = sum(
        ContributionLog.objects.filter(commitment__pact=pact, from_time_bank=True)
        .exclude(status=ContributionLog.Status.REJECTED)
        .values_list("hours", flat=True),
        Decimal("0.00"),
    )
    return max(Decimal("0.00"), (given - counted).quantize(Decimal("0.01")))


def contribution_from_time_bank(*, actor: User | None, commitment: Commitment) -> ContributionLog:
    """Count the hours not yet counted on `commitment`: they were confirmed where they were given
    (a completed exchange, an attended shift, a confirmed log), so they count at once."""
    with transaction.atomic():
        commitment = Commitment.objects.select_related("pact__programme", "pact__version_in_force").get(
            pk=commitment.pk
        )
        membership = writer_membership(actor, commitment.pact) if actor is not None else None
        pact = (
            Pact.objects.select_for_update(of=("self",)).select_related("version_in_force").get(pk=commitment.pact_id)
        )
        if not pact.is_running:
            raise ValidationError(_("Hours are given back while the pact is active."), code="not_running")
        if not commitment.in_force:
            raise ValidationError(_("This commitment is not signed yet."), code="not_signed")
        available = time_bank_available(pact)
        if available <= 0:
            raise ValidationError(
                _("There are no hours of mutual aid or volunteering to count since the last time."), code="none"
            )
        now = timezone.now()
        log = ContributionLog.objects.create(
            commitment=commitment, date=_time_bank_period(pact)[1], hours=min(available, TIME_BANK_MAX_LOG),
            note=_("Mutual aid and volunteering (time bank)")[:200], status=ContributionLog.Status.CONFIRMED,
            recorded_by=actor, confirmed_by=actor, confirmed_at=now, from_time_bank=True,
        )  # fmt: skip
        audit(actor, membership, pact, AuditEvent.Action.CREATE, target=log, reason="from the time bank")
    return log
