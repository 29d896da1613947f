"""Who may see and do what in the Well-Fare Lab (S1). Services and selectors call these again: a
view is never the only guard.

- Coordinators run every course: modules, trainers, sessions, enrolment, attendance, certificates;
  they read everyone's training record (each read audited).
- A course's trainers (peer trainers with an account) open its page, record attendance of its
  sessions and issue its certificates.
- Every member of the programme sees the catalogue of courses (no names) and their own training
  record; evaluators and funders see the catalogue's figures.

A record one may not see answers 404 like a missing one.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from trama.accounts.audit import audit_record
from trama.accounts.models import AuditEvent, Membership, Role, User
from trama.activities.models import Occurrence
from trama.territory.models import Programme
from trama.training.models import Certificate, Course, Participant, Trainer

MANAGERS = (Role.COORDINATOR,)


def memberships(user: User | None, programme: Programme) -> list[Membership]:
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    return list(Membership.objects.active().filter(user=user, programme=programme).select_related("organisation"))


def coordinator_membership(user: User | None, programme: Programme) -> Membership | None:
    return next((m for m in memberships(user, programme) if m.role == Role.COORDINATOR), None)


def manager_membership(actor: User | None, programme: Programme) -> Membership | None:
    """The coordinator membership through which `actor` runs the Well-Fare Lab; None for the
    system itself. Raises PermissionDenied otherwise."""
    if actor is None:
        return None
    membership = coordinator_membership(actor, programme)
    if membership is None:
        raise PermissionDenied
    return membership


def is_trainer(user: User | None, course: Course) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return Trainer.objects.filter(course=course, user=user).exists()


def teaching_membership(actor: User | None, course: Course) -> Membership | None:
    """The membership through which `actor` teaches or runs `course` (for the audit row): a
    coordinator, or one of the course's trainers with an account. None for the system."""
    if actor is None:
        return None
    found = memberships(actor, course.programme)
    coordinator = next((m for m in found if m.role == Role.COORDINATOR), None)
    if coordinator is not None:
        return coordinator
    if found and is_trainer(actor, course):
        return found[0]
    raise PermissionDenied


def managed_courses(user: User, programme: Programme) -> QuerySet[Course]:
    """The courses whose page (with names) `user` may open: all for a coordinator, those they
    teach for a trainer."""
    courses = Course.objects.for_programme(programme)
    if coordinator_membership(user, programme) is not None:
        return courses
    if not memberships(user, programme):
        return courses.none()
    return courses.filter(trainers__user=user).distinct()


def get_course_for_user(user: User, programme: Programme, course_id: object) -> Course:
    course = (
        managed_courses(user, programme)
        .select_related("programme", "activity__place", "activity__municipality", "action_line")
        .filter(public_id=course_id)
        .first()
    )
    if course is None:
        raise Http404
    return course


def get_session_occurrence(user: User, programme: Programme, occurrence_id: object) -> Occurrence:
    """A date of a course `user` teaches or runs; 404 otherwise."""
    occurrence = (
        Occurrence.objects.filter(public_id=occurrence_id, activity__training_course__programme=programme)
        .select_related("activity__training_course__programme", "activity__programme")
        .first()
    )
    if occurrence is None:
        raise Http404
    course = occurrence.activity.training_course
    try:
        teaching_membership(user, course)
    except PermissionDenied:
        raise Http404 from None
    return occurrence


def get_participant_for_user(
    user: User, programme: Programme, participant_id: object, *, request: HttpRequest | None = None
) -> Participant:
    """Someone's training record: for a coordinator (the read is audited, S10), or their own."""
    participant = (
        Participant.objects.for_programme(programme)
        .select_related("person", "organisation", "user", "programme")
        .filter(public_id=participant_id)
        .first()
    )
    if participant is None:
        raise Http404
    if participant.user_id == user.pk and memberships(user, programme):
        return participant
    membership = coordinator_membership(user, programme)
    if membership is None:
        raise Http404
    with transaction.atomic():
        audit_record(
            action=AuditEvent.Action.READ, actor=user, request=request, programme=programme, membership=membership,
            target=participant, reason="training record",
        )  # fmt: skip
    return participant


def own_participant(user: User, programme: Programme) -> Participant | None:
    if not memberships(user, programme):
        return None
    return (
        Participant.objects.for_programme(programme)
        .select_related("person", "organisation", "user", "programme")
        .filter(user=user)
        .first()
    )


def certificate_reader(user: User | None, certificate: Certificate) -> Membership | None:
    """Who may download a certificate: its holder, the course's trainers, coordinators."""
    if user is None:
        return None
    found = memberships(user, certificate.programme)
    if not found:
        raise PermissionDenied
    if certificate.participant.user_id == user.pk:
        return found[0]
    return teaching_membership(user, certificate.course)
