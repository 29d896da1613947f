"""Households and dwellings, matched both ways with the reasons shown, on the generic ranking engine
of `trama.mutualaid.matching` (criteria as SQL expressions, scored, summed, ordered and sliced in
the database; only the winners are loaded).

A candidate is never proposed when it cannot work:
- the dwelling is available (not let, not withdrawn) and in the household's programme;
- a household that needs step-free access is offered only step-free dwellings;
- the dwelling has at least one room fewer than needed (a living room can become a bedroom), no less;
- the rent is at most RENT_STRETCH above the household's budget (the guarantee fund or a capped
  rent may bridge a small gap, not a large one).

Then, for each pair, six criteria between 0 and 1:
- rent: 1 within the budget, falling to 0 at the stretch limit;
- rooms: 1 with enough rooms, ½ with one fewer;
- place: 1 in a preferred municipality (or when the household has no preference), 0.3 elsewhere;
- date: 1 when the dwelling is free by the day the household needs it, 0.6 within a month after,
  0.3 within three months, 0 later;
- capped rent: 1 under the "canone concordato" agreement (a lower, stable rent), ½ otherwise;
- access: 1 when a step-free dwelling goes to a household that needs it, ½ when it goes to one that
  does not (accessible homes are scarce), 1 for other dwellings.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import BooleanField, Case, Exists, F, FloatField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Greatest
from django.utils.translation import gettext as _

from trama.core.money import euro
from trama.housing.models import Dwelling, HousingSearch
from trama.mutualaid.matching import Criterion, Ranked, as_float, clamp01, flag_score, rank

RENT_STRETCH = 0.30  # a rent up to 30 % above the budget may still be proposed
MIN_STRETCH_EURO = 50.0  # …and at least €50 above it, so a tiny budget still has some room
OTHER_PLACE_SCORE = 0.3
DATE_STEPS = ((0, 1.0), (30, 0.6), (90, 0.3))  # days late → score
WEIGHTS = {"rent": 0.30, "rooms": 0.20, "place": 0.20, "date": 0.15, "capped": 0.10, "access": 0.05}
DEFAULT_LIMIT = 10
FLOAT = FloatField()
Through = HousingSearch.municipalities.through


def _stretch(budget: float) -> float:
    return max(budget * RENT_STRETCH, MIN_STRETCH_EURO)


def _rent_reason(rent: Decimal, budget: Decimal) -> str:
    if rent <= budget:
        return _("Rent %(rent)s, within the budget of %(budget)s") % {"rent": euro(rent), "budget": euro(budget)}
    return _("Rent %(rent)s, %(over)s over the budget of %(budget)s") % {
        "rent": euro(rent),
        "over": euro(rent - budget),
        "budget": euro(budget),
    }


def _rooms_reason(rooms: int, needed: int) -> str:
    if rooms >= needed:
        return _("%(rooms)d rooms for %(needed)d needed") % {"rooms": rooms, "needed": needed}
    return _("%(rooms)d rooms, one fewer than the %(needed)d needed") % {"rooms": rooms, "needed": needed}


def _date_reason(available_from: date, needed_from: date) -> str:
    if available_from <= needed_from:
        return _("Free by %(date)s, when it is needed") % {"date": needed_from.strftime("%d/%m/%Y")}
    return _("Free only from %(date)s, %(days)d days after it is needed") % {
        "date": available_from.strftime("%d/%m/%Y"),
        "days": (available_from - needed_from).days,
    }


def _capped_reason(capped: bool) -> str:
    return _("Capped rent (canone concordato)") if capped else _("Open-market rent")


def _access_reason(step_free: bool, needs: bool) -> str:
    if step_free and needs:
        return _("Step-free access, as the household needs")
    if step_free:
        return _("Step-free access (the household does not need it)")
    return _("No step-free access (the household does not need it)")


def _place_reason(municipality: str, preferred: bool, has_preferences: bool) -> str:
    if not has_preferences:
        return _("In %(place)s: the household stated no preferred municipality") % {"place": municipality}
    if preferred:
        return _("In %(place)s, a preferred municipality") % {"place": municipality}
    return _("In %(place)s, not among the preferred municipalities") % {"place": municipality}


def _date_score(late: Any) -> Any:
    """`late(days)` is a Q true when the dwelling is free at most `days` after it is needed."""
    return Case(
        *(When(late(days), then=Value(score)) for days, score in DATE_STEPS), default=Value(0.0), output_field=FLOAT
    )


# --- Dwellings for a household --------------------------------------------------------------------


def candidate_dwellings(search: HousingSearch) -> QuerySet[Dwelling]:
    budget = float(search.max_rent)
    dwellings = Dwelling.objects.filter(
        programme_id=search.programme_id,
        status=Dwelling.Status.AVAILABLE,
        rooms__gte=search.rooms_needed - 1,
        monthly_rent__lte=Decimal(f"{budget + _stretch(budget):.2f}"),
    )
    if search.needs_step_free:
        dwellings = dwellings.filter(step_free=True)
    return dwellings


def dwelling_criteria(search: HousingSearch, preferred: list[int]) -> list[Criterion]:
    budget = float(search.max_rent)
    needed_from = search.needed_from
    place_score = flag_score(Q(municipality_id__in=preferred), otherwise=OTHER_PLACE_SCORE) if preferred else Value(1.0)
    access = flag_score(Q(step_free=True)) if search.needs_step_free else flag_score(Q(step_free=False), otherwise=0.5)
    return [
        Criterion(
            "rent",
            WEIGHTS["rent"],
            clamp01(Value(1.0) - (as_float(F("monthly_rent")) - Value(budget)) / Value(_stretch(budget))),
            explain=lambda d: _rent_reason(d.monthly_rent, search.max_rent),
        ),
        Criterion(
            "rooms",
            WEIGHTS["rooms"],
            flag_score(Q(rooms__gte=search.rooms_needed), otherwise=0.5),
            explain=lambda d: _rooms_reason(d.rooms, search.rooms_needed),
        ),
        Criterion(
            "place",
            WEIGHTS["place"],
            place_score,
            explain=lambda d: _place_reason(d.municipality.name, d.municipality_id in preferred, bool(preferred)),
        ),
        Criterion(
            "date",
            WEIGHTS["date"],
            _date_score(lambda days: Q(available_from__lte=needed_from + timedelta(days=days))),
            explain=lambda d: _date_reason(d.available_from, needed_from),
        ),
        Criterion(
            "capped",
            WEIGHTS["capped"],
            flag_score(Q(capped_rent=True), otherwise=0.5),
            explain=lambda d: _capped_reason(d.capped_rent),
        ),
        Criterion(
            "access", WEIGHTS["access"], access, explain=lambda d: _access_reason(d.step_free, search.needs_step_free)
        ),
    ]


def dwellings_for(search: HousingSearch, *, limit: int = DEFAULT_LIMIT) -> list[Ranked[Dwelling]]:
    """The best available dwellings for the household of `search`, best first, with reasons."""
    preferred = [m.pk for m in search.municipalities.all()]
    dwellings = candidate_dwellings(search).select_related("municipality", "organisation", "programme")
    return rank(dwellings, dwelling_criteria(search, preferred), limit=limit)


# --- Households for a dwelling --------------------------------------------------------------------


def candidate_searches(dwelling: Dwelling, searches: QuerySet[HousingSearch]) -> QuerySet[HousingSearch]:
    """Of `searches` (already scoped to what the user may see), the open ones `dwelling` could house."""
    rent = float(dwelling.monthly_rent)
    # rent ≤ budget + max(budget × stretch, €50)  ⇔  budget ≥ min(rent / (1 + stretch), rent − 50)
    floor = min(rent / (1 + RENT_STRETCH), rent - MIN_STRETCH_EURO)
    candidates = searches.filter(
        programme_id=dwelling.programme_id,
        status=HousingSearch.Status.OPEN,
        rooms_needed__lte=dwelling.rooms + 1,
        max_rent__gte=Decimal(f"{max(floor, 0):.2f}"),
    )
    if not dwelling.step_free:
        candidates = candidates.filter(needs_step_free=False)
    any_preference = Through.objects.filter(housingsearch_id=OuterRef("pk"))
    here = any_preference.filter(municipality_id=dwelling.municipality_id)
    return candidates.annotate(
        has_preferences=Exists(any_preference, output_field=BooleanField()),
        prefers_here=Exists(here, output_field=BooleanField()),
    )


def search_criteria(dwelling: Dwelling) -> list[Criterion]:
    rent = float(dwelling.monthly_rent)
    budget = as_float(F("max_rent"))
    stretch = Greatest(budget * Value(RENT_STRETCH), Value(MIN_STRETCH_EURO), output_field=FLOAT)
    available_from = dwelling.available_from
    place = Case(
        When(Q(prefers_here=True) | Q(has_preferences=False), then=Value(1.0)),
        default=Value(OTHER_PLACE_SCORE),
        output_field=FLOAT,
    )
    access = flag_score(Q(needs_step_free=True), otherwise=0.5) if dwelling.step_free else Value(1.0)
    return [
        Criterion(
            "rent",
            WEIGHTS["rent"],
            clamp01(Value(1.0) - (Value(rent) - budget) / stretch),
            explain=lambda s: _rent_reason(dwelling.monthly_rent, s.max_rent),
        ),
        Criterion(
            "rooms",
            WEIGHTS["rooms"],
            flag_score(Q(rooms_needed__lte=dwelling.rooms), otherwise=0.5),
            explain=lambda s: _rooms_reason(dwelling.rooms, s.rooms_needed),
        ),
        Criterion(
            "place",
            WEIGHTS["place"],
            place,
            explain=lambda s: _place_reason(dwelling.municipality.name, s.prefers_here, s.has_preferences),
        ),
        Criterion(
            "date",
            WEIGHTS["date"],
            _date_score(lambda days: Q(needed_from__gte=available_from - timedelta(days=days))),
            explain=lambda s: _date_reason(available_from, s.needed_from),
        ),
        Criterion(
            "capped",
            WEIGHTS["capped"],
            Value(1.0 if dwelling.capped_rent else 0.5),
            explain=lambda s: _capped_reason(dwelling.capped_rent),
        ),
        Criterion(
            "access", WEIGHTS["access"], access, explain=lambda s: _access_reason(dwelling.step_free, s.needs_step_free)
        ),
    ]


def searches_for(
    dwelling: Dwelling, searches: QuerySet[HousingSearch], *, limit: int = DEFAULT_LIMIT
) -> list[Ranked[HousingSearch]]:
    """The households `dwelling` suits best, among `searches` the user may see, with reasons."""
    candidates = candidate_searches(dwelling, searches).select_related("household__municipality", "programme")
    return rank(candidates, search_criteria(dwelling), limit=limit)
