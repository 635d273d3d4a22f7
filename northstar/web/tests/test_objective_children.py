from northstar.okrs.models import Objective, State
from northstar.web.tests.conftest import assert_redirects_to_sign_in

HTMX = {"HTTP_HX_REQUEST": "true"}


def url(objective) -> str:
    return f"/objectives/{objective.pk}/children/"


def test_it_loads_the_children_as_a_fragment(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.company_objective), **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    # The department objective hangs under the company's key result.
    assert "Ship a faster product" in html
    assert f'id="node-{personas.department_objective.pk}"' in html
    assert f'id="toggle-{personas.department_objective.pk}"' in html


def test_it_swaps_the_toggle_out_of_band_as_expanded(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.company_objective), **HTMX).content.decode()
    pk = personas.company_objective.pk
    assert f'id="toggle-{pk}"' in html
    assert 'aria-expanded="true"' in html
    assert 'hx-swap-oob="true"' in html
    assert f'hx-get="/objectives/{pk}/children/?collapse=1"' in html


def test_it_collapses(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.company_objective) + "?collapse=1", **HTMX)
    html = response.content.decode()
    assert "Ship a faster product" not in html
    assert 'aria-expanded="false"' in html
    assert 'hx-swap-oob="true"' in html
    assert "1 aligned" in html


def test_it_leaves_archived_children_out(sign_in, personas):
    Objective.objects.filter(pk=personas.personal_objective.pk).update(state=State.ARCHIVED)
    html = sign_in(personas.dev).get(url(personas.team_objective), **HTMX).content.decode()
    assert "Learn query tuning" not in html


def test_it_sends_a_plain_request_to_the_objective_page(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.company_objective))
    assert response.status_code == 302
    assert response["Location"] == f"/objectives/{personas.company_objective.pk}/"


def test_it_404s_for_an_unknown_objective(sign_in, personas):
    assert sign_in(personas.dev).get("/objectives/999/children/", **HTMX).status_code == 404


def test_it_requires_sign_in(client, personas):
    path = url(personas.company_objective)
    assert_redirects_to_sign_in(client.get(path), path)


def test_an_expired_session_sends_the_browser_to_sign_in(client, personas):
    page = f"/cycles/{personas.quarter.pk}/"
    response = client.get(
        url(personas.company_objective),
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{page}",
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/sign-in/?next=%2Fcycles%2F" + f"{personas.quarter.pk}%2F"
