"""Automatic celebrations: a key result reaching its target, an objective completing. Each
fires once, from `okrs.actions.record_check_in`, whatever the front door."""

from datetime import date

from northstar.feedback.models import Celebration
from northstar.notifications.models import Delivery
from northstar.okrs import actions


def check_in(kr, author, **reading):
    return actions.record_check_in(key_result=kr, author=author, **reading)


def celebrated():
    return sorted((c.kind, (c.key_result or c.objective).title) for c in Celebration.objects.all())


def test_a_key_result_reaching_its_target_is_celebrated_once(personas):
    p = personas
    check_in(p.kr_cache, p.cleo, value=70, measured_on=date(2026, 11, 2))
    assert not Celebration.objects.exists()
    landing = check_in(p.kr_cache, p.cleo, value=90, measured_on=date(2026, 11, 9))
    celebration = Celebration.objects.get()
    assert (celebration.kind, celebration.key_result, celebration.objective) == (
        "key_result",
        p.kr_cache,
        p.team_objective,
    )
    assert (celebration.check_in, celebration.created) == (landing, landing.created_at)
    # Staying above target, dipping and landing again: still the one celebration.
    check_in(p.kr_cache, p.cleo, value=95, measured_on=date(2026, 11, 10))
    check_in(p.kr_cache, p.cleo, value=80, measured_on=date(2026, 11, 11))
    check_in(p.kr_cache, p.cleo, value=91, measured_on=date(2026, 11, 12))
    assert Celebration.objects.count() == 1


def test_it_tells_the_owner_and_the_unit_but_not_whoever_checked_in(personas):
    p = personas
    check_in(p.kr_cache, p.cleo, value=90)
    # Cleo owns it and checked in; Dev is the rest of Platform.
    assert list(Delivery.objects.values_list("kind", "recipient__name")) == [("celebration", "Dev")]
    assert "reached its target" in Delivery.objects.get().payload["title"]


def test_a_lead_checking_in_tells_the_owner_too(personas):
    p = personas
    check_in(p.kr_cache, p.ben, value=90)
    recipients = Delivery.objects.values_list("recipient__name", flat=True)
    assert sorted(recipients) == ["Cleo", "Dev"]


def test_a_back_dated_reading_at_target_is_no_landing(personas):
    p = personas
    check_in(p.kr_cache, p.cleo, value=60, measured_on=date(2026, 11, 10))
    check_in(p.kr_cache, p.cleo, value=95, measured_on=date(2026, 11, 1))
    assert not Celebration.objects.exists()


def test_a_milestone_lands_when_done(personas):
    p = personas
    check_in(p.kr_release, p.ben, done=False)
    assert not Celebration.objects.exists()
    check_in(p.kr_release, p.ben, done=True)
    assert celebrated() == [("key_result", "Release the new editor")]


def test_an_objective_completing_is_celebrated_up_the_chain(personas):
    p = personas
    check_in(p.kr_course, p.cleo, level="stretch")
    assert celebrated() == [
        ("key_result", "Finish the tuning course"),
        ("objective", "Learn query tuning"),
    ]
    check_in(p.kr_cache, p.cleo, value=90)
    check_in(p.kr_release, p.ben, done=True)
    check_in(p.kr_latency, p.ben, value=400)
    # Everything landed: the team and department objectives complete, the company key result
    # that takes its progress from the department lands, and so does the company objective.
    assert celebrated() == [
        ("key_result", "Cut p95 latency from 800 to 400"),
        ("key_result", "Finish the tuning course"),
        ("key_result", "Raise cache hit rate from 50 to 90"),
        ("key_result", "Raise weekly active teams from 100 to 200"),
        ("key_result", "Release the new editor"),
        ("objective", "Become the tool teams keep using"),
        ("objective", "Learn query tuning"),
        ("objective", "Make the API fast"),
        ("objective", "Ship a faster product"),
    ]
    check_in(p.kr_latency, p.ben, value=390)
    assert Celebration.objects.count() == 9


def test_a_bulk_import_without_roll_up_celebrates_nothing(personas):
    p = personas
    actions.record_check_in(key_result=p.kr_cache, author=p.cleo, value=90, roll_up=False)
    assert not Celebration.objects.exists()
