"""The directory, the person page's actions, and editing a person."""

from northstar.audit.models import AuditEvent
from northstar.people.models import Person


def test_the_directory_lists_active_people(client, personas):
    Person.objects.create(name="Gone Person", is_active=False)
    client.force_login(personas.dev.user)
    response = client.get("/people/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Ada", "Ben", "Cleo", "Dev"):
        assert f">{name}</a>" in html
    assert "Gone Person" not in html
    assert 'data-testid="invite-link"' not in html  # dev leads nothing
    assert "Gone Person" in client.get("/people/?inactive=1").content.decode()
    narrowed = client.get("/people/?q=platform").content.decode()
    assert ">Cleo</a>" in narrowed and ">Ben</a>" not in narrowed


def test_the_directory_offers_invitations_to_leads(client, personas):
    client.force_login(personas.ben.user)
    assert b'data-testid="invite-link"' in client.get("/people/").content


def test_the_nav_links_to_people(client, personas):
    client.force_login(personas.dev.user)
    assert b'data-testid="nav-people"' in client.get("/me/").content


def test_the_directory_requires_sign_in(client, db):
    assert client.get("/people/").status_code == 302


def test_the_person_page_shows_actions_to_those_who_may_use_them(client, personas):
    url = f"/people/{personas.cleo.pk}/"
    client.force_login(personas.dev.user)
    assert b'data-testid="person-actions"' not in client.get(url).content
    client.force_login(personas.ben.user)
    html = client.get(url).content.decode()
    assert 'data-testid="person-edit"' in html
    assert 'data-testid="person-export"' not in html
    client.force_login(personas.ada.user)
    html = client.get(url).content.decode()
    assert 'data-testid="person-export"' in html
    assert 'data-testid="person-erase"' in html


def test_a_lead_edits_a_person_but_not_their_role(client, personas):
    client.force_login(personas.ben.user)
    page = client.get(f"/people/{personas.dev.pk}/edit/")
    assert page.status_code == 200
    assert b'name="role"' not in page.content
    response = client.post(
        f"/people/{personas.dev.pk}/edit/",
        {
            "name": "Dev Patel",
            "job_title": "Engineer",
            "unit": personas.engineering.pk,
            "manager": personas.cleo.pk,
            "role": "admin",  # ignored: not a lead's field
        },
    )
    assert response.status_code == 302
    dev = Person.objects.get(pk=personas.dev.pk)
    assert (dev.name, dev.unit, dev.manager, dev.role) == (
        "Dev Patel",
        personas.engineering,
        personas.cleo,
        "member",
    )
    event = AuditEvent.objects.for_target(dev).get(action="changed")
    assert event.actor == personas.ben
    assert set(event.changes) == {"name", "job_title", "unit", "manager"}


def test_an_admin_changes_the_role(client, personas):
    client.force_login(personas.ada.user)
    response = client.post(
        f"/people/{personas.dev.pk}/edit/",
        {
            "name": "Dev",
            "job_title": "",
            "unit": personas.platform.pk,
            "manager": "",
            "role": "viewer",
        },
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=personas.dev.pk).role == "viewer"
    event = AuditEvent.objects.for_target(personas.dev).get(action="changed")
    assert event.changes == {"role": {"from": "member", "to": "viewer"}}


def test_a_manager_loop_is_refused(client, personas):
    personas.cleo.manager = personas.dev
    personas.cleo.save()
    client.force_login(personas.ada.user)
    response = client.post(
        f"/people/{personas.dev.pk}/edit/",
        {
            "name": "Dev",
            "job_title": "",
            "unit": personas.platform.pk,
            "manager": personas.cleo.pk,
            "role": "member",
        },
    )
    assert response.status_code == 422
    assert Person.objects.get(pk=personas.dev.pk).manager is None


def test_members_cannot_edit_others(client, personas):
    client.force_login(personas.cleo.user)
    assert client.get(f"/people/{personas.dev.pk}/edit/").status_code == 403
    assert client.get("/people/999/edit/").status_code == 404
