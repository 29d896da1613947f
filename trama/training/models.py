"""Well-Fare Lab (seed 003): "percorsi formativi per policy-maker, operatori professionali,
volontari in un'ottica di peer education".

A course reuses the activities app for what activities already do: its sessions are the
occurrences of an activity of kind COURSE, enrolment is a registration and presence is named
attendance. Training adds what activities lack: the course's modules, its trainers (peer
education: an operator of one partner teaching the others), each session's module and trainer,
the hours each person attended (from the sessions' durations), certificates, and each person's
training record (the "competence passport").
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.activities.models import Activity, Occurrence
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import Organisation
from trama.people.models import Person
from trama.territory.models import ActionLine, Programme

HOURS = {"max_digits": 7, "decimal_places": 2}
CONTACT = "contact"


def _pd(category: str, purpose: str = Purpose.ACCOUNTABILITY) -> PersonalData:
    return PersonalData(category, purpose, CONTACT)


class Audience(models.TextChoices):
    POLICY_MAKERS = "policy_makers", _("policy makers")
    OPERATORS = "operators", _("professional operators")
    VOLUNTEERS = "volunteers", _("volunteers")
    MIXED = "mixed", _("policy makers, operators and volunteers together")


class Course(VersionedModel):
    """A training course of the Well-Fare Lab; its sessions are the occurrences of `activity`."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="courses")
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    audience = models.CharField(_("for"), max_length=14, choices=Audience.choices)
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="courses",
        verbose_name=_("action line"),
    )  # fmt: skip
    activity = models.OneToOneField(Activity, on_delete=models.PROTECT, related_name="training_course")
    min_attendance_percent = models.PositiveSmallIntegerField(
        _("attendance needed for the certificate (%)"), default=75,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text=_("The share of the hours held that a person must attend to receive the certificate."),
    )  # fmt: skip
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(min_attendance_percent__gte=1, min_attendance_percent__lte=100),
                name="course_attendance_percent_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("training:course-detail", args=[self.programme.slug, self.public_id])


class Module(BaseModel):
    """A part of a course: a theme, its planned hours and the competences it builds."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="modules")
    position = models.PositiveSmallIntegerField(_("position"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    planned_hours = models.DecimalField(_("planned hours"), validators=[MinValueValidator(0)], **HOURS)
    competences = models.CharField(
        _("competences"), max_length=300, blank=True,
        help_text=_("What participants learn to do, e.g. “reading the needs of a household with its members”."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("module")
        verbose_name_plural = _("modules")
        ordering = ["course", "position"]
        constraints = [
            models.UniqueConstraint(fields=["course", "position"], name="module_unique_position"),
            models.CheckConstraint(condition=Q(planned_hours__gte=0), name="module_hours_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class Trainer(BaseModel):
    """Who teaches a course. A peer trainer is someone of the programme — an operator or a
    volunteer of a partner — teaching the others; an expert comes from outside."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="trainers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="training_roles",
        verbose_name=_("person with an account"),
    )  # fmt: skip
    name = models.CharField(_("name"), max_length=150, blank=True, help_text=_("An expert without an account."))
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="trainers",
        verbose_name=_("organisation"),
    )  # fmt: skip
    is_peer = models.BooleanField(_("peer trainer"), default=False)
    topic = models.CharField(_("teaches"), max_length=200, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "course": _pd(Category.ACTIVITY),
        "user": _pd(Category.LINK),
        "name": _pd(Category.IDENTITY),
        "organisation": _pd(Category.LINK),
        "is_peer": _pd(Category.ACTIVITY),
        "topic": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("trainer")
        verbose_name_plural = _("trainers")
        ordering = ["course", "-is_peer", "name", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(user__isnull=False) | ~Q(name=""), name="trainer_is_someone"),
            models.UniqueConstraint(fields=["course", "user"], condition=Q(user__isnull=False), name="trainer_once"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def person_label(self) -> str:
        return str(self.user) if self.user_id else self.name

    @property
    def label(self) -> str:
        if self.organisation_id:
            return f"{self.person_label} ({self.organisation.name})"
        return self.person_label


class Session(BaseModel):
    """The course's view of one of its dates: which module it covers and who teaches it."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    occurrence = models.OneToOneField(Occurrence, on_delete=models.CASCADE, related_name="training_session")
    module = models.ForeignKey(
        Module, on_delete=models.SET_NULL, null=True, blank=True, related_name="sessions", verbose_name=_("module")
    )
    trainer = models.ForeignKey(
        Trainer, on_delete=models.PROTECT, null=True, blank=True, related_name="sessions", verbose_name=_("trainer")
    )

    class Meta:
        verbose_name = _("course session")
        verbose_name_plural = _("course sessions")
        ordering = ["occurrence__starts_at"]

    def __str__(self) -> str:
        return str(self.occurrence)


class Participant(VersionedModel):
    """Someone who trains in the programme: their profile, and the account through which they
    read their own training record. The person is the programme's (people.Person): attendance is
    named and counted once across the programme."""

    class Profile(models.TextChoices):
        POLICY_MAKER = "policy_maker", _("policy maker")
        OPERATOR = "operator", _("professional operator")
        VOLUNTEER = "volunteer", _("volunteer")
        OTHER = "other", _("other")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="training_participants")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="training_profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="training_profiles",
        verbose_name=_("account of the person"),
    )  # fmt: skip
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="training_participants",
        verbose_name=_("organisation"),
    )  # fmt: skip
    profile = models.CharField(_("profile"), max_length=14, choices=Profile.choices)
    job_title = models.CharField(_("role"), max_length=150, blank=True, help_text=_("E.g. “social worker”."))
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "person": _pd(Category.LINK),
        "user": _pd(Category.LINK),
        "organisation": _pd(Category.LINK),
        "profile": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "job_title": _pd(Category.SOCIAL),
    }

    class Meta:
        verbose_name = _("training participant")
        verbose_name_plural = _("training participants")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="participant_unique_person"),
            models.UniqueConstraint(
                fields=["programme", "user"], condition=Q(user__isnull=False), name="participant_unique_user"
            ),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("training:passport", args=[self.programme.slug, self.public_id])


class Certificate(BaseModel):
    """The certificate of attendance of a course, with the hours attended frozen when issued.
    Numbered per programme and year: 2020/0003."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="training_certificates")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="certificates")
    participant = models.ForeignKey(Participant, on_delete=models.PROTECT, related_name="certificates")
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("number"))
    hours = models.DecimalField(_("hours attended"), **HOURS)
    sessions = models.PositiveSmallIntegerField(_("sessions attended"))
    issued_on = models.DateField(_("issued on"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "course": _pd(Category.ACTIVITY),
        "participant": _pd(Category.LINK),
        "year": _pd(Category.ACTIVITY),
        "number": _pd(Category.ACTIVITY),
        "hours": _pd(Category.ACTIVITY),
        "sessions": _pd(Category.ACTIVITY),
        "issued_on": _pd(Category.ACTIVITY),
        "issued_by": _pd(Category.LINK),
    }

    class Meta:
        verbose_name = _("certificate")
        verbose_name_plural = _("certificates")
        ordering = ["-issued_on", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "participant"], name="certificate_once_per_course"),
            models.UniqueConstraint(fields=["programme", "year", "number"], name="certificate_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.label} — {self.participant}"

    @property
    def label(self) -> str:
        return f"{self.year}/{self.number:04d}"
