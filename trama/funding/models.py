"""The programme's budget and its fundraising (seed 002: "co-finanziato da Fondazione Cariplo, dai
partner … e da raccolta fondi"; seed 003: "Fundraising e comunicazione").

Budget: where the money comes from (`FundingSource`: the foundation's grant, each partner's
co-financing, fundraising, other contributions), how it is allocated (`BudgetLine`: a source ×
an action line), what is committed and spent against each line (`Expense`), and the explicit,
audited moves of money between lines (`Reallocation`). A line's current amount is always its
planned amount plus the reallocations into it minus those out of it; committed and spent come
from its expenses; nothing is stored twice.

Fundraising: campaigns with a goal, donors (people and companies, with their consent to be
contacted), donations with their receipts; news posts for the public site.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.network.models import Organisation
from trama.territory.models import ActionLine, Municipality, Programme

MONEY = {"max_digits": 14, "decimal_places": 2}
# Donors' contact details last as long as their consent (or two years after the last donation);
# see the report of issue 11 for the accounting retention the register still lacks.
CONTACT = "contact"


def _pd(category: str, purpose: str = Purpose.ACCOUNTABILITY, retention: str = CONTACT) -> PersonalData:
    return PersonalData(category, purpose, retention)


# --- The budget --------------------------------------------------------------------------------


class Budget(VersionedModel):
    """The budget's settings of one programme: the co-financing the call requires."""

    programme = models.OneToOneField(Programme, on_delete=models.CASCADE, related_name="funding_budget")
    required_cofinancing_percent = models.DecimalField(
        _("minimum co-financing required by the call (%)"), max_digits=5, decimal_places=2, default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
        help_text=_("The share of the total budget that must come from sources other than the foundation's grant."),
    )  # fmt: skip
    note = models.TextField(_("note"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget")
        verbose_name_plural = _("budgets")

    def __str__(self) -> str:
        return str(self.programme)


class FundingSource(VersionedModel):
    """Where money comes from: the foundation's grant, a partner's co-financing, fundraising…"""

    class Kind(models.TextChoices):
        GRANT = "grant", _("grant of the foundation")
        COFINANCING = "cofinancing", _("a partner's co-financing")
        FUNDRAISING = "fundraising", _("fundraising")
        OTHER = "other", _("other contribution")

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="funding_sources")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="funding_sources",
        verbose_name=_("organisation"), help_text=_("The foundation, or the partner that co-finances."),
    )  # fmt: skip
    amount = models.DecimalField(
        _("amount pledged (€)"), validators=[MinValueValidator(0)], **MONEY,
        help_text=_("For fundraising: the amount the programme plans to raise."),
    )  # fmt: skip
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("funding source")
        verbose_name_plural = _("funding sources")
        ordering = ["programme", "position", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="funding_source_unique_name"),
            # One co-financing source per partner: it mirrors the partnership's pledge.
            models.UniqueConstraint(
                fields=["programme", "organisation"],
                condition=Q(kind="cofinancing"),
                name="funding_source_one_cofinancing_per_partner",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="funding_source_amount_not_negative"),
            models.CheckConstraint(
                condition=~Q(kind="cofinancing") | Q(organisation__isnull=False),
                name="funding_source_cofinancing_names_partner",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(VersionedModel):
    """An allocation of one source to one action line (or to the programme's general costs)."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="budget_lines")
    source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, related_name="lines", verbose_name=_("funded by")
    )
    # An action line deleted later leaves its money on the general costs, never lost.
    action_line = models.ForeignKey(
        ActionLine, on_delete=models.SET_NULL, null=True, blank=True, related_name="budget_lines",
        verbose_name=_("action line"), help_text=_("Empty: the programme's general costs."),
    )  # fmt: skip
    title = models.CharField(_("item"), max_length=200, help_text=_("E.g. “Staff — family tutors”."))
    planned_amount = models.DecimalField(_("planned amount (€)"), validators=[MinValueValidator(0)], **MONEY)
    # planned_amount + reallocations in − reallocations out (kept by the services under a lock).
    amount = models.DecimalField(_("current amount (€)"), **MONEY)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("line of the budget")
        verbose_name_plural = _("lines of the budget")
        ordering = ["programme", "position", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(planned_amount__gte=0), name="budget_line_planned_not_negative"),
            models.CheckConstraint(condition=Q(amount__gte=0), name="budget_line_amount_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:line-detail", args=[self.programme.slug, self.public_id])


class Expense(BaseModel):
    """Money committed (an order, a contract) or spent (paid) against a budget line."""

    class Status(models.TextChoices):
        COMMITTED = "committed", _("committed")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled")

    # What uses a line's amount: a commitment reserves it, a payment spends it.
    LIVE: ClassVar[tuple[str, ...]] = (Status.COMMITTED, Status.PAID)

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="expenses")
    line = models.ForeignKey(BudgetLine, on_delete=models.PROTECT, related_name="expenses", verbose_name=_("line"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.COMMITTED)
    amount = models.DecimalField(_("amount in euro"), **MONEY)
    incurred_on = models.DateField(_("date"))
    description = models.CharField(_("what for"), max_length=300)
    supplier = models.CharField(_("supplier"), max_length=200, blank=True)
    reference = models.CharField(_("invoice or document"), max_length=100, blank=True)
    paid_on = models.DateField(_("date of payment"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["-incurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="expense_positive_amount"),
            models.CheckConstraint(
                condition=~Q(status="paid") | Q(paid_on__isnull=False), name="expense_paid_has_date"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="expense_cancel_has_reason"
            ),
        ]
        indexes = [
            # What a line has committed and spent, summed under the line's lock at every new expense.
            models.Index(fields=["line", "status"], name="expense_line_status_idx"),
            # The expense list: a programme's expenses, newest first.
            models.Index(fields=["programme", "-incurred_on"], name="expense_programme_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.description} — {self.amount}"


class Reallocation(BaseModel):
    """Money moved from one line to another by a coordinator, with the reason (audited)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="reallocations")
    from_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="reallocations_out", verbose_name=_("from line")
    )
    to_line = models.ForeignKey(
        BudgetLine, on_delete=models.PROTECT, related_name="reallocations_in", verbose_name=_("to line")
    )
    amount = models.DecimalField(_("amount in euro"), **MONEY)
    reason = models.CharField(_("reason"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reallocation")
        verbose_name_plural = _("reallocations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="reallocation_positive_amount"),
            models.CheckConstraint(condition=~Q(from_line=models.F("to_line")), name="reallocation_two_lines"),
            models.CheckConstraint(condition=~Q(reason=""), name="reallocation_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.from_line} → {self.to_line}: {self.amount}"


# --- Fundraising and communication -------------------------------------------------------------


class Campaign(VersionedModel):
    """A fundraising campaign: a goal to reach in a period, through a channel."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("online crowdfunding")
        EVENT = "event", _("fundraising event")
        MAILING = "mailing", _("letters and e-mail to supporters")
        COMPANIES = "companies", _("local companies")
        COMMUNITY = "community", _("collection in the community (stands, parishes, shops)")
        OTHER = "other", _("other channel")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="campaigns")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300, help_text=_("One sentence for the public page."))
    description = models.TextField(_("description"), blank=True)
    goal = models.DecimalField(_("goal (€)"), **MONEY)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    source = models.ForeignKey(
        FundingSource, on_delete=models.PROTECT, null=True, blank=True, related_name="campaigns",
        verbose_name=_("credited to"), limit_choices_to={"kind": FundingSource.Kind.FUNDRAISING},
        help_text=_("The budget's fundraising source its donations go to."),
    )  # fmt: skip
    is_public = models.BooleanField(
        _("published on the public site"), default=False, help_text=_("Only the totals are shown, never a donor.")
    )
    how_to_give = models.TextField(
        _("how to give"), blank=True, help_text=_("Shown on the public page: the IBAN, the event, the link…")
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(condition=Q(goal__gt=0), name="campaign_positive_goal"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="campaign_ends_after_start"),
        ]
        indexes = [
            # The public site lists a programme's published campaigns.
            models.Index(fields=["programme", "is_public"], name="campaign_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:campaign-detail", args=[self.programme.slug, self.public_id])

    def get_public_url(self) -> str:
        return reverse("funding-public:campaign", args=[self.programme.slug, self.public_id])

    def clean(self) -> None:
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The campaign cannot end before it starts.")})

    def is_running(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        return self.starts_on <= day <= self.ends_on


class Donor(VersionedModel):
    """Someone who gives: a person or a company. Contact details are used for mailings only with
    consent (`contact_consent_on`, until `contact_consent_withdrawn_on`)."""

    class Kind(models.TextChoices):
        PERSON = "person", _("person")
        COMPANY = "company", _("company or organisation")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="donors")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    tax_code = models.CharField(
        _("codice fiscale or VAT number"), max_length=16, blank=True, help_text=_("Needed for a tax receipt.")
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("municipality")
    )
    contact_consent_on = models.DateField(
        _("consent to be contacted given on"), null=True, blank=True,
        help_text=_("Empty: the donor is never contacted (no mailing)."),
    )  # fmt: skip
    contact_consent_withdrawn_on = models.DateField(_("consent withdrawn on"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "kind": _pd(Category.IDENTITY),
        "first_name": _pd(Category.IDENTITY),
        "last_name": _pd(Category.IDENTITY),
        "company_name": _pd(Category.IDENTITY),
        "tax_code": _pd(Category.FISCAL),
        "email": _pd(Category.IDENTITY),
        "phone": _pd(Category.IDENTITY),
        "address": _pd(Category.IDENTITY),
        "municipality": _pd(Category.IDENTITY, Purpose.STATISTICS),
        "contact_consent_on": _pd(Category.CONSENT, retention="consent"),
        "contact_consent_withdrawn_on": _pd(Category.CONSENT, retention="consent"),
        "created_by": _pd(Category.LINK),
    }

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["last_name", "first_name", "company_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="company", company_name__gt="") | Q(kind="person", last_name__gt=""),
                name="donor_has_a_name",
            ),
            models.CheckConstraint(
                condition=Q(contact_consent_withdrawn_on__isnull=True)
                | Q(contact_consent_on__isnull=False, contact_consent_withdrawn_on__gte=models.F("contact_consent_on")),
                name="donor_withdrawal_after_consent",
            ),
        ]
        indexes = [
            # The donor list and its search by name.
            models.Index(fields=["programme", "last_name", "company_name"], name="donor_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("funding:donor-detail", args=[self.programme.slug, self.public_id])

    @property
    def name(self) -> str:
        if self.kind == self.Kind.COMPANY:
            return self.company_name
        return f"{self.first_name} {self.last_name}".strip()

    def may_be_contacted(self, on: date | None = None) -> bool:
        day = on or timezone.localdate()
        if self.contact_consent_on is None or self.contact_consent_on > day:
            return False
        return self.contact_consent_withdrawn_on is None or self.contact_consent_withdrawn_on > day

    def clean(self) -> None:
        errors = {}
        if self.kind == self.Kind.COMPANY and not self.company_name.strip():
            errors["company_name"] = _("Give the company's name.")
        if self.kind == self.Kind.PERSON and not self.last_name.strip():
            errors["last_name"] = _("Give the donor's last name.")
        today = timezone.localdate()
        if self.contact_consent_on and self.contact_consent_on > today:
            errors["contact_consent_on"] = _("Consent cannot be recorded with a future date.")
        if self.contact_consent_withdrawn_on:
            if self.contact_consent_on is None:
                errors["contact_consent_withdrawn_on"] = _("There is no consent to withdraw.")
            elif self.contact_consent_withdrawn_on < self.contact_consent_on:
                errors["contact_consent_withdrawn_on"] = _("Consent cannot be withdrawn before it was given.")
        if errors:
            raise ValidationError(errors)


class Donation(BaseModel):
    """Money given to the programme, for a campaign or for its fundraising in general."""

    class Method(models.TextChoices):
        BANK_TRANSFER = "bank_transfer", _("bank transfer")
        CARD = "card", _("card or online payment")
        CASH = "cash", _("cash")
        CHEQUE = "cheque", _("cheque")
        POSTAL = "postal", _("postal order")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="donations")
    campaign = models.ForeignKey(
        Campaign, on_delete=models.PROTECT, null=True, blank=True, related_name="donations",
        verbose_name=_("campaign"),
    )  # fmt: skip
    # Empty: an anonymous gift (a collection box); it gets no receipt.
    donor = models.ForeignKey(
        Donor, on_delete=models.PROTECT, null=True, blank=True, related_name="donations", verbose_name=_("donor")
    )
    amount = models.DecimalField(_("amount in euro"), **MONEY)
    received_on = models.DateField(_("received on"))
    method = models.CharField(_("method"), max_length=14, choices=Method.choices)
    reference = models.CharField(_("payment reference"), max_length=100, blank=True)
    # Receipts are numbered per programme and year: 2020/0007.
    receipt_year = models.PositiveSmallIntegerField(_("receipt year"), null=True, blank=True)
    receipt_number = models.PositiveIntegerField(_("receipt number"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "campaign": _pd(Category.ACTIVITY),
        "donor": _pd(Category.LINK),
        "amount": _pd(Category.SOCIAL),
        "received_on": _pd(Category.ACTIVITY),
        "method": _pd(Category.ACTIVITY),
        "reference": _pd(Category.ACTIVITY),
        "receipt_year": _pd(Category.ACTIVITY),
        "receipt_number": _pd(Category.ACTIVITY),
        "recorded_by": _pd(Category.LINK),
    }

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-received_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="donation_positive_amount"),
            models.UniqueConstraint(
                fields=["programme", "receipt_year", "receipt_number"],
                condition=Q(receipt_number__isnull=False),
                name="donation_unique_receipt_number",
            ),
        ]
        indexes = [
            # A campaign's progress: the sum of its donations.
            models.Index(fields=["campaign", "received_on"], name="donation_campaign_idx"),
            # The donation list: a programme's donations, newest first.
            models.Index(fields=["programme", "-received_on"], name="donation_programme_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} ({self.received_on})"

    @property
    def receipt_label(self) -> str:
        if self.receipt_number is None:
            return ""
        return f"{self.receipt_year}/{self.receipt_number:04d}"


class NewsPostQuerySet(ProgrammeScopedQuerySet):
    def published(self) -> NewsPostQuerySet:
        return self.filter(status=NewsPost.Status.PUBLISHED, published_at__lte=timezone.now())


class NewsPost(VersionedModel):
    """A news item of the programme's public site (communication: seed 003)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="news_posts")
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=300)
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    campaign = models.ForeignKey(
        Campaign, on_delete=models.SET_NULL, null=True, blank=True, related_name="news_posts",
        verbose_name=_("about the campaign"),
    )  # fmt: skip
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = NewsPostQuerySet.as_manager()

    class Meta:
        verbose_name = _("news post")
        verbose_name_plural = _("news posts")
        ordering = ["-published_at", "-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False), name="news_published_has_date"
            ),
        ]
        indexes = [
            # The public news list: a programme's published posts, newest first.
            models.Index(fields=["programme", "status", "-published_at"], name="news_public_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("funding:news-edit", args=[self.programme.slug, self.public_id])

    def get_public_url(self) -> str:
        return reverse("funding-public:news-detail", args=[self.programme.slug, self.public_id])
