"""Tests for the pure OKR progress math (no database, no Django)."""

from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from northstar.okrs.progress import (
    DEFAULT_LEVELS,
    LARGEST_FLOAT,
    Health,
    Kind,
    Level,
    Measure,
    Progress,
    Thresholds,
    divergence,
    expected_progress,
    fraction_to_percent,
    health,
    key_result_progress,
    objective_progress,
    weighted_mean,
)

finite = st.floats(allow_nan=False, allow_infinity=False)
moderate = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False)
fraction = st.floats(min_value=0.0, max_value=1.0)
weight = st.floats(min_value=1e-6, max_value=1e6)
days = st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31))
NON_FINITE = [math.nan, math.inf, -math.inf]


def change(start: float | None, target: float) -> Measure:
    return Measure(Kind.CHANGE, start=start, target=target)


def raw(measure: Measure, current: float | str | bool | None) -> float | None:
    return key_result_progress(measure, current).raw


class TestProgress:
    def test_clamped_below_and_above(self) -> None:
        assert Progress(-0.25).clamped == 0.0
        assert Progress(1.5).clamped == 1.0
        assert Progress(0.4).clamped == 0.4
        assert Progress(None).clamped is None

    def test_flags(self) -> None:
        assert Progress(-0.25).below_start and not Progress(-0.25).over_achieved
        assert Progress(1.5).over_achieved and not Progress(1.5).below_start
        assert not Progress(None).below_start and not Progress(None).over_achieved
        assert not Progress(1.0).over_achieved and not Progress(0.0).below_start

    @pytest.mark.parametrize("value", NON_FINITE)
    def test_refuses_non_finite(self, value: float) -> None:
        with pytest.raises(ValueError):
            Progress(value)


class TestNoCheckIn:
    @pytest.mark.parametrize(
        "measure",
        [
            change(10, 20),
            change(None, 20),
            Measure(Kind.AT_LEAST, target=5),
            Measure(Kind.AT_MOST, target=5),
            Measure(Kind.WITHIN, low=1, high=2),
            Measure(Kind.MILESTONE),
            Measure(Kind.LEVELS),
        ],
    )
    def test_every_kind_starts_at_zero(self, measure: Measure) -> None:
        assert key_result_progress(measure, None) == Progress(0.0)


class TestChange:
    def test_increase(self) -> None:
        assert raw(change(10, 20), 15) == 0.5

    def test_decrease(self) -> None:
        assert raw(change(40, 28), 34) == 0.5

    def test_below_start(self) -> None:
        progress = key_result_progress(change(100, 200), 75)
        assert progress.raw == -0.25
        assert progress.below_start
        assert progress.clamped == 0.0

    def test_over_achieved(self) -> None:
        progress = key_result_progress(change(0, 10), 15)
        assert progress.raw == 1.5
        assert progress.over_achieved
        assert progress.clamped == 1.0
        assert fraction_to_percent(progress.raw) == "150%"

    def test_decrease_past_target_is_over_achieved(self) -> None:
        assert raw(change(40, 28), 22) == 1.5

    def test_no_baseline_is_undefined(self) -> None:
        assert key_result_progress(change(None, 20), 15) == Progress(None)

    def test_needs_a_target(self) -> None:
        with pytest.raises(ValueError, match="target"):
            key_result_progress(Measure(Kind.CHANGE, start=1), 2)

    @pytest.mark.parametrize(
        ("current", "expected"),
        [(5.0, 1.0), (5.0 + 1e-12, 1.0), (5.1, 0.0), (4.9, 0.0)],
    )
    def test_start_equals_target(self, current: float, expected: float) -> None:
        assert raw(change(5, 5), current) == expected

    def test_start_equals_target_at_zero(self) -> None:
        assert raw(change(0, 0), 0) == 1.0
        assert raw(change(0, 0), 1e-15) == 1.0
        assert raw(change(0, 0), 0.001) == 0.0

    def test_decimal_inputs(self) -> None:
        measure = Measure(Kind.CHANGE, start=Decimal("10"), target=Decimal("20"))  # type: ignore[arg-type]
        assert raw(measure, Decimal("12.5")) == 0.25  # type: ignore[arg-type]

    def test_extreme_values_saturate(self) -> None:
        assert raw(change(0, 5e-324), LARGEST_FLOAT) == LARGEST_FLOAT
        assert raw(change(-LARGEST_FLOAT, LARGEST_FLOAT), 0) == 0.5
        assert raw(change(5e-324, 0), LARGEST_FLOAT) == -LARGEST_FLOAT


class TestThresholdKinds:
    def test_at_least(self) -> None:
        measure = Measure(Kind.AT_LEAST, target=200)
        assert raw(measure, 250) == 1.0
        assert raw(measure, 200) == 1.0
        assert raw(measure, 50) == 0.25
        assert raw(measure, -10) == 0.0

    def test_at_least_non_positive_target(self) -> None:
        measure = Measure(Kind.AT_LEAST, target=-5)
        assert raw(measure, -5) == 1.0
        assert raw(measure, -6) == 0.0
        assert raw(Measure(Kind.AT_LEAST, target=0), -1) == 0.0

    def test_at_most(self) -> None:
        measure = Measure(Kind.AT_MOST, target=2)
        assert raw(measure, 1) == 1.0
        assert raw(measure, 2) == 1.0
        assert raw(measure, 4) == 0.5

    def test_at_most_non_positive_target(self) -> None:
        assert raw(Measure(Kind.AT_MOST, target=0), 3) == 0.0
        assert raw(Measure(Kind.AT_MOST, target=-2), -1) == 0.0
        assert raw(Measure(Kind.AT_MOST, target=-2), -3) == 1.0

    @pytest.mark.parametrize("kind", [Kind.AT_LEAST, Kind.AT_MOST])
    def test_needs_a_target(self, kind: Kind) -> None:
        with pytest.raises(ValueError, match="target"):
            key_result_progress(Measure(kind), 1)


class TestWithin:
    measure = Measure(Kind.WITHIN, low=10, high=20)

    @pytest.mark.parametrize("current", [10, 15, 20])
    def test_inside_band_inclusive(self, current: float) -> None:
        assert raw(self.measure, current) == 1.0

    @pytest.mark.parametrize(
        ("current", "expected"), [(25, 0.5), (5, 0.5), (30, 0.0), (0, 0.0), (100, 0.0)]
    )
    def test_decays_outside(self, current: float, expected: float) -> None:
        assert raw(self.measure, current) == expected

    def test_zero_width_band(self) -> None:
        measure = Measure(Kind.WITHIN, low=3, high=3)
        assert raw(measure, 3) == 1.0
        assert raw(measure, 3.0001) == 0.0

    def test_inverted_band_is_refused(self) -> None:
        with pytest.raises(ValueError, match="above"):
            Measure(Kind.WITHIN, low=5, high=1)

    def test_needs_both_bounds(self) -> None:
        with pytest.raises(ValueError, match="high"):
            key_result_progress(Measure(Kind.WITHIN, low=1), 1)


class TestMilestone:
    measure = Measure(Kind.MILESTONE)

    @pytest.mark.parametrize("current", [True, 1, 2.5, "done", "Done ", "YES", "complete"])
    def test_done(self, current: float | str | bool) -> None:
        assert raw(self.measure, current) == 1.0

    @pytest.mark.parametrize("current", [False, 0, 0.0, "", "false", "no", "pending", "0"])
    def test_not_done(self, current: float | str | bool) -> None:
        assert raw(self.measure, current) == 0.0


class TestLevels:
    def test_default_levels(self) -> None:
        names = [level.name for level in DEFAULT_LEVELS]
        assert names == ["fail", "commit", "target", "stretch"]
        measure = Measure(Kind.LEVELS)
        assert raw(measure, "commit") == 0.3
        assert raw(measure, "Target") == 0.7
        assert raw(measure, "STRETCH") == 1.0
        assert raw(measure, "fail") == 0.0

    def test_custom_levels(self) -> None:
        measure = Measure(Kind.LEVELS, levels=(Level("bronze", 0.2), Level("gold", 0.9)))
        assert raw(measure, "Gold") == 0.9

    def test_unknown_level_named_in_error(self) -> None:
        with pytest.raises(ValueError, match="platinum"):
            key_result_progress(Measure(Kind.LEVELS), "platinum")

    def test_non_name_refused(self) -> None:
        with pytest.raises(ValueError):
            key_result_progress(Measure(Kind.LEVELS), 0.7)

    @pytest.mark.parametrize("score", [-0.1, 1.1, math.nan])
    def test_level_score_must_be_a_fraction(self, score: float) -> None:
        with pytest.raises(ValueError):
            Level("odd", score)


class TestInvalidInputs:
    @pytest.mark.parametrize("value", NON_FINITE)
    @pytest.mark.parametrize("field", ["start", "target", "low", "high"])
    def test_non_finite_measure_fields(self, field: str, value: float) -> None:
        with pytest.raises(ValueError):
            Measure(Kind.CHANGE, **{field: value})

    @pytest.mark.parametrize("value", NON_FINITE)
    @pytest.mark.parametrize(
        "measure",
        [
            change(0, 10),
            Measure(Kind.AT_LEAST, target=1),
            Measure(Kind.AT_MOST, target=1),
            Measure(Kind.WITHIN, low=0, high=1),
            Measure(Kind.MILESTONE),
        ],
    )
    def test_non_finite_current(self, measure: Measure, value: float) -> None:
        with pytest.raises(ValueError):
            key_result_progress(measure, value)

    @pytest.mark.parametrize("current", ["12", "abc", True])
    def test_numeric_kinds_want_numbers(self, current: str | bool) -> None:
        with pytest.raises(ValueError):
            key_result_progress(change(0, 10), current)

    def test_unknown_kind(self) -> None:
        with pytest.raises(ValueError):
            Measure("percentage")  # type: ignore[arg-type]

    def test_kind_given_as_string(self) -> None:
        assert Measure("at_least", target=4).kind is Kind.AT_LEAST  # type: ignore[arg-type]


class TestRollUps:
    def test_weighted_mean(self) -> None:
        assert weighted_mean([(0.2, 1), (0.8, 3)]) == pytest.approx(0.65)

    def test_none_entries_are_left_out(self) -> None:
        assert weighted_mean([(None, 5), (0.4, 1)]) == 0.4

    def test_empty(self) -> None:
        assert weighted_mean([]) is None
        assert weighted_mean([(None, 1)]) is None

    @pytest.mark.parametrize("bad", [0, -1, math.nan, math.inf])
    def test_bad_weight(self, bad: float) -> None:
        with pytest.raises(ValueError):
            weighted_mean([(0.5, bad)])
        with pytest.raises(ValueError):
            weighted_mean([(None, bad)])

    @pytest.mark.parametrize("bad", [-0.1, 1.5, math.nan])
    def test_progress_must_be_clamped(self, bad: float) -> None:
        with pytest.raises(ValueError):
            weighted_mean([(bad, 1)])

    def test_objective_uses_clamped_key_results(self) -> None:
        krs = [(Progress(1.5), 1.0), (Progress(-0.5), 1.0)]
        assert objective_progress(krs) == 0.5

    def test_objective_mixes_children(self) -> None:
        result = objective_progress([(Progress(0.2), 1.0)], children=[(0.6, 1.0), (None, 9.0)])
        assert result == pytest.approx(0.4)

    def test_objective_with_undefined_key_results(self) -> None:
        assert objective_progress([(Progress(None), 1.0)]) is None

    def test_objective_without_items(self) -> None:
        assert objective_progress([]) is None
        assert objective_progress([], children=[(None, 1.0)]) is None


class TestExpectedProgress:
    start, end = date(2025, 1, 1), date(2025, 1, 10)

    @pytest.mark.parametrize(
        ("today", "expected"),
        [
            (date(2024, 12, 31), 0.0),
            (date(2025, 1, 1), 0.1),
            (date(2025, 1, 5), 0.5),
            (date(2025, 1, 10), 1.0),
            (date(2025, 2, 1), 1.0),
        ],
    )
    def test_whole_days_inclusive(self, today: date, expected: float) -> None:
        assert expected_progress(self.start, self.end, today) == expected

    def test_single_day_cycle(self) -> None:
        day = date(2025, 3, 1)
        assert expected_progress(day, day, day) == 1.0
        assert expected_progress(day, day, day + timedelta(days=1)) == 1.0
        assert expected_progress(day, day, day - timedelta(days=1)) == 0.0

    def test_end_before_start(self) -> None:
        with pytest.raises(ValueError):
            expected_progress(self.end, self.start, self.start)


class TestHealth:
    today = date(2025, 6, 15)

    def check(self, progress: float | None, expected: float | None, **kwargs: object) -> Health:
        options: dict = {"last_check_in": self.today, "today": self.today, "cadence_days": 7}
        options.update(kwargs)
        return health(progress, expected, **options)

    def test_no_progress(self) -> None:
        assert self.check(None, 0.5) is Health.NONE

    @pytest.mark.parametrize(
        ("progress", "expected", "state"),
        [
            (0.5, 0.5, Health.ON_TRACK),
            (0.425, 0.5, Health.ON_TRACK),  # ratio 0.85 exactly
            (0.42, 0.5, Health.BEHIND),
            (0.3, 0.5, Health.BEHIND),  # ratio 0.6 exactly
            (0.29, 0.5, Health.AT_RISK),
            (0.0, 0.5, Health.AT_RISK),
            (0.9, 0.2, Health.ON_TRACK),
        ],
    )
    def test_pace(self, progress: float, expected: float, state: Health) -> None:
        assert self.check(progress, expected) is state

    @pytest.mark.parametrize("expected", [None, 0.0])
    def test_nothing_expected_yet(self, expected: float | None) -> None:
        assert self.check(0.0, expected) is Health.ON_TRACK

    def test_custom_thresholds(self) -> None:
        strict = Thresholds(behind=0.99, at_risk=0.9)
        assert self.check(0.475, 0.5, thresholds=strict) is Health.BEHIND
        with pytest.raises(ValueError):
            Thresholds(behind=0.5, at_risk=0.7)

    def test_stale_after_cadence(self) -> None:
        last = self.today - timedelta(days=7)
        assert self.check(0.5, 0.5, last_check_in=last) is Health.ON_TRACK
        older = self.today - timedelta(days=8)
        assert self.check(0.5, 0.5, last_check_in=older) is Health.STALE

    def test_never_checked_in(self) -> None:
        started = self.today - timedelta(days=8)
        assert self.check(0.0, 0.1, last_check_in=None, started=started) is Health.STALE
        recent = self.today - timedelta(days=7)
        assert self.check(0.0, 0.1, last_check_in=None, started=recent) is Health.AT_RISK
        assert self.check(0.0, None, last_check_in=None) is Health.ON_TRACK

    def test_completed_is_never_stale(self) -> None:
        old = self.today - timedelta(days=90)
        assert self.check(1.0, 1.0, last_check_in=old) is Health.ON_TRACK

    def test_bad_cadence(self) -> None:
        with pytest.raises(ValueError):
            self.check(0.5, 0.5, cadence_days=0)


class TestDivergence:
    def test_overconfident(self) -> None:
        assert divergence(0.2, 0.5, 8) == "overconfident"
        assert divergence(0.2, 0.5, 7) == "overconfident"

    def test_underconfident(self) -> None:
        assert divergence(0.5, 0.5, 2) == "underconfident"
        assert divergence(0.0, None, 3) == "underconfident"
        assert divergence(1.0, 1.0, 1) == "underconfident"

    @pytest.mark.parametrize(
        ("progress", "expected", "confidence"),
        [
            (0.2, 0.5, 6),
            (0.5, 0.5, 8),
            (0.5, 0.5, 4),
            (0.2, 0.5, 2),
            (0.35, 0.5, 9),  # behind, not at risk
            (None, 0.5, 9),
            (0.2, 0.5, None),
        ],
    )
    def test_consistent(
        self, progress: float | None, expected: float | None, confidence: int | None
    ) -> None:
        assert divergence(progress, expected, confidence) is None


class TestPercent:
    @pytest.mark.parametrize(
        ("value", "text"),
        [(None, "—"), (0.0, "0%"), (0.42, "42%"), (1.0, "100%"), (-0.25, "-25%"), (0.005, "1%")],
    )
    def test_format(self, value: float | None, text: str) -> None:
        assert fraction_to_percent(value) == text

    def test_huge_value_still_formats(self) -> None:
        assert fraction_to_percent(LARGEST_FLOAT).endswith("00%")


# --- properties -------------------------------------------------------------

numeric_measures = st.one_of(
    st.builds(change, start=finite, target=finite),
    st.builds(lambda t: Measure(Kind.AT_LEAST, target=t), finite),
    st.builds(lambda t: Measure(Kind.AT_MOST, target=t), finite),
    st.builds(
        lambda a, b: Measure(Kind.WITHIN, low=min(a, b), high=max(a, b)),
        finite,
        finite,
    ),
)


@given(numeric_measures, finite)
def test_progress_always_finite_and_clamped(measure: Measure, current: float) -> None:
    progress = key_result_progress(measure, current)
    assert progress.raw is not None and math.isfinite(progress.raw)
    assert progress.clamped is not None and 0.0 <= progress.clamped <= 1.0


@given(finite, finite, finite, finite)
def test_increase_is_monotonic(start: float, target: float, a: float, b: float) -> None:
    assume(start < target)
    low, high = sorted((a, b))
    measure = change(start, target)
    assert raw(measure, low) <= raw(measure, high)


@given(finite, finite, finite, finite)
def test_decrease_is_monotonic(start: float, target: float, a: float, b: float) -> None:
    assume(start > target)
    low, high = sorted((a, b))
    measure = change(start, target)
    assert raw(measure, low) >= raw(measure, high)


@given(moderate, moderate, moderate)
def test_change_hits_start_and_target(start: float, target: float, current: float) -> None:
    assume(abs(target - start) > 1e-6 * max(1.0, abs(start), abs(target)))
    measure = change(start, target)
    assert raw(measure, start) == 0.0
    assert raw(measure, target) == pytest.approx(1.0)


@given(st.lists(st.tuples(fraction, weight), min_size=1))
def test_weighted_mean_is_a_mean(items: list[tuple[float, float]]) -> None:
    mean = weighted_mean(items)
    assert mean is not None
    values = [p for p, _ in items]
    assert min(values) <= mean <= max(values)
    plain = sum(w * p for p, w in items) / sum(w for _, w in items)
    assert mean == pytest.approx(plain, abs=1e-12)


@given(
    st.lists(st.tuples(st.one_of(st.none(), fraction), weight), min_size=1),
    st.floats(min_value=1e-3, max_value=1e3),
)
def test_weighted_mean_ignores_weight_scale(
    items: list[tuple[float | None, float]], factor: float
) -> None:
    scaled = [(p, w * factor) for p, w in items]
    before, after = weighted_mean(items), weighted_mean(scaled)
    if before is None:
        assert after is None
    else:
        assert after == pytest.approx(before, abs=1e-12)


@given(st.lists(st.tuples(fraction, finite.filter(lambda w: w > 0)), min_size=1))
def test_weighted_mean_any_positive_weights(items: list[tuple[float, float]]) -> None:
    mean = weighted_mean(items)
    assert mean is not None and 0.0 <= mean <= 1.0


@given(st.lists(st.tuples(st.none(), weight)))
def test_objective_without_key_results_has_no_progress(
    children: list[tuple[None, float]],
) -> None:
    assert objective_progress([], children) is None


@given(days, st.integers(min_value=0, max_value=400), days, days)
def test_expected_progress_monotonic_and_bounded(
    start: date, length: int, a: date, b: date
) -> None:
    end = start + timedelta(days=length)
    earlier, later = sorted((a, b))
    first = expected_progress(start, end, earlier)
    second = expected_progress(start, end, later)
    assert 0.0 <= first <= second <= 1.0


@given(
    st.one_of(st.none(), finite),
    st.one_of(st.none(), finite),
    st.one_of(st.none(), st.integers(min_value=0, max_value=10)),
)
def test_divergence_never_fails(
    progress: float | None, expected: float | None, confidence: int | None
) -> None:
    assert divergence(progress, expected, confidence) in {None, "overconfident", "underconfident"}


@given(st.one_of(st.none(), finite))
def test_percent_always_formats(value: float | None) -> None:
    assert fraction_to_percent(value).endswith(("%", "—"))
