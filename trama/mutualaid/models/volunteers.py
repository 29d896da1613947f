"""Volunteers, their weekly availability, shifts at activity dates and the hours they log."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.activities.models import Occurrence
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category as DataCategory
from trama.core.processing import PersonalData
from trama.mutualaid.models.common import (
    _ACT,
    _STATS,
    AvailabilitySlot,
    Category,
    Interest,
    Language,
    _pd,
    labels_of,
)
from trama.network.models import CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import Municipality, Programme


class Volunteer(VersionedModel):
    """Someone who gives their time: applied on the public form or added by a coordinator, then
    approved (assigned to an organisation or place, with training and insurance) or rejected."""

    class Status(models.TextChoices):
        APPLIED = "applied", _("applied")
        APPROVED = "approved", _("approved")
        REJECTED = "rejected", _("not accepted")

    class Source(models.TextChoices):
        PUBLIC_FORM = "public_form", _("“I want to help” form")
        STAFF = "staff", _("added by the programme")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="volunteers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="volunteer_records")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="volunteer_records",
        verbose_name=_("account"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    skills = models.CharField(_("can help with"), max_length=300, blank=True)  # Category codes
    skills_note = models.TextField(_("other skills"), blank=True)
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)  # Language codes
    interests = models.CharField(_("areas of interest"), max_length=300, blank=True)  # Interest codes
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("municipalities where they can help")
    )
    consent_at = models.DateTimeField(_("privacy notice accepted at"), null=True, blank=True)
    applied_on = models.DateField(_("applied on"))
    # The day they became a volunteer: evaluation counts beneficiaries who later volunteered.
    approved_on = models.DateField(_("volunteer since"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("reason"), max_length=300, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="volunteers",
        verbose_name=_("organisation"),
    )  # fmt: skip
    place = models.ForeignKey(
        CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="volunteers",
        verbose_name=_("place"),
    )  # fmt: skip
    training_on = models.DateField(_("basic training completed on"), null=True, blank=True)
    training_note = models.CharField(_("training"), max_length=300, blank=True)
    insurance_policy = models.CharField(_("insurance policy"), max_length=120, blank=True)
    insurance_until = models.DateField(_("insured until"), null=True, blank=True)
    # The municipalities are not historised: where someone can help is current information only, and
    # a snapshot of the set at every save tripled the cost of recording a volunteer.
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK, _ACT),
        "person": _pd(DataCategory.LINK),
        "user": _pd(DataCategory.LINK, _ACT),
        "status": _pd(DataCategory.ACTIVITY),
        "source": _pd(DataCategory.ACTIVITY, _STATS),
        "skills": _pd(DataCategory.SOCIAL),
        "skills_note": _pd(DataCategory.SOCIAL),
        "languages": _pd(DataCategory.SOCIAL),
        "interests": _pd(DataCategory.SOCIAL),
        "consent_at": _pd(DataCategory.CONSENT, _ACT),
        "applied_on": _pd(DataCategory.ACTIVITY),
        "approved_on": _pd(DataCategory.ACTIVITY, _STATS),
        "decided_by": _pd(DataCategory.LINK, _ACT),
        "decision_note": _pd(DataCategory.ACTIVITY, _ACT),
        "organisation": _pd(DataCategory.LINK),
        "place": _pd(DataCategory.LINK),
        "training_on": _pd(DataCategory.ACTIVITY, _ACT),
        "training_note": _pd(DataCategory.ACTIVITY, _ACT),
        "insurance_policy": _pd(DataCategory.ACTIVITY, _ACT),
        "insurance_until": _pd(DataCategory.ACTIVITY, _ACT),
    }

    class Meta:
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            # One volunteer record per person: a second application updates the first.
            models.UniqueConstraint(fields=["programme", "person"], name="volunteer_unique_person"),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(approved_on__isnull=False), name="volunteer_approved_has_date"
            ),
        ]
        indexes = [
            # The volunteer list: a programme's volunteers by status.
            models.Index(fields=["programme", "status"], name="volunteer_list_idx"),
        ]

    def __str__(self) -> str:
        return str(self.person)

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:volunteer-detail", args=[self.programme.slug, self.public_id])

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def skill_labels(self) -> list[str]:
        return labels_of(self.skills, Category)

    @property
    def language_labels(self) -> list[str]:
        return labels_of(self.languages, Language)

    @property
    def interest_labels(self) -> list[str]:
        return labels_of(self.interests, Interest)


class VolunteerAvailability(AvailabilitySlot):
    volunteer = models.ForeignKey(Volunteer, on_delete=models.CASCADE, related_name="availability")

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "volunteer": _pd(DataCategory.LINK),
        "weekday": _pd(DataCategory.ACTIVITY),
        "start_minute": _pd(DataCategory.ACTIVITY),
        "end_minute": _pd(DataCategory.ACTIVITY),
    }

    class Meta(AvailabilitySlot.Meta):
        verbose_name = _("availability of a volunteer")
        verbose_name_plural = _("availability of volunteers")


class VolunteerShift(BaseModel):
    """Places for volunteers at one date of an activity (two volunteers at each homework session)."""

    occurrence = models.ForeignKey(Occurrence, on_delete=models.CASCADE, related_name="volunteer_shifts")
    task = models.CharField(_("task"), max_length=120)
    slots = models.PositiveSmallIntegerField(_("volunteers needed"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("volunteer shift")
        verbose_name_plural = _("volunteer shifts")
        ordering = ["occurrence__starts_at", "task"]
        constraints = [
            models.UniqueConstraint(fields=["occurrence", "task"], name="shift_unique_task"),
            models.CheckConstraint(condition=Q(slots__gt=0), name="shift_positive_slots"),
        ]

    def __str__(self) -> str:
        return f"{self.task} · {self.occurrence}"

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:shift-detail", args=[self.occurrence.activity.programme.slug, self.public_id])


class ShiftSignup(BaseModel):
    class Status(models.TextChoices):
        SIGNED_UP = "signed_up", _("signed up")
        CANCELLED = "cancelled", _("cancelled")

    shift = models.ForeignKey(VolunteerShift, on_delete=models.CASCADE, related_name="signups")
    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="signups")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.SIGNED_UP)
    signed_up_at = models.DateTimeField(_("signed up at"))
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    # None until the shift's manager records it: only attended shifts count as hours.
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "shift": _pd(DataCategory.ACTIVITY, _ACT),
        "volunteer": _pd(DataCategory.LINK, _ACT),
        "status": _pd(DataCategory.ACTIVITY, _ACT),
        "signed_up_at": _pd(DataCategory.ACTIVITY, _ACT),
        "cancelled_at": _pd(DataCategory.ACTIVITY, _ACT),
        "attended": _pd(DataCategory.ACTIVITY, _ACT),
        "recorded_by": _pd(DataCategory.LINK, _ACT),
    }

    class Meta:
        verbose_name = _("shift sign-up")
        verbose_name_plural = _("shift sign-ups")
        ordering = ["signed_up_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["shift", "volunteer"], condition=Q(status="signed_up"), name="signup_unique_live"
            ),
        ]
        indexes = [
            # Slots taken, counted under the shift's row lock.
            models.Index(fields=["shift", "status"], name="signup_count_idx"),
            # A volunteer's hours: their attended shifts.
            models.Index(fields=["volunteer", "attended"], name="signup_hours_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.shift}"


class HourLog(BaseModel):
    """Hours a volunteer declares outside shifts; they count once a coordinator or the lab
    manager confirms them."""

    class Status(models.TextChoices):
        PENDING = "pending", _("to confirm")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("not confirmed")

    volunteer = models.ForeignKey(Volunteer, on_delete=models.PROTECT, related_name="hour_logs")
    date = models.DateField(_("day"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    description = models.CharField(_("what you did"), max_length=300)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "volunteer": _pd(DataCategory.LINK, _ACT),
        "date": _pd(DataCategory.ACTIVITY, _ACT),
        "hours": _pd(DataCategory.ACTIVITY, _ACT),
        "description": _pd(DataCategory.ACTIVITY, _ACT),
        "status": _pd(DataCategory.ACTIVITY, _ACT),
        "created_by": _pd(DataCategory.LINK, _ACT),
        "reviewed_by": _pd(DataCategory.LINK, _ACT),
        "reviewed_at": _pd(DataCategory.ACTIVITY, _ACT),
    }

    class Meta:
        verbose_name = _("hours log")
        verbose_name_plural = _("hours logs")
        ordering = ["-date", "-created_at"]
        constraints = [
            # A day has 24 hours: more is a typing slip, and nothing negative is a contribution.
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="hourlog_plausible_hours"),
        ]
        indexes = [
            # A volunteer's confirmed hours over a period; the coordinators' queue of logs to confirm.
            models.Index(fields=["volunteer", "status", "date"], name="hourlog_volunteer_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.date} · {self.hours}"
