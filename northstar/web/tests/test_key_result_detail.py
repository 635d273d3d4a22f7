import re
from datetime import date

from northstar.okrs import actions
from northstar.web.tests.conftest import assert_redirects_to_sign_in


def url(kr) -> str:
    return f"/key-results/{kr.pk}/"


def check_in(kr, author, value, day, **extra):
    return actions.record_check_in(
        key_result=kr, author=author, value=value, measured_on=day, **extra
    )


def test_it_shows_the_key_result(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.kr_cache))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kr-title">Raise cache hit rate from 50 to 90<' in html
    assert "from 50 to 90 %" in html
    assert 'data-testid="kr-progress"' in html
    assert "No check-ins yet" in html


def test_it_shows_the_history_with_a_badge_outside_the_cycle(sign_in, personas):
    kr, cleo = personas.kr_cache, personas.cleo
    check_in(kr, cleo, 60, date(2026, 10, 12), confidence=6, note="Warm cache")
    check_in(kr, cleo, 52, date(2026, 9, 20))
    html = sign_in(personas.dev).get(url(kr)).content.decode()
    history = re.search(r'data-testid="check-in-history".*?</table>', html, re.S)[0]
    assert "12 Oct 2026" in history
    assert "60 %" in history
    assert "6/10" in history
    assert "Warm cache" in history
    assert "Cleo" in history
    assert history.count('data-testid="outside-cycle"') == 1
    # Newest measurement first.
    assert history.index("12 Oct 2026") < history.index("20 Sep 2026")


def test_it_draws_an_accessible_chart(sign_in, personas):
    kr, cleo = personas.kr_cache, personas.cleo
    check_in(kr, cleo, 60, date(2026, 10, 12))
    check_in(kr, cleo, 70, date(2026, 11, 2))
    html = sign_in(personas.dev).get(url(kr)).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S)[0]
    assert 'role="img"' in svg
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    assert '<title id="chart-title">' in svg
    assert "2 check-ins from 12 Oct 2026 to 02 Nov 2026" in svg
    assert svg.count('<circle class="chart__point"') == 2
    assert 'class="chart__plan"' in svg
    assert " style=" not in svg
    table = re.search(r'data-testid="kr-chart-table".*?</table>', html, re.S)[0]
    assert "2 Nov 2026" in table
    assert "70" in table


def test_it_shows_the_thread_to_the_top(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.kr_cache)).content.decode()
    thread = re.search(r'<nav class="thread".*?</nav>', html, re.S)[0]
    for title in ["Make the API fast", "Ship a faster product", "Become the tool teams keep using"]:
        assert title in thread


def test_it_shows_the_form_to_the_owner(sign_in, personas):
    html = sign_in(personas.cleo).get(url(personas.kr_cache)).content.decode()
    assert 'data-testid="check-in-form"' in html
    assert 'data-testid="check-in-value"' in html
    assert f'hx-post="/key-results/{personas.kr_cache.pk}/check-ins/"' in html
    today = personas.org.today().isoformat()
    assert f'name="measured_on" value="{today}"' in html


def test_it_hides_the_form_from_others(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.kr_cache)).content.decode()
    assert 'data-testid="check-in-form"' not in html
    assert 'data-testid="check-in-not-allowed"' in html


def test_it_asks_for_a_level_or_a_done_box_by_kind(sign_in, personas):
    client = sign_in(personas.ada)
    levels = client.get(url(personas.kr_course)).content.decode()
    assert 'data-testid="check-in-level"' in levels
    assert '<option value="stretch">stretch (100%)</option>' in levels
    milestone = client.get(url(personas.kr_release)).content.decode()
    assert 'type="checkbox" name="done"' in milestone


def test_it_answers_htmx_with_the_panel_only(sign_in, personas):
    response = sign_in(personas.cleo).get(url(personas.kr_cache), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="kr-panel"')
    assert "HX-Request" in response["Vary"]


def test_it_answers_a_boosted_request_with_the_whole_page(sign_in, personas):
    response = sign_in(personas.cleo).get(
        url(personas.kr_cache), HTTP_HX_REQUEST="true", HTTP_HX_BOOSTED="true"
    )
    assert b"<html" in response.content


def test_it_404s_for_an_unknown_key_result(sign_in, personas):
    assert sign_in(personas.dev).get("/key-results/999/").status_code == 404


def test_it_requires_sign_in(client, personas):
    path = url(personas.kr_cache)
    assert_redirects_to_sign_in(client.get(path), path)
