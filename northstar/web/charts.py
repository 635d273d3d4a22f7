"""A key result's value over time as plain numbers for a server-rendered SVG.

No chart library and no script: the template draws lines and circles from the coordinates
computed here, which keeps the page CSP-safe and readable without JavaScript. Numeric
measures plot their value; milestones and levels plot progress in percent.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

from northstar.okrs.models import CheckIn, KeyResult, format_number
from northstar.okrs.progress import expected_progress

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 36
NUMERIC_KINDS = {"change", "at_least", "at_most", "within"}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    day: date
    value: float
    label: str
    planned: str
    outside_cycle: bool


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str


@dataclass(frozen=True)
class Tick:
    at: float
    label: str


@dataclass
class Chart:
    title: str
    description: str
    y_label: str
    plots_progress: bool
    points: list[Point] = field(default_factory=list)
    references: list[Line] = field(default_factory=list)
    x_ticks: list[Tick] = field(default_factory=list)
    y_ticks: list[Tick] = field(default_factory=list)
    today_x: float | None = None
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT
    top: int = TOP
    bottom_edge: int = HEIGHT - BOTTOM

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def _reading(kr: KeyResult, check_in: CheckIn) -> float | None:
    if kr.kind in NUMERIC_KINDS:
        return check_in.value
    if check_in.progress_then is None:
        return None
    return check_in.progress_then * 100


def _planned(kr: KeyResult, day: date) -> float | None:
    """Where the straight line from start to target says the value should be on `day`."""
    cycle = kr.objective.cycle
    if kr.kind == "change":
        if not cycle.is_dated or kr.start is None or kr.target is None:
            return None
        return kr.start + (kr.target - kr.start) * expected_progress(cycle.start, cycle.end, day)
    if kr.kind in {"at_least", "at_most"}:
        return kr.target
    if kr.kind == "within":
        return None
    if not cycle.is_dated:
        return None
    return 100 * expected_progress(cycle.start, cycle.end, day)


def _nice_ticks(low: float, high: float, count: int = 6) -> list[float]:
    """Round tick values (steps of 1, 2 or 5 × 10ⁿ) covering low..high."""
    span = high - low
    raw_step = span / max(1, count - 1)
    magnitude = 10 ** math.floor(math.log10(raw_step))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw_step)
    first = math.ceil(low / step) * step
    ticks, tick = [], first
    while tick <= high + step * 1e-9:
        ticks.append(0.0 if abs(tick) < step * 1e-9 else tick)
        tick += step
    return ticks


def value_chart(kr: KeyResult, check_ins: Sequence[CheckIn], today: date) -> Chart | None:
    """The chart of `check_ins` (oldest first) against the planned line, or None when
    there is nothing to plot."""
    readings = [(c, v) for c in check_ins if (v := _reading(kr, c)) is not None]
    if not readings:
        return None
    cycle = kr.objective.cycle
    numeric = kr.kind in NUMERIC_KINDS
    unit = kr.unit if numeric else "%"

    days = [c.measured_on for c, _ in readings]
    first_day = min([*days, cycle.start] if cycle.is_dated else days)
    last_day = max([*days, cycle.end] if cycle.is_dated else days)
    if first_day == last_day:
        first_day, last_day = first_day - timedelta(days=1), last_day + timedelta(days=1)

    references = _reference_values(kr, cycle.start, cycle.end) if cycle.is_dated else []
    if not cycle.is_dated:
        references = _flat_references(kr, first_day, last_day)
    values = [v for _, v in readings] + [v for ref in references for v in (ref[1], ref[3])]
    low, high = min(values), max(values)
    padding = (high - low) * 0.1 or max(1.0, abs(high) * 0.1)
    low, high = low - padding, high + padding
    if not numeric:
        low, high = min(low, 0.0), max(high, 100.0)

    def x(day: date) -> float:
        share = (day - first_day).days / (last_day - first_day).days
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        share = (value - low) / (high - low)
        return HEIGHT - BOTTOM - share * (HEIGHT - TOP - BOTTOM)

    points = [
        Point(
            x=x(c.measured_on),
            y=y(v),
            day=c.measured_on,
            value=v,
            label=c.display_value if numeric else f"{format_number(round(v))}%",
            planned=_format_planned(_planned(kr, c.measured_on), unit),
            outside_cycle=c.outside_cycle,
        )
        for c, v in readings
    ]
    chart = Chart(
        title=f"{kr.title}: {'value' if numeric else 'progress'} over time",
        description=_describe(kr, points, unit),
        y_label=unit,
        plots_progress=not numeric,
        points=points,
        references=[
            Line(x(d1), y(v1), x(d2), y(v2), label) for d1, v1, d2, v2, label in references
        ],
        x_ticks=[Tick(x(first_day), f"{first_day:%d %b}"), Tick(x(last_day), f"{last_day:%d %b}")],
        y_ticks=[Tick(y(v), format_number(v)) for v in _nice_ticks(low, high)],
    )
    if first_day <= today <= last_day:
        chart.today_x = x(today)
    return chart


type Reference = tuple[date, float, date, float, str]


def _reference_values(kr: KeyResult, start: date, end: date) -> list[Reference]:
    if kr.kind == "change" and kr.start is not None and kr.target is not None:
        return [(start, kr.start, end, kr.target, "planned")]
    if kr.kind not in NUMERIC_KINDS:
        return [(start, 0.0, end, 100.0, "planned")]
    return _flat_references(kr, start, end)


def _flat_references(kr: KeyResult, start: date, end: date) -> list[Reference]:
    """Horizontal lines for thresholds and bands (and for targets in undated cycles)."""
    if kr.kind == "within" and kr.low is not None and kr.high is not None:
        return [(start, kr.low, end, kr.low, "low"), (start, kr.high, end, kr.high, "high")]
    if kr.kind in NUMERIC_KINDS and kr.target is not None:
        return [(start, kr.target, end, kr.target, "target")]
    return []


def _format_planned(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{format_number(round(value, 2))} {unit}".strip()


def _describe(kr: KeyResult, points: list[Point], unit: str) -> str:
    first, last = points[0], points[-1]
    count = f"{len(points)} check-in{'s' if len(points) != 1 else ''}"
    latest = last.label
    if kr.kind in NUMERIC_KINDS and unit:
        latest += f" {unit}"
    text = f"{count} from {first.day:%d %b %Y} to {last.day:%d %b %Y}. Latest: {latest}"
    if last.planned != "—":
        text += f", planned for that day: {last.planned}"
    return text + "."
