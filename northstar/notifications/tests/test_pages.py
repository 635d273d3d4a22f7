"""The preferences page, the admins' delivery log and the unsubscribe link."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.core import mail
from django.test import Client

from northstar.notifications.channels.email import unsubscribe_token, unsubscribe_url
from northstar.notifications.events import publish
from northstar.notifications.models import Delivery, Preference
from northstar.notifications.tests.conftest import run_queued
from northstar.people.models import Person

PREFERENCES = "/notifications/preferences/"
DELIVERIES = "/notifications/deliveries/"


def signed_in(client: Client, person: Person) -> Client:
    client.force_login(person.user)
    return client


def test_preferences_default_to_everything_on(personas, client):
    page = signed_in(client, personas.cleo).get(PREFERENCES)
    assert page.status_code == 200
    html = page.content.decode()
    for kind in ("mention", "kudos", "celebration", "approval_requested", "reminder", "digest"):
        assert f'value="{kind}:email" checked' in html
    assert "Delivery log" not in html  # Cleo is no admin


def test_preferences_save_opt_outs_and_quiet_follows(personas, client, dummy_tasks):
    response = signed_in(client, personas.cleo).post(
        PREFERENCES, {"on": ["mention:email", "reminder:email"]}
    )
    assert response.status_code == 302
    assert Preference.enabled_for(personas.cleo)["kudos", "email"] is False
    assert Preference.enabled_for(personas.cleo)["mention", "email"] is True
    assert not Preference.objects.filter(person=personas.cleo, kind="mention").exists()
    publish("kudos", recipients=[personas.cleo], actor=None, subject=None, context={})
    assert not Delivery.objects.exists()


def test_preferences_need_a_sign_in(db, client):
    response = client.get(PREFERENCES)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


def test_an_account_without_a_person_is_told_why(db, client):
    user = User.objects.create_user("root", password="x" * 12, is_superuser=True)
    client.force_login(user)
    assert "not linked to a person" in client.get(PREFERENCES).content.decode()


def test_the_nav_links_to_notifications(personas, client):
    html = signed_in(client, personas.dev).get(PREFERENCES).content.decode()
    assert 'data-testid="nav-notifications"' in html


def test_the_delivery_log_is_for_admins_only(personas, client, dummy_tasks):
    publish("kudos", recipients=[personas.cleo], actor=None, subject=None, context={})
    assert signed_in(client, personas.ben).get(DELIVERIES).status_code == 403
    personas.dev.role = Person.Role.ADMIN
    personas.dev.save()
    page = signed_in(client, personas.dev).get(DELIVERIES)
    assert page.status_code == 200
    assert "cleo@northwind.test" in page.content.decode()
    assert signed_in(client, personas.ada).get(DELIVERIES).status_code == 200  # superuser


def test_the_delivery_log_filters_by_status(personas, client, dummy_tasks):
    publish("kudos", recipients=[personas.cleo], actor=None, subject=None, context={})
    page = signed_in(client, personas.ada).get(DELIVERIES, {"status": "failed"})
    assert "No deliveries with this status." in page.content.decode()


def test_the_unsubscribe_link_asks_then_turns_the_kind_off_without_sign_in(personas, client):
    path = unsubscribe_url(personas.cleo, "kudos").removeprefix("http://127.0.0.1:8000")
    page = client.get(path)
    assert page.status_code == 200
    assert "Stop emailing “Kudos” to cleo@northwind.test?" in page.content.decode()
    assert Preference.enabled_for(personas.cleo)["kudos", "email"] is True  # a GET only asks
    done = client.post(path)  # no CSRF token: mail clients' one-click POST has none
    assert done.status_code == 200
    assert 'data-testid="unsubscribed"' in done.content.decode()
    assert Preference.enabled_for(personas.cleo)["kudos", "email"] is False
    assert Preference.enabled_for(personas.cleo)["mention", "email"] is True


def test_the_link_in_a_real_mail_works(
    personas, client, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        publish(
            "mention",
            recipients=[personas.cleo],
            actor=personas.ben,
            subject=personas.kr_cache,
            context={},
        )
    run_queued(dummy_tasks)
    link = mail.outbox[0].extra_headers["List-Unsubscribe"].strip("<>")
    Client(enforce_csrf_checks=True).post(link.removeprefix("http://127.0.0.1:8000"))
    assert Preference.enabled_for(personas.cleo)["mention", "email"] is False


def test_a_forged_or_mangled_token_is_refused(personas, client):
    token = unsubscribe_token(personas.cleo, "kudos")
    for bad in (token[:-2] + "xx", "nonsense"):
        response = client.post(f"/notifications/unsubscribe/{bad}/")
        assert response.status_code == 404
    assert not Preference.objects.exists()
