"""Charts as plain numbers for server-rendered SVG: a key result's value over time, and an
objective's progress over its cycle.

No chart library and no script: the templates draw lines and markers from the coordinates
computed here, which keeps the pages CSP-safe and readable without JavaScript. Numeric
measures plot their value; milestones and levels plot progress in percent. Each chart draws
the ideal line (dashed) from start to target and marks where today's value should be, with
a distinct marker shape and words, so nothing depends on colour alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from northstar.okrs.models import CheckIn, Cycle, KeyResult, format_number
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
class Marker:
    """The expected-today point: where the ideal line says the value should be today."""

    x: float
    y: float
    label: str

    @property
    def label_y(self) -> float:
        return self.y - 10

    @property
    def diamond(self) -> str:
        """The points of a diamond around (x, y): a shape unlike the check-ins' circles."""
        r = 6
        return (
            f"{self.x:.1f},{self.y - r:.1f} {self.x + r:.1f},{self.y:.1f} "
            f"{self.x:.1f},{self.y + r:.1f} {self.x - r:.1f},{self.y:.1f}"
        )


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
    expected: Marker | None = None
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


def expected_value(kr: KeyResult, day: date) -> float | None:
    """Where the ideal line says the key result should be on `day`: start + (target − start)
    × expected progress for a change, the threshold for "at least" and "at most", and the
    expected progress in percent for milestones and levels. None for a band (any value
    inside it will do) and whenever the line is undefined."""
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
            planned=_format_planned(expected_value(kr, c.measured_on), unit),
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
        expected = expected_value(kr, today) if cycle.contains(today) else None
        if expected is not None:
            label = _format_planned(expected, unit)
            chart.expected = Marker(x(today), y(expected), label)
            chart.description += f" Expected today: {label}."
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


def expected_label(kr: KeyResult, today: date) -> str:
    """What the key result should read today, in words, for the check-in page."""
    cycle = kr.objective.cycle
    unit = kr.unit if kr.unit else ""
    if kr.kind == "within":
        if kr.low is None or kr.high is None:
            return "—"
        return f"{format_number(kr.low)}–{format_number(kr.high)} {unit}".strip()
    if kr.kind in {"at_least", "at_most"}:
        sign = "≥" if kr.kind == "at_least" else "≤"
        return f"{sign} {_format_planned(kr.target, unit)}" if kr.target is not None else "—"
    value = expected_value(kr, today)
    if kr.kind == "milestone" and cycle.is_dated:
        return f"done by {cycle.end:%-d %b}"
    if kr.kind in NUMERIC_KINDS:
        return _format_planned(value, unit)
    return "—" if value is None else f"{round(value)}% of the way"


# --- objective progress over the cycle ---------------------------------------------------


class ProgressPoint(Protocol):
    day: date
    progress: float | None


def progress_chart(
    title: str, cycle: Cycle, history: Sequence[ProgressPoint], today: date
) -> Chart | None:
    """An objective's progress (from its daily snapshots, oldest first) against the ideal
    line from 0 % on the first day of the cycle to 100 % on the last; None with no history."""
    readings = [(s.day, s.progress * 100) for s in history if s.progress is not None]
    if not readings:
        return None
    days = [day for day, _ in readings]
    first_day = min([*days, cycle.start] if cycle.is_dated else days)
    last_day = max([*days, cycle.end] if cycle.is_dated else days)
    if first_day == last_day:
        first_day, last_day = first_day - timedelta(days=1), last_day + timedelta(days=1)
    high = max(100.0, *(value for _, value in readings))

    def x(day: date) -> float:
        share = (day - first_day).days / (last_day - first_day).days
        return LEFT + share * (WIDTH - LEFT - RIGHT)

    def y(value: float) -> float:
        return HEIGHT - BOTTOM - value / high * (HEIGHT - TOP - BOTTOM)

    def planned(day: date) -> float | None:
        if not cycle.is_dated:
            return None
        return 100 * expected_progress(cycle.start, cycle.end, day)

    points = [
        Point(
            x=x(day),
            y=y(value),
            day=day,
            value=value,
            label=f"{round(value)}%",
            planned=_format_planned(planned(day), "%"),
            outside_cycle=not cycle.contains(day),
        )
        for day, value in readings
    ]
    chart = Chart(
        title=f"{title}: progress over the cycle",
        description="",
        y_label="%",
        plots_progress=True,
        points=points,
        x_ticks=[Tick(x(first_day), f"{first_day:%d %b}"), Tick(x(last_day), f"{last_day:%d %b}")],
        y_ticks=[Tick(y(v), format_number(v)) for v in _nice_ticks(0.0, high)],
    )
    if cycle.is_dated:
        chart.references = [Line(x(cycle.start), y(0.0), x(cycle.end), y(100.0), "planned")]
    first, last = points[0], points[-1]
    count = f"{len(points)} day{'s' if len(points) != 1 else ''} with a recorded figure"
    chart.description = (
        f"{count}, from {first.day:%d %b %Y} to {last.day:%d %b %Y}. Latest: {last.label}"
    )
    if last.planned != "—":
        chart.description += f", planned for that day: {last.planned}"
    chart.description += "."
    if first_day <= today <= last_day:
        chart.today_x = x(today)
        if (expected := planned(today)) is not None and cycle.contains(today):
            label = _format_planned(expected, "%")
            chart.expected = Marker(x(today), y(expected), label)
            chart.description += f" Expected today: {label}."
    return chart
