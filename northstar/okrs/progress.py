"""OKR progress math: key-result progress, roll-ups, pace and health.

This module is deliberately pure (standard library only, no Django) so the
rules can be unit- and property-tested without a database and reused by the
web views, the API, exports and background jobs alike.

Rules, per measure kind (``current`` is the latest check-in value):

* No check-in yet (``current is None``) gives progress 0.0 for every kind:
  nothing has been achieved.  Callers show "no value yet" separately.
* CHANGE -- move a number from ``start`` to ``target``; the direction
  (increase or decrease) follows from which one is larger.  Progress is
  ``(current - start) / (target - start)`` and is NOT clamped in ``raw``:
  -0.25 means "a quarter of the distance in the wrong direction", 1.5 means
  over-achieved by half.  With no baseline (``start is None``) progress is
  undefined (``raw is None``) until callers take it from the first check-in.
  Degenerate ``start == target`` (only reachable through imports): there is no
  direction, so progress is 1.0 when ``current`` equals the target (relative
  tolerance 1e-9, absolute 1e-12 to absorb float noise around zero), else 0.0.
* AT_LEAST -- reach at least ``target``: 1.0 once ``current >= target``.
  Below it, partial credit ``current / target`` when ``target > 0`` and
  ``current >= 0``; otherwise (a ratio of mixed-sign numbers means nothing)
  0.0.
* AT_MOST -- stay at or below ``target``: 1.0 while ``current <= target``.
  Above it, partial credit ``target / current`` when ``target >= 0`` (so
  ``current > 0``); otherwise 0.0.
* WITHIN -- stay inside ``[low, high]`` (inclusive): 1.0 inside; outside,
  credit decays linearly with the distance to the nearest edge, reaching 0.0
  one band-width away: ``max(0, 1 - distance / (high - low))``.  A zero-width
  band gives 1.0 only on the exact value.
* MILESTONE -- done or not: 1.0 for ``True``, a non-zero number, or one of
  :data:`DONE_WORDS` (case-insensitive); everything else is 0.0.
* LEVELS -- ``current`` names a level (case-insensitive); progress is that
  level's score.  An unknown name raises ``ValueError``.

Results are never NaN or infinite: non-finite inputs raise ``ValueError`` and
every division is guarded.  Finite inputs so extreme that the CHANGE ratio
overflows saturate at the largest finite float.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

LARGEST_FLOAT = math.nextafter(math.inf, 0.0)

# Free-text check-in values accepted as "milestone reached"; anything else is
# "not yet" so that e.g. "false" or "pending" never count as done.
DONE_WORDS = frozenset({"done", "true", "yes", "y", "1", "complete", "completed", "achieved"})

# Confidence (on the usual 1..10 scale) at or above which a key result that is
# at risk counts as "overconfident", and at or below which one on track counts
# as "underconfident".
OVERCONFIDENT_FROM = 7
UNDERCONFIDENT_UP_TO = 3


class Kind(StrEnum):
    CHANGE = "change"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    WITHIN = "within"
    MILESTONE = "milestone"
    LEVELS = "levels"


class Health(StrEnum):
    ON_TRACK = "on_track"
    BEHIND = "behind"
    AT_RISK = "at_risk"
    STALE = "stale"
    NONE = "none"


def _finite(value: object, what: str) -> float:
    """Return ``value`` as a finite float or raise ``ValueError``.

    Strings and bools are refused on purpose: for numeric measures they signal
    a caller bug, not a value to parse.
    """
    if isinstance(value, (str, bool)):
        raise ValueError(f"{what} must be a number, got {value!r}")
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise ValueError(f"{what} must be a number, got {value!r}") from None
    if not math.isfinite(number):
        raise ValueError(f"{what} must be finite, got {value!r}")
    return number


def _optional_finite(value: object, what: str) -> float | None:
    return None if value is None else _finite(value, what)


@dataclass(frozen=True)
class Level:
    name: str
    score: float  # 0..1

    def __post_init__(self) -> None:
        score = _finite(self.score, f"score of level {self.name!r}")
        if not 0.0 <= score <= 1.0:
            raise ValueError(f"score of level {self.name!r} must be within 0..1, got {score}")
        object.__setattr__(self, "score", score)


DEFAULT_LEVELS: tuple[Level, ...] = (
    Level("fail", 0.0),
    Level("commit", 0.3),
    Level("target", 0.7),
    Level("stretch", 1.0),
)


@dataclass(frozen=True)
class Measure:
    """How a key result is scored.  Which fields matter depends on ``kind``.

    Given numbers are normalised to finite floats at construction (so model
    ``Decimal`` values work); missing fields a kind needs are reported when
    progress is computed, which lets drafts exist without a target.
    """

    kind: Kind
    start: float | None = None  # CHANGE baseline
    target: float | None = None  # CHANGE target; AT_LEAST / AT_MOST threshold
    low: float | None = None  # WITHIN band
    high: float | None = None
    levels: tuple[Level, ...] = DEFAULT_LEVELS

    def __post_init__(self) -> None:
        object.__setattr__(self, "kind", Kind(self.kind))
        for name in ("start", "target", "low", "high"):
            value = _optional_finite(getattr(self, name), name)
            object.__setattr__(self, name, value)
        object.__setattr__(self, "levels", tuple(self.levels))
        if self.low is not None and self.high is not None and self.low > self.high:
            raise ValueError(f"band low {self.low} is above high {self.high}")


@dataclass(frozen=True)
class Progress:
    """Progress of one key result.

    ``raw`` is the unclamped fraction so the UI can say "below start" or
    "150 %"; roll-ups use :attr:`clamped` so one over-achiever cannot hide a
    sibling that is behind.  ``None`` means progress is not defined.
    """

    raw: float | None

    def __post_init__(self) -> None:
        object.__setattr__(self, "raw", _optional_finite(self.raw, "progress"))

    @property
    def clamped(self) -> float | None:
        return None if self.raw is None else min(1.0, max(0.0, self.raw))

    @property
    def below_start(self) -> bool:
        return self.raw is not None and self.raw < 0.0

    @property
    def over_achieved(self) -> bool:
        return self.raw is not None and self.raw > 1.0


# --- key-result progress ---------------------------------------------------


def _require(value: float | None, what: str, kind: Kind) -> float:
    if value is None:
        raise ValueError(f"a {kind} measure needs {what}")
    return value


def _ratio_of_differences(a: float, b: float, c: float, d: float) -> float:
    """``(a - b) / (c - d)`` for finite floats, never NaN or infinite.

    A difference of huge values can overflow; halving that side first keeps
    it finite (halving huge floats is exact) and ``scale`` undoes the halving.
    Only the overflowing side is halved: halving a tiny denominator could
    round it to zero.  A quotient that still overflows saturates.  The caller
    guarantees ``c != d``, and IEEE gradual underflow makes ``c - d`` non-zero.
    """
    numerator, denominator, scale = a - b, c - d, 1.0
    if math.isinf(numerator):
        numerator, scale = a / 2 - b / 2, scale * 2
    if math.isinf(denominator):
        denominator, scale = c / 2 - d / 2, scale / 2
    quotient = numerator / denominator * scale
    return max(-LARGEST_FLOAT, min(LARGEST_FLOAT, quotient))


def _change(measure: Measure, current: float) -> float | None:
    target = _require(measure.target, "a target", measure.kind)
    if measure.start is None:
        return None  # no baseline yet: callers take it from the first check-in
    if measure.start == target:
        reached = math.isclose(current, target, rel_tol=1e-9, abs_tol=1e-12)
        return 1.0 if reached else 0.0
    return _ratio_of_differences(current, measure.start, target, measure.start)


def _at_least(measure: Measure, current: float) -> float:
    target = _require(measure.target, "a target", measure.kind)
    if current >= target:
        return 1.0
    if target > 0.0 and current >= 0.0:
        return current / target  # 0 <= current < target, so no overflow
    return 0.0


def _at_most(measure: Measure, current: float) -> float:
    target = _require(measure.target, "a target", measure.kind)
    if current <= target:
        return 1.0
    if target >= 0.0:
        return target / current  # current > target >= 0, so a fraction below 1
    return 0.0


def _within(measure: Measure, current: float) -> float:
    low = _require(measure.low, "a low bound", measure.kind)
    high = _require(measure.high, "a high bound", measure.kind)
    if low <= current <= high:
        return 1.0
    if low == high:
        return 0.0
    if current < low:
        overshoot = _ratio_of_differences(low, current, high, low)
    else:
        overshoot = _ratio_of_differences(current, high, high, low)
    return max(0.0, 1.0 - overshoot)


def _milestone(current: float | str | bool) -> float:
    if isinstance(current, bool):
        done = current
    elif isinstance(current, str):
        done = current.strip().lower() in DONE_WORDS
    else:
        done = _finite(current, "milestone value") != 0.0
    return 1.0 if done else 0.0


def _levels(measure: Measure, current: float | str | bool) -> float:
    if not isinstance(current, str):
        raise ValueError(f"a levels measure needs a level name, got {current!r}")
    wanted = current.strip().casefold()
    for level in measure.levels:
        if level.name.strip().casefold() == wanted:
            return level.score
    known = ", ".join(level.name for level in measure.levels)
    raise ValueError(f"unknown level {current!r} (expected one of: {known})")


_NUMERIC_KINDS = {
    Kind.CHANGE: _change,
    Kind.AT_LEAST: _at_least,
    Kind.AT_MOST: _at_most,
    Kind.WITHIN: _within,
}


def key_result_progress(measure: Measure, current: float | str | bool | None) -> Progress:
    """Progress of a key result whose latest check-in value is ``current``."""
    if current is None:
        return Progress(0.0)  # no check-in yet: nothing achieved
    if measure.kind is Kind.MILESTONE:
        return Progress(_milestone(current))
    if measure.kind is Kind.LEVELS:
        return Progress(_levels(measure, current))
    scorer = _NUMERIC_KINDS[measure.kind]
    return Progress(scorer(measure, _finite(current, "current value")))


# --- roll-ups ---------------------------------------------------------------


def _checked_weight(weight: float) -> float:
    value = _finite(weight, "weight")
    if value <= 0.0:
        raise ValueError(f"weight must be positive, got {weight!r}")
    return value


def _checked_fraction(progress: float) -> float:
    value = _finite(progress, "progress")
    if not 0.0 <= value <= 1.0:
        # Raw (unclamped) progress would let over-achievers mask laggards.
        raise ValueError(f"progress to average must be clamped to 0..1, got {progress!r}")
    return value


def weighted_mean(items: Iterable[tuple[float | None, float]]) -> float | None:
    """Weighted mean of clamped progress values; ``None`` values are left out.

    Weights are normalised over the values that remain, so an undefined key
    result neither counts as zero nor drags its siblings down.  Returns
    ``None`` when nothing remains.
    """
    pairs = [(progress, _checked_weight(weight)) for progress, weight in items]
    present = [(_checked_fraction(p), w) for p, w in pairs if p is not None]
    if not present:
        return None
    # Dividing by the largest weight first keeps sums finite for any weights.
    largest = max(w for _, w in present)
    scaled = [(p, w / largest) for p, w in present]
    mean = math.fsum(p * w for p, w in scaled) / math.fsum(w for _, w in scaled)
    # Rounding must not push the mean outside the range of its inputs.
    values = [p for p, _ in present]
    return min(max(values), max(min(values), mean))


def objective_progress(
    key_results: Iterable[tuple[Progress, float]],
    children: Iterable[tuple[float | None, float]] = (),
) -> float | None:
    """Progress of an objective from its key results and child objectives.

    Key results count with their clamped progress; children pass their own
    (already clamped) progress.  With nothing to average the objective has no
    progress (shown as "—") and is left out of its parent's mean.
    """
    items = [(progress.clamped, weight) for progress, weight in key_results]
    items.extend(children)
    return weighted_mean(items)


# --- pace and health --------------------------------------------------------


def expected_progress(start: date, end: date, today: date) -> float:
    """Share of the cycle elapsed by the end of ``today``, in 0..1.

    Days are counted whole and inclusive: the start day is 1/length, the end
    day is 1.0; before the cycle 0.0, after it 1.0.
    """
    if end < start:
        raise ValueError(f"cycle ends ({end}) before it starts ({start})")
    length = (end - start).days + 1
    elapsed = min(length, max(0, (today - start).days + 1))
    return elapsed / length


@dataclass(frozen=True)
class Thresholds:
    """Pace ratios (progress / expected progress) separating health states.

    At or above ``behind`` a key result is on track; at or above ``at_risk``
    it is behind; below that it is at risk.  The defaults tolerate a 15 %
    lag before warning, and escalate at 40 %.
    """

    behind: float = 0.85
    at_risk: float = 0.6

    def __post_init__(self) -> None:
        behind = _finite(self.behind, "behind threshold")
        at_risk = _finite(self.at_risk, "at-risk threshold")
        if not 0.0 < at_risk <= behind:
            raise ValueError(f"need 0 < at_risk <= behind, got {at_risk} and {behind}")
        object.__setattr__(self, "behind", behind)
        object.__setattr__(self, "at_risk", at_risk)


DEFAULT_THRESHOLDS = Thresholds()


def _pace(progress: float, expected: float | None) -> float | None:
    """``progress / expected``, or ``None`` when no pace is expected yet."""
    if expected is None:
        return None
    expected = _finite(expected, "expected progress")
    if expected <= 0.0:
        return None
    pace = _finite(progress, "progress") / expected
    return max(-LARGEST_FLOAT, min(LARGEST_FLOAT, pace))  # tiny ``expected`` may overflow


def _is_stale(
    last_check_in: date | None, today: date, cadence_days: int, started: date | None
) -> bool:
    if cadence_days < 1:
        raise ValueError(f"check-in cadence must be at least one day, got {cadence_days}")
    # Without any check-in the clock runs from the cycle start.
    reference = last_check_in if last_check_in is not None else started
    return reference is not None and (today - reference).days > cadence_days


def health(
    progress: float | None,
    expected: float | None,
    *,
    last_check_in: date | None,
    today: date,
    cadence_days: int,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
    started: date | None = None,
    checked_in: bool = True,
) -> Health:
    """Traffic-light state of a key result or objective.

    Order matters: undefined progress has no health; completed work is never
    stale or behind; then missed check-ins; then pace against the calendar.
    ``checked_in=False`` is for what takes no check-ins of its own (a key result whose
    progress comes from the objectives aligned under it): it cannot miss one, so only
    its pace counts.
    """
    if progress is None:
        return Health.NONE
    if _finite(progress, "progress") >= 1.0:
        return Health.ON_TRACK
    if checked_in and _is_stale(last_check_in, today, cadence_days, started):
        return Health.STALE
    pace = _pace(progress, expected)
    if pace is None or pace >= thresholds.behind:
        return Health.ON_TRACK
    if pace >= thresholds.at_risk:
        return Health.BEHIND
    return Health.AT_RISK


def divergence(
    progress: float | None,
    expected: float | None,
    confidence: int | None,
    *,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> str | None:
    """Flag a confidence rating that contradicts the measured pace.

    "overconfident": confident (>= 7) while at risk (pace below
    ``thresholds.at_risk``); "underconfident": doubtful (<= 3) while on track
    (pace at least ``thresholds.behind``, nothing expected yet, or done).
    """
    if progress is None or confidence is None:
        return None
    pace = _pace(progress, expected)
    on_track = pace is None or pace >= thresholds.behind or progress >= 1.0
    at_risk = pace is not None and pace < thresholds.at_risk and progress < 1.0
    if confidence >= OVERCONFIDENT_FROM and at_risk:
        return "overconfident"
    if confidence <= UNDERCONFIDENT_UP_TO and on_track:
        return "underconfident"
    return None


def fraction_to_percent(x: float | None) -> str:
    """Format a fraction as a whole percent ("42%"), "—" for ``None``.

    Halves round up.  The whole part is scaled as an int so huge raw progress
    still formats instead of overflowing.
    """
    if x is None:
        return "—"
    value = _finite(x, "fraction")
    whole = math.trunc(value)
    percent = whole * 100 + math.floor((value - whole) * 100 + 0.5)
    return f"{percent}%"
