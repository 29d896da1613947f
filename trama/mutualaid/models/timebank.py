"""The time bank: accounts, exchanges and their balanced double entries; micro-networks and the
members of citizen groups."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from trama.core.models import BaseModel, ProgrammeScopedQuerySet
from trama.core.processing import Category as DataCategory
from trama.core.processing import PersonalData
from trama.mutualaid.models.aid import Match
from trama.mutualaid.models.common import _ACT, _STATS, Category, _pd
from trama.network.models import CitizenGroup, CommunityPlace
from trama.people.models import Household, Person
from trama.territory.models import Programme


class Account(BaseModel):
    """A holder of hours in the time bank: a person, a household or a citizen group."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="time_accounts")
    person = models.OneToOneField(Person, on_delete=models.PROTECT, null=True, blank=True, related_name="time_account")
    household = models.OneToOneField(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="time_account"
    )
    group = models.OneToOneField(
        CitizenGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="time_account"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK),
        "person": _pd(DataCategory.LINK),
        "household": _pd(DataCategory.LINK),
        "group": _pd(DataCategory.LINK),
    }

    class Meta:
        verbose_name = _("time-bank account")
        verbose_name_plural = _("time-bank accounts")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(person__isnull=False, household__isnull=True, group__isnull=True)
                    | Q(person__isnull=True, household__isnull=False, group__isnull=True)
                    | Q(person__isnull=True, household__isnull=True, group__isnull=False)
                ),
                name="account_one_holder",
            ),
        ]

    def __str__(self) -> str:
        return str(self.person or self.household or self.group)

    @property
    def holder_kind(self) -> str:
        if self.person_id:
            return "person"
        return "household" if self.household_id else "group"


class Exchange(BaseModel):
    """One exchange of time: `hours` given by `giver` to `receiver`. Its two ledger entries are
    written with it, in the same transaction, and never changed afterwards."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="time_exchanges")
    match = models.OneToOneField(Match, on_delete=models.PROTECT, null=True, blank=True, related_name="exchange")
    category = models.CharField(_("kind of help"), max_length=20, choices=Category.choices)
    giver = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("given by"))
    receiver = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+", verbose_name=_("received by"))
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=2)
    occurred_on = models.DateField(_("day"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "programme": _pd(DataCategory.LINK),
        "match": _pd(DataCategory.LINK),
        "category": _pd(DataCategory.ACTIVITY),
        "giver": _pd(DataCategory.LINK),
        "receiver": _pd(DataCategory.LINK),
        "hours": _pd(DataCategory.ACTIVITY),
        "occurred_on": _pd(DataCategory.ACTIVITY),
        "recorded_by": _pd(DataCategory.LINK, _ACT),
    }

    class Meta:
        verbose_name = _("exchange of time")
        verbose_name_plural = _("exchanges of time")
        ordering = ["-occurred_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0, hours__lte=24), name="exchange_plausible_hours"),
            models.CheckConstraint(condition=~Q(giver=models.F("receiver")), name="exchange_two_accounts"),
        ]

    def __str__(self) -> str:
        return f"{self.giver} → {self.receiver}: {self.hours} h"


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    """Entries are written in pairs and never edited: a correction is a new exchange."""

    def update(self, **kwargs: object) -> int:
        raise PermissionError("The time-bank ledger is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("The time-bank ledger is append-only.")


class LedgerEntry(models.Model):
    """Double entry: +hours on the giver's account, −hours on the receiver's; every exchange's
    entries sum to zero, so the whole ledger does."""

    exchange = models.ForeignKey(Exchange, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    hours = models.DecimalField(_("hours"), max_digits=6, decimal_places=2)
    occurred_on = models.DateField(_("day"))

    objects = LedgerEntryQuerySet.as_manager()

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "exchange": _pd(DataCategory.LINK),
        "account": _pd(DataCategory.LINK),
        "hours": _pd(DataCategory.ACTIVITY),
        "occurred_on": _pd(DataCategory.ACTIVITY),
    }

    class Meta:
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            models.CheckConstraint(condition=~Q(hours=0), name="ledger_entry_not_zero"),
            models.UniqueConstraint(fields=["exchange", "account"], name="ledger_entry_unique"),
        ]
        indexes = [
            # Balances and `hours_given(person, start, end)`: an account's entries over a period.
            models.Index(fields=["account", "occurred_on"], name="ledger_account_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.account}: {self.hours:+}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise PermissionError("The time-bank ledger is append-only.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("The time-bank ledger is append-only.")


class MicroNetwork(BaseModel):
    """A mutual-aid micro-network: households and citizens who exchange help (seed 000)."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="micro_networks")
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    place = models.ForeignKey(
        CommunityPlace, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("place of reference"),
    )  # fmt: skip

    objects = ProgrammeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("micro-network")
        verbose_name_plural = _("micro-networks")
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["programme", "name"], name="micronetwork_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("mutualaid:network-detail", args=[self.programme.slug, self.public_id])


class MicroNetworkMember(BaseModel):
    network = models.ForeignKey(MicroNetwork, on_delete=models.CASCADE, related_name="members")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="network_memberships")
    joined_on = models.DateField(_("member since"))

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "network": _pd(DataCategory.SOCIAL),
        "account": _pd(DataCategory.LINK),
        "joined_on": _pd(DataCategory.ACTIVITY, _STATS),
    }

    class Meta:
        verbose_name = _("member of a micro-network")
        verbose_name_plural = _("members of micro-networks")
        ordering = ["joined_on"]
        constraints = [models.UniqueConstraint(fields=["network", "account"], name="micronetwork_member_unique")]

    def __str__(self) -> str:
        return f"{self.account} · {self.network}"


class GroupMember(BaseModel):
    """A person who takes part in a citizen group, since a date: the same person record as a
    beneficiary's, so evaluation counts beneficiaries who joined a group."""

    group = models.ForeignKey(CitizenGroup, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="group_memberships")
    joined_on = models.DateField(_("member since"))
    left_on = models.DateField(_("left on"), null=True, blank=True)

    PERSONAL_DATA: ClassVar[dict[str, PersonalData]] = {
        "group": _pd(DataCategory.SOCIAL),
        "person": _pd(DataCategory.LINK),
        "joined_on": _pd(DataCategory.ACTIVITY, _STATS),
        "left_on": _pd(DataCategory.ACTIVITY, _STATS),
    }

    class Meta:
        verbose_name = _("member of a citizen group")
        verbose_name_plural = _("members of citizen groups")
        ordering = ["person__last_name", "person__first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "person"], condition=Q(left_on__isnull=True), name="group_member_unique_live"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} · {self.group}"
