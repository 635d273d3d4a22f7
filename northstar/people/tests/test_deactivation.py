"""Deactivation: no more sign-in, history kept, open work handed to a successor."""

import pytest
from django.core.exceptions import ValidationError

from northstar.audit.models import AuditEvent
from northstar.okrs import actions as okr_actions
from northstar.okrs.models import KeyResult, Objective, State
from northstar.people import actions
from northstar.people.models import Person
from northstar.test import PASSWORD


def test_it_hands_open_work_to_the_successor_and_keeps_the_rest(personas):
    closed = okr_actions.save_objective(
        Objective(title="Old news", cycle=personas.quarter, owner=personas.cleo, state=State.CLOSED)
    )
    handed = actions.deactivate_person(
        person=personas.cleo, actor=personas.ben, successor=personas.dev, reason="Left the company"
    )
    assert handed == (2, 2)
    assert set(Objective.objects.filter(owner=personas.dev)) == {
        personas.team_objective,
        personas.personal_objective,
    }
    assert set(KeyResult.objects.filter(owner=personas.dev)) == {
        personas.kr_cache,
        personas.kr_course,
    }
    closed.refresh_from_db()
    assert closed.owner == personas.cleo  # history stays theirs

    event = AuditEvent.objects.for_target(personas.team_objective).get(action="handed over")
    assert event.actor == personas.ben
    assert event.changes["owner"] == {
        "from": {"person": personas.cleo.pk},
        "to": {"person": personas.dev.pk},
    }
    assert event.reason == "Left the company"
    assert event.objective_id == personas.team_objective.pk
    kr_event = AuditEvent.objects.for_target(personas.kr_cache).get(action="handed over")
    assert kr_event.objective_id == personas.team_objective.pk
    assert AuditEvent.objects.for_target(personas.cleo).filter(action="deactivated").exists()


def test_a_deactivated_person_cannot_sign_in_and_loses_their_session(client, personas):
    client.force_login(personas.dev.user)
    actions.deactivate_person(person=personas.dev, actor=None)
    assert client.get("/me/").status_code == 302  # the open session ends
    response = client.post("/sign-in/", {"username": "dev@northwind.test", "password": PASSWORD})
    assert response.status_code == 200
    assert client.get("/me/").status_code == 302
    personas.dev.refresh_from_db()
    assert not personas.dev.is_active
    assert not personas.dev.user.is_active


def test_a_successor_is_required_for_open_work(personas):
    with pytest.raises(ValidationError, match="choose who takes them over"):
        actions.deactivate_person(person=personas.cleo, actor=None)
    personas.cleo.refresh_from_db()
    assert personas.cleo.is_active


def test_it_stops_them_leading(personas):
    actions.deactivate_person(person=personas.ben, actor=personas.ada, successor=personas.ada)
    assert not personas.engineering.leads.exists()
    assert (
        AuditEvent.objects.for_target(personas.engineering).filter(action="lead removed").exists()
    )


def test_nobody_deactivates_themselves(personas):
    with pytest.raises(ValidationError, match="yourself"):
        actions.deactivate_person(person=personas.ada, actor=personas.ada, successor=personas.ben)


def test_reactivation_lets_them_back_in(client, personas):
    actions.deactivate_person(person=personas.dev, actor=None)
    actions.reactivate_person(person=personas.dev, actor=None)
    response = client.post("/sign-in/", {"username": "dev@northwind.test", "password": PASSWORD})
    assert response.status_code == 302


# The pages ---------------------------------------------------------------------------------


def test_the_lead_deactivates_through_the_page(client, personas):
    client.force_login(personas.ben.user)
    page = client.get(f"/people/{personas.cleo.pk}/deactivate/")
    assert page.status_code == 200
    assert b"Make the API fast" in page.content  # her open work is listed
    refused = client.post(f"/people/{personas.cleo.pk}/deactivate/", {"reason": ""})
    assert refused.status_code == 422
    assert b"Choose who takes over their open work" in refused.content
    response = client.post(
        f"/people/{personas.cleo.pk}/deactivate/",
        {"successor": personas.dev.pk, "reason": "Moved on"},
    )
    assert response.status_code == 302
    personas.cleo.refresh_from_db()
    assert not personas.cleo.is_active
    assert Objective.objects.get(pk=personas.team_objective.pk).owner == personas.dev


def test_a_member_may_not_deactivate_anyone(client, personas):
    client.force_login(personas.dev.user)
    assert client.get(f"/people/{personas.cleo.pk}/deactivate/").status_code == 403
    response = client.post(
        f"/people/{personas.cleo.pk}/deactivate/", {"successor": personas.dev.pk}
    )
    assert response.status_code == 403
    personas.cleo.refresh_from_db()
    assert personas.cleo.is_active


def test_a_lead_may_not_deactivate_people_outside_their_units(client, personas):
    client.force_login(personas.ben.user)
    assert client.get(f"/people/{personas.ada.pk}/deactivate/").status_code == 403


def test_reactivating_through_the_page(client, personas):
    actions.deactivate_person(person=personas.dev, actor=None)
    client.force_login(personas.ben.user)
    assert client.get(f"/people/{personas.dev.pk}/reactivate/").status_code == 405
    response = client.post(f"/people/{personas.dev.pk}/reactivate/")
    assert response.status_code == 302
    assert Person.objects.get(pk=personas.dev.pk).is_active
