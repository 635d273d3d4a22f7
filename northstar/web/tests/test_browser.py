"""A person's path through the demo in a real browser: sign in, expand the cascade, open a key
result, check in, and watch its objective and the objective above it move.

Drives Debian's chromium (/usr/bin/chromium) through Playwright's sync API; Playwright's own
browser downloads are never used. Without chromium the test is skipped, except in CI (CI set),
where it must run.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from northstar.okrs.demo import ADMIN_EMAIL, PASSWORD, build_demo

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
TODAY = date(2026, 5, 13)
QUARTER = "2026-Q2"
COMPANY = "Ship a faster, more reliable product"
DEPARTMENT = "Harden the platform for ten times today's load"
TEAM = "Make storage migrations boring"
KEY_RESULT = "Migrate 100% of workspaces to the new storage layer"


@pytest.fixture
def site(transactional_db, live_server) -> str:
    """The demo, committed so that the live server's thread sees it."""
    build_demo(TODAY)
    return live_server.url


@pytest.fixture
def page(monkeypatch) -> Iterator:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing; CI must install Debian's chromium.")
        pytest.skip("Debian's chromium is not installed: apt-get install -y chromium")
    from playwright.sync_api import expect, sync_playwright

    # Playwright runs an event loop in this thread; the test's own ORM reads are still sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


def percent(locator) -> int:
    """The whole percent a progress label shows ('42%')."""
    text = locator.inner_text().strip()
    match = re.fullmatch(r"(-?\d+)%", text)
    assert match, f"not a percent: {text!r}"
    return int(match.group(1))


def card(page, title: str):
    return page.get_by_test_id("objective-card").filter(
        has=page.get_by_test_id("objective-link").get_by_text(title, exact=True)
    )


def test_a_check_in_moves_its_objective_and_the_one_above(site, page):
    from playwright.sync_api import expect

    # Open the demo: the cascade asks who you are first.
    page.goto(site + "/")
    page.get_by_test_id("sign-in-username").fill(ADMIN_EMAIL)
    page.get_by_test_id("sign-in-password").fill(PASSWORD)
    page.get_by_test_id("sign-in-submit").click()
    expect(page.get_by_test_id("nav-cascade")).to_be_visible()

    # The demo's quarter (the current one depends on the real date, so pick it).
    switcher = page.get_by_test_id("cycle-switcher")
    switcher.locator("summary").click()
    switcher.get_by_role("link", name=QUARTER, exact=True).click()
    expect(page.locator("h1")).to_contain_text(QUARTER)

    # Expand the cascade down to a team objective.
    card(page, COMPANY).get_by_test_id("expand").click()
    expect(card(page, DEPARTMENT)).to_be_visible()
    card(page, DEPARTMENT).get_by_test_id("expand").click()
    expect(card(page, TEAM)).to_be_visible()
    card(page, TEAM).get_by_test_id("objective-link").click()
    expect(page.get_by_test_id("objective-title")).to_have_text(TEAM)

    # Open one of its key results and read the thread up to the company.
    page.get_by_test_id("kr-link").get_by_text(KEY_RESULT, exact=True).click()
    expect(page.get_by_test_id("kr-title")).to_have_text(KEY_RESULT)
    thread = page.get_by_test_id("thread").locator("li[data-objective-id]")
    expect(thread.nth(0)).to_contain_text(TEAM)
    expect(thread.nth(1)).to_contain_text(DEPARTMENT)
    before = [percent(thread.nth(i).get_by_test_id("progress-percent")) for i in (0, 1)]
    kr_before = percent(page.get_by_test_id("kr-progress").get_by_test_id("progress-percent"))
    assert kr_before < 100

    # Check in: every workspace migrated.
    page.get_by_test_id("check-in-value").fill("100")
    page.get_by_test_id("check-in-date").fill(TODAY.isoformat())
    page.get_by_test_id("check-in-confidence").fill("9")
    page.get_by_test_id("check-in-note").fill("Last batch done over the weekend.")
    page.get_by_test_id("check-in-submit").click()
    expect(page.get_by_test_id("check-in-recorded")).to_be_visible()

    # The key result, its objective and the parent objective all moved up.
    kr_progress = page.get_by_test_id("kr-progress").get_by_test_id("progress-percent")
    expect(kr_progress).to_have_text("100%")
    after = [percent(thread.nth(i).get_by_test_id("progress-percent")) for i in (0, 1)]
    assert after[0] > before[0], (before, after)
    assert after[1] > before[1], (before, after)
    expect(page.get_by_test_id("check-in-row").first).to_contain_text("Last batch done")

    # And it stays so: a fresh page load shows the same figures.
    page.reload()
    again = [percent(thread.nth(i).get_by_test_id("progress-percent")) for i in (0, 1)]
    assert again == after
