import re

from northstar.okrs.models import Objective
from northstar.web.tests.conftest import assert_redirects_to_sign_in


def url(objective) -> str:
    return f"/objectives/{objective.pk}/"


def test_it_shows_the_objective_and_its_key_results(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.department_objective))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="objective-title">Ship a faster product<' in html
    assert "Cut p95 latency from 800 to 400" in html
    assert "from 800 to 400 ms" in html
    assert "Release the new editor" in html
    assert 'data-testid="objective-progress"' in html


def test_it_shows_the_thread_up_to_the_top(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.personal_objective)).content.decode()
    thread = re.search(r'<nav class="thread".*?</nav>', html, re.S)[0]
    titles = [
        "Learn query tuning",
        "Make the API fast",
        "Ship a faster product",
        "Become the tool teams keep using",
    ]
    positions = [thread.index(title) for title in titles]
    assert positions == sorted(positions)
    assert f'href="/objectives/{personas.company_objective.pk}/"' in thread
    assert 'aria-current="page"' in thread


def test_it_lists_objectives_aligned_to_it_or_to_its_key_results(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.company_objective)).content.decode()
    assert "Ship a faster product" in html
    assert "via key result" in html
    assert "Raise weekly active teams from 100 to 200" in html


def test_it_shows_the_reported_score(sign_in, personas):
    Objective.objects.filter(pk=personas.team_objective.pk).update(
        reported_score=0.6, reported_text="Mostly there"
    )
    html = sign_in(personas.dev).get(url(personas.team_objective)).content.decode()
    assert "0.6 — Mostly there" in html


def test_it_404s_for_an_unknown_objective(sign_in, personas):
    assert sign_in(personas.dev).get("/objectives/999/").status_code == 404


def test_it_requires_sign_in(client, personas):
    path = url(personas.team_objective)
    assert_redirects_to_sign_in(client.get(path), path)


def _kr_row(html: str, kr) -> str:
    return re.search(
        rf'<tr data-testid="kr-row" data-key-result-id="{kr.pk}">.*?</tr>', html, re.S
    )[0]


def test_a_key_result_fed_by_aligned_objectives_shows_their_roll_up(sign_in, personas):
    kr = personas.kr_company  # progress_source "aligned": the department objective feeds it
    assert kr.progress_source == "aligned"
    html = sign_in(personas.dev).get(url(personas.company_objective)).content.decode()
    row = _kr_row(html, kr)
    assert "progress from 1 aligned objective<" in row
    # None of what only a measured key result has: a measure, "Never", stale for lack of
    # check-ins it cannot take.
    assert "from 0 to 100" not in row
    assert "Never" not in row
    assert 'data-health="stale"' not in row
