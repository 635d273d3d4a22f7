"""Invitations: an admin or a lead invites by email; the invitee sets a name and password
and is signed in, in the unit, with the role."""

import re
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from northstar.audit.models import AuditEvent
from northstar.people import actions
from northstar.people.models import Invitation, Person

NEW_PASSWORD = "plenty of words in here"


def invite_through_the_page(client, inviter, **data):
    client.force_login(inviter.user)
    response = client.post("/invitations/new/", data)
    client.logout()
    return response


def link_in_mail() -> str:
    return re.search(r"http://testserver(/invitations/\S+/)", mail.outbox[-1].body).group(1)


def accept(client, path: str, name: str = "Fay Newcomer", password: str = NEW_PASSWORD):
    return client.post(path, {"name": name, "password": password, "password_again": password})


def test_it_works_end_to_end(client, personas):
    response = invite_through_the_page(
        client, personas.ada, email="Fay@Northwind.test", unit=personas.platform.pk, role="lead"
    )
    assert response.status_code == 200
    # No mail server in tests: the inviter sees the link too.
    assert b'data-testid="invitation-link"' in response.content
    assert mail.outbox[-1].to == ["fay@northwind.test"]
    path = link_in_mail()

    page = client.get(path)
    assert page.status_code == 200
    assert b"fay@northwind.test" in page.content
    response = accept(client, path)
    assert response.status_code == 302
    assert response["Location"] == "/me/"

    fay = Person.objects.get(email="fay@northwind.test")
    assert fay.name == "Fay Newcomer"
    assert fay.unit == personas.platform
    assert fay.role == Person.Role.MEMBER
    assert personas.platform.leads.filter(pk=fay.pk).exists()
    assert client.session["_auth_user_id"] == str(fay.user.pk)
    assert client.get("/me/").status_code == 200
    # And she can sign in again later with her email and password.
    client.post("/sign-out/")
    signed_in = client.post(
        "/sign-in/", {"username": "fay@northwind.test", "password": NEW_PASSWORD}
    )
    assert signed_in.status_code == 302


def test_it_records_the_invitation_and_the_joining(client, personas):
    invite_through_the_page(
        client, personas.ada, email="fay@northwind.test", unit=personas.platform.pk, role="member"
    )
    accept(client, link_in_mail())
    fay = Person.objects.get(email="fay@northwind.test")
    assert AuditEvent.objects.filter(action="invited", actor=personas.ada).exists()
    joined = AuditEvent.objects.for_target(fay).get(action="joined")
    assert joined.changes["unit"]["to"]["id"] == personas.platform.pk


def test_it_stores_only_a_hash_of_the_token(personas):
    invitation, token = actions.create_invitation(
        email="fay@northwind.test", unit=None, role="member", invited_by=None
    )
    assert token not in invitation.token_hash
    assert invitation.token_hash == Invitation.hash_token(token)
    assert invitation.expires - invitation.created == timedelta(days=14)


def test_it_attaches_the_account_to_an_imported_person(client, personas):
    imported = Person.objects.create(name="Gus Imported", email="gus@northwind.test")
    _, token = actions.create_invitation(
        email="gus@northwind.test", unit=personas.platform, role="viewer", invited_by=None
    )
    page = client.get(f"/invitations/{token}/")
    assert b'value="Gus Imported"' in page.content
    accept(client, f"/invitations/{token}/", name="Gus")
    imported.refresh_from_db()
    assert imported.user is not None
    assert imported.role == Person.Role.VIEWER
    assert Person.objects.filter(email__iexact="gus@northwind.test").count() == 1


def test_a_link_works_once(client, personas):
    _, token = actions.create_invitation(
        email="fay@northwind.test", unit=None, role="member", invited_by=None
    )
    accept(client, f"/invitations/{token}/")
    client.logout()
    again = client.get(f"/invitations/{token}/")
    assert again.status_code == 410
    assert b'data-testid="invitation-used"' in again.content


def test_an_expired_link_is_refused(client, personas):
    invitation, token = actions.create_invitation(
        email="fay@northwind.test", unit=None, role="member", invited_by=None
    )
    invitation.expires = timezone.now() - timedelta(seconds=1)
    invitation.save()
    response = accept(client, f"/invitations/{token}/")
    assert response.status_code == 410
    assert not Person.objects.filter(email="fay@northwind.test").exists()


def test_an_unknown_token_is_404(client, db):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_it_refuses_mismatched_and_weak_passwords(client, personas):
    _, token = actions.create_invitation(
        email="fay@northwind.test", unit=None, role="member", invited_by=None
    )
    path = f"/invitations/{token}/"
    response = client.post(
        path, {"name": "Fay", "password": NEW_PASSWORD, "password_again": "other words"}
    )
    assert response.status_code == 422
    assert b"The two passwords differ" in response.content
    response = accept(client, path, password="password")
    assert response.status_code == 422
    assert not Person.objects.filter(email="fay@northwind.test").exists()


def test_a_lead_invites_into_their_units(client, personas):
    response = invite_through_the_page(
        client, personas.ben, email="hal@northwind.test", unit=personas.platform.pk, role="member"
    )
    assert response.status_code == 200
    assert Invitation.objects.get().invited_by == personas.ben


def test_a_lead_cannot_invite_an_admin_or_outside_their_units(client, personas):
    response = invite_through_the_page(
        client, personas.ben, email="hal@northwind.test", unit=personas.platform.pk, role="admin"
    )
    assert response.status_code == 422  # not a choice for a lead
    response = invite_through_the_page(
        client, personas.ben, email="hal@northwind.test", unit=personas.company.pk, role="member"
    )
    assert response.status_code == 422  # the company is not among ben's units
    assert not Invitation.objects.exists()


def test_a_member_cannot_invite(client, personas):
    client.force_login(personas.cleo.user)
    assert client.get("/invitations/new/").status_code == 403
    response = client.post(
        "/invitations/new/",
        {"email": "hal@northwind.test", "unit": personas.platform.pk, "role": "member"},
    )
    assert response.status_code == 403
    assert not Invitation.objects.exists()


def test_it_refuses_someone_who_already_has_an_account(client, personas):
    response = invite_through_the_page(
        client, personas.ada, email="CLEO@northwind.test", unit="", role="member"
    )
    assert response.status_code == 422
    assert b"already has an account" in response.content


def test_a_lead_invitation_needs_a_unit(personas):
    with pytest.raises(Exception, match="lead"):
        actions.create_invitation(email="x@y.test", unit=None, role="lead", invited_by=None)


# The terminal ------------------------------------------------------------------------------


def run_invite(*args: str) -> str:
    out = StringIO()
    call_command("invite", *args, stdout=out)
    return out.getvalue()


def test_the_cli_prints_the_link_without_a_mail_server(client, personas, settings):
    settings.SITE_URL = "https://okr.example.org/"
    out = run_invite("fay@northwind.test", "--unit", "platform", "--role", "lead")
    link = re.search(r"https://okr\.example\.org(/invitations/\S+/)", out).group(1)
    assert "No mail server is set up" in out
    assert mail.outbox == []
    invitation = Invitation.objects.get()
    assert invitation.unit == personas.platform
    assert invitation.role == "lead"
    assert invitation.invited_by is None  # the operator
    accept(client, link)
    assert personas.platform.leads.filter(email="fay@northwind.test").exists()


def test_the_cli_sends_the_mail_when_a_server_is_set_up(personas, monkeypatch):
    monkeypatch.setattr(actions, "mail_is_delivered", lambda: True)
    out = run_invite("fay@northwind.test")
    assert "Sent an invitation to fay@northwind.test" in out
    assert mail.outbox[0].to == ["fay@northwind.test"]
    assert "/invitations/" in mail.outbox[0].body


def test_the_cli_acts_as_someone_with_their_rights(personas):
    out = run_invite("fay@northwind.test", "--unit", "Platform", "--as", "ben@northwind.test")
    assert "/invitations/" in out
    assert Invitation.objects.get().invited_by == personas.ben
    with pytest.raises(CommandError, match="may not invite"):
        run_invite("gil@northwind.test", "--unit", "Platform", "--as", "cleo@northwind.test")
    with pytest.raises(CommandError, match="may not invite"):
        run_invite("gil@northwind.test", "--role", "admin", "--as", "ben@northwind.test")


def test_the_cli_names_what_is_wrong(personas):
    with pytest.raises(CommandError, match="No unit is named 'Sales'"):
        run_invite("fay@northwind.test", "--unit", "Sales")
    with pytest.raises(CommandError, match="No person has the email"):
        run_invite("fay@northwind.test", "--as", "who@northwind.test")
    with pytest.raises(CommandError, match="already has an account"):
        run_invite("dev@northwind.test")
