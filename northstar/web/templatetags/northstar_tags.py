"""Display filters: percentages, bar widths, health labels and key-result measures.

They only format what views already loaded; none of them may touch the database.
"""

from __future__ import annotations

import math

from django import template

from northstar.okrs.models import KeyResult, format_number
from northstar.okrs.progress import Health, fraction_to_percent

register = template.Library()

HEALTH_LABELS = {
    Health.ON_TRACK: "On track",
    Health.BEHIND: "Behind",
    Health.AT_RISK: "At risk",
    Health.STALE: "Stale",
    Health.NONE: "No data",
}


@register.filter
def percent(fraction: float | None) -> str:
    """42% for 0.42, "—" when there is no progress."""
    return fraction_to_percent(fraction)


@register.filter
def bar_width(fraction: float | None) -> str:
    """The width class for a progress bar, in 5% steps.

    The CSP forbids style attributes, so widths come from classes `w-0` … `w-100` in the
    stylesheet. Over-achievement fills the bar; going backwards leaves it empty.
    """
    if fraction is None or not math.isfinite(fraction):
        return "w-0"
    clamped = min(1.0, max(0.0, fraction))
    return f"w-{round(clamped * 20) * 5}"


@register.filter
def health_label(health: str | None) -> str:
    if not health:
        return HEALTH_LABELS[Health.NONE]
    return HEALTH_LABELS.get(Health(health), str(health))


@register.filter
def number(value: float | None) -> str:
    return format_number(value)


@register.filter
def measure(kr: KeyResult) -> str:
    """What the key result asks for, in words: "from 800 to 400 ms", "at least 95 %"."""
    unit = f" {kr.unit}" if kr.unit else ""
    if kr.kind == "change":
        if kr.start is None and kr.relative is not None:
            return f"change by {fraction_to_percent(kr.relative)} from the first check-in"
        return f"from {format_number(kr.start)} to {format_number(kr.target)}{unit}"
    if kr.kind == "at_least":
        return f"at least {format_number(kr.target)}{unit}"
    if kr.kind == "at_most":
        return f"at most {format_number(kr.target)}{unit}"
    if kr.kind == "within":
        return f"between {format_number(kr.low)} and {format_number(kr.high)}{unit}"
    if kr.kind == "milestone":
        return "done or not done"
    return "one of: " + ", ".join(level.name for level in kr.level_choices())


@register.filter
def current_value(kr: KeyResult) -> str:
    """The latest measurement with its unit, "—" before the first check-in."""
    check_in = kr.current_check_in
    if check_in is None:
        return "—"
    if check_in.value is not None and kr.unit:
        return f"{check_in.display_value} {kr.unit}"
    return check_in.display_value


@register.filter
def value_with_unit(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    return f"{format_number(value)} {unit}".strip()
