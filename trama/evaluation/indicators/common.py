"""Building blocks of the indicators: periods as date ranges, filters and breakdowns as lookups.

An indicator declares, for each dimension it supports, the lookup path from the rows it counts to
that dimension (`Dimensions`). The same paths serve the filters and the breakdowns, so that a
figure filtered by a municipality always equals that municipality's row of the breakdown.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.models import Aggregate, Q, QuerySet
from django.utils import timezone

from trama.activities import reach
from trama.casework.models import Assessment, Case, Channel
from trama.evaluation.registry import BreakdownRow, Filters, Indicator, Period, register
from trama.people import selectors as people_selectors
from trama.territory.models import Programme

CENT = Decimal("0.01")

Dimensions = dict[str, str]  # dimension → lookup path (to a foreign key id or a code)

# Breakdowns beyond the five of every programme: the outcome indicators' own categories.
EXTRA_LABELS: dict[str, dict[str, str]] = {
    "dimension": dict(Assessment.Dimension.choices),
    "channel": dict(Channel.choices),
    "phase": dict(Case.Phase.choices),
}


def day_range(period: Period) -> tuple[datetime, datetime]:
    """From midnight of the first day to midnight after the last, in the programme's time zone: a
    range on an indexed timestamp column rather than a per-row date conversion."""
    from django.utils import timezone

    zone = timezone.get_current_timezone()
    since = timezone.make_aware(datetime.combine(period.start, time.min), zone)
    until = timezone.make_aware(datetime.combine(period.end + timedelta(days=1), time.min), zone)
    return since, until


def in_days(field: str, period: Period) -> Q:
    since, until = day_range(period)
    return Q(**{f"{field}__gte": since, f"{field}__lt": until})


def in_dates(field: str, period: Period) -> Q:
    return Q(**{f"{field}__gte": period.start, f"{field}__lte": period.end})


def filter_by(queryset: QuerySet, filters: Filters, dimensions: Dimensions) -> QuerySet:
    """The rows matching `filters` on the dimensions the indicator supports (others do not apply)."""
    conditions = Q()
    for name in ("municipality", "action_line", "place"):
        value = getattr(filters, name)
        if value is not None and name in dimensions:
            conditions &= Q(**{dimensions[name]: value.pk})
    for name in ("age_band", "gender"):
        value = getattr(filters, name)
        if value is not None and name in dimensions:
            conditions &= Q(**{dimensions[name]: value})
    return queryset.filter(conditions)


def number(value: Any, unit: str) -> int | Decimal:
    if unit in ("hours", "euro"):
        # SQLite adds decimals as floating point: back to the hundredth.
        return Decimal(str(value or 0)).quantize(CENT)
    return int(value or 0)


def labelled(dimension: str, values: Iterable[Any]) -> list[tuple[Any, str, str]]:
    """(value, key, label) of each value of a breakdown, in the order rows are shown."""
    values = list(values)
    if dimension in EXTRA_LABELS:
        labels = EXTRA_LABELS[dimension]
        order = {code: position for position, code in enumerate(labels)}
        ordered = sorted(values, key=lambda code: order.get(code, len(order)))
        return [(code, code or "none", str(labels.get(code, code))) for code in ordered]
    return reach._labels(reach.Breakdown(dimension), values)


def rows_of(dimension: str, cells: dict[Any, Any], unit: str) -> list[BreakdownRow]:
    return [
        BreakdownRow(key=key, label=label, value=number(cells[value], unit))
        for value, key, label in labelled(dimension, cells.keys())
    ]


def grouped(queryset: QuerySet, path: str, aggregate: Aggregate) -> dict[Any, Any]:
    return {row["key"]: row["value"] for row in queryset.values(key=_f(path)).annotate(value=aggregate).order_by()}


def _f(path: str) -> Any:
    from django.db.models import F

    return F(path)


# The SQL of an indicator already computed for the same programme, period, filters and day: building
# a queryset's SQL takes the ORM 0.3–1.5 ms, as long as the query itself for most figures of a
# programme. The SQL is a function of those arguments only (the rows functions read nothing but
# `programme.pk`, the dates and the filters' keys; the day is in the key for those that compare with
# today), so it is kept, least recently used first out, and run again as it is: a dashboard opened
# again by anyone compiles nothing. Per process; never a figure, only its SQL and parameters.
COMPILED_SIZE = 2048
_COMPILED: OrderedDict[tuple[Any, ...], tuple[str, Any]] = OrderedDict()


def filters_key(filters: Filters) -> tuple[Any, ...]:
    return (
        *(getattr(getattr(filters, name), "pk", None) for name in ("municipality", "action_line", "place")),
        filters.age_band,
        filters.gender,
    )


def kept_aggregate(key: tuple[Any, ...], rows: Callable[[], QuerySet], aggregate: Callable[[], Aggregate]) -> Any:
    """`rows().aggregate(value=aggregate())["value"]`, its SQL kept under `key` (with the day) and run
    again as it is next time, without building the queryset. `key` must name everything the SQL
    depends on: the indicator, the programme's pk, the period, `filters_key(filters)`. The SQL is
    kept only when building the figure ran exactly one query (none: an empty queryset; more:
    something was read first)."""
    key = (*key, timezone.localdate(), connection.vendor)
    compiled = _COMPILED.get(key)
    if compiled is not None:
        _COMPILED.move_to_end(key)
        with connection.cursor() as cursor:
            cursor.execute(*compiled)
            return cursor.fetchone()[0]
    executed: list[tuple[str, Any]] = []

    def capture(execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        executed.append((sql, params))
        return execute(sql, params, many, context)

    queryset = rows()
    with connection.execute_wrapper(capture):
        value = queryset.aggregate(value=aggregate())["value"]
    if len(executed) == 1:
        _COMPILED[key] = executed[0]
        if len(_COMPILED) > COMPILED_SIZE:
            _COMPILED.popitem(last=False)
    return value


def is_coordinator(user: Any, programme: Programme) -> bool:
    if user is None or not user.is_authenticated:
        return False
    return people_selectors.is_coordinator(user, programme.pk)


def coordinator_only(user: Any, programme: Programme) -> None:
    """Drill-down to records: coordinators of the programme only (never evaluators, funders or
    operators through the evaluation pages)."""
    if not is_coordinator(user, programme):
        raise PermissionDenied


def counted(
    *,
    code: str,
    name: Any,
    description: Any,
    counting_rule: Any,
    unit: str,
    kind: str,
    rows: Callable[[Programme, Period], QuerySet],
    aggregate: Callable[[], Aggregate],
    dimensions: Dimensions | None = None,
    extra: Dimensions | None = None,
    counts_people: bool = True,
    records: bool = False,
) -> Indicator:
    """Register an indicator that is one aggregate over one queryset of rows.

    `rows(programme, period)` gives the rows that count; `aggregate()` the figure over them;
    `dimensions` the lookup of each of the five standard breakdowns it supports (also used by the
    filters), `extra` those of its own categories (dimension, channel, phase). With `records`, the
    rows themselves are the records a coordinator may drill down to."""
    dimensions = dimensions or {}
    extra = extra or {}
    paths = {**dimensions, **extra}

    def compute(programme: Programme, period: Period, filters: Filters) -> int | Decimal:
        def queryset() -> QuerySet:
            return filter_by(rows(programme, period), filters, dimensions).order_by()

        return number(kept_aggregate((code, programme.pk, period, filters_key(filters)), queryset, aggregate), unit)

    def breakdown(programme: Programme, period: Period, dimension: str, filters: Filters) -> list[BreakdownRow]:
        if dimension not in paths:
            raise ValueError(f"Indicator {code} has no breakdown by {dimension}")
        queryset = filter_by(rows(programme, period), filters, dimensions)
        return rows_of(dimension, grouped(queryset, paths[dimension], aggregate()), unit)

    drill = None
    if records:

        def drill(programme: Programme, period: Period, filters: Filters, user: Any) -> QuerySet:
            coordinator_only(user, programme)
            return filter_by(rows(programme, period), filters, dimensions)

    order = ("municipality", "action_line", "place", "age_band", "gender", "dimension", "channel", "phase")
    return register(
        Indicator(
            code=code,
            name=name,
            description=description,
            counting_rule=counting_rule,
            unit=unit,
            kind=kind,
            compute=compute,
            breakdowns=tuple(name_ for name_ in order if name_ in paths),
            breakdown=breakdown if paths else None,
            counts_people=counts_people,
            records=drill,
        )
    )
