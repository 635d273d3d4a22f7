"""The chart's numbers: where points and the planned line land."""

from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from northstar.okrs import actions
from northstar.okrs.models import CheckIn
from northstar.web.charts import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, value_chart

TODAY = date(2026, 11, 15)


def checked_in(kr, *readings):
    for day, value in readings:
        actions.record_check_in(key_result=kr, author=None, value=value, measured_on=day)
    return list(CheckIn.objects.filter(key_result=kr).order_by("measured_on"))


def test_it_has_nothing_to_draw_without_check_ins(personas):
    assert value_chart(personas.kr_cache, [], TODAY) is None


def test_it_plots_values_against_the_line_from_start_to_target(personas, monkeypatch):
    # A reading on the cycle's last day may only be recorded once that day has come.
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 31, 12, tzinfo=UTC))
    kr = personas.kr_cache
    check_ins = checked_in(kr, (date(2026, 10, 1), 50), (date(2026, 12, 31), 90))
    chart = value_chart(kr, check_ins, TODAY)
    first, last = chart.points
    plan = chart.references[0]
    assert (first.x, last.x) == (LEFT, WIDTH - RIGHT)
    # Both readings sit exactly on the plan: 50 on the first day, 90 on the last.
    assert (first.y, last.y) == (pytest.approx(plan.y1), pytest.approx(plan.y2))
    assert TOP < last.y < first.y < HEIGHT - BOTTOM
    assert LEFT < chart.today_x < WIDTH - RIGHT
    assert last.planned == "90 %"
    assert chart.polyline.count(",") == 2
    assert "2 check-ins" in chart.description


def test_it_widens_the_dates_for_a_check_in_outside_the_cycle(personas):
    kr = personas.kr_cache
    check_ins = checked_in(kr, (date(2026, 9, 1), 45), (date(2026, 10, 15), 60))
    chart = value_chart(kr, check_ins, TODAY)
    assert chart.points[0].outside_cycle
    assert chart.points[0].x == LEFT
    assert chart.references[0].x1 > LEFT  # the plan starts with the cycle


def test_it_plots_progress_for_levels(personas):
    kr = personas.kr_course
    actions.record_check_in(
        key_result=kr, author=None, level="target", measured_on=date(2026, 10, 20)
    )
    chart = value_chart(kr, list(kr.check_ins.all()), TODAY)
    assert chart.plots_progress
    assert chart.points[0].value == pytest.approx(70)
    assert chart.points[0].label == "70%"


def test_it_draws_a_threshold_as_a_flat_line(personas):
    kr = personas.kr_cache
    kr.kind, kr.start, kr.target = "at_least", None, 95
    kr.save()
    chart = value_chart(kr, checked_in(kr, (date(2026, 10, 20), 80)), TODAY)
    (line,) = chart.references
    assert line.y1 == line.y2
    assert line.label == "target"
