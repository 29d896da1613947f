"""Periodic reviews: an immutable snapshot of both sides of the ledger, the operator's assessment,
and two decisions kept apart — were the commitments met (compliance, from each commitment's
outcome) and may the pact go on (eligibility). A missed commitment always carries its reason;
the pact ends only by an explicit decision with its reason, never silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, User
from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact, Review, ReviewItem
from trama.pacts.money import cents
from trama.pacts.permissions import writer_membership
from trama.pacts.services.common import add_months, audit, invalid, locked_pact, required_text
from trama.pacts.services.pacts import close_pact


@dataclass(frozen=True)
class CommitmentOutcome:
    """The review's verdict on one commitment; `reason` is required unless it was met."""

    commitment: Commitment
    outcome: str
    reason: str = ""


def item_field(commitment: Commitment, name: str) -> str:
    """The form field (and error key) of one commitment at a review: `outcome-<id>`, `reason-<id>`."""
    return f"{name}-{commitment.public_id}"


def review_open(*, actor: User | None, pact: Pact) -> Pact:
    """The review begins: the pact is "in review" until the review is recorded. Money and hours
    keep flowing meanwhile: a review never suspends a family's support by itself."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        if pact.status != Pact.Status.ACTIVE:
            raise ValidationError(_("Only an active pact can be put in review."), code="not_active")
        pact.status = Pact.Status.IN_REVIEW
        pact.version += 1
        pact.save(update_fields=["status", "version", "updated_at"])
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, reason="in review")
    return pact


def _compliance(items: list[CommitmentOutcome]) -> str:
    outcomes = {item.outcome for item in items}
    if outcomes == {ReviewItem.Outcome.MET}:
        return Review.Compliance.MET
    if outcomes == {ReviewItem.Outcome.MISSED}:
        return Review.Compliance.NOT_MET
    return Review.Compliance.PARTLY


def _check_date(pact: Pact, reviewed_on: date) -> None:
    if reviewed_on > timezone.localdate():
        raise invalid("reviewed_on", _("The review cannot be dated in the future."), "future")
    if pact.started_on is None or reviewed_on < pact.started_on:
        raise invalid("reviewed_on", _("A review cannot come before the pact starts."), "before_start")
    last = pact.reviews.order_by("-reviewed_on").values_list("reviewed_on", flat=True).first()
    if last is not None and reviewed_on < last:
        raise invalid(
            "reviewed_on",
            _("The previous review is dated %(date)s: this one cannot be earlier.")
            % {"date": last.strftime("%d/%m/%Y")},
            "before_previous",
        )


def _check_items(commitments: list[Commitment], items: list[CommitmentOutcome]) -> list[CommitmentOutcome]:
    by_pk = {item.commitment.pk: item for item in items}
    checked = []
    errors: dict[str, str] = {}
    for commitment in commitments:
        item = by_pk.get(commitment.pk)
        if item is None or item.outcome not in ReviewItem.Outcome.values:
            errors[item_field(commitment, "outcome")] = _("Say whether this commitment was met.")
            continue
        reason = item.reason.strip()[:300]
        if item.outcome != ReviewItem.Outcome.MET and not reason:
            errors[item_field(commitment, "reason")] = _("A commitment not met needs its reason.")
            continue
        checked.append(CommitmentOutcome(commitment, item.outcome, reason))
    if errors:
        raise ValidationError(errors, code="items")
    return checked


def review_record(
    *,
    actor: User | None,
    pact: Pact,
    reviewed_on: date,
    assessment: str,
    items: list[CommitmentOutcome],
    eligibility: str,
    eligibility_reason: str = "",
) -> Review:
    """Record a review of a running pact. `eligibility` decides what follows: the pact continues
    (next review after the interval, within the period), ends as completed, or is interrupted
    (with its reason). The snapshot can never be changed afterwards."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        if not pact.is_running:
            raise ValidationError(_("Only an active pact can be reviewed."), code="not_running")
        _check_date(pact, reviewed_on)
        assessment = required_text(assessment, "assessment", _("Write your assessment of how the pact is going."))
        if eligibility not in Review.Eligibility.values:
            raise invalid("eligibility", _("Decide whether the pact continues."), "invalid")
        eligibility_reason = eligibility_reason.strip()[:300]
        if eligibility == Review.Eligibility.INTERRUPT and not eligibility_reason:
            raise invalid("eligibility_reason", _("Say why the pact is interrupted."), "required")
        in_force = pact.version_in_force
        if eligibility == Review.Eligibility.CONTINUE and reviewed_on >= in_force.end_date:
            raise invalid(
                "eligibility",
                _("The pact's period is over: to continue, extend it with a new version first."),
                "period_over",
            )
        commitments = list(
            Commitment.objects.filter(pact=pact, signed_hours__gt=0)
            .select_related("place", "group", "activity")
            .annotate(confirmed=Sum("logs__hours", filter=Q(logs__status=ContributionLog.Status.CONFIRMED)))
            .order_by("created_at", "id")
        )
        checked = _check_items(commitments, items)
        lines = list(
            BudgetLine.objects.filter(pact=pact, signed_amount__gt=0)
            .select_related("funder")
            .annotate(spent=Sum("disbursements__amount", filter=Q(disbursements__status__in=Disbursement.SPENT)))
            .order_by("created_at", "id")
        )
        committed = cents(sum((line.signed_amount for line in lines), cents(0)))
        disbursed = cents(sum((cents(line.spent) for line in lines), cents(0)))
        next_review = None
        if eligibility == Review.Eligibility.CONTINUE:
            next_review = min(add_months(reviewed_on, pact.review_interval_months), in_force.end_date)
        review = Review.objects.create(
            pact=pact, version=in_force, reviewed_on=reviewed_on,
            budget_committed=committed, budget_disbursed=disbursed, budget_remaining=committed - disbursed,
            hours_committed=cents(sum((c.signed_hours for c in commitments), cents(0))),
            hours_confirmed=cents(sum((cents(c.confirmed) for c in commitments), cents(0))),
            compliance=_compliance(checked), eligibility=eligibility, eligibility_reason=eligibility_reason,
            assessment=assessment, next_review_on=next_review, reviewed_by=actor,
            lines=[
                {
                    "purpose": line.purpose, "source": line.source, "funder": line.funder.name if line.funder else "",
                    "amount": str(cents(line.signed_amount)), "disbursed": str(cents(line.spent)),
                }
                for line in lines
            ],
        )  # fmt: skip
        confirmed = {c.pk: cents(c.confirmed) for c in commitments}
        ReviewItem.objects.bulk_create(
            [
                ReviewItem(
                    review=review,
                    commitment=item.commitment,
                    description=item.commitment.description,
                    where=str(item.commitment.where)[:200],
                    hours_committed=item.commitment.signed_hours,
                    hours_confirmed=confirmed[item.commitment.pk],
                    outcome=item.outcome,
                    reason=item.reason,
                )
                for item in checked
            ]
        )
        _follow(pact, review, actor)
        audit(actor, membership, pact, AuditEvent.Action.CREATE, target=review, reason=f"review: {eligibility}")
    return review


def _follow(pact: Pact, review: Review, actor: User | None) -> None:
    if review.eligibility == Review.Eligibility.CONTINUE:
        pact.status, pact.next_review_on = Pact.Status.ACTIVE, review.next_review_on
        pact.version += 1
        pact.save(update_fields=["status", "next_review_on", "version", "updated_at"])
        return
    outcome = Pact.Outcome.COMPLETED if review.eligibility == Review.Eligibility.COMPLETE else Pact.Outcome.INTERRUPTED
    close_pact(pact, outcome=outcome, closed_on=review.reviewed_on, reason=review.eligibility_reason, actor=actor)
