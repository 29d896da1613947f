"""Reads of the Well-Fare Lab: the catalogue of courses (figures only), a course's page with its
sessions, modules, trainers and participants' hours, the participants' list and a person's
training record ("competence passport"). Fixed numbers of queries, however many rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from django.db.models import Count, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.utils import timezone

from trama.accounts.models import User
from trama.activities.models import Attendance, Occurrence, Registration
from trama.territory.models import Programme
from trama.training.hours import Attended, as_hours, attended_by_person, eligible
from trama.training.models import Certificate, Course, Module, Participant, Session, Trainer
from trama.training.permissions import memberships

ZERO_HOURS = Decimal("0.00")


def course_list(user: User, programme: Programme, *, query: str = "", audience: str = "") -> QuerySet[Course]:
    """Every member sees the catalogue: titles, dates and figures, never a name."""
    if not memberships(user, programme):
        return Course.objects.none()
    courses = Course.objects.for_programme(programme).select_related("programme", "action_line", "activity")
    if query:
        courses = courses.filter(Q(title__icontains=query) | Q(description__icontains=query))
    if audience:
        courses = courses.filter(audience=audience)
    next_session = (
        Occurrence.objects.filter(
            activity=OuterRef("activity"), status=Occurrence.Status.SCHEDULED, ends_at__gte=timezone.now()
        )
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    enrolled = (
        Registration.objects.filter(activity=OuterRef("activity"), status=Registration.Status.REGISTERED)
        .order_by()
        .values("activity")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return courses.annotate(
        first_session=Min("activity__occurrences__starts_at"),
        session_count=Count(
            "activity__occurrences", filter=~Q(activity__occurrences__status="cancelled"), distinct=True
        ),
        enrolled=Subquery(enrolled),
        certificate_count=Count("certificates", distinct=True),
        next_session=Subquery(next_session),
    ).order_by("-first_session", "title", "pk")


@dataclass
class SessionRow:
    occurrence: Occurrence
    session: Session | None
    present: int
    hours: Decimal

    @property
    def took_place(self) -> bool:
        return not self.occurrence.is_cancelled and self.occurrence.starts_at <= timezone.now()


@dataclass
class ParticipantRow:
    participant: Participant
    attended: Attended
    certificate: Certificate | None
    eligible: bool


@dataclass
class CoursePage:
    course: Course
    sessions: list[SessionRow]
    modules: list[Module]
    trainers: list[Trainer]
    participants: list[ParticipantRow]
    held: Decimal
    planned: Decimal

    @property
    def to_certify(self) -> int:
        return sum(1 for row in self.participants if row.eligible and row.certificate is None)


def course_page(course: Course) -> CoursePage:
    """What the course's page shows to its coordinators and trainers."""
    occurrences = list(
        course.activity.occurrences.select_related(
            "training_session__module", "training_session__trainer__user", "training_session__trainer__organisation"
        )
        .annotate(present=Count("attendances"))
        .order_by("starts_at", "pk")
    )
    sessions = [
        SessionRow(
            occurrence=o, session=getattr(o, "training_session", None), present=o.present,
            hours=as_hours(o.ends_at - o.starts_at),
        )
        for o in occurrences
    ]  # fmt: skip
    participants = list(
        Participant.objects.filter(
            programme=course.programme,
            person__registrations__activity=course.activity,
            person__registrations__status=Registration.Status.REGISTERED,
        )
        .select_related("person", "organisation", "user", "programme")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    attended = attended_by_person(course.activity_id)
    certificates = {c.participant_id: c for c in course.certificates.all()}
    held = sum((row.hours for row in sessions if row.took_place), ZERO_HOURS)
    rows = []
    for participant in participants:
        mine = attended.get(participant.person_id, Attended())
        rows.append(
            ParticipantRow(
                participant=participant, attended=mine, certificate=certificates.get(participant.pk),
                eligible=eligible(mine.hours, held, course.min_attendance_percent),
            )
        )  # fmt: skip
    modules = list(course.modules.order_by("position"))
    return CoursePage(
        course=course, sessions=sessions, modules=modules,
        trainers=list(course.trainers.select_related("user", "organisation").order_by("-is_peer", "name", "pk")),
        participants=rows, held=held, planned=sum((m.planned_hours for m in modules), ZERO_HOURS),
    )  # fmt: skip


def checkin_participants(occurrence: Occurrence) -> list[tuple[Participant, bool]]:
    """The participants enrolled in the course of `occurrence`, each with whether they attended it."""
    course = occurrence.activity.training_course
    present = set(Attendance.objects.filter(occurrence=occurrence).values_list("person_id", flat=True))
    participants = (
        Participant.objects.filter(
            programme=course.programme,
            person__registrations__activity_id=occurrence.activity_id,
            person__registrations__status=Registration.Status.REGISTERED,
        )
        .select_related("person", "organisation")
        .order_by("person__last_name", "person__first_name", "pk")
    )
    return [(participant, participant.person_id in present) for participant in participants]


def participant_list(user: User, programme: Programme, *, query: str = "", profile: str = "") -> QuerySet[Participant]:
    """The programme's participants (coordinators), with their courses and certificates counted."""
    from trama.training.permissions import manager_membership

    manager_membership(user, programme)
    participants = Participant.objects.for_programme(programme).select_related("person", "organisation", "programme")
    if query:
        participants = participants.filter(
            Q(person__first_name__icontains=query) | Q(person__last_name__icontains=query)
            | Q(organisation__name__icontains=query)
        )  # fmt: skip
    if profile:
        participants = participants.filter(profile=profile)
    courses = (
        Registration.objects.filter(
            person=OuterRef("person"), status=Registration.Status.REGISTERED, activity__training_course__isnull=False
        )
        .order_by()
        .values("person")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return participants.annotate(
        course_count=Subquery(courses), certificate_count=Count("certificates", distinct=True)
    ).order_by("person__last_name", "person__first_name", "pk")


def hours_of(participants: list[Participant]) -> dict[int, Decimal]:
    """Training hours of each participant (all courses), in one query, for a page of a list."""
    rows = Attendance.objects.filter(
        person_id__in=[p.person_id for p in participants], occurrence__activity__training_course__isnull=False
    ).values_list("person_id", "occurrence__starts_at", "occurrence__ends_at")
    found: dict[int, Decimal] = {}
    for person_id, start, end in rows:
        found[person_id] = found.get(person_id, ZERO_HOURS) + as_hours(end - start)
    return found


@dataclass
class PassportCourse:
    course: Course
    first: datetime | None
    last: datetime | None
    hours: Decimal = ZERO_HOURS
    sessions: int = 0
    modules: list[str] = field(default_factory=list)
    certificate: Certificate | None = None
    taught: bool = False


@dataclass
class Passport:
    participant: Participant | None
    courses: list[PassportCourse]
    taught: list[Trainer]

    @property
    def hours(self) -> Decimal:
        return sum((c.hours for c in self.courses), ZERO_HOURS)

    @property
    def certificates(self) -> int:
        return sum(1 for c in self.courses if c.certificate is not None)

    @property
    def competences(self) -> list[str]:
        seen: list[str] = []
        for course in self.courses:
            for competence in course.modules:
                if competence not in seen:
                    seen.append(competence)
        return seen


def passport(participant: Participant) -> Passport:
    """A person's training record: every course they were enrolled in, the hours and sessions
    they attended, the modules and competences covered, the certificates; and what they taught."""
    programme = participant.programme
    registrations = list(
        Registration.objects.filter(
            person=participant.person, activity__training_course__programme=programme,
            status=Registration.Status.REGISTERED,
        ).select_related("activity__training_course__programme")
    )  # fmt: skip
    courses = {r.activity_id: PassportCourse(course=r.activity.training_course, first=None, last=None)
               for r in registrations}  # fmt: skip
    attendances = (
        Attendance.objects.filter(person=participant.person, occurrence__activity_id__in=list(courses))
        .select_related("occurrence__training_session__module")
        .order_by("occurrence__starts_at")
    )
    for attendance in attendances:
        occurrence = attendance.occurrence
        row = courses[occurrence.activity_id]
        row.hours += as_hours(occurrence.ends_at - occurrence.starts_at)
        row.sessions += 1
        row.first = row.first or occurrence.starts_at
        row.last = occurrence.starts_at
        module = getattr(getattr(occurrence, "training_session", None), "module", None)
        if module is not None:
            label = module.competences or module.title
            if label not in row.modules:
                row.modules.append(label)
    for certificate in participant.certificates.select_related("course"):
        if certificate.course.activity_id in courses:
            courses[certificate.course.activity_id].certificate = certificate
    taught = []
    if participant.user_id:
        taught = list(
            Trainer.objects.filter(user_id=participant.user_id, course__programme=programme)
            .select_related("course__programme", "organisation")
            .prefetch_related(Prefetch("sessions", queryset=Session.objects.only("pk", "trainer_id")))
        )
    ordered = sorted(courses.values(), key=lambda c: (c.first is None, c.first or timezone.now(), c.course.title))
    return Passport(participant=participant, courses=ordered, taught=taught)
