"""Reads of the evaluation layer: the dashboard, the public results and the view across programmes.

Every figure comes from the registry's compute functions (database aggregates); this module only
chooses which to compute, applies the small-cell suppression when the reader may not see exact
figures (SECURITY.md S8), and lays out targets, trends, breakdowns and charts. The number of queries
depends on the indicators and the quarters shown, never on the rows counted.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from trama.activities import reach
from trama.evaluation import figures as stored_figures
from trama.evaluation import registry
from trama.evaluation.models import PersonFirstSeen
from trama.evaluation.registry import SMALL_CELL, Filters, Indicator, Period
from trama.territory.models import Programme, Target

# The figures on top of the dashboard and of the public page (seed 001's mid-term figures).
HEADLINE = (
    "households-supported",
    "citizens-reached",
    "minors-reached-named",
    "minors-reached-anonymous",
    "organisations-and-groups-active",
    "volunteers-active",
)
# Quarter by quarter on the dashboard.
TREND = ("households-supported", "citizens-reached-named", "minors-reached-named", "volunteers-active")
# Side by side across programmes.
ACROSS = (
    "households-supported",
    "citizens-reached-named",
    "citizens-reached-anonymous",
    "minors-reached-named",
    "volunteers-active",
    "volunteer-hours",
    "pacts-signed",
    "households-needs-improved",
)
# A combined figure would give back a suppressed one (combined − the other part): it hides with it.
SUPPRESSED_WITH = {"citizens-reached": "citizens-reached-named"}
MAX_QUARTERS = 8
SUPPRESSION_RULE = reach.SUPPRESSION_RULE
KIND_LABELS = {
    "output": _("Outputs"),
    "outcome": _("Outcomes"),
    "network": _("Network"),
    "generativity": _("Generativity"),
}
DIMENSION_LABELS = {
    "municipality": _("municipality"),
    "action_line": _("action line"),
    "place": _("place"),
    "age_band": _("age band"),
    "gender": _("gender"),
    "dimension": _("dimension of the needs assessment"),
    "channel": _("referral channel"),
    "phase": _("phase at intake"),
}


# --- Periods -----------------------------------------------------------------------------------------


def default_period(programme: Programme, today: date | None = None) -> Period:
    """From the programme's start to today: records kept after a programme's formal end (its
    network goes on) still show."""
    today = today or timezone.localdate()
    start = programme.start_date or date(today.year, 1, 1)
    return Period(min(start, today), today)


def quarters(period: Period, limit: int = MAX_QUARTERS) -> list[Period]:
    """The calendar quarters of the period (cut to it), the last `limit` of them."""
    spans = []
    first = date(period.start.year, 3 * ((period.start.month - 1) // 3) + 1, 1)
    while first <= period.end:
        following = date(first.year + (first.month + 3 > 12), (first.month + 2) % 12 + 1, 1)
        spans.append(Period(max(first, period.start), min(following - timedelta(days=1), period.end)))
        first = following
    return spans[-limit:]


def quarter_label(period: Period) -> str:
    return str(_("Q%(quarter)s %(year)s") % {"quarter": (period.start.month - 1) // 3 + 1, "year": period.start.year})


# --- Figures as shown ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A figure as one may see it: `value` None when suppressed (a count of 1 to 4 people)."""

    value: int | Decimal | None
    suppressed: bool = False
    applicable: bool = True
    at_least: bool = False  # hidden so that another hidden cell cannot be worked out: 5 or more

    @property
    def bound(self) -> int:
        return SMALL_CELL

    @property
    def mark(self) -> str:
        if self.at_least:
            return "at_least"
        return "below" if self.suppressed else ""

    def __str__(self) -> str:
        return _number_text(self)


def shown(value: int | Decimal, indicator: Indicator, *, exact: bool) -> Shown:
    if exact:
        return Shown(value)
    published = registry.suppress(value, indicator)
    return Shown(published, suppressed=published is None)


@dataclass(frozen=True)
class TargetValue:
    value: Decimal
    date: date | None


@dataclass(frozen=True)
class Figure:
    indicator: Indicator
    shown: Shown
    target: TargetValue | None = None
    baseline: TargetValue | None = None

    @property
    def progress(self) -> int | None:
        """Per cent of the target reached (None without a target or a figure)."""
        if self.target is None or not self.target.value or self.shown.value is None:
            return None
        return int(Decimal(self.shown.value) * 100 / self.target.value)

    @property
    def kind_label(self) -> Any:
        return KIND_LABELS[self.indicator.kind]

    @property
    def has_records(self) -> bool:
        """Whether a coordinator can drill down to the records (templates would call the function)."""
        return self.indicator.records is not None


def targets_of(programme: Programme) -> dict[str, dict[str, TargetValue]]:
    """For each indicator code, its target (the latest one; undated means by the programme's end)
    and its baseline (the earliest one). One query."""
    found: dict[str, dict[str, TargetValue]] = {}
    rows = Target.objects.filter(programme=programme).values_list("indicator_code", "kind", "value", "date")
    for code, kind, value, day in sorted(rows, key=lambda row: (row[3] is None, row[3] or date.min)):
        slot = found.setdefault(code, {})
        if kind == Target.Kind.BASELINE:
            slot.setdefault("baseline", TargetValue(value, day))
        else:
            slot["target"] = TargetValue(value, day)
    return found


def compute_figures(
    programme: Programme,
    period: Period,
    filters: Filters,
    *,
    exact: bool,
    indicators: Iterable[Indicator] | None = None,
    targets: dict[str, dict[str, TargetValue]] | None = None,
    precomputed: dict[str, int | Decimal] | None = None,
) -> list[Figure]:
    """One figure per indicator (all of them unless told), with target and baseline. `precomputed`
    gives values already computed by the same function (the network analysis, drawn on the page)."""
    precomputed = precomputed or {}
    targets = targets if targets is not None else {}
    indicators = list(indicators) if indicators is not None else registry.all_indicators()
    figures: dict[str, Figure] = {}
    for indicator in indicators:
        if not registry.supports(indicator, filters):
            value = Shown(None, applicable=False)
        elif indicator.code in precomputed:
            value = shown(precomputed[indicator.code], indicator, exact=exact)
        else:
            value = shown(indicator.compute(programme, period, filters), indicator, exact=exact)
        figures[indicator.code] = Figure(
            indicator=indicator,
            shown=value,
            target=targets.get(indicator.code, {}).get("target"),
            baseline=targets.get(indicator.code, {}).get("baseline"),
        )
    for code, part in SUPPRESSED_WITH.items():
        if code in figures and part in figures and figures[part].shown.suppressed and not exact:
            hidden = figures[code]
            figures[code] = Figure(hidden.indicator, Shown(None, suppressed=True), hidden.target, hidden.baseline)
    return list(figures.values())


# --- Breakdowns -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class BreakdownTable:
    dimension: str
    label: Any
    indicators: list[Indicator]
    rows: list[tuple[str, str, list[Shown]]]  # key, label, one cell per indicator

    @property
    def chart(self) -> HBarChart | None:
        """The first indicator's rows as bars."""
        if not self.rows:
            return None
        indicator = self.indicators[0]
        return hbar_chart(
            title=str(_("%(indicator)s by %(dimension)s") % {"indicator": indicator.name, "dimension": self.label}),
            rows=[(label, cells[0]) for _key, label, cells in self.rows],
        )


def publish_rows(rows: list[registry.BreakdownRow], indicator: Indicator, *, exact: bool) -> dict[str, Shown]:
    """Rows as shown: small cells suppressed, and when a single row would be hidden, the smallest
    other one too (else the total minus the others gives it back)."""
    if exact:
        return {row.key: Shown(row.value) for row in rows}
    cells = {row.key: shown(row.value, indicator, exact=False) for row in rows}
    hidden = [key for key, cell in cells.items() if cell.suppressed]
    if len(hidden) == 1:
        others = sorted((row.value, row.key) for row in rows if row.key not in hidden and row.value)
        if others:
            cells[others[0][1]] = Shown(None, suppressed=True, at_least=True)
    return cells


def breakdown_table(
    programme: Programme, period: Period, dimension: str, filters: Filters, *, exact: bool, codes: Iterable[str] = ()
) -> BreakdownTable:
    """Every indicator (or those of `codes`) that breaks down by `dimension`, one column each."""
    wanted = set(codes)
    indicators = [
        indicator
        for indicator in registry.all_indicators()
        if dimension in indicator.breakdowns
        and registry.supports(indicator, filters)
        and (not wanted or indicator.code in wanted)
    ]
    labels: dict[str, str] = {}
    columns: list[dict[str, Shown]] = []
    for indicator in indicators:
        rows = indicator.breakdown(programme, period, dimension, filters)
        for row in rows:
            labels.setdefault(row.key, row.label)
        columns.append(publish_rows(rows, indicator, exact=exact))
    table_rows = [(key, label, [column.get(key, Shown(0)) for column in columns]) for key, label in labels.items()]
    return BreakdownTable(dimension, DIMENSION_LABELS[dimension], indicators, table_rows)


# --- Charts: horizontal bars, each with its table on the page -----------------------------------------


@dataclass(frozen=True)
class Bar:
    label: str
    y: float
    width: float
    text: str
    suppressed: bool


@dataclass(frozen=True)
class HBarChart:
    title: str
    bars: list[Bar]
    label_width: int = 230
    plot_width: int = 360
    row_height: int = 28

    @property
    def width(self) -> int:
        return self.label_width + self.plot_width + 80

    @property
    def height(self) -> int:
        return self.row_height * len(self.bars) + 8

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def value_x(self) -> float:
        return self.label_width


def _number_text(cell: Shown) -> str:
    from django.contrib.humanize.templatetags.humanize import intcomma

    if cell.at_least:
        return f"≥ {SMALL_CELL}"
    if cell.suppressed:
        return f"< {SMALL_CELL}"
    if cell.value is None:
        return "—"
    return str(intcomma(cell.value))


def hbar_chart(*, title: str, rows: list[tuple[str, Shown]]) -> HBarChart:
    values = [float(cell.value) for _label, cell in rows if cell.value is not None]
    top = max(values, default=0) or 1
    chart = HBarChart(title=title, bars=[])
    bars = [
        Bar(
            label=label if len(label) <= 34 else label[:33] + "…",
            y=4 + index * chart.row_height,
            width=0 if cell.value is None else round(float(cell.value) / top * chart.plot_width, 1),
            text=_number_text(cell),
            suppressed=cell.suppressed,
        )
        for index, (label, cell) in enumerate(rows)
    ]
    return HBarChart(title=title, bars=bars)


# --- Trend ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendSeries:
    indicator: Indicator
    cells: list[Shown]
    chart: HBarChart


@dataclass(frozen=True)
class Trend:
    periods: list[Period]
    labels: list[str]
    series: list[TrendSeries]


def trend(
    programme: Programme, period: Period, filters: Filters, *, exact: bool, codes: Iterable[str] = TREND
) -> Trend:
    spans = quarters(period)
    labels = [quarter_label(span) for span in spans]
    series = []
    for code in codes:
        indicator = registry.get(code)
        if not registry.supports(indicator, filters):
            continue
        cells = [shown(indicator.compute(programme, span, filters), indicator, exact=exact) for span in spans]
        chart = hbar_chart(title=str(indicator.name), rows=list(zip(labels, cells, strict=True)))
        series.append(TrendSeries(indicator, cells, chart))
    return Trend(spans, labels, series)


# --- The dashboard --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    period: Period
    filters: Filters
    exact: bool
    headline: list[Figure]
    groups: list[tuple[Any, list[Figure]]]
    trend: Trend
    breakdown: BreakdownTable | None
    outcome_tables: list[BreakdownTable] = field(default_factory=list)
    network: Any = None


def dashboard(programme: Programme, period: Period, filters: Filters, *, exact: bool, dimension: str = "") -> Dashboard:
    from trama.evaluation.indicators.generativity import density_of
    from trama.evaluation.network import programme_network

    network = programme_network(programme, period)
    precomputed = {"new-ties": network.new_ties, "network-density": density_of(network)}
    targets = targets_of(programme)
    figures = compute_figures(programme, period, filters, exact=exact, targets=targets, precomputed=precomputed)
    by_code = {figure.indicator.code: figure for figure in figures}
    groups = [
        (KIND_LABELS[kind], [figure for figure in figures if figure.indicator.kind == kind]) for kind in registry.KINDS
    ]
    outcome_tables = [
        breakdown_table(programme, period, extra, filters, exact=exact) for extra in registry.EXTRA_BREAKDOWNS
    ]
    return Dashboard(
        period=period,
        filters=filters,
        exact=exact,
        headline=[by_code[code] for code in HEADLINE if code in by_code],
        groups=[(label, items) for label, items in groups if items],
        trend=trend(programme, period, filters, exact=exact),
        breakdown=breakdown_table(programme, period, dimension, filters, exact=exact) if dimension else None,
        outcome_tables=[table for table in outcome_tables if table.indicators],
        network=network,
    )


# --- Drill-down: the records behind a number (coordinators only) ---------------------------------------

RELATED = {
    "casework.case": ("household", "programme"),
    "casework.referral": ("case__household", "case__programme"),
    "activities.attendance": ("person", "occurrence__activity"),
    "activities.activity": ("programme",),
    "mutualaid.volunteer": ("person", "programme"),
    "pacts.pact": ("person", "programme"),
}


@dataclass(frozen=True)
class RecordRow:
    label: str
    url: str


def record_row(record: Any) -> RecordRow:
    """How a record behind a figure is listed: its name and, when it has a page, a link to it."""
    if record._meta.label_lower == "casework.referral":
        return RecordRow(f"{record.case.household} — {record}", record.case.get_absolute_url())
    url = record.get_absolute_url() if hasattr(record, "get_absolute_url") else ""
    return RecordRow(str(record), url)


def drill_down(indicator: Indicator, programme: Programme, period: Period, filters: Filters, user: Any) -> QuerySet:
    """The records behind the figure, when `user` may see them (the indicator checks: PermissionDenied)."""
    if indicator.records is None:
        raise LookupError(indicator.code)
    records = indicator.records(programme, period, filters, user)
    related = RELATED.get(records.model._meta.label_lower, ())
    return records.select_related(*related).order_by("-pk") if related else records.order_by("-pk")


# --- Public results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicResults:
    period: Period
    figures: list[Figure]
    chart: HBarChart


def public_results(programme: Programme, today: date | None = None) -> PublicResults:
    """The headline figures since the programme's start, always with small cells suppressed."""
    period = default_period(programme, today)
    indicators = [registry.get(code) for code in HEADLINE]
    figures = compute_figures(
        programme, period, Filters(), exact=False, indicators=indicators, targets=targets_of(programme)
    )
    chart = hbar_chart(
        title=str(_("Results from %(start)s to %(end)s") % {"start": period.start.strftime("%d/%m/%Y"),
                                                            "end": period.end.strftime("%d/%m/%Y")}),
        rows=[(str(figure.indicator.name), figure.shown) for figure in figures],
    )  # fmt: skip
    return PublicResults(period=period, figures=figures, chart=chart)


# --- Across programmes -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcrossRow:
    indicator: Indicator | None
    label: Any
    cells: list[Shown]


@dataclass(frozen=True)
class Across:
    period: Period
    programmes: list[Programme]
    rows: list[AcrossRow]


def reached_from_rollup(programmes: list[Programme], period: Period) -> tuple[dict[int, int], dict[int, int]]:
    """People reached by name since the start up to the period's end, and new in the period, per
    programme: two grouped counts over the roll-up instead of the ten million attendances."""
    rows = PersonFirstSeen.objects.filter(programme__in=programmes, first_seen__lte=period.end).values("programme")
    totals = rows.annotate(total=Count("pk"), new=Count("pk", filter=Q(first_seen__gte=period.start))).order_by()
    since_start = {row["programme"]: row["total"] for row in totals}
    new = {row["programme"]: row["new"] for row in totals}
    return since_start, new


def across_default_period(programmes: list[Programme], today: date | None = None) -> Period:
    """From the earliest start of the programmes to today: what a funder sees first."""
    today = today or timezone.localdate()
    starts = [
        programme.start_date for programme in programmes if programme.start_date and programme.start_date <= today
    ]
    return Period(min(starts, default=today), today)


def refresh_across_figures(today: date | None = None) -> list[tuple[int, Period]]:
    """Store the side-by-side figures every funder will see first today (`manage.py refresh_figures`,
    run every night): the first view of the day reads them instead of computing fifty programmes.
    Returns (programmes, period) of each distinct set refreshed."""
    from trama.accounts.models import Membership, Role

    memberships = Membership.objects.active().filter(role=Role.FUNDER).values_list("user_id", "programme_id")
    by_funder: dict[int, set[int]] = {}
    for user_id, programme_id in memberships:
        by_funder.setdefault(user_id, set()).add(programme_id)
    sets = {frozenset(programme_ids) for programme_ids in by_funder.values()}
    by_pk = Programme.objects.in_bulk(set().union(*sets))
    indicators = [registry.get(code) for code in ACROSS]
    done = []
    for programme_ids in sets:
        programmes = sorted((by_pk[pk] for pk in programme_ids), key=lambda programme: programme.name)
        period = across_default_period(programmes, today)
        stored_figures.values(programmes, period, indicators)
        done.append((len(programmes), period))
    return done


def across(programmes: list[Programme], period: Period) -> Across:
    """The funder's programmes side by side on the same indicators (small cells suppressed), from the
    stored figures of the programmes that did not change since they were computed (figures.py)."""
    indicators = [registry.get(code) for code in ACROSS]
    stored = stored_figures.values(programmes, period, indicators)
    columns = [
        {
            figure.indicator.code: figure.shown
            for figure in compute_figures(
                programme, period, Filters(), exact=False, indicators=indicators, precomputed=stored[programme.pk]
            )
        }
        for programme in programmes
    ]
    rows = [
        AcrossRow(indicator, indicator.name, [column[indicator.code] for column in columns]) for indicator in indicators
    ]
    since_start, new = reached_from_rollup(programmes, period)
    people = registry.get("citizens-reached-named")
    rows.append(
        AcrossRow(
            None,
            _("People reached by name since the start"),
            [shown(since_start.get(programme.pk, 0), people, exact=False) for programme in programmes],
        )
    )
    rows.append(
        AcrossRow(
            None,
            _("People reached by name for the first time in the period"),
            [shown(new.get(programme.pk, 0), people, exact=False) for programme in programmes],
        )
    )
    return Across(period=period, programmes=programmes, rows=rows)
