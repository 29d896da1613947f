"""Reads of the housing plan: lists scoped by `permissions`, with their joins and aggregates applied,
so every page costs a fixed number of queries whatever the number of rows."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, DecimalField, Max, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from trama.accounts.models import User
from trama.housing.models import (
    Building,
    CoHousing,
    Dwelling,
    FundDeposit,
    Guarantee,
    GuaranteeDraw,
    HousingSearch,
    LogEntry,
    Tenancy,
)
from trama.housing.permissions import (
    visible_buildings,
    visible_cohousings,
    visible_dwellings,
    visible_searches,
    visible_tenancies,
)
from trama.territory.models import Programme

MONEY = DecimalField(max_digits=14, decimal_places=2)


@dataclass(frozen=True)
class DwellingFilters:
    query: str = ""
    municipality: str = ""  # ISTAT code
    status: str = ""
    capped: bool = False
    step_free: bool = False

    @property
    def active(self) -> bool:
        return bool(self.query or self.municipality or self.status or self.capped or self.step_free)


def dwelling_list(user: User, programme: Programme, filters: DwellingFilters) -> QuerySet[Dwelling]:
    dwellings = visible_dwellings(user, programme).select_related("municipality", "organisation", "programme")
    if filters.query:
        dwellings = dwellings.filter(
            Q(address__icontains=filters.query)
            | Q(owner_name__icontains=filters.query)
            | Q(organisation__name__icontains=filters.query)
        )
    if filters.municipality:
        dwellings = dwellings.filter(municipality__istat_code=filters.municipality)
    if filters.status:
        dwellings = dwellings.filter(status=filters.status)
    if filters.capped:
        dwellings = dwellings.filter(capped_rent=True)
    if filters.step_free:
        dwellings = dwellings.filter(step_free=True)
    return dwellings.order_by("municipality__name", "address", "pk")


@dataclass(frozen=True)
class SearchFilters:
    query: str = ""
    status: str = ""

    @property
    def active(self) -> bool:
        return bool(self.query or self.status)


def search_list(user: User, programme: Programme, filters: SearchFilters) -> QuerySet[HousingSearch]:
    searches = visible_searches(user, programme).select_related("household__municipality", "programme")
    if filters.query:
        searches = searches.filter(household__label__icontains=filters.query)
    if filters.status:
        searches = searches.filter(status=filters.status)
    return searches.order_by("status", "needed_from", "pk")


def search_tenancies(search: HousingSearch) -> QuerySet[Tenancy]:
    return search.tenancies.select_related("dwelling__municipality", "programme").order_by("-starts_on", "-pk")


def _drawn() -> Subquery:
    draws = (
        GuaranteeDraw.objects.filter(guarantee_id=OuterRef("pk"))
        .values("guarantee_id")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(draws, output_field=MONEY), Value(Decimal("0.00")), output_field=MONEY)


def tenancy_guarantees(tenancy: Tenancy) -> QuerySet[Guarantee]:
    return tenancy.guarantees.annotate(drawn=_drawn()).order_by("-starts_on", "-pk")


def tenancy_draws(tenancy: Tenancy) -> QuerySet[GuaranteeDraw]:
    return GuaranteeDraw.objects.filter(guarantee__tenancy=tenancy).order_by("-drawn_on", "-pk")


def fund_deposits(programme: Programme) -> QuerySet[FundDeposit]:
    return (
        FundDeposit.objects.filter(fund__programme=programme).select_related("source").order_by("-received_on", "-pk")
    )


def fund_guarantees(user: User, programme: Programme) -> QuerySet[Guarantee]:
    """The fund's guarantees whose tenancy the user may see, with what was drawn on each."""
    return (
        Guarantee.objects.filter(tenancy__in=visible_tenancies(user, programme))
        .select_related("tenancy__search__household", "tenancy__dwelling__municipality", "tenancy__programme")
        .annotate(drawn=_drawn())
        .order_by("-starts_on", "-pk")
    )


def cohousing_list(user: User, programme: Programme, query: str = "") -> QuerySet[CoHousing]:
    cohousings = visible_cohousings(user, programme).select_related("dwelling__municipality", "programme")
    if query:
        cohousings = cohousings.filter(Q(title__icontains=query) | Q(dwelling__address__icontains=query))
    return cohousings.annotate(households=Count("members")).order_by("-starts_on", "title", "pk")


def building_list(user: User, programme: Programme, query: str = "") -> QuerySet[Building]:
    buildings = visible_buildings(user, programme).select_related("municipality", "programme")
    if query:
        buildings = buildings.filter(Q(name__icontains=query) | Q(address__icontains=query))
    return buildings.annotate(
        open_issues=Count("log", filter=Q(log__kind=LogEntry.Kind.ISSUE, log__follow_ups__isnull=True), distinct=True),
        last_entry=Max("log__occurred_on"),
    ).order_by("name", "pk")


def building_log(building: Building, kind: str = "") -> QuerySet[LogEntry]:
    entries = building.log.select_related("author", "referred_to", "follow_up_of")
    if kind:
        entries = entries.filter(kind=kind)
    return entries.order_by("-occurred_on", "-pk")
