from northstar.web.tests.conftest import assert_redirects_to_sign_in


def url(person) -> str:
    return f"/people/{person.pk}/"


def test_it_shows_the_objectives_and_key_results_someone_owns(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.cleo))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="person-name">Cleo<' in html
    assert "Make the API fast" in html
    assert "Learn query tuning" in html
    assert "Raise cache hit rate from 50 to 90" in html
    assert "Finish the tuning course" in html
    assert 'data-testid="progress-percent"' in html
    assert 'data-testid="health"' in html
    assert "Ship a faster product" not in html


def test_it_shows_units_led(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.ben)).content.decode()
    assert "Leads" in html
    assert f'href="/units/{personas.engineering.pk}/">Engineering</a>' in html


def test_my_okrs_is_the_signed_in_persons_page(sign_in, personas):
    response = sign_in(personas.cleo).get("/me/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "My OKRs" in html
    assert "Make the API fast" in html
    assert "Objectives I own" in html


def test_my_okrs_explains_an_account_without_a_person(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/me/")
    assert response.status_code == 200
    assert b"not linked to a person" in response.content


def test_it_404s_for_an_unknown_person(sign_in, personas):
    assert sign_in(personas.dev).get("/people/999/").status_code == 404


def test_it_requires_sign_in(client, personas):
    assert_redirects_to_sign_in(client.get(url(personas.cleo)), url(personas.cleo))
    assert_redirects_to_sign_in(client.get("/me/"), "/me/")
