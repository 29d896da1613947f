"""Every write of the work plan: atomic, permission-checked, audited (S10). `actor=None` is the
system (the demo loader); every other actor must hold the right membership.

- A job-seeker profile is created and edited by whoever may write to the person's case (its team
  or a coordinator), for a member of the case's household.
- Openings: staff (coordinators, operators) enter them open; a company sends one through the public
  form and it waits, "to be reviewed", until a coordinator names the company and opens it.
- Placements follow an explicit state machine (`TRANSITIONS`); every move is stored and audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, User
from trama.accounts.permissions import acting_coordinator
from trama.casework.models import Case, Pathway
from trama.casework.services.assessments import acting_on_case
from trama.casework.services.pathways import pathway_create
from trama.core.concurrency import save_versioned
from trama.core.ratelimit import RateLimit
from trama.funding.models import FundingSource
from trama.network.models import Organisation, Partnership
from trama.network.services import organisation_ensure, partnership_set
from trama.people.models import Person
from trama.territory.models import Programme
from trama.work.models import (
    Contract,
    JobSeeker,
    Opening,
    Placement,
    PlacementTransition,
    WorkPathway,
    pack_codes,
)
from trama.work.permissions import staff_membership, visible_seekers

SEEKER_FIELDS = (
    "municipality", "started_on", "skills", "education", "qualifications", "experience", "languages",
    "driving_licence", "has_car", "hours", "shifts", "constraints", "desired_sectors", "max_distance_km",
)  # fmt: skip
SEEKER_CODE_FIELDS = ("skills", "languages", "shifts", "desired_sectors")
OPENING_FIELDS = (
    "company", "title", "sector", "description", "skills", "contract", "hours_per_week", "shifts", "municipality",
    "workplace", "starts_on", "positions", "driving_licence_required", "language", "contact_name", "contact_email",
    "contact_phone",
)  # fmt: skip
OPENING_CODE_FIELDS = ("skills", "shifts")
PUBLIC_OPENING_FIELDS = (*(name for name in OPENING_FIELDS if name != "company"), "company_name")

S = Placement.Status
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.PROPOSED: (S.INTERVIEW, S.NOT_SELECTED),
    S.INTERVIEW: (S.INTERNSHIP, S.HIRED, S.NOT_SELECTED),
    S.INTERNSHIP: (S.HIRED, S.NOT_SELECTED),
    S.HIRED: (),
    S.NOT_SELECTED: (),
}
# Above this, a monthly grant or an incentive is a typing mistake, not a plan (regional internship
# grants are a few hundred euro a month; hiring incentives a few thousand).
MAX_GRANT_PER_MONTH = Decimal("2000")
MAX_INCENTIVE = Decimal("20000")

# The company form: the budget of the other public forms, counted apart (trama/core/ratelimit.py).
OPENING_RATE = RateLimit("work-opening", 5, 3600)


def _normalise_codes(fields: dict[str, Any], names: tuple[str, ...]) -> None:
    for name in names:
        value = fields.get(name)
        if isinstance(value, (list, tuple, set)):
            fields[name] = pack_codes(value)


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


def _staff(actor: User | None, programme: Programme) -> Membership | None:
    if actor is None:
        return None
    membership = staff_membership(actor, programme)
    if membership is None:
        raise PermissionDenied
    return membership


# --- Job seekers ----------------------------------------------------------------------------------------


def seeker_create(
    *, actor: User | None, case: Case, person: Person, fields: dict[str, Any], cv: ContentFile | None = None
) -> JobSeeker:
    """Open the work-plan profile of `person`, a member of the household that `case` follows."""
    fields = {name: value for name, value in fields.items() if name in SEEKER_FIELDS}
    _normalise_codes(fields, SEEKER_CODE_FIELDS)
    fields.setdefault("started_on", timezone.localdate())
    fields.setdefault("municipality", person.municipality or case.household.municipality)
    with transaction.atomic():
        membership = acting_on_case(actor, case)
        if not case.household.memberships.filter(person=person).exists():
            raise ValidationError({"person": _("Choose a member of the household followed by the case.")})
        if JobSeeker.objects.filter(programme=case.programme_id, person=person).exists():
            raise ValidationError({"person": _("This person already has a profile in the work plan.")})
        seeker = JobSeeker(programme=case.programme, case=case, person=person, created_by=actor, **fields)
        seeker.full_clean(exclude=["cv"])
        if cv is not None:
            seeker.cv.save(cv.name, cv, save=False)
        seeker.save()
        _audit(actor, membership, case.programme, seeker, AuditEvent.Action.CREATE)
    return seeker


def seeker_update(
    *, actor: User | None, seeker: JobSeeker, expected_version: int, fields: dict[str, Any],
    cv: ContentFile | None = None, status: str | None = None,
) -> JobSeeker:  # fmt: skip
    fields = {name: value for name, value in fields.items() if name in SEEKER_FIELDS}
    _normalise_codes(fields, SEEKER_CODE_FIELDS)
    with transaction.atomic():
        membership = acting_on_case(actor, seeker.case)
        for name, value in fields.items():
            setattr(seeker, name, value)
        changed = list(fields)
        if status is not None:
            if status not in JobSeeker.Status.values:
                raise ValidationError({"status": _("Choose a valid status.")})
            seeker.status = status
            changed.append("status")
        seeker.full_clean(exclude=["cv"])
        if cv is not None:
            seeker.cv.save(cv.name, cv, save=False)
            changed.append("cv")
        save_versioned(seeker, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, seeker.programme, seeker, AuditEvent.Action.UPDATE)
    return seeker


def seeker_cv_read(*, actor: User, seeker: JobSeeker) -> None:
    """A CV download is an export of personal data: it gets its own audit row."""
    _audit(
        actor,
        staff_membership(actor, seeker.programme),
        seeker.programme,
        seeker,
        AuditEvent.Action.EXPORT,
        reason="CV",
    )


def pathway_record(
    *, actor: User | None, seeker: JobSeeker, kind: str, title: str, organisation: Organisation, start_date: date,
    end_date: date | None = None, skill: str = "",
) -> WorkPathway:  # fmt: skip
    """A training course or a skill exchange, recorded as a pathway of the job seeker's case."""
    if kind not in WorkPathway.Kind.values:
        raise ValidationError({"kind": _("Choose a training course or a skill exchange.")})
    with transaction.atomic():
        pathway = pathway_create(
            actor=actor, case=seeker.case, kind=Pathway.Kind.JOB_ORIENTATION, title=title, organisation=organisation,
            start_date=start_date, end_date=end_date,
            status=Pathway.Status.COMPLETED if end_date and end_date < timezone.localdate() else Pathway.Status.ACTIVE,
        )  # fmt: skip
        link = WorkPathway(job_seeker=seeker, pathway=pathway, kind=kind, skill=skill)
        link.full_clean()
        link.save()
    return link


# --- Companies and openings ------------------------------------------------------------------------------


def company_register(*, actor: User | None, programme: Programme, name: str, **fields: Any) -> Organisation:
    """A company joins the programme's network (a coordinator's decision)."""
    with transaction.atomic():
        acting_coordinator(actor, programme)
        existing = Organisation.objects.filter(name=name).first()
        if existing is not None and existing.kind != Organisation.Kind.COMPANY:
            raise ValidationError({"name": _("An organisation with this name exists and is not a company.")})
        company = existing or organisation_ensure(name=name, kind=Organisation.Kind.COMPANY, **fields)
        if not Partnership.objects.filter(programme=programme, organisation=company).exists():
            partnership_set(actor=actor, programme=programme, organisation=company, role=Partnership.Role.NETWORK)
    return company


def programme_companies(programme: Programme) -> Any:
    return Organisation.objects.filter(kind=Organisation.Kind.COMPANY, partnerships__programme=programme).distinct()


def _check_company(programme: Programme, company: Organisation | None) -> None:
    if company is not None and not programme_companies(programme).filter(pk=company.pk).exists():
        raise ValidationError({"company": _("Choose a company of the programme's network.")})


def _check_municipality(programme: Programme, opening: Opening) -> None:
    if not programme.municipalities.filter(pk=opening.municipality_id).exists():
        raise ValidationError({"municipality": _("Choose a municipality of the programme's territory.")})


def _save_opening_fields(opening: Opening, fields: dict[str, Any]) -> list[str]:
    for name, value in fields.items():
        setattr(opening, name, value)
    changed = list(fields)
    if "skills" in fields:
        opening.skill_count = len([code for code in opening.skills.split(",") if code])
        changed.append("skill_count")
    return changed


def opening_create(*, actor: User | None, programme: Programme, fields: dict[str, Any]) -> Opening:
    fields = {name: value for name, value in fields.items() if name in OPENING_FIELDS}
    _normalise_codes(fields, OPENING_CODE_FIELDS)
    with transaction.atomic():
        membership = _staff(actor, programme)
        opening = Opening(programme=programme, created_by=actor, status=Opening.Status.OPEN)
        _save_opening_fields(opening, fields)
        if opening.company_id is None:
            raise ValidationError({"company": _("Choose the company that offers the job.")})
        _check_company(programme, opening.company)
        opening.full_clean()
        _check_municipality(programme, opening)
        opening.save()
        _audit(actor, membership, programme, opening, AuditEvent.Action.CREATE)
    return opening


def opening_submit_public(*, programme: Programme, fields: dict[str, Any]) -> Opening:
    """An opening sent by a company through the public form: kept "to be reviewed", proposed to nobody."""
    fields = {name: value for name, value in fields.items() if name in PUBLIC_OPENING_FIELDS}
    _normalise_codes(fields, OPENING_CODE_FIELDS)
    with transaction.atomic():
        opening = Opening(programme=programme, status=Opening.Status.TO_REVIEW, source=Opening.Source.PUBLIC_FORM)
        _save_opening_fields(opening, fields)
        if not opening.company_name.strip():
            raise ValidationError({"company_name": _("Tell us the name of the company.")})
        opening.full_clean()
        _check_municipality(programme, opening)
        opening.save()
        _audit(None, None, programme, opening, AuditEvent.Action.CREATE, reason="public form")
    return opening


def opening_rate_limited(*, programme: Programme, client_ip: str) -> bool:
    return OPENING_RATE.exceeded(programme=programme, client_ip=client_ip)


def opening_rate_count(*, programme: Programme, client_ip: str) -> None:
    OPENING_RATE.count(programme=programme, client_ip=client_ip)


def opening_update(*, actor: User | None, opening: Opening, expected_version: int, fields: dict[str, Any]) -> Opening:
    fields = {name: value for name, value in fields.items() if name in OPENING_FIELDS}
    _normalise_codes(fields, OPENING_CODE_FIELDS)
    with transaction.atomic():
        membership = _staff(actor, opening.programme)
        changed = _save_opening_fields(opening, fields)
        _check_company(opening.programme, opening.company)
        opening.full_clean()
        _check_municipality(opening.programme, opening)
        save_versioned(opening, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, opening.programme, opening, AuditEvent.Action.UPDATE)
    return opening


def opening_approve(*, actor: User | None, opening: Opening, company: Organisation) -> Opening:
    """A coordinator accepts an opening sent by a company: names the company and opens it."""
    with transaction.atomic():
        membership = acting_coordinator(actor, opening.programme)
        opening = Opening.objects.select_for_update().select_related("programme").get(pk=opening.pk)
        if opening.status != Opening.Status.TO_REVIEW:
            raise ValidationError(_("This opening has already been reviewed."))
        _check_company(opening.programme, company)
        opening.company = company
        opening.status = Opening.Status.OPEN
        opening.version += 1
        opening.save(update_fields=["company", "status", "version", "updated_at"])
        _audit(actor, membership, opening.programme, opening, AuditEvent.Action.UPDATE, reason="approved")
    return opening


def opening_close(*, actor: User | None, opening: Opening) -> Opening:
    with transaction.atomic():
        membership = _staff(actor, opening.programme)
        opening = Opening.objects.select_for_update().select_related("programme").get(pk=opening.pk)
        if opening.status == Opening.Status.CLOSED:
            return opening
        opening.status = Opening.Status.CLOSED
        opening.version += 1
        opening.save(update_fields=["status", "version", "updated_at"])
        _audit(actor, membership, opening.programme, opening, AuditEvent.Action.UPDATE, reason="closed")
    return opening


# --- Placements -------------------------------------------------------------------------------------------


def placement_propose(
    *, actor: User | None, opening: Opening, seeker: JobSeeker, score: float | None = None, on: date | None = None
) -> Placement:
    """Propose `seeker` for `opening` (the first step of the pipeline)."""
    programme = opening.programme
    with transaction.atomic():
        membership = _staff(actor, programme)
        if actor is not None and not visible_seekers(actor, programme).filter(pk=seeker.pk).exists():
            raise PermissionDenied
        if seeker.programme_id != opening.programme_id:
            raise PermissionDenied
        if opening.status != Opening.Status.OPEN:
            raise ValidationError(_("Only an open opening can receive candidates."))
        if seeker.status != JobSeeker.Status.ACTIVE:
            raise ValidationError(_("This person is not looking for work at the moment."))
        placement = Placement(
            programme=programme, opening=opening, job_seeker=seeker, proposed_on=on or timezone.localdate(),
            proposed_by=actor, match_score=Decimal(f"{score:.4f}") if score is not None else None,
        )  # fmt: skip
        try:
            with transaction.atomic():
                placement.save()
        except IntegrityError:
            raise ValidationError(_("This person has already been proposed for this opening.")) from None
        PlacementTransition.objects.create(
            placement=placement, to_status=S.PROPOSED, on=placement.proposed_on, by=actor
        )
        _audit(actor, membership, programme, placement, AuditEvent.Action.CREATE)
    return placement


@dataclass(frozen=True)
class Step:
    """What a pipeline move records. Only the fields of the target status are read."""

    to_status: str
    on: date
    internship_start: date | None = None
    internship_end: date | None = None
    grant_amount: Decimal | None = None
    grant_months: int | None = None
    grant_source: FundingSource | None = None
    hiring_contract: str = ""
    incentive_amount: Decimal | None = None
    incentive_source: FundingSource | None = None
    reason: str = ""


def _check_source(programme: Programme, source: FundingSource | None, field: str) -> None:
    if source is not None and source.programme_id != programme.pk:
        raise ValidationError({field: _("Choose a funding source of this programme.")})


def _apply_internship(placement: Placement, step: Step) -> list[str]:
    errors: dict[str, str] = {}
    if step.internship_start is None:
        errors["internship_start"] = _("Give the date the internship starts.")
    if step.internship_end is None:
        errors["internship_end"] = _("Give the date the internship is planned to end.")
    elif step.internship_start is not None and step.internship_end < step.internship_start:
        errors["internship_end"] = _("The internship cannot end before it starts (%(start)s).") % {
            "start": date_format(step.internship_start, "SHORT_DATE_FORMAT")
        }
    if step.grant_amount is not None and not (0 <= step.grant_amount <= MAX_GRANT_PER_MONTH):
        errors["grant_amount"] = _("The monthly grant must be between 0 and %(max)s euro.") % {
            "max": MAX_GRANT_PER_MONTH
        }
    if step.grant_amount and not step.grant_months:
        errors["grant_months"] = _("Say for how many months the grant is paid.")
    if errors:
        raise ValidationError(errors)
    _check_source(placement.programme, step.grant_source, "grant_source")
    placement.internship_start, placement.internship_end = step.internship_start, step.internship_end
    placement.grant_amount, placement.grant_months = step.grant_amount, step.grant_months
    placement.grant_source = step.grant_source
    return ["internship_start", "internship_end", "grant_amount", "grant_months", "grant_source"]


def _apply_hired(placement: Placement, step: Step) -> list[str]:
    errors: dict[str, str] = {}
    if step.hiring_contract not in (Contract.FIXED_TERM, Contract.PERMANENT):
        errors["hiring_contract"] = _("Choose a fixed-term or a permanent contract.")
    if step.incentive_amount is not None and not (0 <= step.incentive_amount <= MAX_INCENTIVE):
        errors["incentive_amount"] = _("The incentive must be between 0 and %(max)s euro.") % {"max": MAX_INCENTIVE}
    if placement.internship_start and step.on < placement.internship_start:
        errors["on"] = _("The hiring cannot come before the internship started.")
    if errors:
        raise ValidationError(errors)
    _check_source(placement.programme, step.incentive_source, "incentive_source")
    placement.hired_on, placement.hiring_contract = step.on, step.hiring_contract
    placement.incentive_amount, placement.incentive_source = step.incentive_amount, step.incentive_source
    changed = ["hired_on", "hiring_contract", "incentive_amount", "incentive_source"]
    if placement.status == S.INTERNSHIP and placement.internship_end and step.on < placement.internship_end:
        placement.internship_end = max(step.on, placement.internship_start or step.on)  # hired before the end
        changed.append("internship_end")
    return changed


def _apply_not_selected(placement: Placement, step: Step) -> list[str]:
    placement.closed_reason = step.reason.strip()[:300]
    changed = ["closed_reason"]
    if placement.status == S.INTERNSHIP and placement.internship_end and step.on < placement.internship_end:
        if placement.internship_start and step.on < placement.internship_start:
            raise ValidationError({"on": _("The internship cannot stop before it started.")})
        placement.internship_end = step.on
        placement.internship_interrupted = True
        changed += ["internship_end", "internship_interrupted"]
    return changed


def placement_move(*, actor: User | None, placement: Placement, expected_version: int, step: Step) -> Placement:
    """Move a placement along the pipeline; anything not in `TRANSITIONS` is refused."""
    with transaction.atomic():
        placement = (
            Placement.objects.select_for_update()
            .select_related("programme", "opening", "job_seeker")
            .get(pk=placement.pk)
        )
        membership = _staff(actor, placement.programme)
        if (
            actor is not None
            and not visible_seekers(actor, placement.programme).filter(pk=placement.job_seeker_id).exists()
        ):
            raise PermissionDenied
        if step.to_status not in TRANSITIONS.get(placement.status, ()):
            raise ValidationError(
                {"to_status": _("A placement cannot go from “%(from)s” to “%(to)s”.")
                 % {"from": S(placement.status).label, "to": S(step.to_status).label if step.to_status in S.values
                    else step.to_status}}
            )  # fmt: skip
        if step.on > timezone.localdate() and step.to_status != S.INTERNSHIP:
            raise ValidationError({"on": _("The date cannot be in the future.")})
        changed = ["status"]
        if step.to_status == S.INTERVIEW:
            placement.interview_on = step.on
            changed.append("interview_on")
        elif step.to_status == S.INTERNSHIP:
            changed += _apply_internship(placement, step)
        elif step.to_status == S.HIRED:
            changed += _apply_hired(placement, step)
        else:
            changed += _apply_not_selected(placement, step)
        from_status = placement.status
        placement.status = step.to_status
        placement.full_clean()
        save_versioned(placement, expected_version=expected_version, update_fields=changed)
        PlacementTransition.objects.create(
            placement=placement, from_status=from_status, to_status=step.to_status, on=step.on, by=actor
        )
        if step.to_status == S.HIRED:
            _after_hiring(placement)
        reason = f"{from_status} → {step.to_status}"
        _audit(actor, membership, placement.programme, placement, AuditEvent.Action.UPDATE, reason=reason)
    return placement


def _after_hiring(placement: Placement) -> None:
    """The job seeker is placed; the opening is filled once all its positions are."""
    JobSeeker.objects.filter(pk=placement.job_seeker_id).update(status=JobSeeker.Status.PLACED)
    opening = Opening.objects.select_for_update().get(pk=placement.opening_id)
    hired = Placement.objects.filter(opening=opening, status=S.HIRED).count()
    if hired >= opening.positions and opening.status == Opening.Status.OPEN:
        opening.status = Opening.Status.FILLED
        opening.version += 1
        opening.save(update_fields=["status", "version", "updated_at"])
