"""Drafting a pact, its versions and signatures, starting it and interrupting it.

A draft version is edited freely. Once a version is signed it never changes: the next edit opens a
new draft version (copying the text), and until that one is signed the signed version stays in
force — the budget in force is `BudgetLine.signed_amount`, the hours `Commitment.signed_hours`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.models import AuditEvent, User
from trama.activities.models import Activity
from trama.casework.models import Case
from trama.casework.services.cases import writer_membership as case_writer_membership
from trama.core.concurrency import save_versioned
from trama.network.models import CitizenGroup, CommunityPlace, Organisation, Partnership
from trama.pacts.models import BudgetLine, Commitment, ContributionLog, Disbursement, Pact, PactVersion, Signatory
from trama.pacts.money import euro
from trama.pacts.permissions import writer_membership
from trama.pacts.services.common import (
    add_months,
    audit,
    check_amount,
    check_hours,
    invalid,
    locked_pact,
    refuse_if_closed,
    required_text,
    spent_on_line,
)
from trama.people.models import Person

MAX_MONTHS = 36
MAX_COMMITMENT_HOURS = 2000


@dataclass(frozen=True)
class PactText:
    """What a version says in words: objectives and period (budget and commitments are rows)."""

    objectives: str
    start_date: date
    end_date: date


# --- Drafting -------------------------------------------------------------------------------


def _check_text(pact: Pact | None, case: Case, text: PactText) -> PactText:
    objectives = required_text(text.objectives, "objectives", _("Write the pact's objectives in plain words."))
    if text.end_date < text.start_date:
        raise invalid("end_date", _("The end cannot be before the start."), "before_start")
    if text.end_date > add_months(text.start_date, MAX_MONTHS):
        raise invalid("end_date", _("A pact lasts at most three years."), "too_long")
    if text.start_date < case.opened_on:
        raise invalid(
            "start_date",
            _("The pact cannot start before the case was opened (%(date)s).")
            % {"date": case.opened_on.strftime("%d/%m/%Y")},
            "before_case",
        )
    if pact is not None and pact.started_on is not None and pact.version_in_force is not None:
        if text.start_date != pact.version_in_force.start_date:
            raise invalid("start_date", _("The pact has already started: its start date cannot change."), "started")
        last = _last_activity_on(pact)
        if last is not None and text.end_date < last:
            raise invalid(
                "end_date",
                _("Money was given or hours were logged until %(date)s: the pact cannot end earlier.")
                % {"date": last.strftime("%d/%m/%Y")},
                "after_activity",
            )
    return PactText(objectives=objectives, start_date=text.start_date, end_date=text.end_date)


def _last_activity_on(pact: Pact) -> date | None:
    money = Disbursement.objects.filter(pact=pact, status__in=Disbursement.SPENT).aggregate(last=Max("due_on"))["last"]
    hours = (
        ContributionLog.objects.filter(commitment__pact=pact)
        .exclude(status=ContributionLog.Status.REJECTED)
        .aggregate(last=Max("date"))["last"]
    )
    return max((day for day in (money, hours) if day is not None), default=None)


def pact_create(
    *,
    actor: User | None,
    case: Case,
    person: Person,
    text: PactText,
    scope: str = Pact.Scope.PERSON,
    review_interval_months: int = 3,
) -> Pact:
    """Draft a pact (version 1) for `person`, a member of the case's household. The beneficiary
    and the organisation in charge of the case are its first two signatories. The case team and
    the coordinators may draft it."""
    with transaction.atomic():
        membership = case_writer_membership(actor, case)
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("programme", "household", "organisation")
            .get(pk=case.pk)
        )
        if case.status != Case.Status.OPEN:
            raise ValidationError(_("The case is closed: reopen it before drafting a pact."), code="case_closed")
        if not case.household.memberships.filter(person=person).exists() or person.erased_at is not None:
            raise invalid("person", _("Choose a member of the case's household."), "not_member")
        if Pact.objects.filter(case=case, person=person).exclude(status=Pact.Status.CLOSED).exists():
            raise invalid(
                "person", _("This person already has a pact that is not closed: change that one instead."), "duplicate"
            )
        if scope not in Pact.Scope.values:
            raise invalid("scope", _("Choose whom the pact is for."), "invalid")
        _check_interval(review_interval_months)
        text = _check_text(None, case, text)
        pact = Pact.objects.create(
            programme=case.programme, case=case, person=person, scope=scope,
            review_interval_months=review_interval_months, created_by=actor,
        )  # fmt: skip
        version = PactVersion.objects.create(
            pact=pact, number=1, objectives=text.objectives, start_date=text.start_date, end_date=text.end_date,
            created_by=actor,
        )  # fmt: skip
        pact.latest_version = version
        pact.save(update_fields=["latest_version", "updated_at"])
        Signatory.objects.create(pact=pact, kind=Signatory.Kind.BENEFICIARY, person=person)
        Signatory.objects.create(pact=pact, kind=Signatory.Kind.ORGANISATION, organisation=case.organisation)
        audit(actor, membership, pact, AuditEvent.Action.CREATE)
    return pact


def _check_interval(months: int) -> None:
    if not 1 <= months <= 12:
        raise invalid(
            "review_interval_months", _("Review the pact at least once a year: from 1 to 12 months."), "out_of_range"
        )


def ensure_draft(actor: User | None, pact: Pact) -> PactVersion:
    """The version being edited: the latest if it is a draft, else a new one copied from the
    signed text. Call inside the transaction that holds the pact's lock."""
    refuse_if_closed(pact)
    latest = pact.latest_version
    if latest is not None and latest.status == PactVersion.Status.DRAFT:
        return latest
    draft = PactVersion.objects.create(
        pact=pact, number=latest.number + 1, objectives=latest.objectives, start_date=latest.start_date,
        end_date=latest.end_date, created_by=actor,
    )  # fmt: skip
    pact.latest_version = draft
    pact.save(update_fields=["latest_version", "updated_at"])
    return draft


def pact_update(
    *,
    actor: User | None,
    pact: Pact,
    expected_version: int,
    text: PactText,
    scope: str,
    review_interval_months: int,
    change_note: str = "",
) -> Pact:
    """Edit objectives, period, scope and review interval. After a signature the change goes into
    a new version to sign again; raises StaleVersionError on a concurrent edit (S21)."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        if scope not in Pact.Scope.values:
            raise invalid("scope", _("Choose whom the pact is for."), "invalid")
        _check_interval(review_interval_months)
        text = _check_text(pact, pact.case, text)
        pact.scope, pact.review_interval_months = scope, review_interval_months
        save_versioned(pact, expected_version=expected_version, update_fields=["scope", "review_interval_months"])
        draft = ensure_draft(actor, pact)
        draft.objectives, draft.start_date, draft.end_date = text.objectives, text.start_date, text.end_date
        draft.change_note = change_note.strip()[:300] if draft.number > 1 else ""
        draft.save(update_fields=["objectives", "start_date", "end_date", "change_note", "updated_at"])
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, reason=f"text of version {draft.number}")
    return pact


# --- Signatories ----------------------------------------------------------------------------


def signatory_add(
    *,
    actor: User | None,
    pact: Pact,
    kind: str,
    place: CommunityPlace | None = None,
    group: CitizenGroup | None = None,
    organisation: Organisation | None = None,
    signer_name: str = "",
    role_in_pact: str = "",
) -> Signatory:
    """Add a community actor who signs: a place, a citizen group, or an organisation (a company,
    a partner) of the programme."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        party: dict[str, Any] = {}
        if kind == Signatory.Kind.PLACE:
            if place is None or place.programme_id != pact.programme_id:
                raise invalid("place", _("Choose a place of the programme."), "outside")
            party = {"place": place}
        elif kind == Signatory.Kind.GROUP:
            if group is None or group.programme_id != pact.programme_id:
                raise invalid("group", _("Choose a citizen group of the programme."), "outside")
            party = {"group": group}
        elif kind == Signatory.Kind.PARTNER:
            if (
                organisation is None
                or not Partnership.objects.filter(programme=pact.programme, organisation=organisation).exists()
            ):
                raise invalid("organisation", _("Choose an organisation of the programme's network."), "outside")
            party = {"organisation": organisation}
        else:
            raise invalid("kind", _("Choose who signs: a place, a citizen group or an organisation."), "invalid")
        if pact.signatories.filter(kind=kind, **party).exists():
            raise invalid("kind", _("This party already signs the pact."), "duplicate")
        ensure_draft(actor, pact)
        signatory = Signatory.objects.create(
            pact=pact, kind=kind, signer_name=signer_name.strip()[:150], role_in_pact=role_in_pact.strip()[:200],
            **party,
        )  # fmt: skip
        audit(actor, membership, pact, AuditEvent.Action.CREATE, target=signatory)
    return signatory


def signatory_remove(*, actor: User | None, pact: Pact, signatory: Signatory) -> None:
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        signatory = Signatory.objects.select_for_update().get(pk=signatory.pk, pact=pact)
        if signatory.kind not in Signatory.COMMUNITY:
            raise ValidationError(
                _("The beneficiary and the organisation in charge always sign the pact."), code="required_party"
            )
        ensure_draft(actor, pact)
        audit(actor, membership, pact, AuditEvent.Action.DELETE, target=signatory)
        signatory.delete()


# --- The budget lines -----------------------------------------------------------------------


def _check_funder(pact: Pact, source: str, funder: Organisation | None) -> None:
    if source not in BudgetLine.Source.values:
        raise invalid("source", _("Choose who funds this line."), "invalid")
    if source == BudgetLine.Source.FUNDRAISING and funder is None:
        return
    if funder is None:
        raise invalid("funder", _("Name the organisation that funds this line."), "required")
    in_network = Partnership.objects.filter(programme=pact.programme, organisation=funder).exists()
    expected_kind = {
        BudgetLine.Source.FOUNDATION: Organisation.Kind.FOUNDATION,
        BudgetLine.Source.MUNICIPALITY: Organisation.Kind.LOCAL_AUTHORITY,
    }.get(source)
    if expected_kind is not None and funder.kind != expected_kind:
        message = {
            BudgetLine.Source.FOUNDATION: _("The foundation's grant is funded by a foundation: choose one."),
            BudgetLine.Source.MUNICIPALITY: _("Choose a municipality (a local authority)."),
        }[source]
        raise invalid("funder", message, "wrong_kind")
    if expected_kind is None and not in_network:
        raise invalid("funder", _("Choose an organisation of the programme's network."), "outside")


def budget_line_save(
    *,
    actor: User | None,
    pact: Pact,
    purpose: str,
    source: str,
    amount: Any,
    funder: Organisation | None = None,
    description: str = "",
    line: BudgetLine | None = None,
    expected_version: int | None = None,
) -> BudgetLine:
    """Add a budget line, or change one (with the version it was read at, S21). A line cannot go
    below what was already disbursed from it."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        if purpose not in BudgetLine.Purpose.values:
            raise invalid("purpose", _("Choose what the money is for."), "invalid")
        _check_funder(pact, source, funder)
        amount = check_amount(amount)
        if source == BudgetLine.Source.FUNDRAISING and funder is None:
            funder = None
        ensure_draft(actor, pact)
        values = {"purpose": purpose, "source": source, "funder": funder, "description": description.strip()[:200]}
        if line is None:
            line = BudgetLine.objects.create(pact=pact, amount=amount, **values)
            audit(actor, membership, pact, AuditEvent.Action.CREATE, target=line)
            return line
        line = BudgetLine.objects.select_for_update().get(pk=line.pk, pact=pact)
        spent = spent_on_line(line)
        if amount < spent:
            raise invalid(
                "amount",
                _("%(spent)s has already been disbursed from this line: the amount cannot be lower.")
                % {"spent": euro(spent)},
                "below_spent",
            )
        for name, value in {**values, "amount": amount}.items():
            setattr(line, name, value)
        save_versioned(line, expected_version=expected_version or 0, update_fields=[*values, "amount"])
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, target=line)
    return line


def budget_line_delete(*, actor: User | None, pact: Pact, line: BudgetLine) -> None:
    """Remove a line not signed yet. A signed line stays in the history: lower its amount instead."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        line = BudgetLine.objects.select_for_update().get(pk=line.pk, pact=pact)
        if line.signed_amount > 0 or line.disbursements.exists():
            raise ValidationError(
                _("This line is part of a signed version: it cannot be removed. Change its amount instead."),
                code="signed",
            )
        ensure_draft(actor, pact)
        audit(actor, membership, pact, AuditEvent.Action.DELETE, target=line)
        line.delete()


# --- The commitments ------------------------------------------------------------------------


def _where(pact: Pact, place: CommunityPlace | None, group: CitizenGroup | None,
           activity: Activity | None) -> dict[str, Any]:  # fmt: skip
    given = [value for value in (place, group, activity) if value is not None]
    if len(given) != 1:
        raise invalid("where", _("Choose where the hours are given: a place, a group or an activity."), "where")
    if place is not None and place.programme_id != pact.programme_id:
        raise invalid("place", _("Choose a place of the programme."), "outside")
    if group is not None and group.programme_id != pact.programme_id:
        raise invalid("group", _("Choose a citizen group of the programme."), "outside")
    if activity is not None and activity.programme_id != pact.programme_id:
        raise invalid("activity", _("Choose an activity of the programme."), "outside")
    return {"place": place, "group": group, "activity": activity}


def commitment_save(
    *,
    actor: User | None,
    pact: Pact,
    description: str,
    hours: Any,
    place: CommunityPlace | None = None,
    group: CitizenGroup | None = None,
    activity: Activity | None = None,
    commitment: Commitment | None = None,
    expected_version: int | None = None,
) -> Commitment:
    """Add a commitment to give back, or change one (S21 with `expected_version`)."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        description = required_text(description, "description", _("Say what the beneficiary will do."))[:200]
        values = _where(pact, place, group, activity)
        hours = check_hours(hours, maximum=MAX_COMMITMENT_HOURS)
        ensure_draft(actor, pact)
        if commitment is None:
            commitment = Commitment.objects.create(pact=pact, description=description, hours=hours, **values)
            audit(actor, membership, pact, AuditEvent.Action.CREATE, target=commitment)
            return commitment
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk, pact=pact)
        if commitment.logs.exists() and any(getattr(commitment, name) != value for name, value in values.items()):
            raise invalid(
                "where", _("Hours were already given there: add a new commitment for another place."), "has_logs"
            )
        commitment.description, commitment.hours = description, hours
        for name, value in values.items():
            setattr(commitment, name, value)
        save_versioned(
            commitment, expected_version=expected_version or 0, update_fields=["description", "hours", *values]
        )
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, target=commitment)
    return commitment


def commitment_delete(*, actor: User | None, pact: Pact, commitment: Commitment) -> None:
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk, pact=pact)
        if commitment.signed_hours > 0 or commitment.logs.exists():
            raise ValidationError(
                _("This commitment is part of a signed version: it cannot be removed. Change its hours instead."),
                code="signed",
            )
        ensure_draft(actor, pact)
        audit(actor, membership, pact, AuditEvent.Action.DELETE, target=commitment)
        commitment.delete()


# --- Signature ------------------------------------------------------------------------------


def _where_kind(commitment: Commitment) -> str:
    if commitment.place_id:
        return "place"
    return "group" if commitment.group_id else "activity"


def terms_of(pact: Pact) -> dict[str, Any]:
    """The budget lines, commitments and signatories as they stand now (what a draft would sign).
    People are named by public id: the document shows their name as it is when it is printed."""
    lines = pact.budget_lines.select_related("funder").order_by("created_at", "id")
    commitments = pact.commitments.select_related("place", "group", "activity").order_by("created_at", "id")
    signatories = pact.signatories.select_related("person", "organisation", "place", "group").order_by(
        "created_at", "id"
    )
    return {
        "lines": [
            {
                "id": str(line.public_id), "purpose": line.purpose, "description": line.description,
                "source": line.source, "funder": line.funder.name if line.funder else "", "amount": str(line.amount),
            }
            for line in lines
        ],
        "commitments": [
            {
                "id": str(c.public_id), "description": c.description, "where_kind": _where_kind(c),
                "where": str(c.where), "hours": str(c.hours),
            }
            for c in commitments
        ],
        "signatories": [
            {
                "kind": s.kind, "person": str(s.person.public_id) if s.person_id else "",
                "name": "" if s.person_id else s.name, "signer_name": s.signer_name, "role_in_pact": s.role_in_pact,
            }
            for s in signatories
        ],
    }  # fmt: skip


def _check_signable(pact: Pact, version: PactVersion, signed_on: date) -> tuple[list[BudgetLine], list[Commitment]]:
    """The version can be signed on `signed_on`: returns its pact's lines and commitments, locked."""
    if version.status != PactVersion.Status.DRAFT:
        raise ValidationError(_("There is no new version to sign."), code="nothing_to_sign")
    if signed_on > timezone.localdate():
        raise invalid("signed_on", _("The date of signature cannot be in the future."), "future")
    previous = pact.version_in_force
    if previous is not None and signed_on < previous.signed_on:
        raise invalid("signed_on", _("A new version cannot be signed before the one it replaces."), "before_previous")
    lines = list(BudgetLine.objects.select_for_update().filter(pact=pact))
    commitments = list(Commitment.objects.select_for_update().filter(pact=pact))
    if not lines or not commitments:
        raise ValidationError(
            _("A pact has two sides: add at least one budget line and one commitment before signing."),
            code="one_sided",
        )
    for line in lines:
        spent = spent_on_line(line)
        if line.amount < spent:
            raise ValidationError(
                _("%(spent)s has already been disbursed from a line: its amount cannot be lower.")
                % {"spent": euro(spent)},
                code="below_spent",
            )
    return lines, commitments


def _freeze(lines: list[BudgetLine], commitments: list[Commitment]) -> None:
    """The amounts and hours of the version being signed come into force."""
    for line in lines:
        if line.signed_amount != line.amount:
            line.signed_amount = line.amount
            line.save(update_fields=["signed_amount", "updated_at"])
    for commitment in commitments:
        if commitment.signed_hours != commitment.hours:
            commitment.signed_hours = commitment.hours
            commitment.save(update_fields=["signed_hours", "updated_at"])


def pact_sign(*, actor: User | None, pact: Pact, signed_on: date, scan: ContentFile | None = None) -> PactVersion:
    """Record that the version to sign has been signed by every party on `signed_on`, optionally
    with the signed copy (`scan` from `people.uploads.clean_signed_form`, S20). The version is
    frozen and comes into force; the one it replaces is kept, marked as replaced."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        version = PactVersion.objects.select_for_update().get(pk=pact.latest_version_id)
        lines, commitments = _check_signable(pact, version, signed_on)
        previous = pact.version_in_force
        version.terms = terms_of(pact)
        version.status, version.signed_on, version.signature_recorded_by = (
            PactVersion.Status.SIGNED, signed_on, actor
        )  # fmt: skip
        stored = None
        if scan is not None:
            version.signed_scan.save(scan.name, scan, save=False)
            stored = version.signed_scan.name
        try:
            version.save(
                update_fields=["terms", "status", "signed_on", "signature_recorded_by", "signed_scan", "updated_at"]
            )
            _freeze(lines, commitments)
            if previous is not None:
                previous.status = PactVersion.Status.SUPERSEDED
                previous.save(update_fields=["status", "updated_at"])
            _put_in_force(pact, version)
            audit(actor, membership, pact, AuditEvent.Action.UPDATE, target=version, reason="signed")
        except Exception:
            if stored:
                version.signed_scan.storage.delete(stored)
            raise
    return version


def _put_in_force(pact: Pact, version: PactVersion) -> None:
    pact.version_in_force = version
    fields = ["version_in_force"]
    if pact.status == Pact.Status.DRAFT:
        pact.status = Pact.Status.SIGNED
        fields.append("status")
    if pact.is_running and pact.next_review_on is not None and pact.next_review_on > version.end_date:
        pact.next_review_on = version.end_date
        fields.append("next_review_on")
    pact.version += 1
    pact.save(update_fields=[*fields, "version", "updated_at"])


def version_attach_scan(*, actor: User | None, pact: Pact, version: PactVersion, scan: ContentFile) -> PactVersion:
    """Attach the signed copy to a signed version that has none yet (it is never replaced)."""
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        version = PactVersion.objects.select_for_update().get(pk=version.pk, pact=pact)
        if version.status == PactVersion.Status.DRAFT:
            raise ValidationError(_("Record the signature first."), code="not_signed")
        if version.signed_scan:
            raise ValidationError(_("This version already has its signed copy."), code="has_scan")
        version.signed_scan.save(scan.name, scan, save=False)
        stored = version.signed_scan.name
        try:
            version.save(update_fields=["signed_scan", "updated_at"])
            audit(actor, membership, pact, AuditEvent.Action.UPDATE, target=version, reason="signed copy attached")
        except Exception:
            version.signed_scan.storage.delete(stored)
            raise
    return version


# --- Start and interruption -----------------------------------------------------------------


def pact_start(*, actor: User | None, pact: Pact, started_on: date | None = None) -> Pact:
    """The signed pact starts: money may be requested and hours given back; the first review is
    due after the review interval (or at the end of the pact, if sooner)."""
    started_on = started_on or timezone.localdate()
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        if pact.status != Pact.Status.SIGNED:
            raise ValidationError(_("Only a signed pact that has not started yet can start."), code="not_signed")
        if pact.latest_version_id != pact.version_in_force_id:
            raise ValidationError(_("A new version is waiting to be signed: record its signature first."),
                                  code="pending_version")  # fmt: skip
        in_force = pact.version_in_force
        if started_on > timezone.localdate():
            raise invalid("started_on", _("The start cannot be in the future."), "future")
        if not in_force.start_date <= started_on <= in_force.end_date or started_on < in_force.signed_on:
            raise invalid(
                "started_on",
                _("The pact starts after it is signed, within its period (%(start)s – %(end)s).")
                % {"start": in_force.start_date.strftime("%d/%m/%Y"), "end": in_force.end_date.strftime("%d/%m/%Y")},
                "outside_period",
            )
        pact.status, pact.started_on = Pact.Status.ACTIVE, started_on
        pact.next_review_on = min(add_months(started_on, pact.review_interval_months), in_force.end_date)
        pact.version += 1
        pact.save(update_fields=["status", "started_on", "next_review_on", "version", "updated_at"])
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, reason="started")
    return pact


def close_pact(pact: Pact, *, outcome: str, closed_on: date, reason: str, actor: User | None) -> None:
    """Close `pact` (locked by the caller); open requests for money are refused with the reason."""
    from trama.pacts.services.money import refuse_open_requests

    pact.status, pact.outcome, pact.closed_on, pact.closing_reason = Pact.Status.CLOSED, outcome, closed_on, reason
    pact.next_review_on = None
    pact.version += 1
    pact.save(update_fields=["status", "outcome", "closed_on", "closing_reason", "next_review_on", "version",
                             "updated_at"])  # fmt: skip
    refuse_open_requests(pact, actor=actor, reason=_("The pact was closed."))


def pact_interrupt(*, actor: User | None, pact: Pact, reason: str, closed_on: date | None = None) -> Pact:
    """Close the pact as interrupted, at any stage, always with the reason: a pact never ends
    silently. Requests for money still open are refused with it."""
    closed_on = closed_on or timezone.localdate()
    with transaction.atomic():
        membership = writer_membership(actor, pact)
        pact = locked_pact(pact)
        refuse_if_closed(pact)
        reason = required_text(reason, "reason", _("Say why the pact is interrupted."))[:300]
        if closed_on > timezone.localdate():
            raise invalid("closed_on", _("The date cannot be in the future."), "future")
        began = pact.started_on or (pact.version_in_force.signed_on if pact.version_in_force else None)
        if began is not None and closed_on < began:
            raise invalid("closed_on", _("The date cannot be before the pact began."), "too_early")
        close_pact(pact, outcome=Pact.Outcome.INTERRUPTED, closed_on=closed_on, reason=reason, actor=actor)
        audit(actor, membership, pact, AuditEvent.Action.UPDATE, reason="interrupted")
    return pact


def may_draft_for(user: User | None, case: Case) -> bool:
    try:
        case_writer_membership(user, case)
    except PermissionDenied:
        return False
    return True
