"""Writes of the governance: bodies and their members, meetings with their public calendar entry,
attendance, minutes, decisions and their follow-up.

Keyword-only, atomic, audited and permission-checked (coordinators; the system when `actor` is
None). A public meeting is written as an activity of kind ASSEMBLY through the activities'
services in the same transaction, so the public calendar lists it and a refusal there saves
nothing here either.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, User
from trama.activities import services as activities
from trama.activities.models import Activity, Occurrence
from trama.core.concurrency import save_versioned
from trama.governance.models import Body, BodyMember, Decision, DecisionUpdate, Meeting, MeetingAttendance
from trama.governance.permissions import manager_membership
from trama.network.models import CitizenGroup, Organisation, Partnership
from trama.territory.models import Programme

BODY_FIELDS = ("kind", "name", "description", "action_line", "meets_in_public")
MEETING_FIELDS = ("title", "starts_at", "ends_at", "place", "venue", "municipality", "is_public", "agenda", "minutes",
                  "status")  # fmt: skip
DECISION_FIELDS = ("title", "details", "action_line", "indicator_code", "responsible_organisation", "due_on")
WHERE_FIELDS = ("place", "venue", "municipality")
# The most people one meeting can plausibly count without names: a typing slip beyond it.
MAX_OTHER_PARTICIPANTS = 5000


def _audit(
    actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str, *,
    reason: str = "",
) -> None:  # fmt: skip
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def _apply(instance: Any, fields: dict[str, Any]) -> list[str]:
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    for name in changed:
        setattr(instance, name, fields[name])
    return changed


# --- Bodies and members ------------------------------------------------------------------------------


def body_save(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], body: Body | None = None,
    expected_version: int = 0,
) -> Body:  # fmt: skip
    fields = {name: value for name, value in fields.items() if name in BODY_FIELDS}
    if isinstance(fields.get("name"), str):
        fields["name"] = fields["name"].strip()
    line = fields.get("action_line")
    if line is not None and line.programme_id != programme.pk:
        raise ValidationError({"action_line": _("The action line belongs to another programme.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if body is None:
            body = Body(programme=programme, **fields)
            body.full_clean()
            body.save()
            _audit(actor, membership, programme, body, AuditEvent.Action.CREATE)
            return body
        if body.programme_id != programme.pk:
            raise ValidationError(_("The body belongs to another programme."))
        body = Body.objects.select_for_update().get(pk=body.pk)
        changed = _apply(body, fields)
        body.full_clean()
        save_versioned(body, expected_version=expected_version, update_fields=changed)
        _audit(actor, membership, programme, body, AuditEvent.Action.UPDATE)
    return body


def member_add(
    *, actor: User | None, body: Body, role: str = BodyMember.Role.MEMBER, organisation: Organisation | None = None,
    user: User | None = None, name: str = "", since: date | None = None,
) -> BodyMember:  # fmt: skip
    """Add a member: an organisation of the partnership, a person with an account in the
    programme (for their organisation, unless another is given), or a person named here."""
    programme = body.programme
    name = name.strip()
    errors: dict[str, str] = {}
    if organisation is None and user is None and not name:
        errors["organisation"] = _("Choose an organisation or a person, or write the person's name.")
    if user is not None and name:
        errors["name"] = _("Either a person with an account or a name, not both.")
    if (
        organisation is not None
        and not Partnership.objects.filter(programme=programme, organisation=organisation).exists()
    ):
        errors["organisation"] = _("Only organisations of the programme's network can be members.")
    if user is not None:
        account = Membership.objects.active().filter(user=user, programme=programme).first()
        if account is None:
            errors["user"] = _("This person has no account in the programme.")
        elif organisation is None:
            organisation = account.organisation
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        current = BodyMember.objects.filter(body=body, until__isnull=True)
        duplicate = (
            current.filter(user=user).exists()
            if user is not None
            else current.filter(name__iexact=name, organisation=organisation).exists()
            if name
            else current.filter(organisation=organisation, user__isnull=True, name="").exists()
        )
        if duplicate:
            raise ValidationError(_("This member is already in the body."))
        member = BodyMember(body=body, organisation=organisation, user=user, name=name, role=role, since=since)
        member.full_clean()
        member.save()
        _audit(actor, membership, programme, member, AuditEvent.Action.CREATE)
    return member


def member_end(*, actor: User | None, member: BodyMember, until: date | None = None) -> BodyMember:
    """A member leaves the body: the membership ends (it stays in the records of past meetings)."""
    with transaction.atomic():
        membership = manager_membership(actor, member.body.programme)
        member = BodyMember.objects.select_for_update().get(pk=member.pk)
        if member.until is not None:
            raise ValidationError(_("This membership has already ended."))
        member.until = until or timezone.localdate()
        member.full_clean()
        member.save(update_fields=["until", "updated_at"])
        _audit(actor, membership, member.body.programme, member, AuditEvent.Action.UPDATE, reason="membership ended")
    return member


# --- Meetings --------------------------------------------------------------------------------------


def _check_meeting(programme: Programme, meeting: Meeting) -> None:
    """Times first: a meeting ending before it starts is refused before anything is written."""
    errors: dict[str, str] = {}
    if meeting.starts_at and meeting.ends_at and meeting.ends_at <= meeting.starts_at:
        errors["ends_at"] = _("A meeting must end after it starts.")
    if meeting.place_id and meeting.place.programme_id != programme.pk:
        errors["place"] = _("The place is not in this programme's network.")
    if meeting.is_public and not meeting.place_id and not meeting.municipality_id:
        errors["municipality"] = _(
            "A public meeting goes on the public calendar: choose a place of the network, or the municipality."
        )
    if not meeting.title.strip():
        errors["title"] = _("Give the meeting a title.")
    if errors:
        raise ValidationError(errors)


def _activity_fields(meeting: Meeting) -> dict[str, Any]:
    minutes = int((meeting.ends_at - meeting.starts_at).total_seconds() // 60)
    return {
        "title": meeting.title, "kind": Activity.Kind.ASSEMBLY, "audience": Activity.Audience.EVERYONE,
        "description": meeting.agenda, "place": meeting.place, "venue": meeting.venue or "",
        "municipality": meeting.place.municipality if meeting.place_id else meeting.municipality,
        "is_public": True, "first_start": meeting.starts_at, "duration_minutes": max(minutes, 1),
        # A meeting is called for its date: the programme's closures (school holidays) do not move it.
        "skip_closures": False, "status": Activity.Status.ACTIVE,
    }  # fmt: skip


def _publish(actor: User | None, meeting: Meeting) -> None:
    """Create, update or withdraw the meeting's entry on the public calendar."""
    activity = meeting.activity
    if meeting.is_public and activity is None:
        organisers = [o for o in [_lead(meeting.programme)] if o is not None]
        meeting.activity = activities.activity_create(
            actor=actor, programme=meeting.programme, fields=_activity_fields(meeting), organisers=organisers
        )
        meeting.save(update_fields=["activity", "updated_at"])
        return
    if activity is None:
        return
    fields = _activity_fields(meeting)
    if not meeting.is_public:
        fields = {"status": Activity.Status.ARCHIVED, "is_public": False}
    activities.activity_update(
        actor=actor, activity=activity, expected_version=Activity.objects.get(pk=activity.pk).version, fields=fields
    )
    occurrence = Occurrence.objects.filter(activity=activity).order_by("starts_at").first()
    if occurrence is None:
        return
    if meeting.status == Meeting.Status.CANCELLED and not occurrence.is_cancelled:
        activities.occurrence_cancel(actor=actor, occurrence=occurrence, note=str(_("Meeting cancelled")))
    elif meeting.status != Meeting.Status.CANCELLED and occurrence.is_cancelled:
        activities.occurrence_restore(actor=actor, occurrence=occurrence)


def _lead(programme: Programme) -> Organisation | None:
    lead = Partnership.objects.filter(programme=programme, role=Partnership.Role.LEAD).select_related("organisation")
    first = lead.first()
    return first.organisation if first else None


def meeting_create(*, actor: User | None, body: Body, fields: dict[str, Any]) -> Meeting:
    """Plan a meeting of `body`; a public one also goes on the public calendar."""
    programme = body.programme
    fields = {name: value for name, value in fields.items() if name in MEETING_FIELDS}
    fields.setdefault("is_public", body.meets_in_public)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        meeting = Meeting(programme=programme, body=body, created_by=actor, **fields)
        meeting.title = meeting.title.strip()
        _check_meeting(programme, meeting)
        meeting.full_clean()
        meeting.save()
        _publish(actor, meeting)
        _audit(actor, membership, programme, meeting, AuditEvent.Action.CREATE)
    return meeting


def meeting_update(*, actor: User | None, meeting: Meeting, expected_version: int, fields: dict[str, Any]) -> Meeting:
    """Edit a meeting — its time, place, agenda, minutes, status (S21: a stale version is a
    conflict). Its public calendar entry follows."""
    programme = meeting.programme
    fields = {name: value for name, value in fields.items() if name in MEETING_FIELDS}
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        meeting = (
            Meeting.objects.select_for_update(of=("self",)).select_related("activity", "programme").get(pk=meeting.pk)
        )
        changed = _apply(meeting, fields)
        if isinstance(meeting.title, str):
            meeting.title = meeting.title.strip()
        _check_meeting(programme, meeting)
        if meeting.status == Meeting.Status.HELD and meeting.starts_at > timezone.now():
            raise ValidationError({"status": _("A meeting still to come cannot be marked as held.")})
        meeting.full_clean()
        save_versioned(meeting, expected_version=expected_version, update_fields=changed)
        if {"title", "starts_at", "ends_at", "agenda", "is_public", "status", *WHERE_FIELDS} & set(changed):
            _publish(actor, meeting)
        _audit(actor, membership, programme, meeting, AuditEvent.Action.UPDATE)
    return meeting


def meeting_attendance_set(
    *, actor: User | None, meeting: Meeting, members: list[BodyMember], organisations: list[Organisation],
    groups: list[CitizenGroup], guests: list[str], others: int = 0,
) -> int:  # fmt: skip
    """Record who attended (replacing what was recorded): members of the body, representatives of
    organisations and citizen groups, guests by name, and others counted without a name. Marks the
    meeting as held. Returns the number of participants."""
    programme = meeting.programme
    guests = [guest.strip() for guest in guests if guest.strip()]
    errors: dict[str, str] = {}
    if any(member.body_id != meeting.body_id for member in members):
        errors["members"] = _("Only members of the body can be marked as members present.")
    partners = set(Partnership.objects.filter(programme=programme).values_list("organisation_id", flat=True))
    if any(organisation.pk not in partners for organisation in organisations):
        errors["organisations"] = _("Only organisations of the programme's network can be recorded.")
    if any(group.programme_id != programme.pk for group in groups):
        errors["groups"] = _("Only the programme's citizen groups can be recorded.")
    if not isinstance(others, int) or others < 0 or others > MAX_OTHER_PARTICIPANTS:
        errors["others"] = _("Give a number of people between 0 and %(max)d.") % {"max": MAX_OTHER_PARTICIPANTS}
    if any(len(guest) > 200 for guest in guests):
        errors["guests"] = _("A guest's name and role can be at most 200 characters.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
        if meeting.status == Meeting.Status.CANCELLED:
            raise ValidationError(_("The meeting was cancelled: restore it before recording attendance."))
        if timezone.localdate(meeting.starts_at) > timezone.localdate():
            raise ValidationError(_("Attendance can be recorded from the day of the meeting, not before."))
        meeting.attendances.all().delete()
        rows = [
            MeetingAttendance(meeting=meeting, kind=MeetingAttendance.Kind.MEMBER, member=member, user=member.user,
                              organisation=member.organisation, name=member.name, recorded_by=actor)
            for member in {m.pk: m for m in members}.values()
        ]  # fmt: skip
        rows += [
            MeetingAttendance(meeting=meeting, kind=MeetingAttendance.Kind.ORGANISATION, organisation=organisation,
                              recorded_by=actor)
            for organisation in {o.pk: o for o in organisations}.values()
        ]  # fmt: skip
        rows += [
            MeetingAttendance(
                meeting=meeting, kind=MeetingAttendance.Kind.GROUP, citizen_group=group, recorded_by=actor
            )
            for group in {g.pk: g for g in groups}.values()
        ]
        rows += [
            MeetingAttendance(meeting=meeting, kind=MeetingAttendance.Kind.GUEST, name=guest, recorded_by=actor)
            for guest in guests
        ]
        MeetingAttendance.objects.bulk_create(rows)
        meeting.other_participants = others
        update = ["other_participants"]
        if meeting.status == Meeting.Status.PLANNED:
            meeting.status = Meeting.Status.HELD
            update.append("status")
        meeting.version += 1
        meeting.save(update_fields=[*update, "version", "updated_at"])
        _audit(actor, membership, programme, meeting, AuditEvent.Action.UPDATE, reason="attendance")
    return len(rows) + others


# --- Decisions ---------------------------------------------------------------------------------------


def _check_decision(programme: Programme, fields: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    line = fields.get("action_line")
    if line is not None and line.programme_id != programme.pk:
        errors["action_line"] = _("The action line belongs to another programme.")
    organisation = fields.get("responsible_organisation")
    if (
        organisation is not None
        and not Partnership.objects.filter(programme=programme, organisation=organisation).exists()
    ):
        errors["responsible_organisation"] = _("Only organisations of the programme's network can be in charge.")
    if not (fields.get("title") or "").strip() and "title" in fields:
        errors["title"] = _("Write what was decided.")
    if errors:
        raise ValidationError(errors)


def decision_create(*, actor: User | None, meeting: Meeting, fields: dict[str, Any]) -> Decision:
    programme = meeting.programme
    fields = {name: value for name, value in fields.items() if name in DECISION_FIELDS}
    fields.setdefault("title", "")
    _check_decision(programme, fields)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        decision = Decision(programme=programme, meeting=meeting, **fields)
        decision.title = decision.title.strip()
        decision.full_clean()
        decision.save()
        _audit(actor, membership, programme, decision, AuditEvent.Action.CREATE)
    return decision


def decision_follow_up(
    *, actor: User | None, decision: Decision, expected_version: int, status: str, note: str = "",
    due_on: date | None = None,
) -> Decision:  # fmt: skip
    """A step of the follow-up: a new status (and due date) with a note, kept in the decision's
    history. Closing it (done, dropped) stamps the day."""
    programme = decision.programme
    if status not in Decision.Status.values:
        raise ValidationError({"status": _("Choose a status.")})
    if status == Decision.Status.DROPPED and not note.strip():
        raise ValidationError({"note": _("Say why the decision is dropped.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        decision = Decision.objects.select_for_update().get(pk=decision.pk)
        fields: dict[str, Any] = {"status": status}
        if due_on is not None:
            fields["due_on"] = due_on
        fields["closed_on"] = timezone.localdate() if status in Decision.CLOSED else None
        changed = _apply(decision, fields)
        save_versioned(decision, expected_version=expected_version, update_fields=changed)
        DecisionUpdate.objects.create(decision=decision, status=status, note=note.strip(), recorded_by=actor)
        _audit(actor, membership, programme, decision, AuditEvent.Action.UPDATE, reason=f"follow-up: {status}")
    return decision
