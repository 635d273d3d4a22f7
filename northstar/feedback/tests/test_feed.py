"""A unit's activity feed: newest first, the unit and the units below, only what the viewer
may read, in bounded pages."""

from datetime import UTC, date, datetime, timedelta

import pytest

from northstar.feedback.actions import add_comment, give_kudos
from northstar.feedback.feed import Page, parse_cursor, unit_feed
from northstar.okrs import actions
from northstar.people.models import Unit
from northstar.test import build_access_personas

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


def feed(viewer, unit, **kwargs) -> Page:
    return unit_feed(viewer, unit, list(Unit.objects.all()), **kwargs)


def kinds(page: Page) -> list[tuple[str, str]]:
    return [
        (e.kind, e.key_result.title if e.key_result else e.objective.title) for e in page.entries
    ]


@pytest.fixture
def activity(personas):
    """A check-in a day for three days on Platform's key result, a landing, a comment and
    kudos on it, and a check-in on Engineering's latency."""
    p = personas
    for day, value in enumerate([60, 70, 90]):
        actions.record_check_in(
            key_result=p.kr_cache,
            author=p.cleo,
            value=value,
            measured_on=date(2026, 11, 2) + timedelta(day),
            created_at=START + timedelta(days=day),
        )
    actions.record_check_in(
        key_result=p.kr_latency,
        author=p.ben,
        value=700,
        created_at=START + timedelta(days=3),
    )
    add_comment(subject=p.kr_cache, author=p.ben, body="Lovely.")
    give_kudos(subject=p.kr_cache, giver=p.ben, message="Thanks!")
    return p


def test_it_lists_everything_newest_first(activity):
    p = activity
    page = feed(p.dev.user, p.engineering)
    assert kinds(page) == [
        ("kudos", "Raise cache hit rate from 50 to 90"),
        ("comment", "Raise cache hit rate from 50 to 90"),
        ("check_in", "Cut p95 latency from 800 to 400"),
        # The celebration carries its check-in's time and comes just after it.
        ("celebration", "Raise cache hit rate from 50 to 90"),
        ("check_in", "Raise cache hit rate from 50 to 90"),
        ("check_in", "Raise cache hit rate from 50 to 90"),
        ("check_in", "Raise cache hit rate from 50 to 90"),
    ]
    times = [entry.at for entry in page.entries]
    assert times == sorted(times, reverse=True)
    assert page.next_cursor is None


def test_it_covers_the_unit_and_the_units_below_only(activity):
    p = activity
    platform = {title for _, title in kinds(feed(p.dev.user, p.platform))}
    assert platform == {"Raise cache hit rate from 50 to 90"}
    assert kinds(feed(p.dev.user, p.company)) == kinds(feed(p.dev.user, p.engineering))


def test_it_includes_personal_objectives_of_the_units_members(personas):
    p = personas
    actions.record_check_in(key_result=p.kr_course, author=p.cleo, level="commit")
    assert kinds(feed(p.dev.user, p.platform))[-1] == ("check_in", "Finish the tuning course")


def test_a_private_objective_never_shows_to_an_outsider(personas):
    access = build_access_personas(personas)
    p = personas
    add_comment(subject=access.kr_deal, author=p.cleo, body="Close to signing.")
    give_kudos(subject=access.kr_deal, giver=access.hana, message="Brilliant")
    private = {access.private_objective.pk}

    def objectives_seen(viewer) -> set[int]:
        return {entry.objective.pk for entry in feed(viewer, p.company).entries}

    assert not objectives_seen(p.dev.user) & private  # same team, not on the deal
    assert not objectives_seen(access.erin.user) & private  # another department
    assert objectives_seen(p.ben.user) & private  # leads the unit above
    assert objectives_seen(access.hana.user) & private  # contributes to it
    # The outsider still sees the public check-in from the same day.
    assert ("check_in", "Raise cache hit rate from 50 to 90") in kinds(feed(p.dev.user, p.platform))


def test_it_shows_nothing_to_the_signed_out(activity):
    from django.contrib.auth.models import AnonymousUser

    assert feed(AnonymousUser(), activity.company).entries == []


def test_it_pages_with_a_cursor_without_gaps_or_repeats(activity):
    p = activity
    everything = feed(p.dev.user, p.company).entries
    seen, cursor = [], None
    while True:
        page = feed(p.dev.user, p.company, before=cursor, size=2)
        assert len(page.entries) <= 2
        seen += page.entries
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert [e.key for e in seen] == [e.key for e in everything]


def test_a_malformed_cursor_starts_from_the_newest(activity):
    assert parse_cursor("yesterday") is None
    page = feed(activity.dev.user, activity.company, before="not~a~cursor")
    assert page.entries[0].kind == "kudos"
