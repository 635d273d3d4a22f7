from __future__ import annotations

import pytest
from django.test import Client

from northstar.people.models import Person


@pytest.fixture
def sign_in(client: Client):
    """Sign the test client in as a persona: `sign_in(personas.cleo)`."""

    def sign_in_as(person: Person) -> Client:
        client.force_login(person.user)
        return client

    return sign_in_as


def assert_redirects_to_sign_in(response, path: str) -> None:
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/?next=")
    assert path.rstrip("/") in response["Location"].replace("%2F", "/")
