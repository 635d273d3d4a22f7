"""Objective progress over time: one snapshot per objective per day, written by the roll-up."""

from datetime import date

import pytest

from northstar.insights import snapshots
from northstar.insights.models import ProgressSnapshot
from northstar.okrs import actions
from northstar.okrs.models import Objective
from northstar.people.models import Organisation

TODAY = date(2026, 11, 16)


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)


def days(objective) -> list[tuple[date, float | None]]:
    return [(s.day, s.progress) for s in snapshots.history(objective)]


def test_a_check_in_snapshots_its_objective_and_everything_above_on_the_measured_day(personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=70, measured_on=date(2026, 11, 2)
    )
    for objective in [p.team_objective, p.department_objective, p.company_objective]:
        objective.refresh_from_db()
        assert days(objective)[-1] == (date(2026, 11, 2), objective.progress)


def test_a_later_check_in_adds_a_day_and_the_same_day_overwrites(personas):
    p = personas
    team = p.team_objective
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=60, measured_on=date(2026, 11, 2)
    )
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=70, measured_on=date(2026, 11, 9)
    )
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=80, measured_on=date(2026, 11, 9)
    )
    team.refresh_from_db()
    history = days(team)
    assert [day for day, _ in history][-2:] == [date(2026, 11, 2), date(2026, 11, 9)]
    assert history[-1][1] == team.progress
    assert ProgressSnapshot.objects.filter(objective=team, day=date(2026, 11, 9)).count() == 1


def test_an_objective_nothing_has_measured_has_no_history(personas):
    objective = actions.save_objective(
        Objective(title="Fresh start", cycle=personas.quarter, owner=personas.dev)
    )
    assert days(objective) == []
    assert not ProgressSnapshot.objects.exists()


def test_a_back_dated_check_in_updates_the_latest_day(personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=60, measured_on=date(2026, 11, 9)
    )
    actions.record_check_in(
        key_result=p.kr_latency, author=p.ben, value=600, measured_on=date(2026, 11, 1)
    )
    department = Objective.objects.get(pk=p.department_objective.pk)
    # The department knows of the 9th through the team below it: that is its latest news.
    assert days(department)[-1] == (date(2026, 11, 9), department.progress)
