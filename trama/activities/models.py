"""Activities and participation: labs, events, courses, their occurrences, registrations,
named attendance and anonymous tallies.

Two ways of counting people never mix (DESIGN.md, "Attendance"): named `Attendance` rows are
de-duplicated across the programme by person; an anonymous `Tally` is a head count by age band and
gender for a public event. The reach selectors keep them apart and combine them only with the
rule stated.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Household, Person
from trama.territory.models import ActionLine, Municipality, Programme

ADULT_AGE = 18


class AgeBand(models.TextChoices):
    """Age bands of reach figures and anonymous tallies (the seed reports count minors apart)."""

    CHILDREN_0_5 = "0-5", _("0–5 years")
    CHILDREN_6_10 = "6-10", _("6–10 years")
    CHILDREN_11_13 = "11-13", _("11–13 years")
    ADOLESCENTS_14_17 = "14-17", _("14–17 years")
    ADULTS_18_64 = "18-64", _("18–64 years")
    SENIORS_65 = "65+", _("65 years and over")
    UNKNOWN = "", _("age not known")


MINOR_BANDS = (AgeBand.CHILDREN_0_5, AgeBand.CHILDREN_6_10, AgeBand.CHILDREN_11_13, AgeBand.ADOLESCENTS_14_17)


def age_band_for(age: int | None) -> str:
    if age is None:
        return AgeBand.UNKNOWN
    for upper, band in ((5, AgeBand.CHILDREN_0_5), (10, AgeBand.CHILDREN_6_10), (13, AgeBand.CHILDREN_11_13),
                        (17, AgeBand.ADOLESCENTS_14_17), (64, AgeBand.ADULTS_18_64)):  # fmt: skip
        if age <= upper:
            return band
    return AgeBand.SENIORS_65


class TallyGender(models.TextChoices):
    FEMALE = "F", _("female")
    MALE = "M", _("male")
    UNKNOWN = "", _("not recorded")


class Closure(BaseModel):
    """A period when recurring activities of the programme do not take place (school holidays)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="closures")
    name = models.CharField(_("name"), max_length=120, help_text=_("E.g. “Vacanze di Natale”."))
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("closure")
        verbose_name_plural = _("closures")
        ordering = ["start_date"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="closure_ordered_dates")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The closure cannot end before it starts.")})


class Activity(VersionedModel):
    """Something the programme runs for people: a lab, an event, a course, a meeting…"""

    class Kind(models.TextChoices):
        LAB = "lab", _("laboratory")
        PUBLIC_EVENT = "public_event", _("public event")
        THEMATIC_MEETING = "thematic_meeting", _("thematic or information meeting")
        COURSE = "course", _("course")
        SPORT = "sport", _("sport")
        CULTURE = "culture", _("cultural activity")
        HOMEWORK_HELP = "homework_help", _("school support")
        EUROPEAN_EXCHANGE = "european_exchange", _("European exchange")
        ORIENTATION = "orientation", _("orientation and school-work alternation")
        ASSEMBLY = "assembly", _("assembly")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("everyone")
        FAMILIES = "families", _("families")
        CHILDREN_0_5 = "children_0_5", _("children 0–5")
        CHILDREN_6_10 = "children_6_10", _("children 6–10")
        CHILDREN_11_13 = "children_11_13", _("children 11–13")
        ADOLESCENTS = "adolescents", _("adolescents 14–17")
        ADULTS = "adults", _("adults")
        OPERATORS = "operators", _("operators")
        VOLUNTEERS = "volunteers", _("volunteers")

    class Status(models.TextChoices):
        ACTIVE = "active", _("active")
        ARCHIVED = "archived", _("archived")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="activities")
    title = models.CharField(_("title"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="activities",
        verbose_name=_("action line"),
    )  # fmt: skip
    audience = models.CharField(_("audience"), max_length=20, choices=Audience.choices, default=Audience.EVERYONE)
    description = models.TextField(_("description"), blank=True)
    place = models.ForeignKey(
        CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="activities",
        verbose_name=_("place"), help_text=_("Leave empty when the activity takes place elsewhere (a school, a park)."),
    )  # fmt: skip
    venue = models.CharField(
        _("venue"), max_length=200, blank=True, help_text=_("Where, when it is not one of the network's places.")
    )
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"),
        help_text=_("Set from the place when there is one."),
    )  # fmt: skip
    organisers = models.ManyToManyField(
        Organisation, blank=True, related_name="organised_activities", verbose_name=_("organising organisations")
    )
    co_organising_groups = models.ManyToManyField(
        CitizenGroup, blank=True, related_name="organised_activities", verbose_name=_("co-organising citizen groups")
    )
    is_public = models.BooleanField(
        _("public"), default=True, help_text=_("Public activities appear on the programme's calendar.")
    )
    registration_required = models.BooleanField(_("registration required"), default=False)
    capacity = models.PositiveIntegerField(
        _("places"), null=True, blank=True, help_text=_("Leave empty when there is no limit.")
    )
    # The schedule: a first start and duration, optionally repeated by an RFC 5545 rule; the
    # occurrences are expanded from it and can then be moved or cancelled one by one.
    first_start = models.DateTimeField(_("first start"))
    duration_minutes = models.PositiveIntegerField(_("duration (minutes)"))
    recurrence = models.CharField(
        _("recurrence rule"), max_length=300, blank=True,
        help_text=_("An RFC 5545 rule, e.g. FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20270610T000000Z. Empty: a single date."),
    )  # fmt: skip
    skip_closures = models.BooleanField(_("skip the programme's closures"), default=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[organisers, co_organising_groups])

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["title"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_minutes__gt=0), name="activity_positive_duration"),
            models.CheckConstraint(
                condition=Q(capacity__isnull=True) | Q(capacity__gt=0), name="activity_positive_capacity"
            ),
        ]
        indexes = [
            # The public calendar: a programme's public, active activities.
            models.Index(fields=["programme", "is_public", "status"], name="activity_calendar_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("activities:detail", args=[self.programme.slug, self.public_id])

    def get_public_url(self) -> str:
        return reverse("activities-public:detail", args=[self.programme.slug, self.public_id])

    @property
    def is_recurring(self) -> bool:
        return bool(self.recurrence)


class Occurrence(BaseModel):
    """One date of an activity. `original_start` is the date the schedule gave it (the iCalendar
    RECURRENCE-ID): it stays when the occurrence is moved, so feeds can say which one moved."""

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        CANCELLED = "cancelled", _("cancelled")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="occurrences")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    original_start = models.DateTimeField(_("scheduled start"), null=True, blank=True, editable=False)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    note = models.CharField(_("note"), max_length=200, blank=True, help_text=_("E.g. why it was moved or cancelled."))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("occurrence")
        verbose_name_plural = _("occurrences")
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="occurrence_ends_after_start"),
            # Expanding a schedule twice never duplicates a date.
            models.UniqueConstraint(fields=["activity", "original_start"], name="occurrence_unique_original_start"),
        ]
        indexes = [
            # The calendar and the week view: occurrences of a period, in order.
            models.Index(fields=["starts_at", "activity"], name="occurrence_period_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.starts_at:%d/%m/%Y %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.status == self.Status.CANCELLED

    @property
    def is_moved(self) -> bool:
        return self.original_start is not None and self.original_start != self.starts_at

    def clean(self) -> None:
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("An occurrence must end after it starts.")})


class Registration(BaseModel):
    """A person's place in an activity, or in its waiting list."""

    class Status(models.TextChoices):
        REGISTERED = "registered", _("registered")
        WAITING = "waiting", _("on the waiting list")
        CANCELLED = "cancelled", _("cancelled")

    class Source(models.TextChoices):
        CASE = "case", _("from a case's household")
        CONTACTS = "contacts", _("from the lab's contacts")
        PUBLIC_FORM = "public_form", _("public calendar sign-up")

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="registrations")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="registrations")
    household = models.ForeignKey(
        Household, on_delete=models.SET_NULL, null=True, blank=True, related_name="registrations"
    )
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    guardian_name = models.CharField(_("parent or guardian"), max_length=150, blank=True)
    guardian_phone = models.CharField(_("parent's or guardian's telephone"), max_length=40, blank=True)
    guardian_email = models.EmailField(_("parent's or guardian's e-mail"), blank=True)
    guardian_consent_at = models.DateTimeField(_("guardian's consent given at"), null=True, blank=True)
    registered_at = models.DateTimeField(_("registered at"))
    promoted_at = models.DateTimeField(_("moved from the waiting list at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "activity": PersonalData(Category.ACTIVITY, Purpose.ACCOMPANIMENT, "contact"),
        "person": PersonalData(Category.LINK, Purpose.ACCOMPANIMENT, "contact"),
        "household": PersonalData(Category.LINK, Purpose.ACCOMPANIMENT, "contact"),
        "status": PersonalData(Category.ACTIVITY, Purpose.ACCOMPANIMENT, "contact"),
        "source": PersonalData(Category.ACTIVITY, Purpose.STATISTICS, "contact"),
        "guardian_name": PersonalData(Category.FAMILY, Purpose.ACCOMPANIMENT, "contact"),
        "guardian_phone": PersonalData(Category.IDENTITY, Purpose.ACCOMPANIMENT, "contact"),
        "guardian_email": PersonalData(Category.IDENTITY, Purpose.ACCOMPANIMENT, "contact"),
        "guardian_consent_at": PersonalData(Category.CONSENT, Purpose.ACCOUNTABILITY, "consent"),
        "registered_at": PersonalData(Category.ACTIVITY, Purpose.ACCOMPANIMENT, "contact"),
        "promoted_at": PersonalData(Category.ACTIVITY, Purpose.ACCOMPANIMENT, "contact"),
        "cancelled_at": PersonalData(Category.ACTIVITY, Purpose.ACCOMPANIMENT, "contact"),
        "created_by": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "contact"),
    }

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        ordering = ["registered_at"]
        constraints = [
            # One live registration per person and activity (a cancelled one may be renewed).
            models.UniqueConstraint(
                fields=["activity", "person"], condition=~Q(status="cancelled"), name="registration_unique_live"
            ),
        ]
        indexes = [
            # Seats taken and the waiting list's order, under the activity's row lock.
            models.Index(fields=["activity", "status", "registered_at"], name="registration_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.activity}"


class Attendance(BaseModel):
    """A named person present at an occurrence.

    `programme`, `date`, `age_band` and `is_minor` are copied from the occurrence and the person
    when the attendance is recorded: reach figures group and count by them over millions of rows
    without joining back, and a person's age band is the one they had that day.
    """

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="attendances")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="attendances")
    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"))
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    is_minor = models.BooleanField(_("minor on that day"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "occurrence": PersonalData(Category.ACTIVITY, Purpose.ACCOUNTABILITY, "contact"),
        "person": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "contact"),
        "programme": PersonalData(Category.LINK, Purpose.STATISTICS, "contact"),
        "date": PersonalData(Category.ACTIVITY, Purpose.STATISTICS, "contact"),
        "age_band": PersonalData(Category.IDENTITY, Purpose.STATISTICS, "contact"),
        "is_minor": PersonalData(Category.IDENTITY, Purpose.STATISTICS, "contact"),
        "recorded_by": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, "contact"),
    }

    class Meta:
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["occurrence", "person"], name="attendance_unique_person")]
        indexes = [
            # Reach: count(distinct person) of a programme over a period.
            models.Index(fields=["programme", "date", "person"], name="attendance_reach_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.occurrence}"


class Tally(BaseModel):
    """An anonymous head count at an occurrence, by age band and gender (a party of 120 people)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="tallies")
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=TallyGender.choices, blank=True)
    count = models.PositiveIntegerField(_("people"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("tally")
        verbose_name_plural = _("tallies")
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "age_band", "gender"], name="tally_unique_cell"),
            models.CheckConstraint(condition=Q(gender__in=["F", "M", ""]), name="tally_valid_gender"),
        ]

    def __str__(self) -> str:
        return f"{self.occurrence}: {self.count}"
