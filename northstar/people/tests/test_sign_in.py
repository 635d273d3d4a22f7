"""Signing in with an email address: the backend, argon2, and the first admin's person."""

import importlib

from django.contrib.auth.models import User

from northstar.people.models import Person
from northstar.test import PASSWORD


def sign_in(client, login: str, password: str = PASSWORD):
    return client.post("/sign-in/", {"username": login, "password": password})


def test_it_matches_the_email_case_insensitively(client, personas):
    response = sign_in(client, "  CLEO@Northwind.TEST ")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.cleo.user.pk)


def test_it_finds_the_account_by_email_not_username(client, personas):
    user = personas.dev.user
    user.username = "devvy"
    user.save()
    assert sign_in(client, "dev@northwind.test").status_code == 302


def test_a_username_still_works_for_accounts_without_an_email(client, db):
    User.objects.create_superuser("root", email="", password=PASSWORD)
    assert sign_in(client, "root").status_code == 302


def test_it_refuses_a_deactivated_account_without_saying_so(client, personas):
    personas.dev.user.is_active = False
    personas.dev.user.save()
    response = sign_in(client, "dev@northwind.test")
    assert response.status_code == 200
    assert b"do not match an account" in response.content


def test_the_form_links_to_password_reset(client, db):
    assert b'href="/password-reset/"' in client.get("/sign-in/").content


def test_argon2_hashes_new_passwords_in_the_real_settings():
    # The test run swaps in a fast hasher (conftest); the shipped settings must not.
    settings = importlib.import_module("northstar.settings")
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert settings.AUTHENTICATION_BACKENDS == ["northstar.people.auth.EmailBackend"]


def test_tests_keep_the_fast_hasher(settings):
    assert settings.PASSWORD_HASHERS == ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_superuser_gets_an_admin_person_on_first_sign_in(client, db):
    user = User.objects.create_superuser("boss", email="Boss@Example.test", password=PASSWORD)
    assert sign_in(client, "boss@example.test").status_code == 302
    person = Person.objects.get(user=user)
    assert person.role == Person.Role.ADMIN
    assert person.email == "boss@example.test"
    assert person.name == "Boss"
    assert client.get("/me/").status_code == 200
    # Only once.
    client.post("/sign-out/")
    sign_in(client, "boss@example.test")
    assert Person.objects.filter(user=user).count() == 1


def test_a_superuser_is_linked_to_the_imported_person_with_their_email(client, db):
    imported = Person.objects.create(name="Grace Hopper", email="grace@example.test")
    User.objects.create_superuser("grace", email="grace@example.test", password=PASSWORD)
    sign_in(client, "grace@example.test")
    imported.refresh_from_db()
    assert imported.user is not None
    assert imported.role == Person.Role.ADMIN
    assert Person.objects.count() == 1


def test_an_ordinary_account_without_a_person_gets_none(client, db):
    User.objects.create_user("someone@example.test", "someone@example.test", PASSWORD)
    assert sign_in(client, "someone@example.test").status_code == 302
    assert not Person.objects.exists()
