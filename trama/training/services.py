"""Writes of the Well-Fare Lab: courses with their sessions, modules, trainers, participants and
enrolment, attendance and certificates.

Keyword-only, atomic, audited, permission-checked. The course's dates, enrolment and attendance
are written through the activities' services (one activity of kind COURSE per course), in the
same transaction: a refusal there saves nothing here either.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities import services as activities
from trama.activities.models import Activity, Attendance, Occurrence, Registration
from trama.core.concurrency import save_versioned
from trama.network.models import Organisation, Partnership
from trama.people.services import person_create
from trama.territory.models import Programme
from trama.training.hours import eligible, hours_by_person
from trama.training.models import Audience, Certificate, Course, Module, Participant, Session, Trainer
from trama.training.permissions import manager_membership, teaching_membership

COURSE_FIELDS = ("title", "description", "audience", "action_line", "min_attendance_percent")
WHERE_FIELDS = ("place", "venue", "municipality")
MAX_SESSIONS = 60
# Roles whose members teach as peers: the programme's own people, not its evaluators or funder.
PEER_ROLES = (Role.OPERATOR, Role.VOLUNTEER, Role.LAB_MANAGER, Role.COORDINATOR)


def _audit(
    actor: User | None, membership: Membership | None, programme: Programme, target: Any, action: str, *,
    reason: str = "",
) -> None:  # fmt: skip
    audit_record(action=action, actor=actor, membership=membership, programme=programme, target=target, reason=reason)


def _activity_audience(audience: str) -> str:
    return Activity.Audience.VOLUNTEERS if audience == Audience.VOLUNTEERS else Activity.Audience.OPERATORS


# --- Courses and sessions --------------------------------------------------------------------------


def course_create(
    *, actor: User | None, programme: Programme, fields: dict[str, Any], first_start: datetime,
    duration_minutes: int, sessions: int = 1, where: dict[str, Any] | None = None, organisers: list | None = None,
) -> Course:  # fmt: skip
    """Create a course and its activity with `sessions` weekly dates from `first_start`."""
    fields = {name: value for name, value in fields.items() if name in COURSE_FIELDS}
    where = {name: value for name, value in (where or {}).items() if name in WHERE_FIELDS}
    if not 1 <= sessions <= MAX_SESSIONS:
        raise ValidationError({"sessions": _("Between 1 and %(max)d sessions.") % {"max": MAX_SESSIONS}})
    line = fields.get("action_line")
    if line is not None and line.programme_id != programme.pk:
        raise ValidationError({"action_line": _("The action line belongs to another programme.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        activity = activities.activity_create(
            actor=actor, programme=programme, organisers=organisers,
            fields={
                "title": fields.get("title", ""), "kind": Activity.Kind.COURSE,
                "description": fields.get("description", ""),
                "audience": _activity_audience(fields.get("audience", "")), "action_line": line, "is_public": False,
                "registration_required": True, "first_start": first_start, "duration_minutes": duration_minutes,
                "recurrence": f"FREQ=WEEKLY;COUNT={sessions}" if sessions > 1 else "", "skip_closures": False,
                **where,
            },
        )  # fmt: skip
        course = Course(programme=programme, activity=activity, created_by=actor, **fields)
        course.full_clean()
        course.save()
        Session.objects.bulk_create([Session(course=course, occurrence=o) for o in activity.occurrences.all()])
        _audit(actor, membership, programme, course, AuditEvent.Action.CREATE)
    return course


def course_update(*, actor: User | None, course: Course, expected_version: int, fields: dict[str, Any]) -> Course:
    """Edit a course (S21); its activity's title, description and audience follow."""
    fields = {name: value for name, value in fields.items() if name in COURSE_FIELDS}
    line = fields.get("action_line")
    if line is not None and line.programme_id != course.programme_id:
        raise ValidationError({"action_line": _("The action line belongs to another programme.")})
    with transaction.atomic():
        membership = manager_membership(actor, course.programme)
        course = Course.objects.select_for_update(of=("self",)).select_related("activity").get(pk=course.pk)
        changed = [name for name, value in fields.items() if getattr(course, name) != value]
        for name in changed:
            setattr(course, name, fields[name])
        course.full_clean()
        save_versioned(course, expected_version=expected_version, update_fields=changed)
        mirrored = {"title": course.title, "description": course.description, "action_line": course.action_line,
                    "audience": _activity_audience(course.audience)}  # fmt: skip
        activity = course.activity
        if any(getattr(activity, name) != value for name, value in mirrored.items()):
            activities.activity_update(
                actor=actor, activity=activity, expected_version=activity.version, fields=mirrored
            )
        _audit(actor, membership, course.programme, course, AuditEvent.Action.UPDATE)
    return course


def _check_module_and_trainer(course: Course, module: Module | None, trainer: Trainer | None) -> None:
    errors: dict[str, str] = {}
    if module is not None and module.course_id != course.pk:
        errors["module"] = _("The module belongs to another course.")
    if trainer is not None and trainer.course_id != course.pk:
        errors["trainer"] = _("The trainer teaches another course.")
    if errors:
        raise ValidationError(errors)


def session_add(
    *, actor: User | None, course: Course, starts_at: datetime, ends_at: datetime, module: Module | None = None,
    trainer: Trainer | None = None,
) -> Session:  # fmt: skip
    """A further date of the course, with its module and trainer."""
    _check_module_and_trainer(course, module, trainer)
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("A session must end after it starts.")})
    with transaction.atomic():
        membership = manager_membership(actor, course.programme)
        occurrence = activities.occurrence_add(
            actor=actor, activity=course.activity, starts_at=starts_at, ends_at=ends_at
        )
        session = Session.objects.create(course=course, occurrence=occurrence, module=module, trainer=trainer)
        _audit(actor, membership, course.programme, course, AuditEvent.Action.UPDATE, reason="session added")
    return session


def session_assign(
    *, actor: User | None, course: Course, occurrence: Occurrence, module: Module | None, trainer: Trainer | None
) -> Session:
    """Say which module a date covers and who teaches it."""
    if occurrence.activity_id != course.activity_id:
        raise ValidationError(_("The date belongs to another activity."))
    _check_module_and_trainer(course, module, trainer)
    with transaction.atomic():
        membership = manager_membership(actor, course.programme)
        session, _created = Session.objects.select_for_update().get_or_create(
            occurrence=occurrence, defaults={"course": course}
        )
        session.module, session.trainer = module, trainer
        session.save(update_fields=["module", "trainer", "updated_at"])
        _audit(actor, membership, course.programme, course, AuditEvent.Action.UPDATE, reason="session assigned")
    return session


def module_add(
    *, actor: User | None, course: Course, title: str, planned_hours: Decimal, description: str = "",
    competences: str = "",
) -> Module:  # fmt: skip
    if (
        not isinstance(planned_hours, Decimal)
        or planned_hours < 0
        or planned_hours != planned_hours.quantize(Decimal("0.01"))
    ):
        raise ValidationError({"planned_hours": _("Give the hours as a number with at most two decimals.")})
    with transaction.atomic():
        membership = manager_membership(actor, course.programme)
        Course.objects.select_for_update().only("pk").get(pk=course.pk)
        position = (course.modules.aggregate(last=Max("position"))["last"] or 0) + 1
        module = Module(
            course=course, position=position, title=title.strip(), planned_hours=planned_hours,
            description=description.strip(), competences=competences.strip(),
        )  # fmt: skip
        module.full_clean()
        module.save()
        _audit(actor, membership, course.programme, course, AuditEvent.Action.UPDATE, reason="module added")
    return module


def trainer_add(
    *, actor: User | None, course: Course, user: User | None = None, name: str = "",
    organisation: Organisation | None = None, topic: str = "",
) -> Trainer:  # fmt: skip
    """A trainer of the course. Someone with an account in the programme teaches as a peer, for
    their organisation (peer education: an operator of one partner teaching the others); an expert
    is named here."""
    programme = course.programme
    name = name.strip()
    errors: dict[str, str] = {}
    if (user is None) == (not name):
        errors["user"] = _("Choose a person with an account, or write the name of an expert: one of the two.")
    is_peer = False
    if user is not None:
        account = (
            Membership.objects.active()
            .filter(user=user, programme=programme, role__in=PEER_ROLES)
            .select_related("organisation")
            .order_by("role")
            .first()
        )
        if account is None:
            errors["user"] = _("This person has no account in the programme's network.")
        else:
            organisation = organisation or account.organisation
            is_peer = True
    partner = Partnership.objects.filter(programme=programme, organisation=organisation)
    if organisation is not None and user is not None and not partner.exists():
        errors["organisation"] = _("A peer trainer teaches for an organisation of the programme's network.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if user is not None and Trainer.objects.filter(course=course, user=user).exists():
            raise ValidationError({"user": _("This person already teaches the course.")})
        trainer = Trainer(course=course, user=user, name=name, organisation=organisation, is_peer=is_peer,
                          topic=topic.strip())  # fmt: skip
        trainer.full_clean()
        trainer.save()
        _audit(actor, membership, programme, trainer, AuditEvent.Action.CREATE)
    return trainer


def trainer_remove(*, actor: User | None, trainer: Trainer) -> None:
    """Remove a trainer who has not taught yet (who taught a session stays on record)."""
    with transaction.atomic():
        membership = manager_membership(actor, trainer.course.programme)
        if trainer.sessions.exists():
            raise ValidationError(_("This trainer is assigned to sessions: assign them to someone else first."))
        _audit(actor, membership, trainer.course.programme, trainer, AuditEvent.Action.DELETE)
        trainer.delete()


# --- Participants and enrolment --------------------------------------------------------------------


def _split_name(full_name: str) -> tuple[str, str]:
    first, _sep, last = full_name.strip().partition(" ")
    return (first, last) if last else ("", first)


def participant_ensure(
    *, actor: User | None, programme: Programme, profile: str, user: User | None = None, first_name: str = "",
    last_name: str = "", email: str = "", organisation: Organisation | None = None, job_title: str = "",
) -> Participant:  # fmt: skip
    """The training profile of a person with an account (found by their account), or of someone
    without one (a new person of the programme: a policy maker, an outside volunteer)."""
    if profile not in Participant.Profile.values:
        raise ValidationError({"profile": _("Choose the person's profile.")})
    with transaction.atomic():
        membership = manager_membership(actor, programme)
        if user is not None:
            found = Participant.objects.filter(programme=programme, user=user).first()
            if found is not None:
                return found
            account = Membership.objects.active().filter(user=user, programme=programme).first()
            if account is None:
                raise ValidationError({"user": _("This person has no account in the programme.")})
            first_name, last_name = _split_name(user.full_name or user.email)
            email, organisation = user.email, organisation or account.organisation
        if not last_name.strip():
            raise ValidationError({"last_name": _("Give the person's last name.")})
        person = person_create(
            actor=None, programme=programme, different_person=True,
            fields={"first_name": first_name, "last_name": last_name, "email": email},
        )  # fmt: skip
        participant = Participant(
            programme=programme, person=person, user=user, organisation=organisation, profile=profile,
            job_title=job_title.strip(),
        )  # fmt: skip
        participant.full_clean()
        participant.save()
        _audit(actor, membership, programme, participant, AuditEvent.Action.CREATE)
    return participant


def enrol(*, actor: User | None, course: Course, participant: Participant) -> Registration:
    """Enrol a participant in the course (a registration of its activity)."""
    if participant.programme_id != course.programme_id:
        raise ValidationError(_("The person belongs to another programme."))
    with transaction.atomic():
        manager_membership(actor, course.programme)
        return activities.registration_create(
            actor=actor, activity=course.activity, person=participant.person, source=Registration.Source.CONTACTS
        )


# --- Attendance and certificates -------------------------------------------------------------------


def attendance_record(*, actor: User | None, occurrence: Occurrence, present: list[Participant]) -> tuple[int, int]:
    """A trainer (or a coordinator) records who attended a session of their course. Written as the
    activity's named attendance; the audit row names the trainer. Returns (added, removed)."""
    course = occurrence.activity.training_course
    with transaction.atomic():
        membership = teaching_membership(actor, course)
        if any(p.programme_id != course.programme_id for p in present):
            raise ValidationError(_("Someone on the list belongs to another programme."))
        # The trainer's permission is checked here; the activities' service records as the system.
        people = [participant.person for participant in present]
        added, removed = activities.attendance_set(actor=None, occurrence=occurrence, present=people)
        if actor is not None:
            Attendance.objects.filter(occurrence=occurrence, recorded_by__isnull=True).update(recorded_by=actor)
        _audit(actor, membership, course.programme, occurrence, AuditEvent.Action.UPDATE, reason="course attendance")
    return added, removed


def certificates_issue(*, actor: User | None, course: Course, issued_on: date | None = None) -> list[Certificate]:
    """Issue the certificate to everyone enrolled who attended enough of the hours held and has
    none yet; the hours are frozen on it. `issued_on` (default today) records certificates handed
    out earlier on paper. Numbers are taken per year under the programme's row lock."""
    programme = course.programme
    today = issued_on or timezone.localdate()
    if today > timezone.localdate():
        raise ValidationError({"issued_on": _("A certificate cannot be issued with a future date.")})
    with transaction.atomic():
        membership = teaching_membership(actor, course)
        Programme.objects.select_for_update().only("pk").get(pk=programme.pk)
        held, by_person = hours_by_person(course)
        certified = set(course.certificates.values_list("participant_id", flat=True))
        enrolled = Participant.objects.filter(
            programme=programme,
            person__registrations__activity=course.activity,
            person__registrations__status=Registration.Status.REGISTERED,
        ).exclude(pk__in=certified)
        last = Certificate.objects.filter(programme=programme, year=today.year).aggregate(n=Max("number"))["n"] or 0
        issued = []
        for participant in enrolled.order_by("person__last_name", "person__first_name", "pk"):
            attended = by_person.get(participant.person_id)
            if attended is None or not eligible(attended.hours, held, course.min_attendance_percent):
                continue
            last += 1
            issued.append(
                Certificate(
                    programme=programme, course=course, participant=participant, year=today.year, number=last,
                    hours=attended.hours, sessions=attended.sessions, issued_on=today, issued_by=actor,
                )
            )  # fmt: skip
        Certificate.objects.bulk_create(issued)
        for certificate in issued:
            _audit(actor, membership, programme, certificate, AuditEvent.Action.CREATE)
    return issued


def certificate_export(*, actor: User, certificate: Certificate, request: Any = None) -> bytes:
    """The certificate as a PDF, for its holder, the course's trainers and coordinators. The file
    is made before the audit row, so a slow render never holds the write transaction, and no file
    leaves if the audit write fails."""
    from trama.training.documents import certificate_pdf
    from trama.training.permissions import certificate_reader

    membership = certificate_reader(actor, certificate)
    pdf = certificate_pdf(certificate)
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.EXPORT, actor=actor, request=request, programme=certificate.programme,
            membership=membership, target=certificate, reason=f"training certificate {certificate.label} (PDF)",
        )  # fmt: skip
    return pdf
