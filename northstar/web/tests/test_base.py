"""The layout every page shares: CSP, htmx, navigation, accessibility furniture."""

import re

from django.test import override_settings


def test_it_sends_a_csp_with_a_nonce_that_the_htmx_script_carries(sign_in, personas):
    response = sign_in(personas.cleo).get(f"/cycles/{personas.quarter.pk}/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in csp
    assert "style-src 'self'" in csp
    nonce = re.search(r"'nonce-([^']+)'", csp)[1]
    html = response.content.decode()
    scripts = re.findall(r"<script\b[^>]*>", html)
    assert scripts, "htmx is loaded"
    for tag in scripts:
        assert f'nonce="{nonce}"' in tag
        assert "src=" in tag, "no inline script"
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer nonce=', html)


def test_it_has_no_inline_styles_or_handlers(sign_in, personas):
    client = sign_in(personas.ada)
    p = personas
    for path in [
        f"/cycles/{p.quarter.pk}/",
        f"/objectives/{p.team_objective.pk}/",
        f"/key-results/{p.kr_cache.pk}/",
        f"/units/{p.platform.pk}/",
        "/me/",
        "/search/?q=a",
    ]:
        html = client.get(path).content.decode()
        assert " style=" not in html, path
        assert "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path
        assert "hx-on" not in html, path


def test_it_keeps_htmx_within_the_csp(sign_in, personas):
    html = sign_in(personas.cleo).get("/me/").content.decode()
    # htmx would otherwise inject an inline <style> and allow eval-based features.
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


def test_it_boosts_navigation_and_sends_the_csrf_token_once(sign_in, personas):
    response = sign_in(personas.cleo).get("/me/")
    html = response.content.decode()
    assert re.search(r'<body hx-boost="true" hx-headers=\'\{"x-csrftoken": "[^"]+"\}\'>', html)


def test_it_has_a_skip_link_landmarks_and_the_navigation(sign_in, personas):
    html = sign_in(personas.cleo).get("/me/").content.decode()
    assert '<a class="skip-link" href="#main">' in html
    assert '<main id="main"' in html
    assert '<nav class="site-nav" aria-label="Main">' in html
    assert 'role="search"' in html
    assert 'data-testid="sign-out"' in html
    assert 'href="/me/" data-testid="nav-me" aria-current="page"' in html


def test_it_links_staff_to_the_admin(sign_in, personas):
    html = sign_in(personas.ada).get("/me/").content.decode()
    assert 'href="/admin/" hx-boost="false"' in html
    assert "/admin/people/organisation/" in html


def test_it_hides_the_admin_from_others(sign_in, personas):
    html = sign_in(personas.cleo).get("/me/").content.decode()
    assert "/admin/" not in html


@override_settings(DEBUG=False)
def test_it_renders_its_own_404(sign_in, personas):
    response = sign_in(personas.cleo).get("/objectives/999999/")
    assert response.status_code == 404
    assert b"Not found" in response.content
