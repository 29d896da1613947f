"""Patti gener-attivi (seed 003): reciprocity pacts between a beneficiary and the community.

A pact is a two-sided ledger (DESIGN.md, "Pact"): what the community gives — budget lines by
purpose, each funded by a named source, and disbursements against them — and what the beneficiary
gives back — commitments of hours at a place, a citizen group or an activity, and the hours logged
and confirmed there. Reviews are immutable snapshots; eligibility (may the pact continue?) is kept
apart from compliance (were the commitments met?).

The content people sign lives in `PactVersion`: objectives and period on the version itself, and a
frozen copy (`terms`) of the budget lines, commitments and signatories taken when it is signed. A
signed version never changes: an edit after signature opens the next version, to be signed again.
Until then the version in force (`Pact.version_in_force`) governs: disbursements are checked
against the amounts signed (`BudgetLine.signed_amount`), not against a draft amendment.

Every model declares its personal data for the register of processing (S14): a pact describes one
person's economic situation and commitments.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.activities.models import Activity
from trama.casework.models import Case
from trama.core.crypto import EncryptedTextField
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import CitizenGroup, CommunityPlace, Organisation
from trama.people.models import Person
from trama.territory.models import Programme

CASE = "case"
_ACC = Purpose.ACCOUNTABILITY
_CARE = Purpose.ACCOMPANIMENT
MONEY = {"max_digits": 12, "decimal_places": 2}
HOURS = {"max_digits": 7, "decimal_places": 2}


def _pd(category: str, purpose: str = _CARE, retention: str = CASE) -> PersonalData:
    return PersonalData(category, purpose, retention)


class Pact(VersionedModel):
    """A patto gener-attivo for a person, or their household, within a case."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SIGNED = "signed", _("signed")
        ACTIVE = "active", _("active")
        IN_REVIEW = "in_review", _("in review")
        CLOSED = "closed", _("closed")

    class Outcome(models.TextChoices):
        COMPLETED = "completed", _("completed")
        INTERRUPTED = "interrupted", _("interrupted")

    class Scope(models.TextChoices):
        PERSON = "person", _("the person")
        HOUSEHOLD = "household", _("the whole household")

    # The state machine: where each status may go next (services enforce it).
    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.DRAFT: {Status.SIGNED, Status.CLOSED},
        Status.SIGNED: {Status.ACTIVE, Status.CLOSED},
        Status.ACTIVE: {Status.IN_REVIEW, Status.CLOSED},
        Status.IN_REVIEW: {Status.ACTIVE, Status.CLOSED},
        Status.CLOSED: set(),
    }
    # Disbursements and hours given back happen while the pact runs.
    RUNNING: ClassVar[tuple[str, ...]] = (Status.ACTIVE, Status.IN_REVIEW)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pacts")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="pacts", verbose_name=_("case"))
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="pacts", verbose_name=_("beneficiary"),
        help_text=_("The member of the household who signs the pact."),
    )  # fmt: skip
    scope = models.CharField(_("the pact is for"), max_length=10, choices=Scope.choices, default=Scope.PERSON)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    closing_reason = models.CharField(_("reason for closing"), max_length=300, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    started_on = models.DateField(_("started on"), null=True, blank=True)
    review_interval_months = models.PositiveSmallIntegerField(
        _("review every (months)"), default=3, help_text=_("How often the pact is reviewed together, e.g. 3.")
    )
    next_review_on = models.DateField(_("next review by"), null=True, blank=True)
    latest_version = models.ForeignKey("PactVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    version_in_force = models.ForeignKey(
        "PactVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "case": _pd(Category.LINK),
        "person": _pd(Category.LINK),
        "scope": _pd(Category.FAMILY),
        "status": _pd(Category.ACTIVITY),
        "outcome": _pd(Category.ACTIVITY, Purpose.STATISTICS),
        "closing_reason": _pd(Category.SOCIAL),
        "closed_on": _pd(Category.ACTIVITY),
        "started_on": _pd(Category.ACTIVITY),
        "review_interval_months": _pd(Category.ACTIVITY),
        "next_review_on": _pd(Category.ACTIVITY),
        "latest_version": _pd(Category.LINK),
        "version_in_force": _pd(Category.LINK),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("pact")
        verbose_name_plural = _("pacts")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="closed", closed_on__isnull=False, outcome__in=["completed", "interrupted"])
                | (~Q(status="closed") & Q(closed_on__isnull=True, outcome="")),
                name="pact_closed_has_outcome",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="interrupted") | ~Q(closing_reason=""), name="pact_interruption_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(review_interval_months__gte=1, review_interval_months__lte=12),
                name="pact_review_interval_range",
            ),
        ]
        indexes = [
            # The pact list and the programme view: a programme's pacts by status.
            models.Index(fields=["programme", "status"], name="pact_list_idx"),
            # Due reviews on the operator's home: running pacts by review date.
            models.Index(fields=["programme", "next_review_on"], name="pact_due_review_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person} — {self.get_status_display()}"

    def get_absolute_url(self) -> str:
        return reverse("pacts:pact-detail", kwargs={"slug": self.programme.slug, "pact_id": self.public_id})

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


class PactVersion(BaseModel):
    """One version of the pact's text. A draft is edited; a signed version is never changed."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("to sign")
        SIGNED = "signed", _("signed")
        SUPERSEDED = "superseded", _("replaced by a later version")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveSmallIntegerField(_("version"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.DRAFT)
    objectives = models.TextField(
        _("objectives"), help_text=_("In plain words, as the beneficiary would say them: what the pact is for.")
    )
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("until"))
    change_note = models.CharField(
        _("what changes"), max_length=300, blank=True, help_text=_("For a new version: what changes and why.")
    )
    # Frozen at signature: budget lines, commitments and signatories as signed. People are named
    # by their public id only, so pseudonymising a person also pseudonymises the document.
    terms = models.JSONField(_("terms as signed"), default=dict, blank=True)
    signed_on = models.DateField(_("signed on"), null=True, blank=True)
    signed_scan = models.FileField(_("signed copy"), upload_to="pacts/", blank=True)
    signature_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["signed_scan"])

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        "number": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
        "objectives": _pd(Category.SOCIAL),
        "start_date": _pd(Category.ACTIVITY),
        "end_date": _pd(Category.ACTIVITY),
        "change_note": _pd(Category.SOCIAL),
        "terms": _pd(Category.SOCIAL),
        "signed_on": _pd(Category.CONSENT),
        "signed_scan": _pd(Category.CONSENT),
        "signature_recorded_by": _pd(Category.LINK, _ACC),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("pact version")
        verbose_name_plural = _("pact versions")
        ordering = ["pact", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pact", "number"], name="pact_version_unique_number"),
            models.UniqueConstraint(fields=["pact"], condition=Q(status="draft"), name="pact_version_one_draft"),
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="pact_version_period"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False), name="pact_version_signed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.number}"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class Signatory(BaseModel):
    """Who signs: the beneficiary, the organisation in charge, and the community actors involved."""

    class Kind(models.TextChoices):
        BENEFICIARY = "beneficiary", _("beneficiary")
        ORGANISATION = "organisation", _("organisation in charge")
        PLACE = "place", _("community place")
        GROUP = "group", _("citizen group")
        PARTNER = "partner", _("organisation or company")

    # Community actors the operator adds; the first two are set when the pact is drafted.
    COMMUNITY: ClassVar[tuple[str, ...]] = (Kind.PLACE, Kind.GROUP, Kind.PARTNER)

    pact = models.ForeignKey(Pact, on_delete=models.CASCADE, related_name="signatories")
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    place = models.ForeignKey(CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    group = models.ForeignKey(CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    signer_name = models.CharField(
        _("who signs"), max_length=150, blank=True, help_text=_("The person who signs for it, e.g. its chair.")
    )
    role_in_pact = models.CharField(
        _("role in the pact"), max_length=200, blank=True,
        help_text=_("What they do for the pact, e.g. “welcomes the hours given back”."),
    )  # fmt: skip

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        "kind": _pd(Category.ACTIVITY),
        "person": _pd(Category.LINK),
        "organisation": _pd(Category.LINK),
        "place": _pd(Category.LINK),
        "group": _pd(Category.LINK),
        "signer_name": _pd(Category.IDENTITY, _ACC),
        "role_in_pact": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("signatory")
        verbose_name_plural = _("signatories")
        ordering = ["pact", "created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="beneficiary",
                        person__isnull=False,
                        organisation__isnull=True,
                        place__isnull=True,
                        group__isnull=True,
                    )
                    | Q(
                        kind__in=["organisation", "partner"],
                        person__isnull=True,
                        organisation__isnull=False,
                        place__isnull=True,
                        group__isnull=True,
                    )
                    | Q(
                        kind="place",
                        person__isnull=True,
                        organisation__isnull=True,
                        place__isnull=False,
                        group__isnull=True,
                    )
                    | Q(
                        kind="group",
                        person__isnull=True,
                        organisation__isnull=True,
                        place__isnull=True,
                        group__isnull=False,
                    )
                ),
                name="signatory_one_party",
            ),
            models.UniqueConstraint(
                fields=["pact", "kind"],
                condition=Q(kind__in=["beneficiary", "organisation"]),
                name="signatory_one_beneficiary_and_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def party(self) -> Any:
        return self.person or self.organisation or self.place or self.group

    @property
    def name(self) -> str:
        return str(self.party)


class BudgetLine(VersionedModel):
    """Part of the personal welfare budget: a purpose, the source that funds it, an amount."""

    class Purpose(models.TextChoices):
        HOUSING = "housing", _("housing and rent")
        UTILITIES = "utilities", _("utilities")
        TRAINING = "training", _("training and courses")
        TRANSPORT = "transport", _("transport")
        CHILDCARE = "childcare", _("childcare and school costs")
        HEALTH = "health", _("health")
        WORK = "work", _("work start-up")
        OTHER = "other", _("other")

    class Source(models.TextChoices):
        FOUNDATION = "foundation", _("the foundation's grant")
        MUNICIPALITY = "municipality", _("a municipality")
        PARTNER = "partner", _("a partner")
        FUNDRAISING = "fundraising", _("the programme's fundraising")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="budget_lines")
    purpose = models.CharField(_("purpose"), max_length=12, choices=Purpose.choices)
    description = models.CharField(
        _("what for"), max_length=200, blank=True, help_text=_("E.g. “three months of rent, January–March”.")
    )
    source = models.CharField(_("funded by"), max_length=12, choices=Source.choices)
    funder = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("funding organisation"),
    )  # fmt: skip
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    # The amount of the version in force: what disbursements may use (0 until first signed).
    signed_amount = models.DecimalField(_("amount signed (€)"), default=0, **MONEY)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        # A line for health costs tells something of the person's health (GDPR art. 9).
        "purpose": _pd(Category.SPECIAL),
        "description": _pd(Category.SOCIAL),
        "source": _pd(Category.SOCIAL, _ACC),
        "funder": _pd(Category.LINK, _ACC),
        "amount": _pd(Category.SOCIAL),
        "signed_amount": _pd(Category.SOCIAL),
    }

    class Meta:
        verbose_name = _("budget line")
        verbose_name_plural = _("budget lines")
        ordering = ["pact", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="budget_line_positive_amount"),
            models.CheckConstraint(condition=Q(signed_amount__gte=0), name="budget_line_signed_not_negative"),
            models.CheckConstraint(
                condition=Q(source="fundraising") | Q(funder__isnull=False), name="budget_line_names_its_funder"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} — {self.amount}"


class Disbursement(BaseModel):
    """Money paid from a budget line: requested by an operator, decided by a coordinator."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        APPROVED = "approved", _("approved")
        REFUSED = "refused", _("refused")
        PAID = "paid", _("paid")
        WITHDRAWN = "withdrawn", _("withdrawn")

    # What counts as money given: an approval commits it, a payment confirms it.
    SPENT: ClassVar[tuple[str, ...]] = (Status.APPROVED, Status.PAID)

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="disbursements")
    budget_line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="disbursements")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    payee = models.CharField(
        _("paid to"), max_length=200, help_text=_("E.g. the landlord, the school, the driving school.")
    )
    description = models.CharField(_("what it pays"), max_length=300)
    due_on = models.DateField(_("date of the expense"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    refusal_reason = models.CharField(_("reason for refusing"), max_length=300, blank=True)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    receipt = models.FileField(_("receipt"), upload_to="pacts/receipts/", blank=True)
    payment_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords(excluded_fields=["receipt"])

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        "budget_line": _pd(Category.LINK),
        "amount": _pd(Category.SOCIAL),
        "payee": _pd(Category.SOCIAL),
        "description": _pd(Category.SOCIAL),
        "due_on": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
        "requested_by": _pd(Category.LINK, _ACC),
        "decided_by": _pd(Category.LINK, _ACC),
        "decided_at": _pd(Category.ACTIVITY, _ACC),
        "refusal_reason": _pd(Category.SOCIAL),
        "paid_on": _pd(Category.ACTIVITY, _ACC),
        "receipt": _pd(Category.SOCIAL, _ACC),
        "payment_recorded_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("disbursement")
        verbose_name_plural = _("disbursements")
        ordering = ["-due_on", "-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_positive_amount"),
            models.CheckConstraint(
                condition=~Q(status="refused") | ~Q(refusal_reason=""), name="disbursement_refusal_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="disbursement_paid_has_date"
            ),
        ]
        indexes = [
            # The approval's check under the line's lock: what is already approved on this line.
            models.Index(fields=["budget_line", "status"], name="disbursement_line_idx"),
            # A pact's ledger and the coordinators' queue of requests to decide.
            models.Index(fields=["pact", "status"], name="disbursement_pact_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} → {self.payee}"

    def get_absolute_url(self) -> str:
        return reverse(
            "pacts:disbursement-detail",
            kwargs={
                "slug": self.pact.programme.slug,
                "pact_id": self.pact.public_id,
                "disbursement_id": self.public_id,
            },
        )


class Commitment(VersionedModel):
    """What the beneficiary gives back: hours of their time at a place, a group or an activity."""

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="commitments")
    description = models.CharField(
        _("what"), max_length=200, help_text=_("E.g. “helping at the Saturday homework club”.")
    )
    place = models.ForeignKey(
        CommunityPlace, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("community place"),
    )  # fmt: skip
    group = models.ForeignKey(
        CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("citizen group"),
    )  # fmt: skip
    activity = models.ForeignKey(
        Activity, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("activity")
    )
    hours = models.DecimalField(_("hours"), **HOURS)
    # The hours of the version in force (0 until first signed): progress is measured on these.
    signed_hours = models.DecimalField(_("hours signed"), default=0, **HOURS)
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        "description": _pd(Category.ACTIVITY),
        "place": _pd(Category.LINK),
        "group": _pd(Category.LINK),
        "activity": _pd(Category.LINK),
        "hours": _pd(Category.ACTIVITY),
        "signed_hours": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        ordering = ["pact", "created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0), name="commitment_positive_hours"),
            models.CheckConstraint(
                condition=Q(place__isnull=False, group__isnull=True, activity__isnull=True)
                | Q(place__isnull=True, group__isnull=False, activity__isnull=True)
                | Q(place__isnull=True, group__isnull=True, activity__isnull=False),
                name="commitment_one_where",
            ),
        ]
        indexes = [
            # A lab manager's page: the commitments at the places their organisation runs.
            models.Index(fields=["place", "pact"], name="commitment_place_idx"),
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def where(self) -> Any:
        return self.place or self.group or self.activity

    @property
    def in_force(self) -> bool:
        return self.signed_hours > 0


class ContributionLog(BaseModel):
    """Hours given back on a day, confirmed by the place, the activity's managers, or — for a
    citizen group, whose contact has no account — by a coordinator on the contact's word."""

    class Status(models.TextChoices):
        PENDING = "pending", _("to confirm")
        CONFIRMED = "confirmed", _("confirmed")
        REJECTED = "rejected", _("not confirmed")

    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="logs")
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=2)
    note = models.CharField(_("what was done"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_for = models.CharField(
        _("confirmed on behalf of"), max_length=150, blank=True, help_text=_("The citizen group's contact person.")
    )
    rejection_reason = models.CharField(_("why not confirmed"), max_length=300, blank=True)
    # Hours the beneficiary gave in mutual aid and volunteering (the time bank), counted on this
    # commitment up to `date`: the sum of a period, not one day's work.
    from_time_bank = models.BooleanField(_("from mutual aid and volunteering"), default=False)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "commitment": _pd(Category.LINK),
        "from_time_bank": _pd(Category.ACTIVITY),
        "date": _pd(Category.ACTIVITY),
        "hours": _pd(Category.ACTIVITY),
        "note": _pd(Category.ACTIVITY),
        "status": _pd(Category.ACTIVITY),
        "recorded_by": _pd(Category.LINK, _ACC),
        "confirmed_by": _pd(Category.LINK, _ACC),
        "confirmed_at": _pd(Category.ACTIVITY, _ACC),
        "confirmed_for": _pd(Category.IDENTITY, _ACC),
        "rejection_reason": _pd(Category.ACTIVITY),
    }

    class Meta:
        verbose_name = _("hours given back")
        verbose_name_plural = _("hours given back")
        ordering = ["-date", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(hours__gt=0) & (Q(hours__lte=24) | Q(from_time_bank=True)),
                name="contribution_hours_in_a_day",
            ),
            models.CheckConstraint(
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False), name="contribution_confirmed_when"
            ),
        ]
        indexes = [
            # Progress per commitment: confirmed hours; and the lab manager's queue to confirm.
            models.Index(fields=["commitment", "status"], name="contribution_commitment_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.hours}h"


class ImmutableQuerySet(models.QuerySet):
    """Reviews are snapshots: written once, never changed or removed by the application."""

    def update(self, **kwargs: Any) -> int:
        raise PermissionError("A pact review cannot be changed.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("A pact review cannot be removed.")


class ImmutableModel(BaseModel):
    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("A pact review cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("A pact review cannot be removed.")


class Review(ImmutableModel):
    """A periodic review: what the pact gave and got back so far, the operator's assessment, and
    two separate decisions — were the commitments met (compliance), may the pact go on (eligibility)."""

    class Compliance(models.TextChoices):
        MET = "met", _("commitments met")
        PARTLY = "partly", _("commitments partly met")
        NOT_MET = "not_met", _("commitments not met")

    class Eligibility(models.TextChoices):
        CONTINUE = "continue", _("the pact continues")
        COMPLETE = "complete", _("the pact ends: completed")
        INTERRUPT = "interrupt", _("the pact ends: interrupted")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="reviews")
    version = models.ForeignKey(PactVersion, on_delete=models.PROTECT, related_name="+")
    reviewed_on = models.DateField(_("date of the review"))
    budget_committed = models.DecimalField(_("budget signed (€)"), **MONEY)
    budget_disbursed = models.DecimalField(_("budget disbursed (€)"), **MONEY)
    budget_remaining = models.DecimalField(_("budget remaining (€)"), **MONEY)
    hours_committed = models.DecimalField(_("hours committed"), **HOURS)
    hours_confirmed = models.DecimalField(_("hours given back"), **HOURS)
    compliance = models.CharField(_("compliance"), max_length=10, choices=Compliance.choices)
    eligibility = models.CharField(_("eligibility"), max_length=10, choices=Eligibility.choices)
    eligibility_reason = models.CharField(_("reason for the decision"), max_length=300, blank=True)
    assessment = EncryptedTextField(_("operator's assessment"))
    next_review_on = models.DateField(_("next review by"), null=True, blank=True)
    # The budget by line at the review: [{purpose, source, funder, amount, disbursed}], exact strings.
    lines = models.JSONField(_("budget by line"), default=list)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "pact": _pd(Category.LINK),
        "version": _pd(Category.LINK),
        "reviewed_on": _pd(Category.ACTIVITY),
        "budget_committed": _pd(Category.SOCIAL),
        "budget_disbursed": _pd(Category.SOCIAL),
        "budget_remaining": _pd(Category.SOCIAL),
        "hours_committed": _pd(Category.ACTIVITY),
        "hours_confirmed": _pd(Category.ACTIVITY),
        "compliance": _pd(Category.SOCIAL),
        "eligibility": _pd(Category.SOCIAL),
        "eligibility_reason": _pd(Category.SOCIAL),
        "assessment": _pd(Category.SPECIAL),
        "next_review_on": _pd(Category.ACTIVITY),
        "lines": _pd(Category.SPECIAL),
        "reviewed_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("pact review")
        verbose_name_plural = _("pact reviews")
        ordering = ["pact", "reviewed_on", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(eligibility="interrupt") | ~Q(eligibility_reason=""), name="review_interruption_reason"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pact_id} {self.reviewed_on}"

    def get_absolute_url(self) -> str:
        return reverse(
            "pacts:review-detail",
            kwargs={"slug": self.pact.programme.slug, "pact_id": self.pact.public_id, "review_id": self.public_id},
        )

    @property
    def ends_pact(self) -> bool:
        return self.eligibility != self.Eligibility.CONTINUE

    @property
    def budget_by_line(self) -> list[dict[str, Any]]:
        """The frozen budget lines with their labels and exact amounts, for display."""
        purposes, sources = dict(BudgetLine.Purpose.choices), dict(BudgetLine.Source.choices)
        return [
            {
                "purpose": purposes.get(line["purpose"], line["purpose"]),
                "source": sources.get(line["source"], line["source"]),
                "funder": line["funder"],
                "amount": Decimal(line["amount"]),
                "disbursed": Decimal(line["disbursed"]),
            }
            for line in self.lines
        ]


class ReviewItem(ImmutableModel):
    """One commitment at a review: hours committed and given, and why it was missed if it was."""

    class Outcome(models.TextChoices):
        MET = "met", _("met")
        PARTLY = "partly", _("partly met")
        MISSED = "missed", _("missed")

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="items")
    commitment = models.ForeignKey(Commitment, on_delete=models.PROTECT, related_name="+")
    description = models.CharField(_("what"), max_length=200)
    where = models.CharField(_("where"), max_length=200)
    hours_committed = models.DecimalField(_("hours committed"), **HOURS)
    hours_confirmed = models.DecimalField(_("hours given back"), **HOURS)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    reason = models.CharField(_("why"), max_length=300, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "review": _pd(Category.LINK),
        "commitment": _pd(Category.LINK),
        "description": _pd(Category.ACTIVITY),
        "where": _pd(Category.ACTIVITY),
        "hours_committed": _pd(Category.ACTIVITY),
        "hours_confirmed": _pd(Category.ACTIVITY),
        "outcome": _pd(Category.SOCIAL),
        "reason": _pd(Category.SOCIAL),
    }

    class Meta:
        verbose_name = _("commitment at a review")
        verbose_name_plural = _("commitments at a review")
        ordering = ["review", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome="met") | ~Q(reason=""), name="review_item_missed_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.description}: {self.outcome}"
