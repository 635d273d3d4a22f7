"""Tests for reading key results written as sentences (pure: runs with -p no:django)."""

import math
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from northstar.okrs.sentences import (
    KINDS,
    InlineResult,
    ParsedKeyResult,
    parse_inline_result,
    parse_key_result,
    split_result,
)
from northstar.testdata import SHARED_DATA, shared_file

DATA = SHARED_DATA


def understood(text: str) -> ParsedKeyResult:
    parsed = parse_key_result(text)
    assert not parsed.needs_review, parsed.review_reason
    assert parsed.title == text
    return parsed


# --------------------------------------------------------------------------------------------
# change: from a start to a target


@pytest.mark.parametrize(
    ("text", "start", "target", "unit"),
    [
        ("Raise customer satisfaction score to 4.5 from 4.2", 4.2, 4.5, None),
        ("Boost app rating from 4.2 to 4.5", 4.2, 4.5, None),
        ("Reduce churn from 5% to 3%", 5, 3, "%"),
        ("cut bugs from 40 to 28", 40, 28, "bugs"),
        ("Shorten first response from 8 hours to 4 hours", 8, 4, "hours"),
        ("Move NPS 30 → 45", 30, 45, None),
    ],
)
def test_from_to_gives_start_and_target(text, start, target, unit):
    parsed = understood(text)
    assert parsed.kind == "change"
    assert parsed.start == pytest.approx(start)
    assert parsed.target == pytest.approx(target)
    assert parsed.relative is None
    if unit is not None:
        assert parsed.unit == unit


@pytest.mark.parametrize(
    ("text", "target", "unit"),
    [
        ("Write automated test cases for 3 key modules", 3, "modules"),
        ("Publish 5 blog posts with partner projects", 5, "posts"),
        ("Add and retain 5 members from new backgrounds", 5, "members"),
        ("Run 4 workshops with customers", 4, "workshops"),
        ("Hire two designers", 2, "designers"),
        ("Reach 2000 users", 2000, "users"),
    ],
)
def test_a_count_goal_starts_from_zero(text, target, unit):
    parsed = understood(text)
    assert (parsed.kind, parsed.start, parsed.target, parsed.unit) == ("change", 0, target, unit)


@pytest.mark.parametrize(
    ("text", "target", "unit"),
    [
        ("$1.2M ARR", 1_200_000, "$"),
        ("€50k revenue", 50_000, "€"),
        ("Sell 1,200 licences", 1_200, "licences"),
        ("Reach 2 million downloads", 2_000_000, "downloads"),
        ("Serve 3bn requests", 3_000_000_000, "requests"),
        ("Serve 3B requests", 3_000_000_000, "requests"),
        ("Book 40K USD in services", 40_000, "$"),
        ("Store 5GB of logs", 5, "GB"),
    ],
)
def test_scaled_numbers_and_money(text, target, unit):
    parsed = understood(text)
    assert parsed.kind == "change"
    assert parsed.start == 0
    assert parsed.target == pytest.approx(target)
    assert parsed.unit == unit


def test_a_stated_current_value_is_the_start():
    text = "200k views per 30 days of Node.js Collection articles (current is 125k)"
    parsed = understood(text)
    assert (parsed.kind, parsed.start, parsed.target, parsed.unit) == (
        "change",
        125_000,
        200_000,
        "views",
    )


def test_a_target_without_a_start_waits_for_the_first_check_in():
    parsed = understood("Increase gross retention to 90%")
    assert (parsed.kind, parsed.start, parsed.target, parsed.unit) == ("change", None, 90, "%")
    # A decimal is a level such as a rating, not a count: it does not start from zero.
    assert understood("Reach an app rating of 4.5").start is None


# --------------------------------------------------------------------------------------------
# change by a relative amount


@pytest.mark.parametrize(
    ("text", "relative", "unit"),
    [
        ("Cut reported bugs by 30%", -0.30, "bugs"),
        ("Decrease crashes by 20%", -0.20, "crashes"),
        ("Grow user engagement by 20% this quarter", 0.20, "engagement"),
        ("Increase number of total active contributors by 3%", 0.03, "contributors"),
        ("Lift trial sign-ups by 3x", 2.0, "sign-ups"),
        ("Reduce page weight by 2x", -0.5, "weight"),
        ("Double weekly active users", 1.0, "users"),
        ("Increase sessions on our blog. 5% month over month.", 0.05, "sessions"),
        ("Grow the community: 20% more contributors", 0.20, "community"),
    ],
)
def test_relative_change_leaves_start_and_target_to_the_baseline(text, relative, unit):
    parsed = understood(text)
    assert parsed.kind == "change"
    assert parsed.relative == pytest.approx(relative)
    assert (parsed.start, parsed.target) == (None, None)
    # The unit is the measured thing; "%" only sizes the change.
    assert parsed.unit == unit


def test_relative_change_with_a_stated_baseline_fills_start_and_target():
    parsed = understood("Cut open bugs by 30% (currently 40)")
    assert parsed.relative == pytest.approx(-0.30)
    assert parsed.start == 40
    assert parsed.target == pytest.approx(28)


def test_growing_by_an_amount_counts_what_is_gained():
    assert understood("Grow the mailing list by 50 subscribers").target == 50
    parsed = understood("Grow members by 50 (currently 200)")
    assert (parsed.start, parsed.target) == (200, 250)


@pytest.mark.parametrize(
    "text",
    [
        "Improve conversion by 20%",  # up or down? "improve" can mean either
        "Reduce bugs by 10",  # from what?
        "Shrink the backlog by 150%",
    ],
)
def test_unclear_changes_are_flagged(text):
    parsed = parse_key_result(text)
    assert (parsed.kind, parsed.needs_review) == ("milestone", True)
    assert parsed.review_reason


# --------------------------------------------------------------------------------------------
# bounds and bands


@pytest.mark.parametrize(
    ("text", "kind", "target", "unit"),
    [
        ("Resolve at least 85% of tickets in 24 hours", "at_least", 85, "%"),
        ("Ship at most 2 hotfixes per release", "at_most", 2, "hotfixes"),
        ("No more than 3 priority-one incidents", "at_most", 3, "incidents"),
        ("Keep unsubscribe rate below 1%", "at_most", 1, "%"),
        ("Keep NPS above 40", "at_least", 40, ""),
        ("Answer under 10% of chats by email", "at_most", 10, "%"),
        ("Publish 10 posts or more", "at_least", 10, "posts"),
        ("Keep p95 latency no more than 200ms", "at_most", 200, "ms"),
        ("Maintain 99.9% uptime", "at_least", 99.9, "%"),
        ("Preserve 100% of the error budget", "at_least", 100, "%"),
        ("Process all uploads within 48 hours", "at_most", 48, "hours"),
    ],
)
def test_bounds(text, kind, target, unit):
    parsed = understood(text)
    assert (parsed.kind, parsed.target, parsed.unit) == (kind, target, unit)


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("Stay within 2 and 4", 2, 4, ""),
        ("Keep availability between 95% and 99%", 95, 99, "%"),
        ("Keep the queue between 40 and 10 tickets", 10, 40, "tickets"),
    ],
)
def test_within(text, low, high, unit):
    parsed = understood(text)
    assert (parsed.kind, parsed.low, parsed.high, parsed.unit) == ("within", low, high, unit)


def test_levels():
    parsed = understood("Signups: commit 100, target 150, stretch 200")
    assert (parsed.kind, parsed.low, parsed.target, parsed.high) == ("levels", 100, 150, 200)


# --------------------------------------------------------------------------------------------
# milestones, review, and numbers that are not targets


@pytest.mark.parametrize(
    "text",
    [
        "Launch the new onboarding flow",
        "Get Space Opened By Jan 1st 2019",
        "Ship the 11.3 release with the new editor",
        "Roll out 2FA for all staff",
        "Plan the 2019 offsite",
        "Deliver the report by Aug 15",
        "Finish the 3rd chapter",
    ],
)
def test_deliverables_are_milestones_without_review(text):
    parsed = understood(text)
    assert parsed.kind == "milestone"
    assert (parsed.start, parsed.target, parsed.relative) == (None, None, None)


@pytest.mark.parametrize(
    "text",
    [
        "Resolve at least 85% of tickets in 24 hours",
        "Answer 90% of requests in 24h",
        "Publish 5 posts by March 3, 2020",
        "Publish 5 posts per 30 days",
        "Publish 5 posts for the 11.4 release",
        "Publish 5 posts in Q3",
        "Publish 5 posts on a 30-day cycle",
    ],
)
def test_years_versions_windows_and_dates_are_not_targets(text):
    parsed = understood(text)
    assert parsed.target in (85, 90, 5)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("12 34 56", "several numbers"),
        ("Hire 3 engineers and 2 designers", "several numbers"),
        ("Increase brand awareness", "how far"),
        ("Achieve 3x pipeline", "3x"),
        ("https://example.com/okrs/1", "link"),
    ],
)
def test_what_is_not_understood_is_a_flagged_milestone(text, reason):
    parsed = parse_key_result(text)
    assert (parsed.kind, parsed.needs_review) == ("milestone", True)
    assert reason in parsed.review_reason
    assert parsed.title == text


def test_the_title_drops_a_trailing_result_only():
    text = "Implement 10 performance improvements: 8/10 (80%)"
    parsed = parse_key_result(text)
    assert parsed.title == "Implement 10 performance improvements"
    assert (parsed.kind, parsed.start, parsed.target) == ("change", 0, 10)


# --------------------------------------------------------------------------------------------
# inline results


@pytest.mark.parametrize(
    ("text", "current", "target", "progress"),
    [
        ("8/10 (80%)", 8, 10, 0.8),
        ("8.5/11 (77%)", 8.5, 11, 0.77),
        ("21/20 (105%)", 21, 20, 1.05),
        ("0/2", 0, 2, 0.0),
        ("[4/10 (40%)](https://example.com/issues/1)", 4, 10, 0.4),
    ],
)
def test_fraction_results(text, current, target, progress):
    result = parse_inline_result(text)
    assert result == InlineResult(text, current=current, target=target, progress=progress)


def test_fraction_and_percentage_that_disagree_keep_the_written_text():
    result = parse_inline_result("10/10 (110%)")
    assert (result.current, result.target, result.progress) == (10, 10, None)
    assert result.note == "10/10 (110%)"


def test_a_placeholder_is_no_value_never_zero():
    result = parse_inline_result("X/10 (X%)")
    assert result.no_value
    assert (result.current, result.target, result.progress) == (None, 10, None)
    assert parse_inline_result(": X%").no_value


@pytest.mark.parametrize(
    ("text", "progress", "note"),
    [
        ("=> 100%", 1.0, ""),
        ("- 70%", 0.7, ""),
        (": 94%", 0.94, ""),
        (": 100%", 1.0, ""),
        ("-17%", -0.17, ""),
        (
            "94% ([S3 incident](https://example.com/7))",
            0.94,
            "[S3 incident](https://example.com/7)",
        ),
        ("30% (design nearly complete)", 0.3, "design nearly complete"),
        ("0%, not started this quarter.", 0.0, "not started this quarter."),
    ],
)
def test_percentage_results(text, progress, note):
    result = parse_inline_result(text)
    assert result.progress == pytest.approx(progress)
    assert result.note == note


@pytest.mark.parametrize(
    ("text", "done"),
    [
        ("Done", True),
        ("done", True),
        ("Not done", False),
        ("[x]", True),
        ("[ ]", False),
        ("✅", True),
        ("❌", False),
        ("Completed (shipped early)", True),
    ],
)
def test_done_results(text, done):
    result = parse_inline_result(text)
    assert result.done is done
    assert result.progress is None


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Achieved 94.5% CSAT",
        "50/50 sourced (100%)",
        "Completed mid-August",
        "94% of tickets",
        "70%) trailing",
        "Donezo",
    ],
)
def test_text_that_is_not_a_result(text):
    assert parse_inline_result(text) is None


# --------------------------------------------------------------------------------------------
# split_result


def test_split_after_the_last_colon():
    title, result = split_result("Plan: Implement 10 performance improvements: 8/10 (80%)")
    assert title == "Plan: Implement 10 performance improvements"
    assert (result.current, result.target, result.progress) == (8, 10, 0.8)


def test_split_after_a_dash_keeps_the_commentary():
    line = (
        "Make GitLab.com ready for mission-critical customer workloads - 70% "
        "(moved to GCP and hired great team, not up to new standards though, lots more to do)"
    )
    title, result = split_result(line)
    assert title == "Make GitLab.com ready for mission-critical customer workloads"
    assert result.progress == pytest.approx(0.7)
    assert result.note == (
        "moved to GCP and hired great team, not up to new standards though, lots more to do"
    )


def test_split_keeps_links_and_percentages_in_the_title():
    line = "Preserve 100% of [error budget](/handbook/engineering/error-budgets/): 100%"
    title, result = split_result(line)
    assert title == "Preserve 100% of [error budget](/handbook/engineering/error-budgets/)"
    assert result.progress == 1.0


def test_split_a_trailing_fraction_without_separator():
    line = (
        "Implement 5 [performance improvements](https://x/epics/3) on the MR/issue page X/10 (X%)"
    )
    title, result = split_result(line)
    assert title == "Implement 5 [performance improvements](https://x/epics/3) on the MR/issue page"
    assert result.no_value
    assert (result.current, result.target) == (None, 10)


@pytest.mark.parametrize(
    ("line", "title", "text"),
    [
        ("Ship the app => Done", "Ship the app", "Done"),
        ("Ship the app — [x]", "Ship the app", "[x]"),
        ("Write  the   guide : 50%", "Write  the   guide", "50%"),
        ("Make docs better [5/10 (50%)](https://x/b?l[]=d)", "Make docs better", None),
    ],
)
def test_split_separators(line, title, text):
    got_title, result = split_result(line)
    assert got_title == title
    assert result is not None
    if text is not None:
        assert result.text == text


@pytest.mark.parametrize(
    "line",
    [
        "Support: Achieved 94.5% CSAT across all customer tickets for Q3.",
        "Hire two directors. 0/2",
        "Open source the mobile apps 100%",
        "Launch the new onboarding flow",
        "Content: Increase sessions - 5% month over month",
        "  Keep   the spacing  ",
        "",
    ],
)
def test_no_split_when_the_line_has_no_trailing_result(line):
    assert split_result(line) == (line, None)


# --------------------------------------------------------------------------------------------
# Any text at all


WORDS = [
    "from", "to", "by", "at least", "at most", "below", "between", "and", "within", "current is",
    "commit", "target", "stretch", "Cut", "Increase", "Reduce", "Keep", "Double", "of", "in",
    "per", "hours", "days", "release", "Jan", "1st", "2019", "11.3", "4.5", "30%", "125k",
    "$1.2M", "€50k", "1,200", "3x", "X/10", "(X%)", "8/10", "(80%)", "(", ")", "[", "]",
    ":", " - ", "=>", "—", "Done", "[x]", "[ ]", "✅", "bugs", "-", "%", ",", ".", "0", "1e400",
    "9" * 400, "[link](https://x/1)", "`code`", "\ue000", "\ue0010\ue001", "\\", "*",
]  # fmt: skip


def check_invariants(text: str) -> None:
    parsed = parse_key_result(text)
    assert parsed.kind in KINDS
    assert not parsed.needs_review or parsed.kind == "milestone"
    assert text.startswith(parsed.title)
    for value in (parsed.start, parsed.target, parsed.low, parsed.high, parsed.relative):
        assert value is None or math.isfinite(value)
    title, result = split_result(text)
    assert text.startswith(title)
    if result is None:
        assert title == text
    else:
        assert result.progress is None or math.isfinite(result.progress)
        assert not (result.no_value and result.current is not None)


@settings(max_examples=400, deadline=None)
@given(st.text())
def test_arbitrary_text_never_raises(text):
    check_invariants(text)
    parse_inline_result(text)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join))
def test_sentence_like_text_never_raises(text):
    check_invariants(text)
    parse_inline_result(text)


# --------------------------------------------------------------------------------------------
# Real documents (read from ../shared/data, never copied into the repository)

BULLET = re.compile(r"^\s*[*-]\s+(?P<text>.+)$")


def bullets(name: str) -> list[str]:
    path = shared_file(name)
    return [m["text"] for line in path.read_text().splitlines() if (m := BULLET.match(line))]


def split_all(name: str) -> list[tuple[str, str, InlineResult | None, ParsedKeyResult]]:
    rows = []
    for text in bullets(name):
        title, result = split_result(text)
        assert text.startswith(title)
        parsed = parse_key_result(text)
        assert parsed.kind in KINDS
        assert parsed.title == title
        rows.append((text, title, result, parsed))
    return rows


def find(rows, *fragments: str):
    hits = [row for row in rows if all(f in row[0] for f in fragments)]
    assert hits, fragments
    return hits


def test_gitlab_cascade_results():
    rows = split_all("gitlab_2018q3_cascade.md")

    (_, title, result, parsed), *_ = find(rows, "Plan: Implement 10 [performance")
    assert title.endswith("epics/247)")
    assert (result.current, result.target, result.progress) == (8, 10, 0.8)
    assert (parsed.kind, parsed.start, parsed.target) == ("change", 0, 10)

    (_, title, result, _), *_ = find(rows, "mission-critical customer workloads - 70%")
    assert title.endswith("customer workloads")
    assert result.progress == pytest.approx(0.7)
    assert result.note.startswith("moved to GCP")

    (_, title, result, _), *_ = find(rows, "on the MR/issue page X/10 (X%)")
    assert title.endswith("on the MR/issue page")
    assert result.no_value and result.target == 10 and result.current is None

    (_, _, result, parsed), *_ = find(rows, "Plan: Preserve 100% of [error budget]")
    assert result.progress == pytest.approx(0.94)
    assert "S3 incident" in result.note
    assert (parsed.kind, parsed.target, parsed.unit) == ("at_least", 100, "%")

    preserved = find(rows, "Preserve 100% of [error budget]", ": 100%")
    assert all(result.progress == 1.0 for _, _, result, _ in preserved)

    (_, _, result, _), *_ = find(rows, "Self-managed: 10 iterations")
    assert (result.current, result.target, result.note) == (10, 10, "10/10 (110%)")

    (text, title, result, _), *_ = find(rows, "Support: Achieved 94.5% CSAT")
    assert (title, result) == (text, None)

    placeholders = [row for row in rows if row[2] is not None and row[2].no_value]
    assert len(placeholders) >= 5
    assert all(row[2].current is None and row[2].progress is None for row in placeholders)


def test_nodejs_key_results_are_all_understood():
    rows = split_all("nodejs_commcomm_okr_2020.md")
    key_results = [row for row in rows if row[0].startswith("**Key Result:**")]
    assert len(key_results) == 13
    assert not [row[0] for row in key_results if row[3].needs_review]

    (_, _, _, parsed), *_ = find(rows, "200k views per 30 days")
    assert (parsed.kind, parsed.start, parsed.target, parsed.unit) == (
        "change",
        125_000,
        200_000,
        "views",
    )
    (_, _, _, parsed), *_ = find(rows, "active contributors by 3%")
    assert (parsed.relative, parsed.start, parsed.target) == (pytest.approx(0.03), None, None)
