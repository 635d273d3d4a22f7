"""The check-in page: every key result I own or contribute to, in one form."""

import io
import re
from datetime import date

import pytest
from django.core.management import call_command

from northstar.feedback.models import Celebration
from northstar.notifications.models import Delivery
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, KeyResult
from northstar.people.models import Organisation
from northstar.test import build_access_personas
from northstar.web.rhythm_forms import LOW_CONFIDENCE_MESSAGE
from northstar.web.tests.conftest import assert_redirects_to_sign_in

TODAY = date(2026, 11, 16)
URL = "/check-in/"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: TODAY)


def rows(response) -> dict[str, int]:
    """Key result title → row index, from the rendered page's context."""
    return {kr.title: i for i, (_, kr) in enumerate(response.context["rows"])}


def sheet(response, **filled: dict) -> dict:
    """The form as the browser would post it: every row as rendered, plus what was typed
    (keyed by key result pk)."""
    pairs = response.context["rows"]
    data = {
        "kr-TOTAL_FORMS": str(len(pairs)),
        "kr-INITIAL_FORMS": str(len(pairs)),
        "kr-MIN_NUM_FORMS": "0",
        "kr-MAX_NUM_FORMS": "1000",
    }
    for i, (_, kr) in enumerate(pairs):
        data[f"kr-{i}-key_result_id"] = str(kr.pk)
        data[f"kr-{i}-measured_on"] = TODAY.isoformat()
        for name, value in filled.get(f"kr{kr.pk}", {}).items():
            data[f"kr-{i}-{name}"] = value
    return data


def test_it_lists_the_key_results_i_own_in_the_running_cycle(sign_in, personas):
    p = personas
    response = sign_in(p.cleo).get(URL)
    assert response.status_code == 200
    assert list(rows(response)) == [p.kr_cache.title, p.kr_course.title]
    html = response.content.decode()
    assert html.count('data-testid="check-in-row"') == 2
    # Labels for every field, the first field focused, one submit button for all.
    assert '<label for="id_kr-0-value">' in html
    assert 'name="kr-0-value" step="any" inputmode="decimal" autofocus' in html
    assert html.count("autofocus") == 1
    assert html.count('data-testid="check-in-sheet-submit"') == 1
    assert 'aria-current="page">Check in</a>' in html


def test_it_shows_last_value_expected_value_and_status(sign_in, personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=55, measured_on=date(2026, 11, 12)
    )
    response = sign_in(p.cleo).get(URL)
    html = response.content.decode()
    # 50 + (90 − 50) × 47/92 days of the quarter.
    assert 'data-testid="expected-today">70.43 %<' in html
    assert 'data-testid="last-value">55 % <span class="meta">on 12 Nov</span>' in html
    assert 'data-health="at_risk"' in html  # 12.5 % done against 51 % of the time
    assert 'data-testid="expected-today">51% of the way<' in html  # the levels key result
    assert 'data-health="stale"' in html  # no check-in since the quarter started


def test_it_flags_divergence(sign_in, personas):
    p = personas
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=52, confidence=9, measured_on=TODAY
    )
    html = sign_in(p.cleo).get(URL).content.decode()
    assert 'data-divergence="overconfident"' in html
    assert "Confidence is high, but progress is well behind the plan." in html


def test_it_saves_several_key_results_at_once(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    page = client.get(URL)
    data = sheet(
        page,
        **{
            f"kr{p.kr_cache.pk}": {"value": "62.5", "confidence": "7", "note": "Warm cache"},
            f"kr{p.kr_course.pk}": {"level": "commit", "confidence": "5"},
        },
    )
    response = client.post(URL, data)
    assert response.status_code == 303
    assert response["Location"] == URL
    cache, course = CheckIn.objects.order_by("key_result__position", "key_result_id")
    assert (cache.key_result, cache.value, cache.confidence, cache.note) == (
        p.kr_cache,
        62.5,
        7,
        "Warm cache",
    )
    assert (course.key_result, course.level, course.author) == (p.kr_course, "commit", p.cleo)
    assert {c.measured_on for c in (cache, course)} == {TODAY}
    assert "Recorded 2 check-ins." in client.get(URL).content.decode()


def test_it_skips_rows_left_empty(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    data = sheet(client.get(URL), **{f"kr{p.kr_course.pk}": {"level": "target"}})
    assert client.post(URL, data).status_code == 303
    assert list(CheckIn.objects.values_list("key_result", flat=True)) == [p.kr_course.pk]


def test_it_saves_nothing_when_one_row_is_invalid(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    data = sheet(
        client.get(URL),
        **{
            f"kr{p.kr_cache.pk}": {"value": "70", "confidence": "8"},
            f"kr{p.kr_course.pk}": {"level": "fail", "confidence": "2"},  # low, and no note
        },
    )
    response = client.post(URL, data)
    assert response.status_code == 422
    assert not CheckIn.objects.exists()
    html = response.content.decode()
    assert 'data-testid="sheet-errors"' in html
    # The error sits on the row that caused it, and focus goes there.
    course_row = html.index(f'data-key-result-id="{p.kr_course.pk}"')
    assert html.count(LOW_CONFIDENCE_MESSAGE) == 1
    assert html.index(LOW_CONFIDENCE_MESSAGE) > course_row
    assert 'id="id_kr-1-note_error"' in html
    note_input = re.search(r'<input[^>]*name="kr-1-note"[^>]*>', html).group()
    assert "autofocus" in note_input
    assert html.count("autofocus") == 1
    assert 'value="70"' in html  # what was typed stays


def test_a_low_confidence_with_a_note_is_fine(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    row = {"value": "55", "confidence": "3", "note": "Need a second cache node"}
    assert (
        client.post(URL, sheet(client.get(URL), **{f"kr{p.kr_cache.pk}": row})).status_code == 303
    )
    assert CheckIn.objects.get().note == "Need a second cache node"


def test_a_row_with_only_a_confidence_needs_a_value(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    data = sheet(client.get(URL), **{f"kr{p.kr_cache.pk}": {"confidence": "6"}})
    response = client.post(URL, data)
    assert response.status_code == 422
    assert b"Give a value, or leave the whole row empty." in response.content


def test_an_empty_sheet_saves_nothing_and_says_so(sign_in, personas):
    client = sign_in(personas.cleo)
    response = client.post(URL, sheet(client.get(URL)))
    assert response.status_code == 422
    assert b"Fill in at least one key result" in response.content


def test_a_posted_row_for_another_key_result_is_refused(sign_in, personas):
    p = personas
    client = sign_in(p.cleo)
    data = sheet(client.get(URL), **{f"kr{p.kr_cache.pk}": {"value": "70"}})
    data["kr-0-key_result_id"] = str(p.kr_latency.pk)
    response = client.post(URL, data)
    assert response.status_code == 422
    assert not CheckIn.objects.exists()


def test_it_includes_key_results_i_contribute_to_even_private_ones(sign_in, personas):
    access = build_access_personas(personas)
    client = sign_in(access.hana)
    page = client.get(URL)
    assert list(rows(page)) == [personas.kr_cache.title, access.kr_deal.title]
    assert page.content.decode().count(">Contributor<") == 2
    data = sheet(page, **{f"kr{access.kr_deal.pk}": {"value": "5"}})
    assert client.post(URL, data).status_code == 303
    assert CheckIn.objects.filter(author=access.hana).get().key_result == access.kr_deal


def test_it_leaves_out_what_takes_no_check_ins(sign_in, personas):
    p = personas
    # Ada owns only the company key result, which takes its progress from below.
    assert rows(sign_in(p.ada).get(URL)) == {}
    KeyResult.objects.filter(pk=p.kr_course.pk).update(state="archived")
    assert list(rows(sign_in(p.cleo).get(URL))) == [p.kr_cache.title]


def test_it_shows_only_cycles_running_today(sign_in, personas, monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: date(2027, 1, 10))
    response = sign_in(personas.cleo).get(URL)
    assert b'data-testid="nothing-to-check-in"' in response.content


def test_a_viewer_may_look_but_not_check_in(sign_in, personas):
    access = build_access_personas(personas)
    client = sign_in(access.gus)
    assert b'data-testid="read-only"' in client.get(URL).content
    assert client.post(URL, {"kr-TOTAL_FORMS": "0"}).status_code == 403


def test_it_requires_sign_in(client, personas):
    assert_redirects_to_sign_in(client.get(URL), URL)


def test_the_page_and_the_cli_record_the_same_check_in_celebration_and_notices(sign_in, personas):
    """The same landing check-in through both front doors, each rolled back after."""
    from django.db import transaction

    p = personas

    def outcome() -> dict:
        check_in = CheckIn.objects.get()
        fields = ("key_result_id", "value", "level", "done", "measured_on", "confidence")
        return {
            "check_in": [getattr(check_in, f) for f in fields]
            + [check_in.note, check_in.author_id, check_in.progress_then],
            "celebrations": [
                (c.kind, c.objective_id, c.key_result_id, c.check_in_id == check_in.pk)
                for c in Celebration.objects.all()
            ],
            "deliveries": sorted(
                Delivery.objects.values_list("kind", "channel", "recipient_id", "objective_id")
            ),
        }

    client = sign_in(p.cleo)
    page = client.get(URL)
    with transaction.atomic():
        row = {"value": "90", "confidence": "8", "note": "Landed"}
        assert client.post(URL, sheet(page, **{f"kr{p.kr_cache.pk}": row})).status_code == 303
        through_page = outcome()
        transaction.set_rollback(True)
    with transaction.atomic():
        call_command(
            "check_in",
            f"KR-{p.kr_cache.pk}",
            "90",
            confidence=8,
            note="Landed",
            date=TODAY,
            as_email=p.cleo.email,
            stdout=io.StringIO(),
        )
        through_cli = outcome()
        transaction.set_rollback(True)
    assert through_page == through_cli
    assert through_page["celebrations"] == [
        ("key_result", p.team_objective.pk, p.kr_cache.pk, True)
    ]
    assert through_page["deliveries"] == [("celebration", "email", p.dev.pk, p.team_objective.pk)]
