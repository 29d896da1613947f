"""People, households and consent: the personal data at the heart of the case record.

Every model here declares `PERSONAL_DATA` (S14): the register of processing is generated from it.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import Organisation
from trama.territory.models import Municipality, Programme

CASE = "case"
_ACC = Purpose.ACCOMPANIMENT
_PROOF = Purpose.ACCOUNTABILITY  # Consent defines its own `Purpose`; this name stays reachable.

# The age under which a person cannot consent alone (Italian implementation of GDPR art. 8).
CONSENT_AGE = 14


def age_on(birth_date: date, day: date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


class Person(VersionedModel):
    """Someone the programme knows: a member of a household it accompanies, a participant…"""

    class Gender(models.TextChoices):
        FEMALE = "F", _("female")
        MALE = "M", _("male")
        OTHER = "X", _("other")
        UNKNOWN = "", _("not stated")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="people")
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices, blank=True)
    tax_code = models.CharField(_("codice fiscale"), max_length=16, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality of residence")
    )
    languages = models.CharField(_("languages spoken"), max_length=200, blank=True)
    # Data-subject rights (S13): a restricted record is kept but not used; an erased one is
    # pseudonymised in place so the counts that reports already used stay true.
    is_restricted = models.BooleanField(_("processing restricted"), default=False)
    erased_at = models.DateTimeField(_("erased on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["tax_code"])

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": PersonalData(Category.LINK, _ACC, CASE),
        "first_name": PersonalData(Category.IDENTITY, _ACC, CASE),
        "last_name": PersonalData(Category.IDENTITY, _ACC, CASE),
        "birth_date": PersonalData(Category.IDENTITY, _ACC, CASE),
        "gender": PersonalData(Category.IDENTITY, Purpose.STATISTICS, CASE),
        "tax_code": PersonalData(Category.FISCAL, _ACC, CASE),
        "email": PersonalData(Category.IDENTITY, _ACC, "contact"),
        "phone": PersonalData(Category.IDENTITY, _ACC, "contact"),
        "municipality": PersonalData(Category.IDENTITY, Purpose.STATISTICS, CASE),
        "languages": PersonalData(Category.SOCIAL, _ACC, CASE),
        "is_restricted": PersonalData(Category.CONSENT, Purpose.ACCOUNTABILITY, CASE),
        "erased_at": PersonalData(Category.CONSENT, Purpose.ACCOUNTABILITY, CASE),
        "created_by": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, CASE),
    }

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["last_name", "first_name"]
        constraints = [
            # Unique reach across partners: one record per codice fiscale in a programme.
            models.UniqueConstraint(
                fields=["programme", "tax_code"], condition=~Q(tax_code=""), name="person_unique_tax_code"
            ),
            models.CheckConstraint(condition=Q(gender__in=["F", "M", "X", ""]), name="person_valid_gender"),
        ]
        indexes = [
            # Duplicate detection and person search: same name and date of birth in a programme.
            models.Index(fields=["programme", "last_name", "first_name", "birth_date"], name="person_identity_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age(self, on: date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return age_on(self.birth_date, on or timezone.localdate())

    def clean(self) -> None:
        if self.birth_date and self.birth_date > timezone.localdate():
            raise ValidationError({"birth_date": _("The date of birth cannot be in the future.")})


class Household(VersionedModel):
    """A family unit (nucleo familiare): the subject of a case."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="households")
    label = models.CharField(
        _("name"), max_length=120, help_text=_("How the team refers to the household, e.g. “Famiglia Rossi”.")
    )
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    address = models.CharField(_("address"), max_length=200, blank=True)
    primary_contact = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("primary contact")
    )
    members = models.ManyToManyField(Person, through="HouseholdMember", related_name="households")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": PersonalData(Category.LINK, _ACC, CASE),
        "label": PersonalData(Category.IDENTITY, _ACC, CASE),
        "municipality": PersonalData(Category.IDENTITY, Purpose.STATISTICS, CASE),
        "address": PersonalData(Category.IDENTITY, _ACC, CASE),
        "primary_contact": PersonalData(Category.FAMILY, _ACC, CASE),
        "created_by": PersonalData(Category.LINK, Purpose.ACCOUNTABILITY, CASE),
    }

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["label"]

    def __str__(self) -> str:
        return self.label


class HouseholdMember(BaseModel):
    class Relation(models.TextChoices):
        PARENT = "parent", _("parent")
        PARTNER = "partner", _("partner")
        CHILD = "child", _("child")
        GRANDPARENT = "grandparent", _("grandparent")
        SIBLING = "sibling", _("brother or sister")
        OTHER_RELATIVE = "relative", _("other relative")
        OTHER = "other", _("other")

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="household_memberships")
    relation = models.CharField(_("relation"), max_length=20, choices=Relation.choices)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "household": PersonalData(Category.FAMILY, _ACC, CASE),
        "person": PersonalData(Category.FAMILY, _ACC, CASE),
        "relation": PersonalData(Category.FAMILY, _ACC, CASE),
    }

    class Meta:
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [models.UniqueConstraint(fields=["household", "person"], name="household_member_unique")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_relation_display()})"


class Consent(BaseModel):
    """A person's consent for one purpose; for minors under 14, given by a guardian (S7)."""

    class Purpose(models.TextChoices):
        PROCESSING = "processing", _("processing for the accompaniment")
        SHARING = "sharing", _("sharing with a named partner")
        PHOTOS = "photos", _("photos and videos")
        CONTACT = "contact", _("contact about activities")
        STATISTICS = "statistics", _("use in statistics")

    class GivenBy(models.TextChoices):
        SELF = "self", _("the person")
        GUARDIAN = "guardian", _("a parent or guardian")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices)
    partner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("partner"),
        help_text=_("For sharing: the organisation the data may be shared with."),
    )  # fmt: skip
    given_by = models.CharField(_("given by"), max_length=10, choices=GivenBy.choices, default=GivenBy.SELF)
    guardian_name = models.CharField(_("name of the parent or guardian"), max_length=150, blank=True)
    given_on = models.DateField(_("given on"))
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    signed_form = models.FileField(_("signed form"), upload_to="consents/", blank=True)
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["signed_form"])

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "person": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "purpose": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "partner": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "given_by": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "guardian_name": PersonalData(Category.IDENTITY, _PROOF, "consent"),
        "given_on": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "expires_on": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "signed_form": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "withdrawn_on": PersonalData(Category.CONSENT, _PROOF, "consent"),
        "recorded_by": PersonalData(Category.LINK, _PROOF, "consent"),
    }

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["person", "purpose", "-given_on"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(purpose="sharing") | Q(partner__isnull=False), name="consent_sharing_names_partner"
            ),
            models.CheckConstraint(
                condition=~Q(given_by="guardian") | ~Q(guardian_name=""), name="consent_guardian_named"
            ),
        ]
        indexes = [
            # "Does this person consent to X (with partner Y) today?" — asked by every referral.
            models.Index(fields=["person", "purpose"], name="consent_lookup_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_purpose_display()}"

    def is_active(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        if self.withdrawn_on and self.withdrawn_on <= day:
            return False
        if self.expires_on and self.expires_on < day:
            return False
        return self.given_on <= day

    def clean(self) -> None:
        errors = {}
        if self.given_on and self.given_on > timezone.localdate():
            errors["given_on"] = _("Consent cannot be recorded with a future date.")
        if self.expires_on and self.given_on and self.expires_on < self.given_on:
            errors["expires_on"] = _("The expiry cannot be before the date the consent was given.")
        if self.purpose == self.Purpose.SHARING and self.partner_id is None:
            errors["partner"] = _("Name the partner the data may be shared with.")
        person_age = self.person.age(self.given_on) if self.person_id and self.given_on else None
        if person_age is not None and person_age < CONSENT_AGE and self.given_by != self.GivenBy.GUARDIAN:
            errors["given_by"] = _("A person under 14 cannot consent alone: record the parent or guardian.")
        if self.given_by == self.GivenBy.GUARDIAN and not self.guardian_name:
            errors["guardian_name"] = _("Give the name of the parent or guardian who consented.")
        if errors:
            raise ValidationError(errors)
