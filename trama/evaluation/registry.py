"""The indicator registry: every figure the evaluation layer shows is an `Indicator` registered here.

Each app may declare indicators in its own module `trama/<app>/indicators.py` (autodiscovered by
`EvaluationConfig.ready()`), calling `register(...)` at import. Compute functions return raw figures
computed with database aggregates; small cells are suppressed by the evaluation layer when publishing
(`suppress`), never by the compute functions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from trama.network.models import CommunityPlace
    from trama.territory.models import ActionLine, Municipality, Programme

SMALL_CELL = 5

KINDS = ("output", "outcome", "network", "generativity")
BREAKDOWNS = ("municipality", "action_line", "place", "age_band", "gender")
# Categories of some outcome indicators, offered as breakdowns beside the five of every programme:
# assessment dimension, referral channel at intake, phase at intake.
EXTRA_BREAKDOWNS = ("dimension", "channel", "phase")


@dataclass(frozen=True)
class Period:
    """Inclusive dates."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise ValueError("Period start after end")


@dataclass(frozen=True)
class Filters:
    """Every field optional (None = no filter)."""

    municipality: Municipality | None = None
    action_line: ActionLine | None = None
    place: CommunityPlace | None = None
    age_band: str | None = None  # codes of trama.activities AgeBand
    gender: str | None = None

    def is_empty(self) -> bool:
        return not any((self.municipality, self.action_line, self.place, self.age_band, self.gender))


@dataclass(frozen=True)
class BreakdownRow:
    key: str
    label: str
    value: int | Decimal


@dataclass(frozen=True)
class Indicator:
    code: str  # slug, unique, e.g. "households-supported"
    name: Promise  # gettext_lazy, English msgid
    description: Promise
    counting_rule: Promise  # numerator/denominator, distinct people vs contacts, which records
    unit: str  # "households" | "people" | "hours" | "euro" | "activities" | "ratio" | "organisations" ...
    kind: str  # "output" | "outcome" | "network" | "generativity"
    compute: Callable[[Programme, Period, Filters], int | Decimal]  # database aggregates only
    breakdowns: tuple[str, ...] = ()  # subset of BREAKDOWNS + EXTRA_BREAKDOWNS
    breakdown: Callable[[Programme, Period, str, Filters], list[BreakdownRow]] | None = None
    counts_people: bool = True  # counts distinct people/households: cells < SMALL_CELL suppressed when published
    records: Callable[[Programme, Period, Filters, Any], QuerySet] | None = None  # drill-down; checks the user

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"Indicator {self.code}: unknown kind {self.kind!r}")
        unknown = set(self.breakdowns) - set(BREAKDOWNS) - set(EXTRA_BREAKDOWNS)
        if unknown:
            raise ValueError(f"Indicator {self.code}: unknown breakdowns {sorted(unknown)}")
        if self.breakdowns and self.breakdown is None:
            raise ValueError(f"Indicator {self.code}: breakdowns declared without a breakdown function")


_REGISTRY: dict[str, Indicator] = {}


def register(indicator: Indicator) -> Indicator:
    """Add an indicator; registering the same code twice with a different definition is an error."""
    existing = _REGISTRY.get(indicator.code)
    if existing is not None and existing is not indicator:
        if existing.compute is indicator.compute:  # the same module imported twice (autoreload)
            return existing
        raise ValueError(f"Indicator {indicator.code} registered twice")
    _REGISTRY[indicator.code] = indicator
    return indicator


def all_indicators() -> list[Indicator]:
    """In registration order."""
    return list(_REGISTRY.values())


def get(code: str) -> Indicator:
    """KeyError if unknown."""
    return _REGISTRY[code]


def supports(indicator: Indicator, filters: Filters) -> bool:
    """Whether every filter set applies to the indicator (an indicator filters by what it breaks down by)."""
    names = ("municipality", "action_line", "place", "age_band", "gender")
    return all(getattr(filters, name) is None or name in indicator.breakdowns for name in names)


def by_kind(kind: str) -> list[Indicator]:
    return [indicator for indicator in _REGISTRY.values() if indicator.kind == kind]


def suppress(value: int | Decimal | None, indicator: Indicator) -> int | Decimal | None:
    """The value as published: None for a small cell (0 < value < SMALL_CELL) of an indicator counting people."""
    if value is None:
        return None
    if indicator.counts_people and 0 < value < SMALL_CELL:
        return None
    return value


def suppress_rows(rows: list[BreakdownRow], indicator: Indicator) -> list[PublishedRow]:
    """Breakdown rows as published: small cells become value None (the row stays, its figure hidden)."""
    return [PublishedRow(row.key, row.label, suppress(row.value, indicator)) for row in rows]


@dataclass(frozen=True)
class PublishedRow:
    key: str
    label: str
    value: int | Decimal | None

    @property
    def suppressed(self) -> bool:
        return self.value is None
