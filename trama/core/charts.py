"""Server-side charts drawn as SVG by a template from coordinates computed here.

No plotting library and no JavaScript: a chart is a plain data structure (panels, points, a path
string made only of numbers) that a template writes out with autoescaping on. Every chart has a
title and a description (read by screen readers through `<title>`/`<desc>` and `aria-labelledby`),
and the page that shows it also shows the same numbers as a table: the chart is never the only way
to read them.

The first chart is the evolution of a case's needs assessment (casework): one small panel per
dimension, sharing the same axes so the panels can be compared at a glance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# The palette of Bootstrap Italia's primary blue and neutral greys; lines also differ by marker.
LINE_COLOUR = "#0066cc"
GRID_COLOUR = "#d9dadb"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Series:
    """One line: a name and its (day, value) points, in any order."""

    name: str
    points: list[tuple[date, float]]


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    value: float
    day: date


@dataclass(frozen=True)
class Tick:
    position: float
    label: str
    anchor: str = "middle"  # SVG text-anchor: the last date label ends at the axis, so it is not cut


@dataclass(frozen=True)
class Panel:
    """One small chart of a small-multiples figure, placed at (left, top) in the figure."""

    title: str
    left: float
    top: float
    points: list[Point]
    path: str
    summary: str


@dataclass(frozen=True)
class SmallMultiples:
    title: str
    description: str
    width: int
    height: int
    panel_width: int
    panel_height: int
    plot_left: int
    plot_top: int
    plot_width: int
    plot_height: int
    y_ticks: list[Tick]
    x_ticks: list[Tick]
    panels: list[Panel] = field(default_factory=list)

    @property
    def plot_right(self) -> int:
        return self.plot_left + self.plot_width

    @property
    def plot_bottom(self) -> int:
        return self.plot_top + self.plot_height

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width} {self.height}"


def _x_positions(days: list[date], width: float) -> dict[date, float]:
    """Days placed proportionally to time (a gap of six months looks longer than one of a month)."""
    if not days:
        return {}
    first, last = min(days), max(days)
    span = (last - first).days
    if span == 0:
        return dict.fromkeys(days, width / 2)
    return {day: (day - first).days / span * width for day in days}


def _fmt(number: float) -> str:
    return f"{number:.1f}"


def small_multiples(
    series: list[Series],
    *,
    title: str,
    description: str,
    y_min: float,
    y_max: float,
    columns: int = 4,
    panel_width: int = 220,
    panel_height: int = 150,
    summaries: dict[str, str] | None = None,
) -> SmallMultiples:
    """Lay out one panel per series on a grid, all with the same x (time) and y scales."""
    plot_left, plot_top, plot_right_margin, plot_bottom_margin = 28, 28, 12, 26
    plot_width = panel_width - plot_left - plot_right_margin
    plot_height = panel_height - plot_top - plot_bottom_margin
    days = sorted({day for one in series for day, _ in one.points})
    xs = _x_positions(days, plot_width)

    def y_of(value: float) -> float:
        return plot_top + plot_height - (value - y_min) / (y_max - y_min) * plot_height

    panels = []
    for index, one in enumerate(series):
        points = [
            Point(x=plot_left + xs[day], y=y_of(value), value=value, day=day) for day, value in sorted(one.points)
        ]
        path = " ".join(f"{'M' if i == 0 else 'L'}{_fmt(p.x)},{_fmt(p.y)}" for i, p in enumerate(points))
        panels.append(
            Panel(
                title=one.name,
                left=(index % columns) * panel_width,
                top=(index // columns) * panel_height,
                points=points,
                path=path,
                summary=(summaries or {}).get(one.name, ""),
            )
        )
    rows = max(1, -(-len(series) // columns))
    y_ticks = [Tick(position=y_of(value), label=str(value)) for value in range(int(y_min), int(y_max) + 1)]
    x_ticks = []
    if days:
        single = days[-1] == days[0]
        x_ticks.append(Tick(plot_left + xs[days[0]], days[0].strftime("%m/%y"), "middle" if single else "start"))
        if not single:
            x_ticks.append(Tick(plot_left + xs[days[-1]], days[-1].strftime("%m/%y"), "end"))
    return SmallMultiples(
        title=title,
        description=description,
        width=min(columns, max(1, len(series))) * panel_width,
        height=rows * panel_height,
        panel_width=panel_width,
        panel_height=panel_height,
        plot_left=plot_left,
        plot_top=plot_top,
        plot_width=plot_width,
        plot_height=plot_height,
        y_ticks=y_ticks,
        x_ticks=x_ticks,
        panels=panels,
    )
