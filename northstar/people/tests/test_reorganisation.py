"""Moving, renaming and merging units keeps every objective (same pk, same history) and
records what moved."""

import pytest
from django.core.exceptions import ValidationError

from northstar.audit.models import AuditEvent
from northstar.okrs.models import Level, Objective
from northstar.people import actions
from northstar.people.models import Person, Unit


def test_moving_a_unit_records_from_and_to(personas):
    actions.move_unit(unit=personas.platform, parent=personas.company, actor=personas.ada)
    personas.platform.refresh_from_db()
    assert personas.platform.parent == personas.company
    event = AuditEvent.objects.for_target(personas.platform).get(action="moved")
    assert event.changes["parent"]["from"]["id"] == personas.engineering.pk
    assert event.changes["parent"]["to"]["id"] == personas.company.pk
    assert event.actor == personas.ada


def test_a_unit_cannot_move_under_itself_or_below(personas):
    with pytest.raises(ValidationError, match="under itself"):
        actions.move_unit(unit=personas.engineering, parent=personas.platform, actor=None)
    with pytest.raises(ValidationError):
        actions.move_unit(unit=personas.engineering, parent=personas.engineering, actor=None)
    personas.engineering.refresh_from_db()
    assert personas.engineering.parent == personas.company
    assert not AuditEvent.objects.filter(action="moved").exists()


def test_merging_moves_everything_and_keeps_objectives(personas):
    design = actions.create_unit(
        name="Design", kind="team", parent=personas.engineering, actor=None
    )
    ui = actions.create_unit(name="UI", kind="team", parent=personas.platform, actor=None)
    personas.dev.unit = personas.platform
    personas.platform.leads.add(personas.cleo)
    team_pk, platform_pk = personas.team_objective.pk, personas.platform.pk

    moved = actions.merge_units(
        source=personas.platform, target=design, actor=personas.ben, reason="Reorg"
    )

    assert moved == {"people": 2, "objectives": 1, "units": 1, "leads": 1}
    assert not Unit.objects.filter(name="Platform").exists()
    objective = Objective.objects.get(pk=team_pk)
    assert objective.unit == design
    assert objective.title == "Make the API fast"
    assert set(Person.objects.filter(unit=design)) == {personas.cleo, personas.dev}
    assert Unit.objects.get(pk=ui.pk).parent == design
    assert design.leads.filter(pk=personas.cleo.pk).exists()

    event = AuditEvent.objects.for_target(objective).get(action="moved")
    assert event.changes["unit"] == {
        "from": {"type": "unit", "id": platform_pk, "label": "Platform"},
        "to": {"type": "unit", "id": design.pk, "label": "Design"},
    }
    assert event.objective_id == team_pk
    assert event.reason == "Reorg"
    assert AuditEvent.objects.filter(action="moved", target_type="person").count() == 2
    assert AuditEvent.objects.for_target(ui).filter(action="moved").exists()
    merged = AuditEvent.objects.get(action="merged")
    assert merged.changes["merged_into"]["to"]["id"] == design.pk


def test_merging_into_a_department_changes_the_objective_level(personas):
    actions.merge_units(source=personas.platform, target=personas.engineering, actor=None)
    assert Objective.objects.get(pk=personas.team_objective.pk).level == Level.DEPARTMENT


def test_merging_refuses_itself_its_descendants_and_name_clashes(personas):
    with pytest.raises(ValidationError, match="into itself"):
        actions.merge_units(source=personas.platform, target=personas.platform, actor=None)
    with pytest.raises(ValidationError, match="move it out"):
        actions.merge_units(source=personas.engineering, target=personas.platform, actor=None)
    other = actions.create_unit(
        name="Other", kind="department", parent=personas.company, actor=None
    )
    actions.create_unit(name="Platform", kind="team", parent=other, actor=None)
    with pytest.raises(ValidationError, match="already has sub-units named Platform"):
        actions.merge_units(source=personas.engineering, target=other, actor=None)
    assert Unit.objects.filter(pk=personas.engineering.pk).exists()


def test_changing_a_units_kind_recomputes_its_objectives_level(personas):
    actions.update_unit(
        unit=personas.platform, actor=None, name="Platform Group", kind="department"
    )
    objective = Objective.objects.get(pk=personas.team_objective.pk)
    assert objective.level == Level.DEPARTMENT
    event = AuditEvent.objects.for_target(personas.platform).get(action="changed")
    assert event.changes["name"] == {"from": "Platform", "to": "Platform Group"}
    assert event.changes["kind"] == {"from": "team", "to": "department"}


# The manage page ---------------------------------------------------------------------------


def manage(client, actor, unit, **data):
    client.force_login(actor.user)
    return client.post(f"/units/{unit.pk}/manage/", data)


def test_the_lead_sees_the_manage_page_of_units_below(client, personas):
    client.force_login(personas.ben.user)
    assert client.get(f"/units/{personas.platform.pk}/manage/").status_code == 200
    assert b'data-testid="unit-manage"' in client.get(f"/units/{personas.platform.pk}/").content


def test_others_get_403(client, personas):
    client.force_login(personas.cleo.user)
    assert client.get(f"/units/{personas.platform.pk}/manage/").status_code == 403
    assert b'data-testid="unit-manage"' not in client.get(f"/units/{personas.platform.pk}/").content
    response = manage(
        client, personas.ben, personas.company, action="rename", name="X", kind="company"
    )
    assert response.status_code == 403
    assert Unit.objects.get(pk=personas.company.pk).name == "Northwind"


def test_a_lead_edits_members_and_leads(client, personas):
    newcomer = Person.objects.create(name="Nia", email="nia@northwind.test")
    response = manage(
        client, personas.ben, personas.platform, action="add_member", person=newcomer.pk
    )
    assert response.status_code == 302
    assert Person.objects.get(pk=newcomer.pk).unit == personas.platform
    manage(client, personas.ben, personas.platform, action="add_lead", person=personas.cleo.pk)
    assert personas.platform.leads.filter(pk=personas.cleo.pk).exists()
    manage(client, personas.ben, personas.platform, action="remove_lead", person=personas.cleo.pk)
    assert not personas.platform.leads.exists()
    manage(client, personas.ben, personas.platform, action="remove_member", person=newcomer.pk)
    assert Person.objects.get(pk=newcomer.pk).unit is None
    actions_recorded = set(
        AuditEvent.objects.filter(target_type__in=["unit", "person"]).values_list(
            "action", flat=True
        )
    )
    assert {"changed", "lead added", "lead removed"} <= actions_recorded


def test_a_lead_cannot_take_people_from_other_units(client, personas):
    response = manage(
        client, personas.ben, personas.platform, action="add_member", person=personas.ada.pk
    )
    assert response.status_code == 422  # not among the choices
    assert Person.objects.get(pk=personas.ada.pk).unit == personas.company


def test_an_admin_merges_and_moves_through_the_page(client, personas):
    tools = actions.create_unit(name="Tools", kind="team", parent=personas.company, actor=None)
    response = manage(
        client, personas.ada, tools, action="move", parent=personas.engineering.pk, reason=""
    )
    assert response.status_code == 302
    assert Unit.objects.get(pk=tools.pk).parent == personas.engineering
    response = manage(
        client, personas.ada, personas.platform, action="merge", target=tools.pk, reason=""
    )
    assert response.status_code == 302
    assert response["Location"] == f"/units/{tools.pk}/manage/"
    assert Objective.objects.get(pk=personas.team_objective.pk).unit == tools


def test_a_refused_change_shows_the_error(client, personas):
    response = manage(
        client,
        personas.ada,
        personas.engineering,
        action="move",
        parent=personas.platform.pk,
        reason="",
    )
    assert response.status_code == 422  # below itself: not a choice
    response = manage(
        client, personas.ada, personas.platform, action="rename", name="", kind="team"
    )
    assert response.status_code == 422
    assert b'data-testid="unit-name">Manage Platform<' in response.content


def test_an_unknown_action_is_a_bad_request(client, personas):
    assert manage(client, personas.ada, personas.platform, action="explode").status_code == 400
    assert (
        manage(
            client, personas.ada, personas.platform, action="remove_lead", person="x"
        ).status_code
        == 400
    )


def test_creating_units(client, personas):
    client.force_login(personas.ben.user)
    response = client.post(
        "/units/new/", {"name": "Data", "kind": "team", "parent": personas.engineering.pk}
    )
    assert response.status_code == 302
    data = Unit.objects.get(name="Data")
    assert data.parent == personas.engineering
    assert AuditEvent.objects.for_target(data).filter(action="created").exists()
    # Only admins create a top-level unit.
    response = client.post("/units/new/", {"name": "Spinoff", "kind": "company", "parent": ""})
    assert response.status_code == 422
    client.force_login(personas.ada.user)
    assert (
        client.post("/units/new/", {"name": "Spinoff", "kind": "company", "parent": ""}).status_code
        == 302
    )
    client.force_login(personas.dev.user)
    assert client.get("/units/new/").status_code == 403
