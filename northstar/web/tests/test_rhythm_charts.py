"""The charts' plan against reality: the expected-today point on a key result's chart, and
an objective's progress over its cycle; both readable as text."""

import re
from dataclasses import dataclass
from datetime import date

import pytest

from northstar.okrs import actions
from northstar.okrs.models import CheckIn
from northstar.people.models import Organisation
from northstar.web.charts import (
    BOTTOM,
    HEIGHT,
    LEFT,
    RIGHT,
    TOP,
    WIDTH,
    expected_label,
    expected_value,
    progress_chart,
    value_chart,
)

TODAY = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)


@dataclass
class Snap:
    day: date
    progress: float | None


def checked_in(kr, *readings):
    for day, value in readings:
        actions.record_check_in(key_result=kr, author=None, value=value, measured_on=day)
    return list(CheckIn.objects.filter(key_result=kr).order_by("measured_on"))


def test_the_expected_value_follows_the_ideal_line_or_the_threshold(personas):
    p = personas
    # 46 of the quarter's 92 days have passed by the end of 15 November.
    assert expected_value(p.kr_cache, TODAY) == pytest.approx(50 + 40 * 46 / 92)
    assert expected_label(p.kr_cache, TODAY) == "70 %"
    assert expected_label(p.kr_latency, TODAY) == "600 ms"
    assert expected_label(p.kr_release, TODAY) == "done by 31 Dec"
    assert expected_label(p.kr_course, TODAY) == "50% of the way"
    p.kr_cache.kind, p.kr_cache.target = "at_least", 95
    assert expected_value(p.kr_cache, TODAY) == 95
    assert expected_label(p.kr_cache, TODAY) == "≥ 95 %"
    p.kr_cache.kind, p.kr_cache.low, p.kr_cache.high = "within", 40, 60
    assert expected_value(p.kr_cache, TODAY) is None
    assert expected_label(p.kr_cache, TODAY) == "40–60 %"


def test_the_key_result_chart_marks_where_today_should_be(personas):
    kr = personas.kr_cache
    chart = value_chart(kr, checked_in(kr, (date(2026, 10, 10), 55)), TODAY)
    plan = chart.references[0]
    assert chart.expected.x == pytest.approx(chart.today_x)
    # On the ideal line, halfway along it.
    assert chart.expected.y == pytest.approx((plan.y1 + plan.y2) / 2, abs=2)
    assert chart.expected.label == "70 %"
    assert "Expected today: 70 %." in chart.description
    assert chart.expected.diamond.count(",") == 4


def test_there_is_no_expected_point_outside_the_cycle(personas):
    kr = personas.kr_cache
    chart = value_chart(kr, checked_in(kr, (date(2026, 10, 10), 55)), date(2027, 2, 1))
    assert chart.expected is None


def test_the_progress_chart_plots_snapshots_against_the_ideal_line(personas):
    quarter = personas.quarter
    history = [Snap(date(2026, 10, 1), 0.0), Snap(date(2026, 11, 1), 0.3), Snap(TODAY, None)]
    chart = progress_chart("Make the API fast", quarter, history, TODAY)
    (ideal,) = chart.references
    assert (ideal.x1, ideal.y1) == (LEFT, HEIGHT - BOTTOM)  # 0 % on the first day
    assert (ideal.x2, ideal.y2) == (WIDTH - RIGHT, TOP)  # 100 % on the last
    first, second = chart.points  # a day without a figure is left out
    assert (first.x, first.y) == (LEFT, HEIGHT - BOTTOM)
    assert second.label == "30%"
    assert second.planned == "34.78 %"  # 32 of 92 days
    assert chart.expected.label == "50 %"
    assert chart.title == "Make the API fast: progress over the cycle"
    assert chart.description.startswith("2 days with a recorded figure, from 01 Oct 2026")
    assert progress_chart("Nothing yet", quarter, [], TODAY) is None


def svg_of(html: str, testid: str) -> str:
    start = html.index(f'data-testid="{testid}"')
    return html[start : html.index("</figure>", start)]


def test_the_objective_page_draws_its_progress_with_a_text_alternative(sign_in, personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=60, measured_on=date(2026, 10, 20)
    )
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=70, measured_on=date(2026, 11, 10)
    )
    html = sign_in(p.dev).get(f"/objectives/{p.team_objective.pk}/").content.decode()
    figure = svg_of(html, "progress-chart")
    assert (
        '<title id="progress-chart-title">Make the API fast: progress over the cycle</title>'
        in figure
    )
    assert '<desc id="progress-chart-desc">2 days with a recorded figure' in figure
    assert 'aria-labelledby="progress-chart-title progress-chart-desc"' in figure
    assert 'stroke-dasharray="6 4"' in figure  # the ideal line is dashed, not just grey
    assert 'data-testid="chart-expected"' in figure
    table = figure[figure.index('data-testid="progress-chart-table"') :]
    assert len(re.findall(r"<tr>", table)) == 1 + 2  # a header and one row per day
    assert "Today (expected)" in table
    assert "style=" not in html


def test_the_key_result_page_shows_the_expected_point_and_says_so(sign_in, personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=60, measured_on=date(2026, 10, 20)
    )
    html = sign_in(p.dev).get(f"/key-results/{p.kr_cache.pk}/").content.decode()
    figure = svg_of(html, "kr-chart")
    assert '<title id="chart-title">' in figure and '<desc id="chart-desc">' in figure
    assert "Expected today: 70 %." in figure
    assert "<polygon points=" in figure
    assert "expected today: 70 %</text>" in figure
    assert 'class="legend legend--expected"' in figure
    assert 'data-testid="chart-expected-row"' in figure
    assert "style=" not in html


def test_a_diverging_key_result_is_flagged_on_the_objective_page(sign_in, personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=51, confidence=9, measured_on=TODAY
    )
    html = sign_in(p.dev).get(f"/objectives/{p.team_objective.pk}/").content.decode()
    row = html[html.index(f'data-key-result-id="{p.kr_cache.pk}"') :]
    row = row[: row.index("</tr>")]
    assert 'data-divergence="overconfident"' in row
    assert "Confident, but far behind" in row
