"""The weekly digest. 4 Dec 2026 is a Friday, the default digest day; its week runs from
Saturday 28 Nov. Ben leads Engineering (and so Platform below it); Ada leads the company."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from northstar.notifications.digest import build_digest
from northstar.notifications.models import RoundSent
from northstar.notifications.tests.conftest import check_in, run_queued
from northstar.okrs import actions
from northstar.okrs.models import KeyResult, Objective
from northstar.people.models import Unit

FRIDAY = date(2026, 12, 4)


@pytest.fixture
def week(personas):
    check_in(personas.kr_latency, date(2026, 11, 20), value=780)
    check_in(personas.kr_latency, date(2026, 12, 2), value=740)
    check_in(personas.kr_release, date(2026, 12, 3), done=True)
    check_in(personas.kr_cache, date(2026, 11, 10), value=52)
    return personas


@pytest.fixture
def secret(week):
    """A private People objective Ben may not read, though Cleo, in his units, owns a key
    result of it and checked in on it this week."""
    people = Unit.objects.create(name="People", kind="department", parent=week.company)
    objective = actions.save_objective(
        Objective(
            title="Plan the reorganisation",
            cycle=week.quarter,
            owner=week.ada,
            unit=people,
            is_private=True,
        )
    )
    kr = actions.save_key_result(
        KeyResult(
            objective=objective, title="Draft the new org chart", owner=week.cleo, kind="milestone"
        )
    )
    check_in(kr, date(2026, 12, 1), done=True)
    return objective


def test_the_digest_for_a_department_lead(week):
    digest = build_digest(week.ben, org=week.org, today=FRIDAY)
    assert digest.title == "Weekly digest for Engineering: 28 Nov – 4 Dec"
    assert digest.lines() == [
        "What moved this week",
        "- Cut p95 latency from 800 to 400: 780 ms → 740 ms",
        "- Release the new editor: — → done",
        "At risk or stale",
        "- Cut p95 latency from 800 to 400 (Ben): at risk, 15% done, 71% expected",
        "- Raise cache hit rate from 50 to 90 (Cleo): stale, last check-in 10 Nov",
        "- Finish the tuning course (Cleo): stale, no check-in yet",
        "No check-in this week",
        "- Cleo: 2 key results, last check-in 10 Nov",
        "Celebrations",
        "- Release the new editor (Ben) reached its target on 3 Dec",
    ]
    assert digest.line == (
        "ben@northwind.test: Engineering — 2 moved, 3 at risk or stale, 1 not checked in, "
        "1 celebration"
    )


def test_a_target_reached_before_the_week_is_not_celebrated_again(week):
    check_in(week.kr_release, date(2026, 12, 4), done=True)
    next_friday = build_digest(week.ben, org=week.org, today=date(2026, 12, 11))
    assert next_friday.celebrations == ()


def test_the_digest_never_mentions_an_objective_the_lead_may_not_read(week, secret):
    lines = build_digest(week.ben, org=week.org, today=FRIDAY).lines()
    assert not any("org chart" in line or "reorganisation" in line for line in lines)
    # Cleo's check-in on it does not count as her checking in, as far as Ben may know.
    assert "- Cleo: 2 key results, last check-in 10 Nov" in lines
    # The admin who leads the company sees it.
    admin_lines = build_digest(week.ada, org=week.org, today=FRIDAY).lines()
    assert "- Draft the new org chart: — → done" in admin_lines


def digest(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("digest", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


def test_the_command_lists_each_lead_with_news(week):
    lines, err = digest("--today", "2026-12-04", "--dry-run")
    assert lines == [
        "ada@northwind.test: Northwind — 2 moved, 3 at risk or stale, 1 not checked in, "
        "1 celebration",
        "ben@northwind.test: Engineering — 2 moved, 3 at risk or stale, 1 not checked in, "
        "1 celebration",
    ]
    assert err == "2 digests would be sent (dry run: nothing written).\n"
    assert not RoundSent.objects.exists()


def test_mail_bodies_hold_no_private_objective_the_lead_may_not_read(
    week, secret, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest("--today", "2026-12-04")
    run_queued(dummy_tasks)
    ben = next(m for m in mail.outbox if m.subject.startswith("Weekly digest for Engineering"))
    html = ben.alternatives[0][0]
    for text in (ben.subject, ben.body, html):
        assert "org chart" not in text
        assert "reorganisation" not in text
    assert "Release the new editor (Ben) reached its target on 3 Dec" in ben.body


def test_running_twice_the_same_day_sends_nothing_new(
    week, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        digest("--today", "2026-12-04")
        lines, err = digest("--today", "2026-12-04")
    assert lines == []
    assert err == "0 digests queued; 2 already sent today.\n"
    assert len(dummy_tasks.results) == 2


def test_it_only_runs_on_the_digest_day_unless_forced(week):
    lines, err = digest("--today", "2026-12-03")
    assert lines == []
    assert "is not the organisation's digest day (Friday)" in err
    assert not RoundSent.objects.exists()
    preview, err = digest("--today", "2026-12-03", "--dry-run")
    assert len(preview) == 2
    assert "Preview of the round as if Friday were today" in err
    assert not RoundSent.objects.exists()
    assert len(digest("--today", "2026-12-03", "--dry-run", "--force")[0]) == 2
