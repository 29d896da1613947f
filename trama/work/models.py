"""The work plan of seed 004 (#genera_azioni, "piano integrato lavoro"): job seekers followed by a
case, companies' openings, the matching between them, and the placement pipeline with its
internship grants and hiring incentives.

Multi-valued codes (skills, sectors, languages, shifts) are stored as comma-wrapped strings
(",forklift,warehouse,") so that the ranking can test membership in SQL with one `contains` per
code — the same representation the mutual-aid offers use for languages — on SQLite and PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.casework.models import Case, Pathway
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.funding.models import FundingSource
from trama.network.models import Organisation
from trama.people.models import Person
from trama.territory.models import Municipality, Programme

CASE = "case"
_CARE = Purpose.ACCOMPANIMENT
_ACC = Purpose.ACCOUNTABILITY
MONEY = {"max_digits": 10, "decimal_places": 2}


def _pd(category: str, purpose: str = _CARE) -> PersonalData:
    return PersonalData(category, purpose, CASE)


class Skill(models.TextChoices):
    """The skills the plan's operators record and companies ask for (a short controlled list, so
    both sides speak the same words and the ranking can compare them)."""

    WAREHOUSE = "warehouse", _("warehouse and logistics")
    FORKLIFT = "forklift", _("forklift licence")
    PRODUCTION_LINE = "production_line", _("production line work")
    METALWORK = "metalwork", _("metalworking and welding")
    MECHANICS = "mechanics", _("mechanics")
    ELECTRICAL = "electrical", _("electrical installation")
    CONSTRUCTION = "construction", _("building work")
    AGRICULTURE = "agriculture", _("farm work")
    ANIMAL_CARE = "animal_care", _("livestock care")
    FOOD_PROCESSING = "food_processing", _("food processing (HACCP)")
    COOKING = "cooking", _("cooking")
    WAITING = "waiting", _("table and bar service")
    CLEANING = "cleaning", _("cleaning")
    RETAIL = "retail", _("shop sales and till")
    CUSTOMER_SERVICE = "customer_service", _("customer service")
    OFFICE = "office", _("office and secretarial work")
    ACCOUNTING = "accounting", _("bookkeeping")
    COMPUTER = "computer", _("basic computer skills")
    ELDERLY_CARE = "elderly_care", _("care of elderly people")
    CHILDCARE = "childcare", _("childcare")
    DRIVING = "driving", _("professional driving")
    GARDENING = "gardening", _("gardening and green maintenance")
    TAILORING = "tailoring", _("sewing and tailoring")


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("agriculture and livestock")
    FOOD = "food", _("food industry")
    MANUFACTURING = "manufacturing", _("manufacturing and metalworking")
    LOGISTICS = "logistics", _("logistics and transport")
    CONSTRUCTION = "construction", _("construction")
    RETAIL = "retail", _("retail")
    HOSPITALITY = "hospitality", _("hotels and restaurants")
    CARE = "care", _("care and social services")
    CLEANING = "cleaning", _("cleaning and facility services")
    OFFICE = "office", _("offices and services")


class Shift(models.TextChoices):
    MORNING = "morning", _("mornings")
    AFTERNOON = "afternoon", _("afternoons")
    EVENING = "evening", _("evenings")
    NIGHT = "night", _("nights")
    WEEKEND = "weekend", _("weekends")


class Hours(models.TextChoices):
    FULL_TIME = "full_time", _("full time")
    PART_TIME = "part_time", _("part time")
    ANY = "any", _("full or part time")


class Contract(models.TextChoices):
    INTERNSHIP = "internship", _("internship (tirocinio)")
    FIXED_TERM = "fixed_term", _("fixed-term contract")
    PERMANENT = "permanent", _("permanent contract")


class Education(models.TextChoices):
    NONE = "none", _("no qualification")
    LOWER_SECONDARY = "lower_secondary", _("lower secondary school (licenza media)")
    VOCATIONAL = "vocational", _("vocational qualification")
    UPPER_SECONDARY = "upper_secondary", _("upper secondary diploma")
    DEGREE = "degree", _("university degree")
    FOREIGN = "foreign", _("foreign qualification")


# A week of 30 hours or more is full time (the usual threshold of Italian collective agreements).
FULL_TIME_HOURS = 30


def pack_codes(codes: Iterable[str]) -> str:
    """Codes as stored: ",a,b," (empty string when none), sorted so equal sets store equal text."""
    unique = sorted({code for code in codes if code})
    return f",{','.join(unique)}," if unique else ""


def unpack_codes(text: str) -> list[str]:
    return [code for code in text.split(",") if code]


def labels(text: str, choices: type[models.TextChoices]) -> list[str]:
    names = dict(choices.choices)
    return [str(names.get(code, code)) for code in unpack_codes(text)]


class JobSeeker(VersionedModel):
    """A person followed by a case who is looking for work, with what they can offer and need."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("looking for work")
        PAUSED = "paused", _("paused")
        PLACED = "placed", _("placed")
        CLOSED = "closed", _("closed")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="job_seekers")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="job_seeker_profiles")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="job_seekers", verbose_name=_("case"))
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("lives in"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE)
    started_on = models.DateField(_("in the work plan since"))
    skills = models.CharField(_("skills"), max_length=400, blank=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    qualifications = models.CharField(
        _("qualifications and certificates"), max_length=300, blank=True,
        help_text=_("E.g. “HACCP certificate, forklift licence 2023”."),
    )  # fmt: skip
    experience = models.TextField(_("work experience"), blank=True)
    languages = models.CharField(_("languages"), max_length=120, blank=True)
    driving_licence = models.BooleanField(_("driving licence (B)"), default=False)
    has_car = models.BooleanField(_("has a car"), default=False)
    hours = models.CharField(_("hours wanted"), max_length=10, choices=Hours.choices, default=Hours.ANY)
    shifts = models.CharField(_("available shifts"), max_length=80, blank=True)
    constraints = models.CharField(
        _("constraints"), max_length=300, blank=True,
        help_text=_("E.g. “children to collect from school at 16:00”, “no heavy lifting”."),
    )  # fmt: skip
    desired_sectors = models.CharField(_("desired sectors"), max_length=200, blank=True)
    max_distance_km = models.PositiveSmallIntegerField(
        _("can travel up to (km)"), default=20, validators=[MinValueValidator(1), MaxValueValidator(200)]
    )
    cv = models.FileField(_("CV"), upload_to="work/cv/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["cv"])

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "person": _pd(Category.LINK),
        "case": _pd(Category.LINK),
        "municipality": _pd(Category.IDENTITY),
        "status": _pd(Category.ACTIVITY),
        "started_on": _pd(Category.ACTIVITY),
        "skills": _pd(Category.SOCIAL),
        "education": _pd(Category.SOCIAL, Purpose.STATISTICS),
        "qualifications": _pd(Category.SOCIAL),
        "experience": _pd(Category.SOCIAL),
        "languages": _pd(Category.SOCIAL),
        "driving_licence": _pd(Category.SOCIAL),
        "has_car": _pd(Category.SOCIAL),
        "hours": _pd(Category.SOCIAL),
        "shifts": _pd(Category.SOCIAL),
        "constraints": _pd(Category.SPECIAL),
        "desired_sectors": _pd(Category.SOCIAL),
        "max_distance_km": _pd(Category.SOCIAL),
        "cv": _pd(Category.SOCIAL),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("job seeker")
        verbose_name_plural = _("job seekers")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "person"], name="job_seeker_one_per_person"),
        ]
        indexes = [
            # The job-seeker list and the ranking of candidates: a programme's seekers by status.
            models.Index(fields=["programme", "status"], name="job_seeker_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person.first_name} {self.person.last_name}"

    def get_absolute_url(self) -> str:
        return reverse("work:seeker-detail", kwargs={"slug": self.programme.slug, "seeker_id": self.public_id})


class Opening(VersionedModel):
    """A job a company offers: entered by the plan's staff, or sent by the company through the public
    form and then reviewed by a coordinator before it is proposed to anyone."""

    class Status(models.TextChoices):
        TO_REVIEW = "to_review", _("to be reviewed")
        OPEN = "open", _("open")
        FILLED = "filled", _("filled")
        CLOSED = "closed", _("closed")

    class Source(models.TextChoices):
        STAFF = "staff", _("entered by the staff")
        PUBLIC_FORM = "public_form", _("sent by the company")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="job_openings")
    company = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="job_openings",
        verbose_name=_("company"),
        help_text=_("Chosen by the coordinator when reviewing an opening sent by a company."),
    )  # fmt: skip
    company_name = models.CharField(_("company name as sent"), max_length=200, blank=True)
    title = models.CharField(_("role"), max_length=150)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    description = models.TextField(_("description"), blank=True)
    skills = models.CharField(_("skills required"), max_length=400, blank=True)
    # How many codes `skills` holds: the denominator of the skills score, kept by the services.
    skill_count = models.PositiveSmallIntegerField(default=0, editable=False)
    contract = models.CharField(_("contract"), max_length=12, choices=Contract.choices)
    hours_per_week = models.PositiveSmallIntegerField(
        _("hours per week"), validators=[MinValueValidator(1), MaxValueValidator(48)]
    )
    shifts = models.CharField(_("shifts"), max_length=80, blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    workplace = models.CharField(_("workplace address"), max_length=200, blank=True)
    starts_on = models.DateField(_("start"), null=True, blank=True)
    positions = models.PositiveSmallIntegerField(
        _("positions"), default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    driving_licence_required = models.BooleanField(_("driving licence required"), default=False)
    language = models.CharField(_("language required"), max_length=5, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices, default=Source.STAFF)
    contact_name = models.CharField(_("contact person"), max_length=150, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact telephone"), max_length=40, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    # The company's contact person is personal data; the rest describes a job, not a person.
    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        name: PersonalData(Category.IDENTITY, _ACC, "contact")
        for name in ("contact_name", "contact_email", "contact_phone")
    } | {
        name: PersonalData(Category.ACTIVITY, _ACC, "contact")
        for name in (
            "programme", "company", "company_name", "title", "sector", "description", "skills", "skill_count",
            "contract", "hours_per_week", "shifts", "municipality", "workplace", "starts_on", "positions",
            "driving_licence_required", "language", "status", "source", "created_by",
        )
    }  # fmt: skip

    class Meta:
        verbose_name = _("job opening")
        verbose_name_plural = _("job openings")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=["open", "filled"]) | Q(company__isnull=False), name="opening_open_has_company"
            ),
        ]
        indexes = [
            # The ranking of openings for a candidate and the opening list: a programme's open openings.
            models.Index(fields=["programme", "status"], name="opening_status_idx"),
            # A company's own openings.
            models.Index(fields=["company", "status"], name="opening_company_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.title} — {self.company or self.company_name}"

    def get_absolute_url(self) -> str:
        return reverse("work:opening-detail", kwargs={"slug": self.programme.slug, "opening_id": self.public_id})

    @property
    def is_full_time(self) -> bool:
        return self.hours_per_week >= FULL_TIME_HOURS


class Placement(VersionedModel):
    """A job seeker proposed for an opening, and what came of it.

    proposed → interview → internship | hired | not selected; internship → hired | not selected.
    """

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        INTERVIEW = "interview", _("interview")
        INTERNSHIP = "internship", _("internship")
        HIRED = "hired", _("hired")
        NOT_SELECTED = "not_selected", _("not selected")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="job_placements")
    opening = models.ForeignKey(Opening, on_delete=models.PROTECT, related_name="placements")
    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.PROTECT, related_name="placements")
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_on = models.DateField(_("proposed on"))
    match_score = models.DecimalField(_("match score"), max_digits=5, decimal_places=4, null=True, blank=True)
    interview_on = models.DateField(_("interview on"), null=True, blank=True)
    internship_start = models.DateField(_("internship start"), null=True, blank=True)
    internship_end = models.DateField(_("internship end"), null=True, blank=True)
    internship_interrupted = models.BooleanField(_("internship interrupted"), default=False)
    grant_amount = models.DecimalField(
        _("internship grant (€ per month)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    grant_months = models.PositiveSmallIntegerField(
        _("grant months"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    grant_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("grant funded by"),
    )  # fmt: skip
    hired_on = models.DateField(_("hired on"), null=True, blank=True)
    hiring_contract = models.CharField(_("hiring contract"), max_length=12, choices=Contract.choices, blank=True)
    incentive_amount = models.DecimalField(
        _("hiring incentive (€)"), null=True, blank=True, validators=[MinValueValidator(0)], **MONEY
    )
    incentive_source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("incentive funded by"),
    )  # fmt: skip
    closed_reason = models.CharField(_("reason"), max_length=300, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "opening": _pd(Category.LINK),
        "job_seeker": _pd(Category.LINK),
        "status": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "proposed_on": _pd(Category.ACTIVITY),
        "match_score": _pd(Category.ACTIVITY),
        "interview_on": _pd(Category.ACTIVITY),
        "internship_start": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "internship_end": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "internship_interrupted": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "grant_amount": _pd(Category.SOCIAL, _ACC),
        "grant_months": _pd(Category.SOCIAL, _ACC),
        "grant_source": _pd(Category.LINK, _ACC),
        "hired_on": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "hiring_contract": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "incentive_amount": _pd(Category.SOCIAL, _ACC),
        "incentive_source": _pd(Category.LINK, _ACC),
        "closed_reason": _pd(Category.ACTIVITY),
        "proposed_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-proposed_on", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["opening", "job_seeker"], name="placement_once_per_opening"),
            models.CheckConstraint(
                condition=Q(internship_end__isnull=True)
                | Q(internship_start__isnull=True)
                | Q(internship_end__gte=models.F("internship_start")),
                name="placement_internship_end_after_start",
            ),
            models.CheckConstraint(
                condition=~Q(status="hired") | Q(hired_on__isnull=False), name="placement_hired_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="internship") | Q(internship_start__isnull=False),
                name="placement_internship_has_start",
            ),
        ]
        indexes = [
            # The pipeline board and the indicators: a programme's placements by status.
            models.Index(fields=["programme", "status"], name="placement_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_seeker_id} → {self.opening_id} ({self.status})"

    def get_absolute_url(self) -> str:
        return reverse("work:placement-detail", kwargs={"slug": self.programme.slug, "placement_id": self.public_id})

    def clean(self) -> None:
        if self.internship_start and self.internship_end and self.internship_end < self.internship_start:
            raise ValidationError({"internship_end": _("The internship cannot end before it starts.")})

    @property
    def grant_total(self) -> Decimal | None:
        if self.grant_amount is None or not self.grant_months:
            return None
        return self.grant_amount * self.grant_months


class PlacementTransition(BaseModel):
    """The history of a placement's pipeline: every status change, who and when."""

    placement = models.ForeignKey(Placement, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=12, choices=Placement.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Placement.Status.choices)
    on = models.DateField(_("date"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "placement": _pd(Category.LINK),
        "from_status": _pd(Category.ACTIVITY),
        "to_status": _pd(Category.ACTIVITY),
        "on": _pd(Category.ACTIVITY),
        "by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("placement transition")
        verbose_name_plural = _("placement transitions")
        ordering = ["placement", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"


class WorkPathway(BaseModel):
    """A training course or a skill exchange of the work plan: a casework `Pathway` of the job
    seeker's case (its dates, sessions and status live there), labelled for the work plan."""

    class Kind(models.TextChoices):
        TRAINING = "training", _("training course")
        SKILL_EXCHANGE = "skill_exchange", _("skill exchange")

    job_seeker = models.ForeignKey(JobSeeker, on_delete=models.CASCADE, related_name="work_pathways")
    pathway = models.OneToOneField(Pathway, on_delete=models.CASCADE, related_name="work_link")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    skill = models.CharField(_("skill gained"), max_length=30, choices=Skill.choices, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "job_seeker": _pd(Category.LINK),
        "pathway": _pd(Category.LINK),
        "kind": _pd(Category.ACTIVITY),
        "skill": _pd(Category.SOCIAL),
    }

    class Meta:
        verbose_name = _("work-plan pathway")
        verbose_name_plural = _("work-plan pathways")
        ordering = ["job_seeker", "-created_at"]

    def __str__(self) -> str:
        return f"{self.kind}: {self.pathway_id}"
