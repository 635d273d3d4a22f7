from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from northstar.okrs import actions
from northstar.okrs.models import CHECK_IN_NOTE_MAX_LENGTH, CheckIn


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


def test_it_refuses_a_date_after_the_organisations_today(personas):
    kr = personas.kr_cache
    tomorrow = personas.org.today() + timedelta(days=1)
    with pytest.raises(ValidationError) as refused:
        actions.record_check_in(key_result=kr, author=None, value=60, measured_on=tomorrow)
    assert refused.value.message_dict == {
        "measured_on": ["The measurement date cannot be in the future."]
    }
    assert not CheckIn.objects.exists()
    kr.refresh_from_db()
    assert kr.current_check_in is None
    # Today itself is fine.
    actions.record_check_in(key_result=kr, author=None, value=60, measured_on=personas.org.today())


def test_future_is_by_the_organisations_calendar(personas, monkeypatch):
    """Late evening in UTC is already tomorrow in Auckland: that day is not the future."""
    from datetime import UTC, datetime

    from django.utils import timezone

    personas.org.time_zone = "Pacific/Auckland"
    personas.org.save()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 11, 10, 22, 0, tzinfo=UTC))
    kr = personas.kr_cache
    actions.record_check_in(
        key_result=kr, author=None, value=60, measured_on=date(2026, 11, 11), org=personas.org
    )
    with pytest.raises(ValidationError, match="future"):
        actions.record_check_in(
            key_result=kr, author=None, value=60, measured_on=date(2026, 11, 12), org=personas.org
        )


def test_it_refuses_a_date_before_1900(personas):
    with pytest.raises(ValidationError, match="before 1900"):
        actions.record_check_in(
            key_result=personas.kr_cache, author=None, value=60, measured_on=date(1899, 12, 31)
        )
    assert not CheckIn.objects.exists()


def test_it_refuses_a_note_over_the_limit(personas):
    kr = personas.kr_cache
    with pytest.raises(ValidationError) as refused:
        actions.record_check_in(
            key_result=kr,
            author=None,
            value=60,
            measured_on=date(2026, 11, 2),
            note="x" * (CHECK_IN_NOTE_MAX_LENGTH + 1),
        )
    assert "note" in refused.value.message_dict
    assert not CheckIn.objects.exists()


def test_a_key_result_fed_by_aligned_objectives_is_never_stale(personas):
    from northstar.okrs.progress import Health

    kr = personas.kr_company
    kr.refresh_from_db()
    late = date(2026, 12, 20)  # weeks past the cadence, and it never had a check-in
    assert kr.last_check_in_on is None
    # It goes by its pace against the calendar instead.
    kr.progress = 0.95
    assert kr.health(personas.org, late) == Health.ON_TRACK
    kr.progress = 0.1
    assert kr.health(personas.org, late) == Health.AT_RISK
    # A key result measured by its own check-ins, in the same state, is stale.
    kr.progress_source = "own"
    assert kr.health(personas.org, late) == Health.STALE
