import re

from northstar.okrs.models import Objective
from northstar.web.tests.conftest import assert_redirects_to_sign_in
from northstar.web.views.search import LIMIT


def section(html: str, slug: str) -> str:
    found = re.search(rf'data-testid="results-{slug}".*?</section>', html, re.S)
    return found[0] if found else ""


def search(client, q: str) -> str:
    response = client.get("/search/", {"q": q})
    assert response.status_code == 200
    return response.content.decode()


def test_it_finds_an_objective_a_key_result_a_person_and_a_unit(sign_in, personas):
    client = sign_in(personas.dev)
    assert "Make the API fast" in section(search(client, "api FAST"), "objectives")
    assert "Raise cache hit rate" in section(search(client, "CACHE hit"), "key-results")
    assert "Cleo" in section(search(client, "cleo"), "people")
    assert "Platform" in section(search(client, "platf"), "units")


def test_it_finds_by_reference(sign_in, personas):
    html = search(sign_in(personas.dev), f"KR-{personas.kr_cache.pk}")
    assert "Raise cache hit rate" in section(html, "key-results")


def test_it_says_when_nothing_matches(sign_in, personas):
    assert "Nothing matches" in search(sign_in(personas.dev), "zebra")


def test_it_bounds_the_results(sign_in, personas):
    Objective.objects.bulk_create(
        Objective(title=f"Bulk objective {i}", cycle=personas.quarter, level="individual")
        for i in range(LIMIT + 5)
    )
    html = section(search(sign_in(personas.dev), "bulk objective"), "objectives")
    assert html.count("Bulk objective") == LIMIT
    assert "Only the first 20 are shown" in html


def test_the_header_box_keeps_the_query(sign_in, personas):
    html = search(sign_in(personas.dev), "cache")
    assert 'id="site-search" name="q" value="cache"' in html


def test_an_empty_query_shows_the_form(sign_in, personas):
    html = search(sign_in(personas.dev), "")
    assert 'data-testid="search-results"' not in html


def test_it_requires_sign_in(client, personas):
    assert_redirects_to_sign_in(client.get("/search/?q=x"), "/search/")
