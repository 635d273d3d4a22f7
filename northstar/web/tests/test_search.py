import re

from northstar.okrs.models import KeyResult, Objective
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


def test_a_reference_jumps_straight_to_its_item(sign_in, personas):
    client = sign_in(personas.dev)
    response = client.get("/search/", {"q": f"kr-{personas.kr_cache.pk}"})
    assert response.status_code == 302
    assert response["Location"] == f"/key-results/{personas.kr_cache.pk}/"
    response = client.get("/search/", {"q": f" O-{personas.team_objective.pk} "})
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{personas.team_objective.pk}/"


def test_an_external_id_naming_one_item_jumps_to_it(sign_in, personas):
    KeyResult.objects.filter(pk=personas.kr_cache.pk).update(external_ref="PLAT-7")
    response = sign_in(personas.dev).get("/search/", {"q": "plat-7"})
    assert response.status_code == 302
    assert response["Location"] == f"/key-results/{personas.kr_cache.pk}/"


def test_an_external_id_naming_several_items_lists_them(sign_in, personas):
    Objective.objects.filter(pk=personas.team_objective.pk).update(external_ref="PLAT-7")
    KeyResult.objects.filter(pk=personas.kr_cache.pk).update(external_ref="PLAT-7")
    html = search(sign_in(personas.dev), "PLAT-7")
    assert "Make the API fast" in section(html, "objectives")
    assert "Raise cache hit rate" in section(html, "key-results")


def test_a_reference_to_a_hidden_item_neither_jumps_nor_lists(sign_in, personas):
    Objective.objects.filter(pk=personas.personal_objective.pk).update(is_private=True)
    hidden_objective = f"O-{personas.personal_objective.pk}"
    hidden_key_result = f"KR-{personas.kr_course.pk}"
    for q in (hidden_objective, hidden_key_result):
        # dev may not read cleo's private objective: the page is the same as for nothing.
        assert "Nothing matches" in search(sign_in(personas.dev), q)
    # Its owner may, and is taken there.
    response = sign_in(personas.cleo).get("/search/", {"q": hidden_objective})
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{personas.personal_objective.pk}/"


def test_a_reference_to_nothing_shows_the_empty_results(sign_in, personas):
    assert "Nothing matches" in search(sign_in(personas.dev), "KR-999999")


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


def test_a_reference_too_large_for_an_id_is_just_text(sign_in, personas):
    assert "Nothing matches" in search(sign_in(personas.dev), "O-99999999999999999999999")
