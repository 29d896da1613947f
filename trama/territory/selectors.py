from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, QuerySet, Sum

from trama.network.models import Partnership
from trama.network.selectors import programme_partnerships
from trama.territory.models import ActionLine, Municipality, Programme


@dataclass(frozen=True)
class TerritorySummary:
    municipalities: list[Municipality]
    count: int
    population: int | None
    municipalities_without_population: int
    population_years: list[int]


def programme_territory(programme: Programme) -> TerritorySummary:
    """The programme's municipalities with totals computed from the reference figures."""
    municipalities = list(programme.municipalities.order_by("name"))
    totals = programme.municipalities.aggregate(population=Sum("population"), count=Count("id"))
    return TerritorySummary(
        municipalities=municipalities,
        count=totals["count"],
        population=totals["population"],
        municipalities_without_population=sum(1 for m in municipalities if m.population is None),
        population_years=sorted({m.population_year for m in municipalities if m.population_year}),
    )


def programme_action_lines(programme: Programme) -> QuerySet[ActionLine]:
    return ActionLine.objects.for_programme(programme).order_by("position", "name")


@dataclass(frozen=True)
class PartnerGroup:
    """The organisations of one role, with their count by kind (seed 002: "11 enti locali…")."""

    label: str
    partnerships: list[Partnership]
    kinds: list[tuple[str, int]]


def programme_partners_by_role(programme: Programme) -> list[PartnerGroup]:
    """The partnership grouped by role, in the order lead, partners, supporters, network."""
    grouped: dict[str, list[Partnership]] = {role: [] for role in Partnership.Role.values}
    for partnership in programme_partnerships(programme):
        grouped[partnership.role].append(partnership)
    groups = []
    for role, items in grouped.items():
        if not items:
            continue
        kinds = Counter(item.organisation.get_kind_display() for item in items)
        groups.append(PartnerGroup(Partnership.Role(role).label, items, sorted(kinds.items(), key=lambda kv: -kv[1])))
    return groups


def municipality_search(query: str, *, exclude_programme: Programme | None = None) -> QuerySet[Municipality]:
    """Municipalities whose name starts with (or whose ISTAT code is) `query`, at most 20."""
    query = query.strip()
    if not query:
        return Municipality.objects.none()
    if query.isdigit():
        found = Municipality.objects.filter(istat_code__startswith=query)
    else:
        found = Municipality.objects.filter(name__istartswith=query)
    if exclude_programme is not None:
        found = found.exclude(programmes=exclude_programme)
    return found.order_by("name", "province_code")[:20]
