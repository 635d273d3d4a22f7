"""Login throttling: 5 failures for one email, or 50 from one address, within 15 minutes lock
that email (or address) for 15 minutes, across processes (the failures are rows in the
database)."""

from datetime import timedelta

from django.utils import timezone

from northstar.people.models import SignInFailure
from northstar.test import PASSWORD


def attempt(client, email: str, password: str = "wrong", ip: str = "10.0.0.1"):
    return client.post("/sign-in/", {"username": email, "password": password}, REMOTE_ADDR=ip)


def fail(client, email: str, times: int, ip: str = "10.0.0.1") -> None:
    for _ in range(times):
        assert attempt(client, email, ip=ip).status_code == 200


def test_it_locks_an_email_after_five_failures(client, personas):
    fail(client, "cleo@northwind.test", 5)
    response = attempt(client, "cleo@northwind.test", PASSWORD, ip="10.9.9.9")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    html = response.content.decode()
    assert "Too many failed sign-ins" in html
    assert "Try again in 15 minutes" in html


def test_four_failures_do_not_lock(client, personas):
    fail(client, "cleo@northwind.test", 4)
    assert attempt(client, "cleo@northwind.test", PASSWORD).status_code == 302


def test_the_email_match_ignores_case(client, personas):
    fail(client, "CLEO@northwind.test", 5)
    response = attempt(client, "cleo@NORTHWIND.test", PASSWORD, ip="10.9.9.9")
    assert b"Too many failed sign-ins" in response.content


def test_other_emails_failures_do_not_lock_a_shared_address(client, personas):
    # A colleague on the same network (one address) mistypes or tries made-up emails: the
    # per-email limit is reached for them, but nobody else on the network is locked out.
    fail(client, "cleo@northwind.test", 5, ip="10.6.6.6")
    for i in range(5):
        attempt(client, f"guess{i}@northwind.test", ip="10.6.6.6")
    assert attempt(client, "dev@northwind.test", PASSWORD, ip="10.6.6.6").status_code == 302


def test_the_email_with_the_failures_is_still_locked_on_a_shared_address(client, personas):
    fail(client, "cleo@northwind.test", 5, ip="10.6.6.6")
    response = attempt(client, "cleo@northwind.test", PASSWORD, ip="10.6.6.6")
    assert b"Too many failed sign-ins" in response.content


def test_the_address_limit_defaults_to_fifty(client, personas, settings):
    assert settings.SIGN_IN_FAILURE_LIMIT_PER_ADDRESS == 50
    now = timezone.now()
    # 49 failures over many emails from one address, as rows (faster than 49 sign-ins).
    SignInFailure.objects.bulk_create(
        SignInFailure(email=f"guess{i}@northwind.test", ip="10.6.6.6", at=now) for i in range(49)
    )
    assert attempt(client, "dev@northwind.test", PASSWORD, ip="10.6.6.6").status_code == 302
    client.post("/sign-out/")
    attempt(client, "guess-last@northwind.test", ip="10.6.6.6")  # the 50th
    response = attempt(client, "dev@northwind.test", PASSWORD, ip="10.6.6.6")
    assert b"Too many failed sign-ins" in response.content


def test_it_locks_an_address_trying_many_emails(client, personas, settings):
    settings.SIGN_IN_FAILURE_LIMIT_PER_ADDRESS = 8
    for i in range(8):
        attempt(client, f"guess{i}@northwind.test", ip="10.6.6.6")
    response = attempt(client, "dev@northwind.test", PASSWORD, ip="10.6.6.6")
    assert b"Too many failed sign-ins" in response.content
    # The person can still sign in from elsewhere.
    assert attempt(client, "dev@northwind.test", PASSWORD, ip="10.7.7.7").status_code == 302


def test_the_lock_ends_after_fifteen_minutes(client, personas):
    fail(client, "cleo@northwind.test", 5)
    earlier = timezone.now() - timedelta(minutes=15, seconds=5)
    # Age the stored failures, as if a quarter of an hour had passed (test-only shortcut).
    SignInFailure.objects.update(at=earlier)
    assert attempt(client, "cleo@northwind.test", PASSWORD).status_code == 302


def test_failures_spread_over_more_than_the_window_do_not_lock(client, personas):
    for minutes in (40, 30, 20, 10):
        SignInFailure.objects.create(
            email="cleo@northwind.test", at=timezone.now() - timedelta(minutes=minutes)
        )
    fail(client, "cleo@northwind.test", 1)
    assert attempt(client, "cleo@northwind.test", PASSWORD).status_code == 302


def test_refused_attempts_do_not_extend_the_lock(client, personas):
    fail(client, "cleo@northwind.test", 5)
    fail(client, "cleo@northwind.test", 3)  # refused while locked
    assert SignInFailure.objects.count() == 5


def test_a_successful_sign_in_resets_the_count_for_that_email(client, personas):
    fail(client, "cleo@northwind.test", 4)
    assert attempt(client, "cleo@northwind.test", PASSWORD, ip="10.2.2.2").status_code == 302
    client.post("/sign-out/")
    fail(client, "cleo@northwind.test", 1, ip="10.3.3.3")
    assert attempt(client, "cleo@northwind.test", PASSWORD, ip="10.3.3.3").status_code == 302


def test_the_admin_sign_in_is_throttled_too(client, personas):
    fail(client, "ada@northwind.test", 5)
    response = client.post(
        "/admin/login/",
        {"username": "ada@northwind.test", "password": PASSWORD},
        REMOTE_ADDR="10.8.8.8",
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_unknown_emails_count_too(client, db):
    fail(client, "nobody@northwind.test", 5)
    assert SignInFailure.objects.filter(email="nobody@northwind.test").count() == 5
