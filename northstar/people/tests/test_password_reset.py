"""Password reset by email, with Django's views and our templates."""

import re

from django.core import mail

from northstar.test import PASSWORD


def reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"http://testserver(/password-reset/\S+/)", message.body).group(1)


def test_it_mails_a_link_that_sets_a_new_password(client, personas):
    response = client.post("/password-reset/", {"email": "CLEO@northwind.test"})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox[0].to == ["cleo@northwind.test"]
    assert "Reset your Northstar password" in mail.outbox[0].subject

    form = client.get(reset_link(), follow=True)
    assert b'data-testid="password-reset-confirm-form"' in form.content
    new = "a much better passphrase 42"
    done = client.post(form.redirect_chain[-1][0], {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/password-reset/done/"
    assert b"Your new password is set" in client.get("/password-reset/done/").content

    assert (
        client.post("/sign-in/", {"username": "cleo@northwind.test", "password": new})["Location"]
        == "/"
    )


def test_the_link_works_once(client, personas):
    client.post("/password-reset/", {"email": "cleo@northwind.test"})
    link = reset_link()
    target = client.get(link, follow=True).redirect_chain[-1][0]
    new = "a much better passphrase 42"
    client.post(target, {"new_password1": new, "new_password2": new})
    again = client.get(link, follow=True)
    assert b'data-testid="password-reset-invalid"' in again.content


def test_it_answers_the_same_for_unknown_addresses(client, personas):
    response = client.post("/password-reset/", {"email": "nobody@northwind.test"})
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []
    page = client.get("/password-reset/sent/")
    assert b"If an account uses that address" in page.content


def test_the_old_password_stops_working(client, personas):
    client.post("/password-reset/", {"email": "dev@northwind.test"})
    target = client.get(reset_link(), follow=True).redirect_chain[-1][0]
    new = "a much better passphrase 42"
    client.post(target, {"new_password1": new, "new_password2": new})
    response = client.post("/sign-in/", {"username": "dev@northwind.test", "password": PASSWORD})
    assert response.status_code == 200
