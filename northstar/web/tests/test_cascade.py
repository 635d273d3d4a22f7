import re

from northstar.okrs.models import Objective
from northstar.web.tests.conftest import assert_redirects_to_sign_in


def url(personas, query: str = "") -> str:
    return f"/cycles/{personas.quarter.pk}/{query}"


def test_the_home_page_redirects_to_a_cycle(sign_in, personas):
    response = sign_in(personas.cleo).get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/cycles/")


def test_the_home_page_explains_when_there_is_no_cycle(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/")
    assert response.status_code == 200
    assert b"No cycles yet" in response.content
    assert b"/admin/okrs/cycle/add/" in response.content


def test_it_shows_the_company_objective_with_its_child_count(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Become the tool teams keep using" in html
    assert "Company" in html
    assert "Ada" in html
    # Only the root is rendered; its one aligned child loads on demand.
    assert "Ship a faster product" not in html
    company = personas.company_objective.pk
    assert f'id="toggle-{company}"' in html
    assert f'hx-get="/objectives/{company}/children/"' in html
    assert 'aria-expanded="false"' in html
    assert "1 aligned" in html


def test_it_shows_progress_as_percent_and_health_as_text(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas)).content.decode()
    assert 'data-testid="progress-percent">0%<' in html
    assert 'data-testid="health" data-health="' in html


def test_it_shows_a_dash_without_progress(sign_in, personas):
    Objective.objects.filter(pk=personas.company_objective.pk).update(progress=None)
    html = sign_in(personas.dev).get(url(personas)).content.decode()
    assert 'data-testid="progress-percent">—<' in html
    assert 'data-health="none"' in html
    assert "No data" in html


def test_it_shows_a_reported_score(sign_in, personas):
    Objective.objects.filter(pk=personas.company_objective.pk).update(reported_score=0.7)
    html = sign_in(personas.dev).get(url(personas)).content.decode()
    assert 'data-testid="reported-score">Reported 0.7<' in html


def test_it_filters_by_unit_including_sub_units_and_personal_objectives(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas, f"?unit={personas.engineering.pk}")).content
    html = html.decode()
    assert "Ship a faster product" in html
    assert "Make the API fast" in html
    assert "Learn query tuning" in html  # cleo's own, and cleo is in Platform
    assert "Become the tool teams keep using" not in html
    assert "3 objectives match" in html


def test_it_filters_by_owner(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas, f"?owner={personas.cleo.pk}")).content
    html = html.decode()
    assert "Make the API fast" in html
    assert "Learn query tuning" in html
    assert "Ship a faster product" not in html


def test_it_filters_by_status(sign_in, personas):
    Objective.objects.filter(pk=personas.team_objective.pk).update(progress=None)
    html = sign_in(personas.dev).get(url(personas, "?status=none")).content.decode()
    assert "Make the API fast" in html
    assert "1 objective matches" in html


def test_it_filters_by_a_visible_owner_with_nothing_in_the_cycle(sign_in, personas):
    # dev owns nothing, so he is not among the owner choices; the filter still applies.
    html = sign_in(personas.cleo).get(url(personas, f"?owner={personas.dev.pk}")).content
    html = html.decode()
    assert "0 objectives match" in html
    assert "Become the tool teams keep using" not in html
    assert f'<option value="{personas.dev.pk}" selected>' in html
    assert 'data-testid="filter-errors"' not in html


def test_it_says_so_for_an_unknown_filter_value_rather_than_dropping_it(sign_in, personas):
    for query, message in [
        ("?owner=999999", "Unknown owner “999999”."),
        ("?owner=²", "Unknown owner “²”."),
        ("?owner=99999999999999999999999", "Unknown owner “99999999999999999999999”."),
        ("?unit=abc", "Unknown unit “abc”."),
        ("?status=purple", "Unknown status “purple”."),
    ]:
        response = sign_in(personas.dev).get(url(personas, query))
        assert response.status_code == 200
        html = response.content.decode()
        errors = re.search(r'data-testid="filter-errors".*?</ul>', html, re.S)
        assert errors and message in errors[0], query
        assert "0 objectives match" in html
        assert "Become the tool teams keep using" not in html


def test_it_switches_cycles(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas)).content.decode()
    assert f'href="/cycles/{personas.year.pk}/"' in html
    response = sign_in(personas.dev).get(f"/cycles/{personas.year.pk}/")
    assert b"No objectives in this cycle yet." in response.content


def test_a_root_aligned_to_another_cycle_says_where_it_hangs(sign_in, personas):
    yearly = Objective.objects.create(title="Win the year", cycle=personas.year)
    Objective.objects.filter(pk=personas.company_objective.pk).update(parent_objective=yearly)
    html = sign_in(personas.dev).get(url(personas)).content.decode()
    assert "Become the tool teams keep using" in html
    assert 'data-testid="outer-parent">Aligned to' in html
    assert "Win the year" in html


def test_it_404s_for_an_unknown_cycle(sign_in, personas):
    assert sign_in(personas.dev).get("/cycles/999/").status_code == 404


def test_it_requires_sign_in(client, personas):
    assert_redirects_to_sign_in(client.get(url(personas)), url(personas))
    assert_redirects_to_sign_in(client.get("/"), "/")
