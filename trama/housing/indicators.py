"""Outcome indicators of the housing plan (seed 004), registered with the evaluation registry.

Every figure is one database aggregate over the plan's records, dated by when the thing happened
(a lease's start, a guarantee's start, a draw's payment, a logbook entry's date). Filters:
municipality (of the dwelling or the building) and action line (of the case that follows the
household). Housing records count households, not people, and belong to no community place:
a place, gender or age-band filter gives 0 rather than a figure that would not mean what it says.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext_lazy as _

from trama.core.money import cents
from trama.evaluation.indicators.common import filters_key, kept_aggregate
from trama.evaluation.registry import BreakdownRow, Filters, Indicator, Period, register
from trama.housing.models import CoHousingMember, Guarantee, GuaranteeDraw, LogEntry, Tenancy
from trama.housing.permissions import visible_buildings, visible_cohousings, visible_tenancies
from trama.territory.models import Programme


def _not_applicable(filters: Filters) -> bool:
    return filters.place is not None or filters.gender is not None or filters.age_band is not None


def _filtered(rows: QuerySet, filters: Filters, *, municipality: str, case: str | None) -> QuerySet:
    if _not_applicable(filters) or (filters.action_line is not None and case is None):
        return rows.none()
    if filters.municipality is not None:
        rows = rows.filter(**{municipality: filters.municipality})
    if filters.action_line is not None:
        rows = rows.filter(**{f"{case}__action_line": filters.action_line})
    return rows


# The records behind each indicator, dated in the period, and the paths to filter them.


def tenancies_started(programme: Programme, period: Period) -> QuerySet[Tenancy]:
    return Tenancy.objects.filter(programme=programme, starts_on__gte=period.start, starts_on__lte=period.end)


def guarantees_granted(programme: Programme, period: Period) -> QuerySet[Guarantee]:
    return Guarantee.objects.filter(fund__programme=programme, starts_on__gte=period.start, starts_on__lte=period.end)


def draws_paid(programme: Programme, period: Period) -> QuerySet[GuaranteeDraw]:
    return GuaranteeDraw.objects.filter(fund__programme=programme, drawn_on__gte=period.start, drawn_on__lte=period.end)


def cohousing_members(programme: Programme, period: Period) -> QuerySet[CoHousingMember]:
    """Households in a co-housing running at some time in the period."""
    return CoHousingMember.objects.filter(
        Q(cohousing__ends_on__isnull=True) | Q(cohousing__ends_on__gte=period.start),
        cohousing__programme=programme,
        cohousing__starts_on__lte=period.end,
    )


def caretaker_visits(programme: Programme, period: Period) -> QuerySet[LogEntry]:
    return LogEntry.objects.filter(
        building__programme=programme,
        kind=LogEntry.Kind.VISIT,
        occurred_on__gte=period.start,
        occurred_on__lte=period.end,
    )


SPECS: dict[str, dict[str, Any]] = {
    "housing-households-housed": {
        "rows": tenancies_started,
        "municipality": "dwelling__municipality",
        "case": "search__case",
        "count": "search__household",
    },
    "housing-guarantees-granted": {
        "rows": guarantees_granted,
        "municipality": "tenancy__dwelling__municipality",
        "case": "tenancy__search__case",
        "count": "tenancy__search__household",
    },
    "housing-guaranteed-euro": {
        "rows": guarantees_granted,
        "municipality": "tenancy__dwelling__municipality",
        "case": "tenancy__search__case",
        "sum": "amount",
    },
    "housing-fund-drawn-euro": {
        "rows": draws_paid,
        "municipality": "guarantee__tenancy__dwelling__municipality",
        "case": "guarantee__tenancy__search__case",
        "sum": "amount",
    },
    "housing-households-cohousing": {
        "rows": cohousing_members,
        "municipality": "cohousing__dwelling__municipality",
        "case": None,
        "count": "household",
    },
    "housing-caretaker-visits": {
        "rows": caretaker_visits,
        "municipality": "building__municipality",
        "case": None,
        "count": "pk",
    },
}


def _rows(code: str, programme: Programme, period: Period, filters: Filters) -> QuerySet:
    spec = SPECS[code]
    return _filtered(spec["rows"](programme, period), filters, municipality=spec["municipality"], case=spec["case"])


def _aggregate(code: str) -> Any:
    spec = SPECS[code]
    if "sum" in spec:
        return Sum(spec["sum"])
    return Count(spec["count"], distinct=True)


def _value(code: str, raw: Any) -> int | Decimal:
    if isinstance(raw, float):  # a sum of decimals run as kept SQL on SQLite: back through its text
        raw = Decimal(str(raw))
    return cents(raw) if "sum" in SPECS[code] else int(raw or 0)


def _compute(code: str) -> Any:
    def compute(programme: Programme, period: Period, filters: Filters) -> int | Decimal:
        key = (code, programme.pk, period, filters_key(filters))
        raw = kept_aggregate(key, lambda: _rows(code, programme, period, filters), lambda: _aggregate(code))
        return _value(code, raw)

    return compute


def _breakdown(code: str) -> Any:
    municipality = SPECS[code]["municipality"]

    def breakdown(programme: Programme, period: Period, dimension: str, filters: Filters) -> list[BreakdownRow]:
        if dimension != "municipality":
            raise ValueError(f"unknown breakdown {dimension!r}")
        grouped = (
            _rows(code, programme, period, filters)
            .values(f"{municipality}__istat_code", f"{municipality}__name")
            .annotate(value=_aggregate(code))
            .order_by(f"{municipality}__name")
        )
        return [
            BreakdownRow(row[f"{municipality}__istat_code"], row[f"{municipality}__name"], _value(code, row["value"]))
            for row in grouped
        ]

    return breakdown


def _records(code: str) -> Any:
    """The drill-down, through the same scoping as the pages: what the user may see, nothing more."""

    def records(programme: Programme, period: Period, filters: Filters, user: Any) -> QuerySet:
        rows = _rows(code, programme, period, filters)
        if code == "housing-households-housed":
            rows = rows.filter(pk__in=visible_tenancies(user, programme).values("pk"))
        elif code in ("housing-guarantees-granted", "housing-guaranteed-euro"):
            rows = rows.filter(tenancy__in=visible_tenancies(user, programme).values("pk"))
        elif code == "housing-fund-drawn-euro":
            rows = rows.filter(guarantee__tenancy__in=visible_tenancies(user, programme).values("pk"))
        elif code == "housing-households-cohousing":
            rows = rows.filter(cohousing__in=visible_cohousings(user, programme).values("pk"))
        else:
            rows = rows.filter(building__in=visible_buildings(user, programme).values("pk"))
        return rows.order_by("pk")

    return records


def _indicator(code: str, *, name: Any, description: Any, rule: Any, unit: str, kind: str = "outcome") -> Indicator:
    return register(
        Indicator(
            code=code,
            name=name,
            description=description,
            counting_rule=rule,
            unit=unit,
            kind=kind,
            compute=_compute(code),
            breakdowns=("municipality",),
            breakdown=_breakdown(code),
            counts_people=unit == "households",
            records=_records(code),
        )
    )


HOUSEHOLDS_HOUSED = _indicator(
    "housing-households-housed",
    name=_("Households housed"),
    description=_("Households followed by a case that found a home through the housing plan."),
    rule=_("Distinct households with a tenancy recorded by the plan whose lease starts in the period."),
    unit="households",
)
GUARANTEES_GRANTED = _indicator(
    "housing-guarantees-granted",
    name=_("Households with a rent guarantee"),
    description=_("Households whose tenancy the rent-guarantee fund stands surety for."),
    rule=_("Distinct households with a guarantee of the fund starting in the period."),
    unit="households",
)
GUARANTEED_EURO = _indicator(
    "housing-guaranteed-euro",
    name=_("Rent guaranteed"),
    description=_("The amount the rent-guarantee fund stands surety for."),
    rule=_("Sum of the amounts of the guarantees starting in the period, in euro."),
    unit="euro",
    kind="output",
)
FUND_DRAWN_EURO = _indicator(
    "housing-fund-drawn-euro",
    name=_("Rent paid by the guarantee fund"),
    description=_("What the fund paid owners when tenants could not pay."),
    rule=_("Sum of the draws on guarantees paid in the period, in euro."),
    unit="euro",
    kind="output",
)
HOUSEHOLDS_COHOUSING = _indicator(
    "housing-households-cohousing",
    name=_("Households in solidarity co-housing"),
    description=_("Households sharing a dwelling under a solidarity co-housing agreement."),
    rule=_("Distinct households members of a co-housing whose agreement runs at some time in the period."),
    unit="households",
)
CARETAKER_VISITS = _indicator(
    "housing-caretaker-visits",
    name=_("Social caretaker visits"),
    description=_("Visits the social caretakers recorded in their buildings' logbooks."),
    rule=_("Logbook entries of the kind “visit” dated in the period (contacts, not people)."),
    unit="visits",
    kind="output",
)
