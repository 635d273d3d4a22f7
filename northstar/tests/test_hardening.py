"""Hardening: CSRF, CSP, cookies and HTTPS, user-written text, uploads."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from northstar.audit.models import AuditEvent
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Person
from northstar.tests.test_settings import run_settings
from northstar.web.views.imports import upload_dir

# --- CSRF ------------------------------------------------------------------------------------


def test_a_check_in_without_a_csrf_token_is_refused(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.cleo.user)
    url = f"/key-results/{personas.kr_cache.pk}/check-ins/"
    response = client.post(url, {"value": "70", "measured_on": "2026-11-02"})
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_a_check_in_with_the_token_from_the_page_goes_through(personas):
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.cleo.user)
    page = client.get(f"/key-results/{personas.kr_cache.pk}/").content.decode()
    token = re.search(r'"x-csrftoken": "([^"]+)"', page)[1]
    url = f"/key-results/{personas.kr_cache.pk}/check-ins/"
    response = client.post(
        url, {"value": "70", "measured_on": "2026-11-02"}, HTTP_X_CSRFTOKEN=token
    )
    assert response.status_code == 303
    assert CheckIn.objects.count() == 1


def test_an_import_without_a_csrf_token_is_refused(personas, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    client = Client(enforce_csrf_checks=True)
    client.force_login(personas.ada.user)
    response = client.post("/import/", {"file": upload("okrs.json", native_file())})
    assert response.status_code == 403
    assert not Objective.objects.filter(title="Imported objective").exists()


# --- CSP -------------------------------------------------------------------------------------


def pages(p) -> list[str]:
    return [
        f"/cycles/{p.quarter.pk}/",
        f"/objectives/{p.team_objective.pk}/",
        f"/key-results/{p.kr_cache.pk}/",
        f"/units/{p.platform.pk}/",
        f"/people/{p.cleo.pk}/",
        "/me/",
        "/search/?q=a",
        "/import/",
    ]


def test_every_page_sends_a_csp_and_runs_no_script_without_its_nonce(client, personas):
    hostile(personas)
    client.force_login(personas.ada.user)
    for path in pages(personas):
        response = client.get(path)
        assert response.status_code == 200, path
        csp = response["Content-Security-Policy"]
        assert "script-src 'self' 'nonce-" in csp, path
        assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp
        nonce = re.search(r"'nonce-([^']+)'", csp)[1]
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert f'nonce="{nonce}"' in tag and "src=" in tag, (path, tag)
        assert_inert(html)


# --- cookies and HTTPS -----------------------------------------------------------------------


def test_cookies_are_http_only_and_same_site_lax(client, personas):
    response = client.post(
        "/sign-in/", {"username": personas.cleo.email, "password": "correct horse battery staple"}
    )
    session = response.cookies["sessionid"]
    assert session["httponly"] and session["samesite"] == "Lax"
    assert not session["secure"]  # plain HTTP by default (development)
    from django.conf import settings

    assert settings.CSRF_COOKIE_HTTPONLY and settings.CSRF_COOKIE_SAMESITE == "Lax"


def test_over_https_cookies_are_secure_and_browsers_keep_to_https(tmp_path):
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SECURE_PROXY_SSL_HEADER",
        "SESSION_COOKIE_HTTPONLY",
    ]
    code = f"import json; print(json.dumps([getattr(settings, n) for n in {names!r}]))"
    https = json.loads(
        run_settings({"NORTHSTAR_DATA_DIR": str(tmp_path), "NORTHSTAR_HTTPS": "1"}, code)
    )
    assert https == [True, True, True, 31536000, ["HTTP_X_FORWARDED_PROTO", "https"], True]
    plain = json.loads(run_settings({"NORTHSTAR_DATA_DIR": str(tmp_path)}, code))
    assert plain == [False, False, False, 0, None, True]


@override_settings(
    SECURE_SSL_REDIRECT=True,
    SECURE_HSTS_SECONDS=31536000,
    SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"),
)
def test_over_https_plain_http_is_redirected_and_hsts_sent(client, db):
    assert client.get("/sign-in/").status_code == 301
    secure = client.get("/sign-in/", HTTP_X_FORWARDED_PROTO="https")
    assert secure["Strict-Transport-Security"] == "max-age=31536000"


# --- user-written text -----------------------------------------------------------------------

SCRIPT = "<script>alert('note')</script>"
HANDLER = '<img src="x" onerror="alert(1)">'
LINK = '[click me](javascript:alert(1)) and <a href="javascript:alert(2)">me</a>'


def hostile(p) -> None:
    """Stored text meant to run in someone else's browser."""
    objective = Objective.objects.get(pk=p.team_objective.pk)
    objective.description = f"**Why** it matters {SCRIPT} {HANDLER}\n\n{LINK}"
    actions.save_objective(objective)
    kr = KeyResult.objects.get(pk=p.kr_cache.pk)
    kr.description = f"Measured at the edge {HANDLER}"
    actions.save_key_result(kr)
    actions.record_check_in(
        key_result=kr, author=p.cleo, value=60, note=f"Warm-up {SCRIPT}\n{LINK}\n{HANDLER}"
    )


def assert_inert(html: str) -> None:
    """No element that runs anything. (The text may still be there, escaped: the history
    shows an old description as plain text, which is harmless.)"""
    assert "<script>" not in html
    assert not re.search(r"<[a-z][^>]*\son[a-z]+\s*=", html, re.IGNORECASE)
    assert not re.search(r"<[a-z][^>]*=\s*[\"']?\s*javascript:", html, re.IGNORECASE)
    assert "<img" not in html


def test_stored_script_handlers_and_javascript_links_come_back_inert(client, personas):
    p = personas
    hostile(p)
    client.force_login(p.dev.user)
    objective = client.get(f"/objectives/{p.team_objective.pk}/").content.decode()
    kr = client.get(f"/key-results/{p.kr_cache.pk}/").content.decode()
    assert_inert(objective)
    assert_inert(kr)
    # ... while the Markdown itself still renders.
    assert "<strong>Why</strong> it matters" in objective
    assert '<a rel="noopener noreferrer nofollow">click me</a>' in kr
    assert "Warm-up" in kr


def test_markdown_keeps_safe_links_and_formatting(client, personas):
    from northstar.web.templatetags.markup import markdown

    html = str(markdown("*Read* [the plan](https://example.com/plan)\n\n- one\n- two"))
    assert "<em>Read</em>" in html
    assert (
        '<a href="https://example.com/plan" rel="noopener noreferrer nofollow">the plan</a>' in html
    )
    assert "<li>one</li>" in html
    assert str(markdown("# Big")) == "<h3>Big</h3>"
    assert str(markdown("")) == ""


# --- uploads ---------------------------------------------------------------------------------


def native_file(title: str = "Imported objective") -> bytes:
    document = {
        "northstar": 1,
        "cycles": [
            {"name": "2027-Q1", "kind": "quarter", "start": "2027-01-01", "end": "2027-03-31"}
        ],
        "objectives": [{"ref": "IMP-1", "title": title, "cycle": "2027-Q1"}],
    }
    return json.dumps(document).encode()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


@pytest.fixture
def admin_client(client, personas, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    client.force_login(personas.ada.user)
    return client


def test_only_admins_reach_the_import_page(client, personas, tmp_path, settings):
    settings.DATA_DIR = tmp_path
    assert client.get("/import/").status_code == 302  # signed out: to sign in
    client.force_login(personas.ben.user)  # a lead, not an admin
    assert client.get("/import/").status_code == 403
    response = client.post("/import/", {"file": upload("okrs.json", native_file())})
    assert response.status_code == 403
    assert not Objective.objects.filter(title="Imported objective").exists()
    Person.objects.filter(pk=personas.ben.pk).update(role=Person.Role.ADMIN)
    assert client.get("/import/").status_code == 200


def test_it_previews_then_imports_on_confirmation(admin_client):
    events = AuditEvent.objects.count()
    preview = admin_client.post("/import/", {"file": upload("okrs.json", native_file())})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Would import 1 objectives (1 new" in html
    assert not Objective.objects.filter(title="Imported objective").exists()  # a dry run
    assert AuditEvent.objects.count() == events
    token = re.search(r'name="token" value="([0-9a-f]+)"', html)[1]
    done = admin_client.post("/import/confirm/", {"token": token})
    assert done.status_code == 303
    assert Objective.objects.filter(title="Imported objective").exists()
    assert not any(upload_dir().iterdir()), "the upload is deleted afterwards"
    # The preview is used up: confirming again imports nothing more.
    again = admin_client.post("/import/confirm/", {"token": token})
    assert again.status_code == 422
    assert Objective.objects.filter(title="Imported objective").count() == 1


def test_a_confirmation_needs_the_token_of_this_session(admin_client):
    admin_client.post("/import/", {"file": upload("okrs.json", native_file())})
    response = admin_client.post("/import/confirm/", {"token": "0" * 32})
    assert response.status_code == 422
    assert "expired" in response.content.decode()
    assert not Objective.objects.filter(title="Imported objective").exists()


def test_errors_say_where_and_nothing_is_written(admin_client):
    bad = json.loads(native_file())
    bad["objectives"][0]["cycle"] = "2099-Q9"
    response = admin_client.post(
        "/import/", {"file": upload("okrs.json", json.dumps(bad).encode())}
    )
    html = response.content.decode()
    assert response.status_code == 422
    assert "okrs.json" in html and "cycle" in html and "Nothing was imported" in html
    assert not Objective.objects.filter(title="Imported objective").exists()
    assert not any(upload_dir().iterdir())


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("okrs.exe", b"MZ\x90\x00", "Northstar imports .csv, .json, .md, .xlsx, .yaml, .yml"),
        ("okrs.csv", b"MZ\x90\x00\x03\x00\x00\x00", "not a text file in UTF-8"),
        ("okrs.csv", "Objective\n".encode("utf-16"), "not a text file in UTF-8"),
        ("okrs.xlsx", b"just text, not a workbook", "not an Excel workbook"),
        ("okrs.json", b"<html>hello</html>", "not a JSON document"),
    ],
)
def test_it_refuses_files_that_are_not_what_they_claim(admin_client, name, content, message):
    response = admin_client.post("/import/", {"file": upload(name, content)})
    assert response.status_code == 422
    assert message in response.content.decode()


def test_a_zip_that_is_not_a_workbook_is_refused(admin_client):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("payload.txt", "hello")
    response = admin_client.post("/import/", {"file": upload("okrs.xlsx", buffer.getvalue())})
    assert "not an Excel workbook" in response.content.decode()


def test_it_refuses_a_file_over_the_limit_without_storing_it(admin_client, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    response = admin_client.post(
        "/import/", {"file": upload("okrs.json", native_file() + b" " * 2048)}
    )
    assert response.status_code == 422
    assert "larger than" in response.content.decode()
    assert not upload_dir().exists() or not any(upload_dir().iterdir())


def test_the_view_checks_the_size_even_without_the_upload_handler(admin_client, settings):
    settings.MAX_UPLOAD_BYTES = 1024
    settings.FILE_UPLOAD_HANDLERS = ["django.core.files.uploadhandler.MemoryFileUploadHandler"]
    response = admin_client.post(
        "/import/", {"file": upload("okrs.json", native_file() + b" " * 2048)}
    )
    assert response.status_code == 422
    assert "larger than" in response.content.decode()


def test_one_file_at_a_time(admin_client):
    files = [upload("a.json", native_file()), upload("b.json", native_file("Other"))]
    response = admin_client.post("/import/", {"file": files})
    assert response.status_code == 400  # TooManyFilesSent
    assert not Objective.objects.filter(title__in=["Imported objective", "Other"]).exists()
