"""The funder's report of a period: a PDF in the shape of a Cariplo monitoring report, and an XLSX.

Both are built from one `FundersReport`: the programme's facts (dates, territory, action lines),
its partnership by role, every registered indicator for the period and, for those with a target,
since the programme began (the figure a target is measured against), the breakdowns, the outcome
evidence and the network analysis. Every figure comes from the indicator registry — the same
compute functions as the dashboard — and nothing is typed in except the targets and baselines
(`territory.Target`).

Small cells (S8): for evaluators and funders every figure that counts people and is below five
is published as "< 5" in the PDF, its charts and the XLSX alike; a coordinator may ask for the
exact figures for internal use. The suppression is applied here, once, to the figures before any
output is drawn, so no output can leak a number another one hides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.contrib.humanize.templatetags.humanize import intcomma
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from trama.accounts.models import Membership, Role, User
from trama.core.exports import Sheet, xlsx_workbook_bytes
from trama.core.pdf import render_pdf
from trama.evaluation import registry
from trama.evaluation.network import NetworkAnalysis, programme_network
from trama.evaluation.registry import SMALL_CELL, Filters, Indicator, Period
from trama.network.models import Partnership
from trama.territory.models import Programme, Target

REPORT_ROLES = (Role.COORDINATOR, Role.EVALUATOR, Role.FUNDER)
EXACT_ROLES = (Role.COORDINATOR,)
SUPPRESSED = f"< {SMALL_CELL}"

KIND_TITLES = {
    "output": gettext_lazy("Outputs"),
    "outcome": gettext_lazy("Outcomes"),
    "network": gettext_lazy("Network"),
    "generativity": gettext_lazy("Generativity"),
}
BREAKDOWN_TITLES = {
    "municipality": gettext_lazy("By municipality"),
    "action_line": gettext_lazy("By action line"),
    "place": gettext_lazy("By place"),
    "age_band": gettext_lazy("By age band"),
    "gender": gettext_lazy("By gender"),
}

PDF_BREAKDOWNS = ("municipality", "action_line")


# --- Permissions -------------------------------------------------------------------------------------


def _roles(user: User | None, programme: Programme) -> set[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return set()
    return set(Membership.objects.active().filter(user=user, programme=programme).values_list("role", flat=True))


def may_report(user: User | None, programme: Programme) -> bool:
    return bool(_roles(user, programme) & set(REPORT_ROLES))


def may_see_exact(user: User | None, programme: Programme) -> bool:
    return bool(_roles(user, programme) & set(EXACT_ROLES))


# --- Figures -----------------------------------------------------------------------------------------


def display(value: int | Decimal | None, unit: str = "") -> str:
    """A figure as printed: Italian thousands and decimals, "< 5" for a suppressed cell."""
    if value is None:
        return SUPPRESSED
    if isinstance(value, Decimal) and unit == "ratio":
        return formats.number_format(value, decimal_pos=3)
    if isinstance(value, Decimal) and value != value.to_integral_value():
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    return str(intcomma(int(value)))


def cell(value: int | Decimal | None) -> int | Decimal | str:
    """A figure as written to the XLSX: the number itself, or "< 5" for a suppressed cell."""
    return SUPPRESSED if value is None else value


@dataclass(frozen=True)
class Figure:
    """One indicator's published figures; None means suppressed (a small cell)."""

    indicator: Indicator
    value: int | Decimal | None
    cumulative: int | Decimal | None = None
    target: Decimal | None = None
    target_date: date | None = None
    baseline: Decimal | None = None
    breakdowns: dict[str, list[registry.PublishedRow]] = field(default_factory=dict)

    @property
    def progress(self) -> int | None:
        """Percent of the target reached since the programme began (None without both figures)."""
        if self.target is None or self.target == 0 or self.cumulative is None:
            return None
        return int(Decimal(self.cumulative) * 100 / self.target)

    @property
    def shown(self) -> str:
        return display(self.value, self.indicator.unit)

    @property
    def shown_cumulative(self) -> str:
        return display(self.cumulative, self.indicator.unit) if self.target is not None else ""

    @property
    def shown_target(self) -> str:
        return display(self.target, self.indicator.unit) if self.target is not None else ""

    @property
    def shown_baseline(self) -> str:
        return display(self.baseline, self.indicator.unit) if self.baseline is not None else ""


LABEL_WIDTH = 230


@dataclass(frozen=True)
class Bar:
    label: str
    shown: str
    y: float
    width: float
    percent: int | None

    @property
    def text_y(self) -> float:
        return self.y + 4

    @property
    def rect_y(self) -> float:
        return self.y - 7

    @property
    def value_x(self) -> float:
        return LABEL_WIDTH + self.width + 5


@dataclass(frozen=True)
class BarChart:
    """Horizontal bars with their figure written at the end: drawn by a template, no library."""

    title: str
    description: str
    bars: list[Bar]
    label_width: int = LABEL_WIDTH
    bar_area: int = 330
    row_height: int = 20

    @property
    def height(self) -> int:
        return self.row_height * len(self.bars) + 24

    @property
    def width(self) -> int:
        return self.label_width + self.bar_area + 70

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"

    @property
    def axis_x(self) -> int:
        return self.label_width


def bar_chart(title: str, description: str, rows: list[tuple[str, int | Decimal | None, str]]) -> BarChart:
    """Bars proportional to the largest value; a suppressed (None) value has no bar, only "< 5"."""
    chart = BarChart(title=title, description=description, bars=[])
    largest = max((float(value) for _, value, _ in rows if value is not None), default=0.0) or 1.0
    bars = [
        Bar(
            label=label[:48],
            shown=shown,
            y=12 + index * chart.row_height,
            width=round(chart.bar_area * float(value) / largest, 1) if value is not None else 0.0,
            percent=None,
        )
        for index, (label, value, shown) in enumerate(rows)
    ]
    return BarChart(title=title, description=description, bars=bars)


def progress_chart(figures: list[Figure]) -> BarChart:
    """Per indicator with a target: the share reached, bars on a 0–100 % scale (capped)."""
    chart = BarChart(
        title=_("Progress towards the targets"),
        description=_("For each indicator with a target, the share reached since the programme began."),
        bars=[],
    )
    bars = []
    for figure in (figure for figure in figures if figure.target):
        percent = figure.progress
        bars.append(
            Bar(
                label=str(figure.indicator.name)[:48],
                shown=f"{percent} %" if percent is not None else SUPPRESSED,
                y=12 + len(bars) * chart.row_height,
                width=round(chart.bar_area * min(percent or 0, 100) / 100, 1),
                percent=percent,
            )
        )
    return BarChart(title=chart.title, description=chart.description, bars=bars)


@dataclass(frozen=True)
class FundersReport:
    programme: Programme
    period: Period
    suppressed: bool
    generated_at: Any
    figures: list[Figure]
    partnership: list[tuple[Any, list[Any]]]
    municipalities: list[Any]
    action_lines: list[Any]
    network: NetworkAnalysis

    def of_kind(self, kind: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.indicator.kind == kind]

    @property
    def sections(self) -> list[tuple[Any, list[Figure]]]:
        return [(KIND_TITLES[kind], self.of_kind(kind)) for kind in registry.KINDS if self.of_kind(kind)]

    @property
    def with_targets(self) -> list[Figure]:
        return [figure for figure in self.figures if figure.target is not None]

    @cached_property
    def progress(self) -> BarChart:
        return progress_chart(self.figures)

    @property
    def outcome_evidence(self) -> list[Figure]:
        return self.of_kind("outcome")

    @cached_property
    def breakdown_tables(self) -> list[tuple[Figure, Any, list[registry.PublishedRow], BarChart]]:
        """The breakdowns the PDF shows: by territory and action line, of the indicators with a target
        (the headline ones), when some figure is not zero. The workbook has every breakdown of all."""
        tables = []
        for figure in self.with_targets:
            for key, rows in figure.breakdowns.items():
                if key not in PDF_BREAKDOWNS or all(row.value == 0 for row in rows):
                    continue  # nothing to break down: the workbook still lists the rows
                title = f"{figure.indicator.name} — {str(BREAKDOWN_TITLES.get(key, key)).lower()}"
                chart = bar_chart(
                    title,
                    _("Each bar is a row of the table below it."),
                    [(row.label, row.value, display(row.value, figure.indicator.unit)) for row in rows],
                )
                tables.append((figure, BREAKDOWN_TITLES.get(key, key), rows, chart))
        return tables


def _targets(programme: Programme, as_of: date) -> dict[tuple[str, str], Target]:
    """Per (indicator, kind): the target due soonest on or after `as_of`, else the final one."""
    chosen: dict[tuple[str, str], Target] = {}
    for target in Target.objects.filter(programme=programme).order_by("indicator_code", "kind", "date"):
        key = (target.indicator_code, target.kind)
        current = chosen.get(key)
        if current is None:
            chosen[key] = target
        elif target.kind == Target.Kind.BASELINE:
            continue  # the earliest baseline is the starting point
        elif current.date is not None and current.date < as_of:
            chosen[key] = target  # the current one is already past: a later (or final) one replaces it
    return chosen


def _published(value: int | Decimal, indicator: Indicator, suppressed: bool) -> int | Decimal | None:
    return registry.suppress(value, indicator) if suppressed else value


def _figure(
    programme: Programme, period: Period, indicator: Indicator, *, targets: dict, suppressed: bool, since: date
) -> Figure:
    value = indicator.compute(programme, period, Filters())
    target = targets.get((indicator.code, Target.Kind.TARGET))
    baseline = targets.get((indicator.code, Target.Kind.BASELINE))
    cumulative = None
    if target is not None:
        whole = Period(min(since, period.start), period.end)
        cumulative = value if whole == period else indicator.compute(programme, whole, Filters())
    breakdowns = {}
    if indicator.breakdown is not None:
        for key in indicator.breakdowns:
            rows = indicator.breakdown(programme, period, key, Filters())
            if suppressed:
                breakdowns[key] = registry.suppress_rows(rows, indicator)
            else:
                breakdowns[key] = [registry.PublishedRow(row.key, row.label, row.value) for row in rows]
    return Figure(
        indicator=indicator,
        value=_published(value, indicator, suppressed),
        cumulative=_published(cumulative, indicator, suppressed) if cumulative is not None else None,
        target=target.value if target is not None else None,
        target_date=target.date if target is not None else None,
        baseline=baseline.value if baseline is not None else None,
        breakdowns=breakdowns,
    )


def _partnership(programme: Programme) -> list[tuple[Any, list[Any]]]:
    members = Partnership.objects.filter(programme=programme).select_related("organisation")
    by_role: dict[str, list[Any]] = {role: [] for role in Partnership.Role.values}
    for member in members.order_by("organisation__name"):
        by_role[member.role].append(member)
    return [(Partnership.Role(role).label, rows) for role, rows in by_role.items() if rows]


def build_report(programme: Programme, period: Period, *, suppressed: bool, progress: Any = None) -> FundersReport:
    """Every figure of the report, computed once. `progress(percent, step)` is told as it goes."""
    tell = progress or (lambda percent, step: None)
    indicators = registry.all_indicators()
    targets = _targets(programme, period.end)
    since = programme.start_date or period.start
    figures = []
    for number, indicator in enumerate(indicators):
        tell(int(80 * number / max(len(indicators), 1)), str(indicator.name))
        figures.append(_figure(programme, period, indicator, targets=targets, suppressed=suppressed, since=since))
    tell(80, _("Network analysis"))
    network = programme_network(programme, period)
    return FundersReport(
        programme=programme,
        period=period,
        suppressed=suppressed,
        generated_at=timezone.localtime(),
        figures=figures,
        partnership=_partnership(programme),
        municipalities=list(programme.municipalities.order_by("name")),
        action_lines=list(programme.action_lines.order_by("position", "name")),
        network=network,
    )


# --- Outputs -----------------------------------------------------------------------------------------


def report_pdf(report: FundersReport) -> bytes:
    return render_pdf("evaluation/report/report.html", "evaluation/report/report.css", {"report": report})


def _indicator_row(figure: Figure) -> list[Any]:
    indicator = figure.indicator
    return [
        indicator.code, str(indicator.name), str(KIND_TITLES[indicator.kind]), indicator.unit, cell(figure.value),
        cell(figure.cumulative) if figure.target is not None else "", figure.baseline, figure.target,
        figure.target_date, figure.progress,
    ]  # fmt: skip


def report_sheets(report: FundersReport) -> list[Sheet]:
    """The workbook: the indicators, one sheet per breakdown, the network, the partnership, the rules."""
    period = f"{report.period.start.isoformat()} – {report.period.end.isoformat()}"
    header = [
        _("Code"), _("Indicator"), _("Kind"), _("Unit"), _("Value in the period"), _("Since the start"),
        _("Baseline"), _("Target"), _("Target date"), _("Share of the target reached"),
    ]  # fmt: skip
    sheets = [Sheet(_("Indicators"), [*header, period], [_indicator_row(figure) for figure in report.figures])]
    for key, title in BREAKDOWN_TITLES.items():
        rows = [
            [figure.indicator.code, str(figure.indicator.name), row.key, row.label, cell(row.value)]
            for figure in report.figures
            for row in figure.breakdowns.get(key, [])
        ]
        if any(key in figure.breakdowns for figure in report.figures):
            sheets.append(Sheet(str(title), [_("Code"), _("Indicator"), _("Key"), str(title), _("Value")], rows))
    extra = sorted({key for figure in report.figures for key in figure.breakdowns} - set(BREAKDOWN_TITLES))
    for key in extra:
        rows = [
            [figure.indicator.code, str(figure.indicator.name), row.key, row.label, cell(row.value)]
            for figure in report.figures
            for row in figure.breakdowns.get(key, [])
        ]
        sheets.append(Sheet(key, [_("Code"), _("Indicator"), _("Key"), key, _("Value")], rows))
    sheets.append(
        Sheet(
            _("Network"),
            [_("No."), _("Name"), _("Kind"), _("Ties (degree)"), _("Collaborations"), _("Betweenness")],
            [[node.number, node.name, str(node.kind_label), node.degree, node.strength, node.betweenness]
             for node in report.network.ranked_nodes],
        )
    )  # fmt: skip
    sheets.append(
        Sheet(
            _("Partnership"),
            [_("Role"), _("Organisation")],
            [[str(role), member.organisation.name] for role, members in report.partnership for member in members],
        )
    )
    rules = [[figure.indicator.code, str(figure.indicator.counting_rule)] for figure in report.figures]
    if report.suppressed:
        rules.append(["", _("Figures of fewer than 5 people are shown as “< 5”.")])
    sheets.append(Sheet(_("Counting rules"), [_("Code"), _("Rule")], rules))
    return sheets


def report_xlsx(report: FundersReport) -> bytes:
    return xlsx_workbook_bytes(report_sheets(report))


def report_filename(programme: Programme, period: Period, extension: str) -> str:
    return f"rapporto-{programme.slug}-{period.start.isoformat()}-{period.end.isoformat()}.{extension}"
