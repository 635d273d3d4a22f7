from datetime import date

import pytest
from django.core.exceptions import ValidationError

from northstar.okrs import actions
from northstar.okrs.models import CheckIn


def test_it_moves_every_ancestor(personas):
    p = personas
    before = {o.pk: o.progress for o in [p.company_objective, p.department_objective]}
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=70, measured_on=date(2026, 11, 2)
    )
    for obj in [p.team_objective, p.department_objective, p.company_objective]:
        obj.refresh_from_db()
    p.kr_company.refresh_from_db()
    p.kr_cache.refresh_from_db()
    assert p.kr_cache.progress == pytest.approx(0.5)
    assert p.team_objective.progress > 0
    assert p.department_objective.progress > before[p.department_objective.pk]
    assert p.kr_company.progress == pytest.approx(p.department_objective.progress)
    assert p.company_objective.progress > before[p.company_objective.pk]


def test_current_value_is_latest_measured_not_latest_typed(personas):
    kr = personas.kr_latency
    actions.record_check_in(key_result=kr, author=None, value=600, measured_on=date(2026, 11, 9))
    actions.record_check_in(key_result=kr, author=None, value=700, measured_on=date(2026, 11, 1))
    kr.refresh_from_db()
    assert kr.current_check_in.value == 600
    assert kr.progress == pytest.approx(0.5)
    assert kr.last_check_in_on == date(2026, 11, 9)


def test_a_check_in_outside_the_cycle_is_kept_and_flagged(personas):
    check_in = actions.record_check_in(
        key_result=personas.kr_cache, author=None, value=60, measured_on=date(2026, 6, 1)
    )
    assert check_in.outside_cycle


def test_a_target_change_does_not_rewrite_past_check_ins(personas):
    kr = personas.kr_cache
    check_in = actions.record_check_in(
        key_result=kr, author=None, value=70, measured_on=date(2026, 11, 2)
    )
    kr.target = 150
    actions.save_key_result(kr)
    check_in = CheckIn.objects.get(pk=check_in.pk)
    assert (check_in.target_then, check_in.progress_then) == (90, pytest.approx(0.5))


def test_it_refuses_a_value_for_an_unknown_level(personas):
    with pytest.raises(ValidationError):
        actions.record_check_in(key_result=personas.kr_course, author=None, level="legendary")
    assert not CheckIn.objects.exists()
