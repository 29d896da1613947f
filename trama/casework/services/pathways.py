"""Pathways (individual or group), their goals and sessions.

- A pathway is created from a case by its team or a coordinator; a group pathway gathers other
  households, each of which the author must be allowed to see (S1).
- Whoever is on the team of one of its cases (or coordinates the programme) manages it: edits it,
  records sessions, adds households.
- A session must fall within the pathway's dates; who attended must belong to its households; the
  note is encrypted (S6).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.casework.models import Case, Goal, Pathway, PathwayParticipation, Session
from trama.casework.permissions import visible_cases
from trama.casework.services.assessments import acting_on_case
from trama.core.concurrency import StaleVersionError, save_versioned
from trama.network.models import CommunityPlace, Organisation, Partnership
from trama.people.models import Person

EDITABLE_FIELDS = ("title", "place", "start_date", "end_date")


def acting_on_pathway(actor: User | None, pathway: Pathway) -> Membership | None:
    """A coordinator of the programme, or an operator on the team of one of the pathway's cases."""
    if actor is None:
        return None
    memberships = list(
        Membership.objects.active()
        .filter(user=actor, programme=pathway.programme_id, role__in=(Role.COORDINATOR, Role.OPERATOR))
        .select_related("organisation")
    )
    coordinator = next((m for m in memberships if m.role == Role.COORDINATOR), None)
    if coordinator is not None:
        return coordinator
    on_team = Case.objects.filter(participations__pathway=pathway, team__user=actor).exists()
    if not on_team or not memberships:
        raise PermissionDenied
    return memberships[0]


def _check_place_and_organisation(
    programme_id: int, place: CommunityPlace | None, organisation: Organisation | None
) -> None:
    errors = {}
    if place is not None and place.programme_id != programme_id:
        errors["place"] = _("Choose a place of this programme.")
    if (
        organisation is not None
        and not Partnership.objects.filter(programme=programme_id, organisation=organisation).exists()
    ):
        errors["organisation"] = _("Choose an organisation of this programme's network.")
    if errors:
        raise ValidationError(errors)


def _check_cases_visible(actor: User | None, programme_id: int, cases: list[Case]) -> None:
    if actor is None:
        return
    programme = cases[0].programme if cases else None
    if programme is None:
        return
    visible = set(visible_cases(actor, programme).filter(pk__in=[c.pk for c in cases]).values_list("pk", flat=True))
    if any(case.pk not in visible or case.programme_id != programme_id for case in cases):
        raise PermissionDenied


def pathway_create(
    *,
    actor: User | None,
    case: Case,
    kind: str,
    title: str,
    organisation: Organisation,
    start_date: date,
    place: CommunityPlace | None = None,
    end_date: date | None = None,
    is_group: bool = False,
    other_cases: list[Case] | None = None,
    status: str = Pathway.Status.ACTIVE,
) -> Pathway:
    """Create a pathway for `case` (and, for a group pathway, for `other_cases` too)."""
    other_cases = [c for c in (other_cases or []) if c.pk != case.pk]
    with transaction.atomic():
        membership = acting_on_case(actor, case)
        if other_cases and not is_group:
            raise ValidationError({"other_cases": _("Only a group pathway can gather other households.")})
        _check_cases_visible(actor, case.programme_id, other_cases)
        _check_place_and_organisation(case.programme_id, place, organisation)
        pathway = Pathway(
            programme=case.programme,
            kind=kind,
            title=title,
            is_group=is_group,
            organisation=organisation,
            place=place,
            start_date=start_date,
            end_date=end_date,
            status=status,
        )
        pathway.full_clean()
        pathway.save()
        PathwayParticipation.objects.bulk_create(
            PathwayParticipation(pathway=pathway, case=member, joined_on=start_date) for member in [case, *other_cases]
        )
        audit_record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            membership=membership,
            programme=case.programme,
            target=pathway,
        )
    return pathway


def pathway_update(*, actor: User | None, pathway: Pathway, expected_version: int, fields: dict[str, Any]) -> Pathway:
    """Edit title, place and dates. Dates that would leave a recorded session outside are refused."""
    with transaction.atomic():
        membership = acting_on_pathway(actor, pathway)
        changed = [name for name in EDITABLE_FIELDS if name in fields and getattr(pathway, name) != fields[name]]
        if not changed:
            return pathway
        _check_place_and_organisation(pathway.programme_id, fields.get("place"), None)
        for name in changed:
            setattr(pathway, name, fields[name])
        pathway.full_clean(exclude=["cases"])
        outside = _sessions_outside(pathway)
        if outside:
            raise ValidationError(
                {"start_date": _("%(count)s sessions would fall outside the new dates: move them first.")
                 % {"count": outside}}
            )  # fmt: skip
        save_versioned(pathway, expected_version=expected_version, update_fields=changed)
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=membership,
            programme=pathway.programme,
            target=pathway,
            reason=", ".join(changed),
        )
    return pathway


def _sessions_outside(pathway: Pathway) -> int:
    count = 0
    for starts_at in pathway.sessions.values_list("starts_at", flat=True):
        if not _within(pathway, timezone.localtime(starts_at).date()):
            count += 1
    return count


def pathway_set_status(*, actor: User | None, pathway: Pathway, status: str, expected_version: int) -> Pathway:
    if status not in Pathway.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        membership = acting_on_pathway(actor, pathway)
        if pathway.status == status:
            return pathway
        previous = pathway.status
        pathway.status = status
        save_versioned(pathway, expected_version=expected_version, update_fields=["status"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=membership,
            programme=pathway.programme,
            target=pathway,
            reason=f"status {previous} → {status}",
        )
    return pathway


def pathway_add_cases(*, actor: User | None, pathway: Pathway, cases: list[Case], joined_on: date | None = None) -> int:
    """Add households to a group pathway; each must be visible to the author. Returns how many
    were added (those already taking part are skipped)."""
    with transaction.atomic():
        membership = acting_on_pathway(actor, pathway)
        if not pathway.is_group:
            raise ValidationError(_("Only a group pathway can gather other households."))
        _check_cases_visible(actor, pathway.programme_id, cases)
        present = set(pathway.participations.values_list("case_id", flat=True))
        day = joined_on or max(timezone.localdate(), pathway.start_date)
        new = [case for case in cases if case.pk not in present]
        PathwayParticipation.objects.bulk_create(
            PathwayParticipation(pathway=pathway, case=case, joined_on=day) for case in new
        )
        if new:
            audit_record(
                action=AuditEvent.Action.UPDATE,
                actor=actor,
                membership=membership,
                programme=pathway.programme,
                target=pathway,
                reason=f"households added: {len(new)}",
            )
    return len(new)


# --- Goals -------------------------------------------------------------------------------------


def goal_create(
    *,
    actor: User | None,
    case: Case,
    description: str,
    due_on: date | None = None,
    pathway: Pathway | None = None,
    status: str = Goal.Status.OPEN,
) -> Goal:
    with transaction.atomic():
        membership = acting_on_case(actor, case)
        if pathway is not None and not pathway.participations.filter(case=case).exists():
            raise ValidationError({"pathway": _("Choose a pathway this household takes part in.")})
        goal = Goal(case=case, pathway=pathway, description=description, due_on=due_on, status=status)
        goal.full_clean()
        goal.save()
        audit_record(
            action=AuditEvent.Action.CREATE, actor=actor, membership=membership, programme=case.programme, target=goal
        )
    return goal


def goal_set_status(*, actor: User | None, goal: Goal, status: str) -> Goal:
    """Update a goal's status; the change history keeps each update (who and when)."""
    if status not in Goal.Status.values:
        raise ValidationError({"status": _("Unknown status.")})
    with transaction.atomic():
        goal = Goal.objects.select_for_update().select_related("case__programme").get(pk=goal.pk)
        membership = acting_on_case(actor, goal.case)
        if goal.status == status:
            return goal
        previous = goal.status
        goal.status = status
        goal.save(update_fields=["status", "updated_at"])
        audit_record(
            action=AuditEvent.Action.UPDATE,
            actor=actor,
            membership=membership,
            programme=goal.case.programme,
            target=goal,
            reason=f"status {previous} → {status}",
        )
    return goal


# --- Sessions ----------------------------------------------------------------------------------


def _within(pathway: Pathway, day: date) -> bool:
    return pathway.start_date <= day and (pathway.end_date is None or day <= pathway.end_date)


def session_create(
    *,
    actor: User | None,
    pathway: Pathway,
    starts_at: datetime,
    duration_minutes: int,
    modality: str,
    place: CommunityPlace | None = None,
    attendees: list[Person] | None = None,
    note: str = "",
    recorded_by: User | None = None,
) -> Session:
    """Record a session. Outside the pathway's dates it is refused with a clear message and nothing
    is saved; so is an attendee who is not a member of one of the pathway's households."""
    attendees = attendees or []
    with transaction.atomic():
        pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
        membership = acting_on_pathway(actor, pathway)
        day = timezone.localtime(starts_at).date()
        if not _within(pathway, day):
            raise ValidationError({"day": _session_outside_message(pathway)})
        _check_place_and_organisation(pathway.programme_id, place, None)
        members = set(
            Person.objects.filter(household_memberships__household__cases__participations__pathway=pathway).values_list(
                "pk", flat=True
            )
        )
        if any(person.pk not in members for person in attendees):
            raise ValidationError({"attendees": _("Only members of the pathway's households can be recorded.")})
        author = actor or recorded_by
        if author is None:
            raise ValidationError(_("Say who recorded the session."))
        session = Session(
            pathway=pathway,
            starts_at=starts_at,
            duration_minutes=duration_minutes,
            modality=modality,
            place=place,
            note=note,
            recorded_by=author,
        )
        session.full_clean(exclude=["attendees"])
        session.save()
        session.attendees.set(attendees)
        audit_record(
            action=AuditEvent.Action.CREATE,
            actor=actor,
            membership=membership,
            programme=pathway.programme,
            target=session,
        )
    return session


def _session_outside_message(pathway: Pathway) -> str:
    start = date_format(pathway.start_date, "SHORT_DATE_FORMAT")
    if pathway.end_date is None:
        return _("The session is before the pathway starts (%(start)s): choose a date from then on.") % {"start": start}
    return _("The session is outside the pathway's dates (%(start)s–%(end)s): choose a date within them.") % {
        "start": start,
        "end": date_format(pathway.end_date, "SHORT_DATE_FORMAT"),
    }


__all__ = [
    "StaleVersionError",
    "goal_create",
    "goal_set_status",
    "pathway_add_cases",
    "pathway_create",
    "pathway_set_status",
    "pathway_update",
    "session_create",
]
