"""The integrated housing plan of seed 004 ("Piano integrato casa").

- `Dwelling`: a home offered to the plan by a private owner or by an organisation (owner or estate
  agency), possibly at a capped rent agreed under the local "canone concordato" agreement.
- `HousingSearch`: a household followed by a case that looks for a home, with its needs and budget.
- `Tenancy`: a household housed in a dwelling through the plan (household × dwelling).
- `GuaranteeFund`, `FundDeposit`, `Guarantee`, `GuaranteeDraw`: the programme's rent-guarantee fund.
  Its balance is deposits minus draws, computed from the ledger under a row lock on the fund (S22),
  never stored twice and never negative.
- `CoHousing`, `CoHousingMember`: solidarity co-housing (households sharing a dwelling) with the
  agreement they signed.
- `Building`, `Caretaker`, `LogEntry`: the social caretaker ("custode sociale") of a building or an
  estate, the caretaker team (operators assigned to it) and its logbook, visible to that team and
  the programme's coordinators only.
"""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from trama.casework.models import Case
from trama.core.crypto import EncryptedTextField
from trama.core.models import BaseModel, ProgrammeScopedQuerySet, VersionedModel
from trama.core.processing import Category, PersonalData, Purpose
from trama.funding.models import FundingSource
from trama.network.models import Organisation
from trama.people.models import Household
from trama.territory.models import Municipality, Programme

# The highest monthly rent the plan accepts: no dwelling of the Bassa Bresciana is let for more,
# so a larger figure is a typing error (an annual rent, a sale price, an extra zero).
MAX_MONTHLY_RENT = Decimal("10000.00")
RENT = {"max_digits": 8, "decimal_places": 2}
MONEY = {"max_digits": 12, "decimal_places": 2}
MAX_GUARANTEE_MONTHS = 36
CASE = "case"
CONTACT = "contact"
_CARE = Purpose.ACCOMPANIMENT
_ACC = Purpose.ACCOUNTABILITY


def _pd(category: str, purpose: str = _CARE, retention: str = CASE) -> PersonalData:
    return PersonalData(category, purpose, retention)


class Dwelling(VersionedModel):
    """A home offered to the plan. A private owner's name and contacts are personal data: only the
    plan's staff (coordinators and operators) see them."""

    class Status(models.TextChoices):
        AVAILABLE = "available", _("available")
        LET = "let", _("let through the plan")
        WITHDRAWN = "withdrawn", _("withdrawn by the owner")

    class OfferedBy(models.TextChoices):
        PRIVATE = "private", _("a private owner")
        ORGANISATION = "organisation", _("an organisation or estate agency")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="dwellings")
    offered_by = models.CharField(_("offered by"), max_length=12, choices=OfferedBy.choices)
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dwellings",
        verbose_name=_("owner or estate agency"),
    )
    owner_name = models.CharField(_("private owner"), max_length=150, blank=True)
    owner_phone = models.CharField(_("owner's telephone"), max_length=40, blank=True)
    owner_email = models.EmailField(_("owner's e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=200)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    area_m2 = models.PositiveSmallIntegerField(_("floor area (m²)"))
    monthly_rent = models.DecimalField(_("monthly rent (€)"), **RENT)
    capped_rent = models.BooleanField(_("capped rent (canone concordato)"), default=False)
    step_free = models.BooleanField(_("step-free access"), default=False)
    available_from = models.DateField(_("available from"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.AVAILABLE)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK, _ACC, CONTACT),
        "offered_by": _pd(Category.SOCIAL, _ACC, CONTACT),
        "organisation": _pd(Category.LINK, _ACC, CONTACT),
        "owner_name": _pd(Category.IDENTITY, _ACC, CONTACT),
        "owner_phone": _pd(Category.IDENTITY, _ACC, CONTACT),
        "owner_email": _pd(Category.IDENTITY, _ACC, CONTACT),
        "address": _pd(Category.IDENTITY, _ACC, CONTACT),
        "municipality": _pd(Category.IDENTITY, Purpose.STATISTICS, CONTACT),
        "rooms": _pd(Category.SOCIAL, _ACC, CONTACT),
        "area_m2": _pd(Category.SOCIAL, _ACC, CONTACT),
        "monthly_rent": _pd(Category.SOCIAL, _ACC, CONTACT),
        "capped_rent": _pd(Category.SOCIAL, _ACC, CONTACT),
        "step_free": _pd(Category.SOCIAL, _ACC, CONTACT),
        "available_from": _pd(Category.SOCIAL, _ACC, CONTACT),
        "status": _pd(Category.SOCIAL, _ACC, CONTACT),
        "created_by": _pd(Category.LINK, _ACC, CONTACT),
    }

    class Meta:
        verbose_name = _("dwelling")
        verbose_name_plural = _("dwellings")
        ordering = ["municipality__name", "address"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_rent__gte=0, monthly_rent__lte=MAX_MONTHLY_RENT), name="dwelling_rent_plausible"
            ),
            models.CheckConstraint(condition=Q(rooms__gte=1), name="dwelling_has_a_room"),
            models.CheckConstraint(
                condition=Q(offered_by="private", organisation__isnull=True)
                | Q(offered_by="organisation", organisation__isnull=False),
                name="dwelling_offered_by_matches",
            ),
        ]
        indexes = [
            # Matching a household: the programme's available dwellings (50,000 in the benchmark).
            models.Index(fields=["programme", "status", "monthly_rent"], name="dwelling_match_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.address}, {self.municipality.name}"

    def get_absolute_url(self) -> str:
        return reverse("housing:dwelling-detail", kwargs={"slug": self.programme.slug, "dwelling_id": self.public_id})


class HousingSearch(VersionedModel):
    """A household followed by a case, looking for a home: what it needs and what it can pay."""

    class Status(models.TextChoices):
        OPEN = "open", _("looking for a home")
        HOUSED = "housed", _("housed")
        CLOSED = "closed", _("closed without a home")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="housing_searches")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="housing_searches", verbose_name=_("case"))
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="housing_searches")
    rooms_needed = models.PositiveSmallIntegerField(_("rooms needed"))
    max_rent = models.DecimalField(_("highest monthly rent affordable (€)"), **RENT)
    needs_step_free = models.BooleanField(_("needs step-free access"), default=False)
    municipalities = models.ManyToManyField(
        Municipality, blank=True, related_name="+", verbose_name=_("preferred municipalities")
    )
    needed_from = models.DateField(_("needed from"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "case": _pd(Category.LINK),
        "household": _pd(Category.LINK),
        "rooms_needed": _pd(Category.FAMILY),
        "max_rent": _pd(Category.SOCIAL),
        "needs_step_free": _pd(Category.SPECIAL),
        "needed_from": _pd(Category.SOCIAL),
        "status": _pd(Category.ACTIVITY),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("housing search")
        verbose_name_plural = _("housing searches")
        ordering = ["needed_from", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(max_rent__gte=0, max_rent__lte=MAX_MONTHLY_RENT), name="housing_search_budget_plausible"
            ),
            models.CheckConstraint(condition=Q(rooms_needed__gte=1), name="housing_search_needs_a_room"),
            # One open search per household: a second one would be matched twice.
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="open"), name="housing_search_one_open_per_household"
            ),
        ]
        indexes = [
            # Matching a dwelling: the programme's open searches.
            models.Index(fields=["programme", "status"], name="housing_search_status_idx"),
        ]

    def __str__(self) -> str:
        return str(self.household)

    def get_absolute_url(self) -> str:
        return reverse("housing:search-detail", kwargs={"slug": self.programme.slug, "search_id": self.public_id})


class Tenancy(BaseModel):
    """A household housed in a dwelling through the plan."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="tenancies")
    search = models.ForeignKey(HousingSearch, on_delete=models.PROTECT, related_name="tenancies")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="tenancies")
    starts_on = models.DateField(_("lease starts on"))
    monthly_rent = models.DecimalField(_("agreed monthly rent (€)"), **RENT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "search": _pd(Category.LINK),
        "dwelling": _pd(Category.IDENTITY),
        "starts_on": _pd(Category.SOCIAL),
        "monthly_rent": _pd(Category.SOCIAL),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(monthly_rent__gte=0, monthly_rent__lte=MAX_MONTHLY_RENT), name="tenancy_rent_plausible"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.search.household} — {self.dwelling}"

    def get_absolute_url(self) -> str:
        return reverse("housing:tenancy-detail", kwargs={"slug": self.programme.slug, "tenancy_id": self.public_id})


class GuaranteeFund(BaseModel):
    """The programme's rent-guarantee fund. Every grant, draw and deposit locks this row first."""

    programme = models.OneToOneField(Programme, on_delete=models.PROTECT, related_name="guarantee_fund")

    class Meta:
        verbose_name = _("rent-guarantee fund")
        verbose_name_plural = _("rent-guarantee funds")

    def __str__(self) -> str:
        return str(self.programme)


class FundDeposit(BaseModel):
    """Money paid into the fund, from a funding source of the budget or another named source."""

    fund = models.ForeignKey(GuaranteeFund, on_delete=models.PROTECT, related_name="deposits")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    received_on = models.DateField(_("received on"))
    source = models.ForeignKey(
        FundingSource,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("funding source"),
    )
    source_note = models.CharField(_("where the money comes from"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("deposit into the fund")
        verbose_name_plural = _("deposits into the fund")
        ordering = ["-received_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="fund_deposit_positive")]

    def __str__(self) -> str:
        return f"{self.amount} ({self.received_on})"


class Guarantee(BaseModel):
    """The fund stands surety for a tenancy, up to `amount`, for `months` from `starts_on`."""

    fund = models.ForeignKey(GuaranteeFund, on_delete=models.PROTECT, related_name="guarantees")
    tenancy = models.ForeignKey(Tenancy, on_delete=models.PROTECT, related_name="guarantees")
    amount = models.DecimalField(_("amount guaranteed (€)"), **MONEY)
    months = models.PositiveSmallIntegerField(_("duration (months)"))
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"))
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "fund": _pd(Category.LINK, _ACC),
        "tenancy": _pd(Category.LINK),
        "amount": _pd(Category.SOCIAL),
        "months": _pd(Category.SOCIAL),
        "starts_on": _pd(Category.SOCIAL),
        "ends_on": _pd(Category.SOCIAL),
        "granted_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("rent guarantee")
        verbose_name_plural = _("rent guarantees")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="guarantee_positive"),
            models.CheckConstraint(
                condition=Q(months__gte=1, months__lte=MAX_GUARANTEE_MONTHS), name="guarantee_months_range"
            ),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="guarantee_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.tenancy} — {self.amount}"


class GuaranteeDraw(BaseModel):
    """Money the fund paid the owner because the tenant could not pay."""

    guarantee = models.ForeignKey(Guarantee, on_delete=models.PROTECT, related_name="draws")
    fund = models.ForeignKey(GuaranteeFund, on_delete=models.PROTECT, related_name="draws")
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    drawn_on = models.DateField(_("paid on"))
    reason = models.CharField(_("what it covers"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "guarantee": _pd(Category.LINK),
        "fund": _pd(Category.LINK, _ACC),
        "amount": _pd(Category.SOCIAL),
        "drawn_on": _pd(Category.SOCIAL),
        "reason": _pd(Category.SOCIAL),
        "recorded_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("draw on a guarantee")
        verbose_name_plural = _("draws on guarantees")
        ordering = ["-drawn_on", "-pk"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="guarantee_draw_positive")]

    def __str__(self) -> str:
        return f"{self.amount} ({self.drawn_on})"


class CoHousing(VersionedModel):
    """Solidarity co-housing: households sharing a dwelling under a signed agreement."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="cohousings")
    dwelling = models.ForeignKey(Dwelling, on_delete=models.PROTECT, related_name="cohousings")
    title = models.CharField(_("name"), max_length=150)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True)
    terms = models.TextField(_("terms of the agreement"))
    agreement = models.FileField(_("signed agreement"), upload_to="housing/agreements/", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    history = HistoricalRecords()

    objects = ProgrammeScopedQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(Category.LINK),
        "dwelling": _pd(Category.IDENTITY),
        "title": _pd(Category.FAMILY),
        "starts_on": _pd(Category.SOCIAL),
        "ends_on": _pd(Category.SOCIAL),
        "terms": _pd(Category.SOCIAL),
        "agreement": _pd(Category.SOCIAL),
        "created_by": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("solidarity co-housing")
        verbose_name_plural = _("solidarity co-housings")
        ordering = ["-starts_on", "title"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="cohousing_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("housing:cohousing-detail", kwargs={"slug": self.programme.slug, "cohousing_id": self.public_id})


class CoHousingMember(BaseModel):
    cohousing = models.ForeignKey(CoHousing, on_delete=models.CASCADE, related_name="members")
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="cohousings")
    joined_on = models.DateField(_("joined on"))

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "cohousing": _pd(Category.LINK),
        "household": _pd(Category.FAMILY),
        "joined_on": _pd(Category.SOCIAL),
    }

    class Meta:
        verbose_name = _("co-housing household")
        verbose_name_plural = _("co-housing households")
        constraints = [
            models.UniqueConstraint(fields=["cohousing", "household"], name="cohousing_member_unique"),
        ]

    def __str__(self) -> str:
        return str(self.household)


class Building(BaseModel):
    """A building or an estate where a social caretaker works."""

    class Kind(models.TextChoices):
        BUILDING = "building", _("building")
        ESTATE = "estate", _("housing estate")

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="caretaker_buildings")
    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BUILDING)
    address = models.CharField(_("address"), max_length=200)
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, verbose_name=_("municipality"))
    units = models.PositiveSmallIntegerField(_("homes"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("housing:building-detail", kwargs={"slug": self.programme.slug, "building_id": self.public_id})


class Caretaker(BaseModel):
    """An operator on the caretaker team of a building: being here is what lets them see it."""

    building = models.ForeignKey(Building, on_delete=models.CASCADE, related_name="team")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="caretaker_teams")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("caretaker")
        verbose_name_plural = _("caretakers")
        constraints = [models.UniqueConstraint(fields=["building", "user"], name="caretaker_unique")]
        indexes = [
            # "My buildings": the buildings whose team a user is on.
            models.Index(fields=["user", "building"], name="caretaker_user_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.building}"


class LogEntry(BaseModel):
    """One line of the caretaker's logbook. The text may tell of residents' hardship: encrypted (S6)."""

    class Kind(models.TextChoices):
        VISIT = "visit", _("visit")
        ISSUE = "issue", _("issue reported")
        FOLLOW_UP = "follow_up", _("follow-up")
        REFERRAL = "referral", _("referral")

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="log")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    occurred_on = models.DateField(_("date"))
    text = EncryptedTextField(_("what happened"))
    follow_up_of = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("follows up"),
    )
    referred_to = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("referred to"),
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "building": _pd(Category.LINK),
        "kind": _pd(Category.ACTIVITY),
        "occurred_on": _pd(Category.ACTIVITY),
        "text": _pd(Category.SPECIAL),
        "follow_up_of": _pd(Category.LINK),
        "referred_to": _pd(Category.LINK),
        "author": _pd(Category.LINK, _ACC),
    }

    class Meta:
        verbose_name = _("logbook entry")
        verbose_name_plural = _("logbook entries")
        ordering = ["-occurred_on", "-pk"]
        indexes = [
            # The logbook page: a building's entries, newest first.
            models.Index(fields=["building", "-occurred_on"], name="logentry_building_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.occurred_on}"
