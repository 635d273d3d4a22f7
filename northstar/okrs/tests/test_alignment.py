"""Invariants: no alignment loops, one parent, no hard delete under aligned work,
archived objectives leave roll-ups but keep their history."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError

from northstar.okrs import actions
from northstar.okrs.models import Level, Objective


def test_levels_follow_the_owning_unit(personas):
    p = personas
    assert p.company_objective.level == Level.COMPANY
    assert p.department_objective.level == Level.DEPARTMENT
    assert p.team_objective.level == Level.TEAM
    assert p.personal_objective.level == Level.INDIVIDUAL


def test_an_objective_cannot_end_up_under_itself(personas):
    p = personas
    p.company_objective.parent_objective = p.personal_objective
    with pytest.raises(ValidationError, match="under itself"):
        actions.save_objective(p.company_objective)
    p.company_objective.refresh_from_db()
    assert p.company_objective.parent_objective is None


def test_a_loop_through_a_key_result_is_refused_too(personas):
    p = personas
    p.company_objective.parent_key_result = p.kr_cache
    with pytest.raises(ValidationError):
        actions.save_objective(p.company_objective)


def test_an_objective_aligns_to_one_parent_only(personas):
    p = personas
    p.personal_objective.parent_key_result = p.kr_latency
    with pytest.raises(ValidationError, match="one parent"):
        actions.save_objective(p.personal_objective)


def test_nothing_is_hard_deleted_while_something_is_aligned_under_it(personas):
    p = personas
    with pytest.raises(ValidationError):
        actions.delete_objective(p.team_objective)
    with pytest.raises(ProtectedError):
        p.team_objective.delete()
    assert Objective.objects.filter(pk=p.team_objective.pk).exists()


def test_a_leaf_objective_can_be_deleted_and_its_parent_recomputed(personas):
    p = personas
    actions.record_check_in(key_result=p.kr_course, author=None, level="stretch")
    p.team_objective.refresh_from_db()
    with_child = p.team_objective.progress
    actions.delete_objective(p.personal_objective)
    p.team_objective.refresh_from_db()
    assert p.team_objective.progress < with_child


def test_archived_objectives_leave_roll_ups_but_keep_history(personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_course, author=None, level="stretch", measured_on=date(2026, 11, 1)
    )
    p.team_objective.refresh_from_db()
    assert p.team_objective.progress == pytest.approx(0.5)  # cache 0 and course 1.0
    actions.archive_objective(p.personal_objective)
    p.team_objective.refresh_from_db()
    assert p.team_objective.progress == pytest.approx(0.0)
    assert p.personal_objective.key_results.get().check_ins.count() == 1


def test_an_objective_without_key_results_has_no_progress(personas):
    p = personas
    empty = actions.save_objective(
        Objective(title="Think big", cycle=p.quarter, owner=p.dev, unit=p.platform)
    )
    assert empty.progress is None
