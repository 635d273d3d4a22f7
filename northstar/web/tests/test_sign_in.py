from northstar.test import PASSWORD


def test_it_shows_the_form(client, db):
    response = client.get("/sign-in/")
    assert response.status_code == 200
    assert b'data-testid="sign-in-form"' in response.content


def test_it_signs_in_with_the_email_address(client, personas):
    response = client.post("/sign-in/", {"username": "cleo@northwind.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.get("/me/").status_code == 200


def test_it_returns_to_the_page_asked_for(client, personas):
    path = f"/objectives/{personas.team_objective.pk}/"
    response = client.post(
        "/sign-in/", {"username": "cleo@northwind.test", "password": PASSWORD, "next": path}
    )
    assert response["Location"] == path


def test_it_rejects_a_wrong_password(client, personas):
    response = client.post("/sign-in/", {"username": "cleo@northwind.test", "password": "nope"})
    assert response.status_code == 200
    assert b'data-testid="sign-in-error"' in response.content
    assert "_auth_user_id" not in client.session


def test_it_signs_out_by_post_only(client, personas):
    client.force_login(personas.cleo.user)
    assert client.get("/sign-out/").status_code == 405
    response = client.post("/sign-out/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/"
    assert client.get("/me/").status_code == 302
