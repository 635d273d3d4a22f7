"""`northstar remind`. The personas' quarter runs 1 Oct – 31 Dec 2026; 7 Dec 2026 is a Monday
(the default reminder day) and the cadence is 7 days. Ada's company key result takes its
progress from below, so it never needs a check-in."""

from __future__ import annotations

from datetime import UTC, date, datetime
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from northstar.notifications.models import Delivery, Preference, RoundSent
from northstar.notifications.tests.conftest import check_in, run_queued

MONDAY = date(2026, 12, 7)


def remind(*args: str) -> tuple[list[str], str]:
    out, err = StringIO(), StringIO()
    call_command("remind", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue()


@pytest.fixture
def week(personas):
    """Ben checked in on both his key results last week; Cleo's are stale; Dev contributes
    to the cache key result."""
    check_in(personas.kr_latency, date(2026, 12, 4), value=700)
    check_in(personas.kr_release, date(2026, 12, 4), done=False)
    check_in(personas.kr_cache, date(2026, 11, 20), value=60)
    personas.kr_cache.contributors.add(personas.dev)
    return personas


def test_it_reminds_only_owners_and_contributors_of_stale_key_results(week, dummy_tasks):
    lines, err = remind("--today", "2026-12-07", "--dry-run")
    assert lines == [
        "cleo@northwind.test: 2 stale key results (Raise cache hit rate from 50 to 90, "
        "Finish the tuning course)",
        "dev@northwind.test: 1 stale key result (Raise cache hit rate from 50 to 90)",
    ]
    assert err == "2 reminders would be sent (dry run: nothing written).\n"


def test_a_dry_run_writes_nothing(week, dummy_tasks):
    remind("--today", "2026-12-07", "--dry-run")
    assert not RoundSent.objects.exists()
    assert not Delivery.objects.filter(kind="reminder").exists()


def test_it_sends_the_reminders_by_email(week, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lines, err = remind("--today", "2026-12-07")
    assert len(lines) == 2
    assert err == "2 reminders queued.\n"
    run_queued(dummy_tasks)
    cleo = next(m for m in mail.outbox if m.to == ["cleo@northwind.test"])
    assert cleo.subject == "Time for a check-in: 2 key results waiting for an update"
    assert "- Raise cache hit rate from 50 to 90 — last check-in 20 Nov" in cleo.body
    assert "- Finish the tuning course — no check-in yet" in cleo.body
    assert "Make the API fast" not in cleo.body  # key results only, not their objectives


def test_running_twice_the_same_day_sends_nothing_new(
    week, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        remind("--today", "2026-12-07")
        lines, err = remind("--today", "2026-12-07")
    assert lines == []
    assert err == "0 reminders queued; 2 already sent today.\n"
    assert Delivery.objects.filter(kind="reminder").count() == 2
    assert len(dummy_tasks.results) == 2
    assert remind("--today", "2026-12-07", "--dry-run")[0] == []


def test_it_respects_an_opt_out(week, dummy_tasks):
    Preference.set(week.dev, "reminder", "email", False)
    lines, _ = remind("--today", "2026-12-07")
    assert [line.split(":")[0] for line in lines] == ["cleo@northwind.test"]
    assert not Delivery.objects.filter(recipient=week.dev).exists()


def test_it_only_runs_on_the_reminder_day_unless_forced(week, dummy_tasks):
    lines, err = remind("--today", "2026-12-08")
    assert lines == []
    assert err.startswith("Tuesday 2026-12-08 (Europe/Zurich) is not the organisation's reminder")
    assert not RoundSent.objects.exists()
    preview, err = remind("--today", "2026-12-08", "--dry-run")
    assert [line.split(":")[0] for line in preview] == ["cleo@northwind.test", "dev@northwind.test"]
    assert "Preview of the round as if Monday were today" in err
    assert not RoundSent.objects.exists()
    week.org.reminder_weekday = 1
    week.org.save()
    assert len(remind("--today", "2026-12-08", "--dry-run")[0]) == 2
    week.org.reminder_weekday = 0
    week.org.save()
    assert len(remind("--today", "2026-12-08", "--dry-run", "--force")[0]) == 2


def test_the_day_and_staleness_follow_the_organisations_time_zone(
    personas, dummy_tasks, monkeypatch
):
    # 8 Dec 03:00 UTC is still Monday 7 Dec, 19:00 in Los Angeles.
    personas.org.time_zone = "America/Los_Angeles"
    personas.org.save()
    monkeypatch.setattr(timezone, "now", lambda: datetime(2026, 12, 8, 3, tzinfo=UTC))
    # Measured on the local Monday a week earlier: exactly one cadence ago, so not stale
    # locally (though eight days ago by UTC's date).
    check_in(personas.kr_cache, date(2026, 11, 30), value=60)
    # Recorded now without a date: it counts as today, the local 7 Dec.
    today = check_in(personas.kr_latency, None, value=700)
    assert today.measured_on == MONDAY
    check_in(personas.kr_release, None, done=False)
    lines, _ = remind("--dry-run")
    assert lines == ["cleo@northwind.test: 1 stale key result (Finish the tuning course)"]


def test_it_skips_archived_key_results_and_closed_objectives(week, dummy_tasks):
    week.kr_course.state = "archived"
    week.kr_course.save()
    week.team_objective.state = "closed"
    week.team_objective.save()
    assert remind("--today", "2026-12-07", "--dry-run")[0] == []
