"""The weekly check-in in a real browser, by keyboard: the first field has focus, Tab moves
along a row, Enter submits; a low confidence without a note is refused with focus on the
note; then a comment on the key result through its htmx thread. No CSP violation on the way.

Drives Debian's chromium like `test_browser.py` (whose `page` fixture this reuses).
"""

from __future__ import annotations

from datetime import date

import pytest

from northstar.okrs.demo import PASSWORD, build_demo
from northstar.okrs.models import CheckIn
from northstar.people.models import Organisation, Person
from northstar.web.tests.test_browser import page  # noqa: F401  (the fixture)

pytestmark = pytest.mark.browser

TODAY = date(2026, 5, 13)


@pytest.fixture
def site(transactional_db, live_server, monkeypatch):
    # The check-in page lists the cycles running today: make "today" the demo's day.
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)
    summary = build_demo(TODAY)
    return live_server.url, Person.objects.get(email=summary.member_email)


def test_a_keyboard_check_in_and_a_comment(site, page):  # noqa: F811
    from playwright.sync_api import expect

    url, member = site
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.goto(url + "/sign-in/")
    page.get_by_test_id("sign-in-username").fill(member.email)
    page.get_by_test_id("sign-in-password").fill(PASSWORD)
    page.get_by_test_id("sign-in-submit").click()
    page.get_by_test_id("nav-check-in").click()
    expect(page.locator("h1")).to_have_text("Check in")

    # The first row's reading has focus as the page opens.
    first = page.locator('[name^="kr-0-"]:not([type="hidden"])').first
    expect(first).to_be_focused()

    # A numeric row, by keyboard: value, Tab, confidence 2 and no note, Enter.
    value = page.locator('input[type="number"][name$="-value"]').first
    prefix = value.get_attribute("name").removesuffix("-value")
    value.focus()
    page.keyboard.type("7")
    page.keyboard.press("Tab")
    expect(page.locator(f'[name="{prefix}-confidence"]')).to_be_focused()
    page.keyboard.type("2")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("sheet-errors")).to_be_visible()
    note = page.locator(f'[name="{prefix}-note"]')
    expect(note).to_be_focused()
    assert CheckIn.objects.filter(author=member, measured_on=TODAY).count() == 0

    # The note, then Enter again: saved.
    page.keyboard.type("Blocked on review; a second reviewer would help.")
    page.keyboard.press("Enter")
    expect(page.locator(".message--success")).to_contain_text("Recorded 1 check-in.")
    check_in = CheckIn.objects.get(author=member, measured_on=TODAY)
    assert (check_in.value, check_in.confidence) == (7, 2)

    # The key result's thread loads by itself; a comment posts in place.
    page.goto(f"{url}/key-results/{check_in.key_result_id}/")
    expect(page.get_by_test_id("comment-form")).to_be_visible()
    page.get_by_role("textbox", name="Comment").fill("Pairing with **Ana** tomorrow.")
    page.get_by_test_id("comment-submit").click()
    expect(page.get_by_test_id("feedback-posted")).to_have_text("Comment posted.")
    expect(page.get_by_test_id("comment").last.locator(".comment__body strong")).to_have_text("Ana")
    assert violations == []
