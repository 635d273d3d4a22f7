"""A unit's activity feed page, the unit page's section and paging over htmx."""

from datetime import UTC, date, datetime, timedelta

import pytest

from northstar.feedback.actions import add_comment
from northstar.okrs import actions
from northstar.people.models import Organisation
from northstar.test import build_access_personas

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: date(2026, 11, 16))


@pytest.fixture
def busy(personas):
    p = personas
    start = datetime(2026, 11, 2, 16, tzinfo=UTC)
    for n in range(25):
        actions.record_check_in(
            key_result=p.kr_cache,
            author=p.cleo,
            value=50 + n,
            measured_on=date(2026, 10, 2) + timedelta(n),
            created_at=start + timedelta(hours=n),
        )
    add_comment(subject=p.kr_cache, author=p.ben, body="Keep going @cleo")
    return p


def test_the_feed_page_lists_the_newest_first_and_links_to_older(sign_in, busy):
    p = busy
    response = sign_in(p.dev).get(f"/units/{p.engineering.pk}/activity/")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count('data-testid="feed-entry"') == 20
    assert html.index('data-kind="comment"') < html.index('data-kind="check_in"')
    assert "Keep going @cleo" in html
    assert 'data-testid="feed-more"' in html
    # Times are shown in the organisation's time zone (Zurich: UTC+1 in November).
    assert "3 Nov, 16:00" in html


def test_the_next_page_comes_as_entries_for_htmx(sign_in, busy):
    p = busy
    client = sign_in(p.dev)
    first = client.get(f"/units/{p.engineering.pk}/activity/")
    cursor = first.context["page"].next_cursor
    more = client.get(f"/units/{p.engineering.pk}/activity/", {"before": cursor}, **HTMX)
    html = more.content.decode()
    assert "<!doctype html>" not in html
    assert html.count('data-testid="feed-entry"') == 6  # 25 check-ins + 1 comment − 20
    assert 'data-testid="feed-more"' not in html


def test_the_unit_page_previews_the_feed_in_its_own_request(sign_in, busy):
    p = busy
    client = sign_in(p.dev)
    unit_page = client.get(f"/units/{p.platform.pk}/").content.decode()
    assert f'hx-get="/units/{p.platform.pk}/activity/?preview=1"' in unit_page
    preview = client.get(f"/units/{p.platform.pk}/activity/", {"preview": "1"}, **HTMX)
    html = preview.content.decode()
    assert html.count('data-testid="feed-entry"') == 5
    assert 'data-testid="all-activity"' in html


def test_a_private_check_in_is_missing_for_an_outsider(sign_in, personas):
    access = build_access_personas(personas)
    outsider = sign_in(personas.dev).get(f"/units/{personas.platform.pk}/activity/")
    assert access.public_note.encode() in outsider.content
    assert access.private_note.encode() not in outsider.content
    assert access.kr_deal.title.encode() not in outsider.content
    lead = sign_in(personas.ben).get(f"/units/{personas.platform.pk}/activity/")
    assert access.private_note.encode() in lead.content


def test_an_empty_feed_says_so(sign_in, personas):
    response = sign_in(personas.dev).get(f"/units/{personas.platform.pk}/activity/")
    assert b"No activity yet." in response.content
