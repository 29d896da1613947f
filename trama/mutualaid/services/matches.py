"""The life of a match: proposed (with the ranking's reasons), accepted by both sides — only then
does the helper see who asked —, done with its exchange in the time bank, or declined / cancelled.

Every function is keyword-only, atomic, audited and checks permission itself.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, Membership, User
from trama.mutualaid.matching import rank
from trama.mutualaid.models import Match, MutualAidOffer, MutualAidRequest, Volunteer
from trama.mutualaid.permissions import request_staff
from trama.mutualaid.proposals import available_offers, criteria
from trama.mutualaid.services.aid import _audit, reopen_if_unanswered, same_helper
from trama.mutualaid.services.timebank import account_for, exchange_record
from trama.network.models import CitizenGroup
from trama.people.models import Household, Person

# --- Matches --------------------------------------------------------------------------------------


def match_propose(*, actor: User | None, request: MutualAidRequest, offer: MutualAidOffer) -> Match:
    """Propose `offer` for `request`, with the ranking's reasons. The offer must still be available
    now (checked again in the database), never a helper the engine would leave out."""
    with transaction.atomic():
        request = MutualAidRequest.objects.select_for_update().select_related("programme").get(pk=request.pk)
        membership = request_staff(actor, request)
        if request.status not in (MutualAidRequest.Status.OPEN, MutualAidRequest.Status.MATCHED):
            raise ValidationError(_("This request is closed: it takes no more proposals."))
        ranked = rank(available_offers(request).filter(pk=offer.pk), criteria(request), limit=1)
        if not ranked:
            raise ValidationError(_("This helper is not available for this request."))
        best = ranked[0]
        match = Match.objects.create(
            programme=request.programme, request=request, offer=offer, proposed_by=actor,
            score=Decimal(f"{best.score:.3f}"), reasons=[reason.as_json() for reason in best.reasons],
        )  # fmt: skip
        _audit(actor, membership, request.programme, match, AuditEvent.Action.CREATE)
    return match


def _helper_membership(actor: User | None, match: Match) -> Membership | None:
    """The helper answers for themselves when they have an account (a volunteer); otherwise the
    staff who may see the request answer for them."""
    volunteer = match.offer.offerer_volunteer
    if actor is None:
        return None
    if volunteer is not None and volunteer.user_id is not None:
        if volunteer.user_id != actor.pk or volunteer.status != Volunteer.Status.APPROVED:
            raise PermissionDenied
        return None
    return request_staff(actor, match.request)


def _side_membership(actor: User | None, match: Match, side: str) -> Membership | None:
    if side == Match.Side.REQUESTER:
        return request_staff(actor, match.request)
    if side == Match.Side.HELPER:
        return _helper_membership(actor, match)
    raise ValueError(side)


def _locked(match: Match) -> tuple[Match, MutualAidRequest]:
    request = MutualAidRequest.objects.select_for_update().select_related("programme").get(pk=match.request_id)
    # Only the match's row is locked (PostgreSQL locks no nullable side of an outer join).
    match = (
        Match.objects.select_for_update(of=("self",))
        .select_related("offer__offerer_volunteer", "request__programme")
        .get(pk=match.pk)
    )
    return match, request


def match_accept(*, actor: User | None, match: Match, side: str) -> Match:
    """One side accepts. When both have, the match is accepted: the helper now sees who asked, and
    the other proposals for the request are withdrawn."""
    with transaction.atomic():
        match, request = _locked(match)
        membership = _side_membership(actor, match, side)
        if match.status != Match.Status.PROPOSED:
            raise ValidationError(_("This proposal is no longer waiting for an answer."))
        if request.matches.filter(status=Match.Status.ACCEPTED).exclude(pk=match.pk).exists():
            raise ValidationError(_("Another helper has already been agreed for this request."))
        now = timezone.now()
        if side == Match.Side.REQUESTER:
            match.requester_accepted_at = match.requester_accepted_at or now
        else:
            match.helper_accepted_at = match.helper_accepted_at or now
        fields = ["requester_accepted_at", "helper_accepted_at"]
        if match.requester_accepted_at and match.helper_accepted_at:
            match.status = Match.Status.ACCEPTED
            fields.append("status")
            request.matches.filter(status=Match.Status.PROPOSED).exclude(pk=match.pk).update(
                status=Match.Status.CANCELLED, closed_at=now, closed_by_side=Match.Side.STAFF,
                closed_reason=_("Another helper was agreed."), version=F("version") + 1, updated_at=now,
            )  # fmt: skip
            request.status = MutualAidRequest.Status.MATCHED
            request.version += 1
            request.save(update_fields=["status", "version", "updated_at"])
        match.version += 1
        match.save(update_fields=[*fields, "version", "updated_at"])
        _audit(actor, membership, request.programme, match, AuditEvent.Action.UPDATE, reason=f"accepted by {side}")
    return match


def _count_dropped(match: Match) -> None:
    MutualAidOffer.objects.filter(same_helper(match.offer), programme_id=match.programme_id).update(
        failed_count=F("failed_count") + 1
    )


def match_decline(*, actor: User | None, match: Match, side: str, reason: str = "") -> Match:
    """One side says no. A helper who withdraws after accepting counts as a dropped exchange in
    their record; declining a proposal does not."""
    with transaction.atomic():
        match, request = _locked(match)
        membership = _side_membership(actor, match, side)
        if match.status not in Match.LIVE:
            raise ValidationError(_("This match is already closed."))
        if side == Match.Side.HELPER and match.status == Match.Status.ACCEPTED:
            _count_dropped(match)
        match.status, match.closed_at, match.closed_by_side = Match.Status.DECLINED, timezone.now(), side
        match.closed_reason = reason.strip()[:300]
        match.version += 1
        match.save(update_fields=["status", "closed_at", "closed_by_side", "closed_reason", "version", "updated_at"])
        reopen_if_unanswered(request)
        _audit(actor, membership, request.programme, match, AuditEvent.Action.UPDATE, reason=f"declined by {side}")
    return match


def match_cancel(*, actor: User | None, match: Match, reason: str) -> Match:
    """The programme withdraws a proposal or an agreed match (with the reason)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    with transaction.atomic():
        match, request = _locked(match)
        membership = request_staff(actor, request)
        if match.status not in Match.LIVE:
            raise ValidationError(_("This match is already closed."))
        match.status, match.closed_at, match.closed_by_side = Match.Status.CANCELLED, timezone.now(), Match.Side.STAFF
        match.closed_reason = reason[:300]
        match.version += 1
        match.save(update_fields=["status", "closed_at", "closed_by_side", "closed_reason", "version", "updated_at"])
        reopen_if_unanswered(request)
        _audit(actor, membership, request.programme, match, AuditEvent.Action.UPDATE, reason="cancelled")
    return match


def _giver_holder(offer: MutualAidOffer) -> Person | CitizenGroup:
    if offer.offerer_volunteer_id:
        return offer.offerer_volunteer.person
    return offer.offerer_person or offer.offerer_group


def _receiver_holder(request: MutualAidRequest) -> Person | Household | CitizenGroup:
    return request.requester_household or request.requester_person or request.requester_group


def match_complete(*, actor: User | None, match: Match, hours: object, occurred_on: date | None = None) -> Match:
    """The help was given: the match and its request are done, and the time bank records the hours
    given by the helper and received by the requester (one balanced double entry)."""
    occurred_on = occurred_on or timezone.localdate()
    with transaction.atomic():
        match, request = _locked(match)
        volunteer = match.offer.offerer_volunteer
        if actor is not None and volunteer is not None and volunteer.user_id == actor.pk:
            membership = None
        else:
            membership = request_staff(actor, request)
        if match.status != Match.Status.ACCEPTED:
            raise ValidationError(_("Only a match accepted by both sides can be marked as done."))
        if occurred_on < timezone.localdate(request.starts_at):
            raise ValidationError(
                {"occurred_on": _("The help cannot have been given before the day it was asked for.")}
            )
        offer = MutualAidOffer.objects.select_related(
            "offerer_volunteer__person", "offerer_person", "offerer_group"
        ).get(pk=match.offer_id)
        request_full = MutualAidRequest.objects.select_related(
            "requester_household", "requester_person", "requester_group"
        ).get(pk=request.pk)
        exchange_record(
            actor=actor, programme=request.programme, giver=account_for(_giver_holder(offer)),
            receiver=account_for(_receiver_holder(request_full)), hours=hours, occurred_on=occurred_on,
            category=request.category, match=match,
        )  # fmt: skip
        match.status, match.closed_at = Match.Status.DONE, timezone.now()
        match.version += 1
        match.save(update_fields=["status", "closed_at", "version", "updated_at"])
        request.status = MutualAidRequest.Status.DONE
        request.version += 1
        request.save(update_fields=["status", "version", "updated_at"])
        MutualAidOffer.objects.filter(same_helper(offer), programme_id=match.programme_id).update(
            done_count=F("done_count") + 1
        )
        _audit(actor, membership, request.programme, match, AuditEvent.Action.UPDATE, reason="done")
    return match
