from northstar.web.tests.conftest import assert_redirects_to_sign_in


def url(unit, query: str = "") -> str:
    return f"/units/{unit.pk}/{query}"


def test_it_shows_objectives_members_and_sub_units(sign_in, personas):
    response = sign_in(personas.dev).get(url(personas.engineering))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="unit-name">Engineering<' in html
    assert "Ship a faster product" in html
    assert f'href="/units/{personas.platform.pk}/">Platform</a>' in html  # sub-unit
    assert f'href="/people/{personas.ben.pk}/">Ben</a>' in html  # lead and member
    assert f'href="/units/{personas.company.pk}/">Northwind</a>' in html  # unit above


def test_it_lists_members(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.platform)).content.decode()
    assert "Cleo" in html
    assert "Dev" in html
    assert "Make the API fast" in html


def test_it_switches_cycles(sign_in, personas):
    html = sign_in(personas.dev).get(url(personas.platform, f"?cycle={personas.year.pk}"))
    html = html.content.decode()
    assert "Make the API fast" not in html
    assert "This unit has no objectives in this cycle." in html


def test_it_404s_for_an_unknown_unit(sign_in, personas):
    assert sign_in(personas.dev).get("/units/999/").status_code == 404


def test_it_requires_sign_in(client, personas):
    path = url(personas.platform)
    assert_redirects_to_sign_in(client.get(path), path)
