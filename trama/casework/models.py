"""The confidential case record: intake, cases and their team, assessments, pathways, sessions,
referrals. Special-category text is encrypted at application level (S6) and every model declares
its personal data for the register of processing (S14)."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.crypto import EncryptedTextField
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Household, Person
from trama.territory.models import ActionLine, Municipality, Programme

CASE = "case"
_ACC = Purpose.ACCOUNTABILITY
_CARE = Purpose.ACCOMPANIMENT


def _pd(category: str, purpose: str = _CARE, retention: str = CASE) -> PersonalData:
    return PersonalData(category, purpose, retention)


class Channel(models.TextChoices):
    """How a household reached the programme (an outcome indicator for the organisations' side)."""

    PUBLIC_FORM = "public_form", _("“I need help” form")
    SCHOOL = "school", _("school")
    SOCIAL_SERVICES = "social_services", _("social services")
    LAB = "lab", _("community lab or point")
    PARTNER = "partner", _("partner organisation")
    SELF = "self", _("the family itself")
    OTHER = "other", _("other")


class IntakeRequest(BaseModel):
    """A request for help or a signal, waiting in the programme's intake queue for triage."""

    class Status(models.TextChoices):
        NEW = "new", _("to triage")
        CASE_OPENED = "case_opened", _("case opened")
        CLOSED = "closed", _("closed without a case")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="intake_requests")
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    contact_name = models.CharField(_("name"), max_length=150)
    contact_phone = models.CharField(_("telephone"), max_length=40, blank=True)
    contact_email = models.EmailField(_("e-mail"), blank=True)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, null=True, blank=True)
    has_minors = models.BooleanField(_("there are children or young people in the family"), default=False)
    message = EncryptedTextField(_("what is happening"), blank=True)
    consent_at = models.DateTimeField(_("privacy notice accepted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_for = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("signalled by"),
    )  # fmt: skip
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.NEW)
    closed_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    case = models.OneToOneField("Case", on_delete=models.PROTECT, null=True, blank=True, related_name="intake")
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK, Purpose.INTAKE, "intake"),
        "channel": _pd(Category.SOCIAL, Purpose.STATISTICS, "intake"),
        "contact_name": _pd(Category.IDENTITY, Purpose.INTAKE, "intake"),
        "contact_phone": _pd(Category.IDENTITY, Purpose.INTAKE, "intake"),
        "contact_email": _pd(Category.IDENTITY, Purpose.INTAKE, "intake"),
        "municipality": _pd(Category.IDENTITY, Purpose.INTAKE, "intake"),
        "has_minors": _pd(Category.FAMILY, Purpose.INTAKE, "intake"),
        "message": _pd(Category.SPECIAL, Purpose.INTAKE, "intake"),
        "consent_at": _pd(Category.CONSENT, Purpose.INTAKE, "intake"),
        "submitted_by": _pd(Category.LINK, _ACC, "intake"),
        "submitted_for": _pd(Category.LINK, _ACC, "intake"),
        "status": _pd(Category.ACTIVITY, Purpose.INTAKE, "intake"),
        "closed_reason": _pd(Category.ACTIVITY, Purpose.INTAKE, "intake"),
        "case": _pd(Category.LINK, Purpose.INTAKE, "intake"),
    }

    class Meta:
        verbose_name = _("request for help")
        verbose_name_plural = _("requests for help")
        ordering = ["-created_at"]
        indexes = [
            # The intake queue: a programme's requests still to triage, oldest first.
            models.Index(fields=["programme", "status", "created_at"], name="intake_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} — {self.created_at:%d/%m/%Y}"

    def get_absolute_url(self) -> str:
        return reverse("casework:intake-detail", kwargs={"slug": self.programme.slug, "request_id": self.public_id})


class Case(VersionedModel):
    """The accompaniment of a household (presa in carico), through the five phases of Regione
    Lombardia's guidelines for the social record."""

    class Phase(models.TextChoices):
        ACCESS = "A", _("A — access and orientation")
        ASSESSMENT = "B", _("B — needs assessment")
        PROJECT = "C", _("C — individual project")
        DELIVERY = "D", _("D — delivery")
        CLOSURE = "E", _("E — final evaluation and closure")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        GOALS_REACHED = "reached", _("goals reached")
        PARTLY_REACHED = "partly", _("goals partly reached")
        NOT_REACHED = "not_reached", _("goals not reached")
        TRANSFERRED = "transferred", _("transferred to another service")
        MOVED = "moved", _("moved away")
        WITHDREW = "withdrew", _("the family withdrew")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cases")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cases")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organisation in charge")
    )
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("action line")
    )
    referral_source = models.CharField(_("how the household arrived"), max_length=20, choices=Channel.choices)
    phase = models.CharField(_("phase"), max_length=1, choices=Phase.choices, default=Phase.ACCESS)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    closing_note = EncryptedTextField(_("closing evaluation"), blank=True)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "household": _pd(Category.LINK),
        "organisation": _pd(Category.LINK),
        "action_line": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "referral_source": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "phase": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
        "opened_on": _pd(Category.ACTIVITY),
        "closed_on": _pd(Category.ACTIVITY),
        "outcome": _pd(Category.SOCIAL, Purpose.STATISTICS),
        "closing_note": _pd(Category.SPECIAL),
    }

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="open", closed_on__isnull=True) | Q(status="closed", closed_on__isnull=False),
                name="case_closed_has_date",
            ),
        ]
        indexes = [
            # Case lists and the operator home: a programme's cases by status and phase.
            models.Index(fields=["programme", "status", "phase"], name="case_list_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.household} ({self.get_phase_display()})"

    def get_absolute_url(self) -> str:
        return reverse("casework:case-detail", kwargs={"slug": self.programme.slug, "case_id": self.public_id})


class CaseTeamMember(BaseModel):
    """An operator on a case's team. Being on the team is what lets an operator see the case."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="case_teams")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    is_lead = models.BooleanField(_("case lead"), default=False)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "case": _pd(Category.LINK, _ACC),
        "user": _pd(Category.LINK, _ACC),
        "organisation": _pd(Category.LINK, _ACC),
        "is_lead": _pd(Category.ACTIVITY, _ACC),
    }

    class Meta:
        verbose_name = _("case team member")
        verbose_name_plural = _("case team members")
        constraints = [
            models.UniqueConstraint(fields=["case", "user"], name="case_team_unique"),
            models.UniqueConstraint(fields=["case"], condition=Q(is_lead=True), name="case_team_one_lead"),
        ]
        indexes = [
            # Access checks: "is this user on the team of this case?", and "my cases".
            models.Index(fields=["user", "case"], name="case_team_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.case_id})"


class CasePhaseChange(BaseModel):
    """The status history of a case: every phase change, closing and reopening, who and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(_("from"), max_length=1, choices=Case.Phase.choices, blank=True)
    to_phase = models.CharField(_("to"), max_length=1, choices=Case.Phase.choices)
    from_status = models.CharField(max_length=10, choices=Case.Status.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=Case.Status.choices)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("reason"), max_length=300, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "case": _pd(Category.LINK),
        "from_phase": _pd(Category.ACTIVITY),
        "to_phase": _pd(Category.ACTIVITY),
        "from_status": _pd(Category.ACTIVITY),
        "to_status": _pd(Category.ACTIVITY),
        "changed_by": _pd(Category.LINK, _ACC),
        "note": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("phase change")
        verbose_name_plural = _("phase changes")
        ordering = ["case", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_phase or '—'} → {self.to_phase}"


class Assessment(BaseModel):
    """A multidimensional needs assessment, repeated over time to show change."""

    class Dimension(models.TextChoices):
        ECONOMIC = "economic", _("economic situation")
        WORK = "work", _("work")
        HOUSING = "housing", _("housing")
        FAMILY_RELATIONS = "family_relations", _("family relations")
        PARENTING = "parenting", _("parenting")
        HEALTH = "health", _("health")
        SOCIAL_NETWORK = "social_network", _("social network")
        EDUCATION = "education", _("children's education")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="assessments")
    assessed_on = models.DateField(_("date"))
    assessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    note = EncryptedTextField(_("overall note"), blank=True)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "case": _pd(Category.LINK),
        "assessed_on": _pd(Category.ACTIVITY),
        "assessed_by": _pd(Category.LINK, _ACC),
        "note": _pd(Category.SPECIAL),
    }

    class Meta:
        verbose_name = _("needs assessment")
        verbose_name_plural = _("needs assessments")
        ordering = ["case", "assessed_on", "created_at"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.assessed_on}"


class AssessmentScore(BaseModel):
    """One dimension of an assessment: 1 (serious difficulty) … 5 (no difficulty)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(_("dimension"), max_length=20, choices=Assessment.Dimension.choices)
    score = models.PositiveSmallIntegerField(_("score"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    note = EncryptedTextField(_("note"), blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "assessment": _pd(Category.LINK),
        "dimension": _pd(Category.SPECIAL),
        "score": _pd(Category.SPECIAL),
        "note": _pd(Category.SPECIAL),
    }

    class Meta:
        verbose_name = _("assessment score")
        verbose_name_plural = _("assessment scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "dimension"], name="assessment_score_unique"),
            models.CheckConstraint(condition=Q(score__gte=1, score__lte=5), name="assessment_score_range"),
        ]

    def __str__(self) -> str:
        return f"{self.dimension}={self.score}"


class Pathway(VersionedModel):
    """An intervention: individual for one case, or a group pathway gathering several households."""

    class Kind(models.TextChoices):
        TUTORING_INDIVIDUAL = "tutoring_individual", _("family tutoring — individual")
        TUTORING_GROUP = "tutoring_group", _("family tutoring — group")
        FINANCIAL_EDUCATION = "financial_education", _("economic and financial education")
        CONFLICT_MEDIATION = "conflict_mediation", _("family and social conflict mediation")
        PARENTING = "parenting", _("parenting support")
        HOMEWORK = "homework", _("homework support")
        JOB_ORIENTATION = "job_orientation", _("job orientation")
        HOUSING = "housing", _("housing support")

    class Status(models.TextChoices):
        PLANNED = "planned", _("planned")
        ACTIVE = "active", _("active")
        COMPLETED = "completed", _("completed")
        INTERRUPTED = "interrupted", _("interrupted")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pathways")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    is_group = models.BooleanField(_("group pathway"), default=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    place = models.ForeignKey(CommunityPlace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    start_date = models.DateField(_("start"))
    end_date = models.DateField(_("end"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.ACTIVE)
    cases = models.ManyToManyField(Case, through="PathwayParticipation", related_name="pathways")
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "kind": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "title": _pd(Category.ACTIVITY),
        "is_group": _pd(Category.ACTIVITY),
        "organisation": _pd(Category.LINK),
        "place": _pd(Category.LINK),
        "start_date": _pd(Category.ACTIVITY),
        "end_date": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("pathway")
        verbose_name_plural = _("pathways")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="pathway_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return self.title


class PathwayParticipation(BaseModel):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="participations")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="participations")
    joined_on = models.DateField(_("joined on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pathway": _pd(Category.LINK),
        "case": _pd(Category.LINK),
        "joined_on": _pd(Category.ACTIVITY),
        "left_on": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("pathway participation")
        verbose_name_plural = _("pathway participations")
        constraints = [models.UniqueConstraint(fields=["pathway", "case"], name="pathway_participation_unique")]

    def __str__(self) -> str:
        return f"{self.case_id} in {self.pathway_id}"


class Goal(BaseModel):
    """A goal of a case's individual project, pursued through a pathway."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        REACHED = "reached", _("reached")
        PARTLY = "partly", _("partly reached")
        NOT_REACHED = "not_reached", _("not reached")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="goals")
    pathway = models.ForeignKey(Pathway, on_delete=models.SET_NULL, null=True, blank=True, related_name="goals")
    description = models.CharField(_("goal"), max_length=300)
    due_on = models.DateField(_("by"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.OPEN)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "case": _pd(Category.LINK),
        "pathway": _pd(Category.LINK),
        "description": _pd(Category.SOCIAL),
        "due_on": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("goal")
        verbose_name_plural = _("goals")
        ordering = ["case", "due_on"]

    def __str__(self) -> str:
        return self.description


class Session(BaseModel):
    """One contact of a pathway (colloquio, incontro). Its note is confidential to the case team."""

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", _("in person")
        HOME_VISIT = "home_visit", _("home visit")
        PHONE = "phone", _("telephone")
        VIDEO = "video", _("video call")

    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="sessions")
    starts_at = models.DateTimeField(_("date and time"))
    duration_minutes = models.PositiveSmallIntegerField(
        _("duration (minutes)"), validators=[MinValueValidator(5), MaxValueValidator(600)]
    )
    place = models.ForeignKey(CommunityPlace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    modality = models.CharField(_("modality"), max_length=20, choices=Modality.choices)
    attendees = models.ManyToManyField(Person, blank=True, related_name="sessions", verbose_name=_("who attended"))
    note = EncryptedTextField(_("confidential note"), blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pathway": _pd(Category.LINK),
        "starts_at": _pd(Category.ACTIVITY),
        "duration_minutes": _pd(Category.ACTIVITY),
        "place": _pd(Category.LINK),
        "modality": _pd(Category.ACTIVITY),
        "note": _pd(Category.SPECIAL),
        "recorded_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-starts_at"]
        indexes = [
            # The operator's agenda: upcoming sessions of their pathways.
            models.Index(fields=["pathway", "starts_at"], name="session_agenda_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.pathway_id} {self.starts_at:%Y-%m-%d %H:%M}"


class Referral(VersionedModel):
    """An explicit hand-over to a place, a group, a partner or an external service (Primero-like)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        COMPLETED = "completed", _("completed")
        REVOKED = "revoked", _("revoked")

    class TargetKind(models.TextChoices):
        PLACE = "place", _("community place")
        GROUP = "group", _("citizen group")
        ORGANISATION = "organisation", _("partner organisation")
        EXTERNAL = "external", _("external service")

    # The state machine of DESIGN.md: where each state may go next.
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.PENDING: {Status.ACCEPTED, Status.REJECTED, Status.REVOKED},
        Status.ACCEPTED: {Status.COMPLETED, Status.REVOKED},
        Status.REJECTED: set(),
        Status.COMPLETED: set(),
        Status.REVOKED: set(),
    }

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="referrals")
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("person referred")
    )
    from_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="referrals_sent")
    target_kind = models.CharField(_("referred to"), max_length=20, choices=TargetKind.choices)
    target_place = models.ForeignKey(CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_group = models.ForeignKey(CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    target_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="referrals_received"
    )
    external_service = models.CharField(_("external service"), max_length=200, blank=True)
    service = models.CharField(_("what for"), max_length=200)
    reason = EncryptedTextField(_("reason"), blank=True)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.PENDING)
    status_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    consent_override = models.CharField(_("coordinator's override of consent"), max_length=300, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "case": _pd(Category.LINK),
        "person": _pd(Category.LINK),
        "from_organisation": _pd(Category.LINK),
        "target_kind": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "target_place": _pd(Category.LINK),
        "target_group": _pd(Category.LINK),
        "target_organisation": _pd(Category.LINK),
        "external_service": _pd(Category.ACTIVITY),
        "service": _pd(Category.ACTIVITY),
        "reason": _pd(Category.SPECIAL),
        "status": _pd(Category.ACTIVITY),
        "status_reason": _pd(Category.ACTIVITY),
        "consent_override": _pd(Category.CONSENT, _ACC),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        ordering = ["-created_at"]
        indexes = [
            # The queue "referred to my organisation".
            models.Index(fields=["programme", "target_organisation", "status"], name="referral_inbox_idx"),
            # The queue "my pending referrals" and a case's referrals.
            models.Index(fields=["case", "status"], name="referral_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_target_kind_display()} — {self.get_status_display()}"

    def clean(self) -> None:
        targets = {
            self.TargetKind.PLACE: self.target_place_id,
            self.TargetKind.GROUP: self.target_group_id,
            self.TargetKind.ORGANISATION: self.target_organisation_id,
            self.TargetKind.EXTERNAL: self.external_service,
        }
        if not targets.get(self.target_kind):
            raise ValidationError({"target_kind": _("Choose where the person is referred to.")})

    @property
    def receiving_organisation(self) -> Organisation | None:
        """The organisation that decides on the referral (for places, the one that runs it)."""
        if self.target_kind == self.TargetKind.ORGANISATION:
            return self.target_organisation
        if self.target_kind == self.TargetKind.PLACE and self.target_place is not None:
            return self.target_place.managing_organisation
        return None


class ReferralTransition(BaseModel):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=20, choices=Referral.Status.choices, blank=True)
    to_status = models.CharField(max_length=20, choices=Referral.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "referral": _pd(Category.LINK),
        "from_status": _pd(Category.ACTIVITY),
        "to_status": _pd(Category.ACTIVITY),
        "by": _pd(Category.LINK, _ACC),
        "reason": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("referral transition")
        verbose_name_plural = _("referral transitions")
        ordering = ["referral", "created_at"]

    def __str__(self) -> str:
        return f"{self.from_status or '—'} → {self.to_status}"
