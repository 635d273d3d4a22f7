"""The audit trail: what the actions record, what the pages show, and that it cannot be
changed or deleted."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from northstar.audit.models import AppendOnlyError, AuditEvent
from northstar.okrs import actions
from northstar.okrs.models import Cycle, Objective
from northstar.people.models import Organisation


@pytest.fixture
def mid_cycle(monkeypatch):
    """Today is inside the personas' quarter (1 Oct – 31 Dec 2026)."""
    monkeypatch.setattr(Organisation, "today", lambda self: date(2026, 11, 15))


def events_for(item) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_target(item))


def test_it_records_a_target_change_with_old_and_new_value_and_reason(personas, mid_cycle):
    kr = personas.kr_cache
    actions.change_target(
        kr, target=95, reason="The new CDN makes 95 reachable", actor=personas.ben
    )
    event = events_for(kr)[0]
    assert event.action == "changed"
    assert event.actor == personas.ben
    assert event.changes == {"target": {"from": 90, "to": 95}}
    assert event.reason == "The new CDN makes 95 reachable"
    assert event.objective_id == personas.team_objective.pk


def test_a_target_change_during_the_cycle_needs_a_reason(personas, mid_cycle):
    kr = personas.kr_cache
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationError, match="Say why"):
        actions.change_target(kr, target=95, reason="  ", actor=personas.cleo)
    kr.refresh_from_db()
    assert kr.target == 90
    assert AuditEvent.objects.count() == before


def test_before_the_cycle_a_target_may_change_without_a_reason(personas, monkeypatch):
    monkeypatch.setattr(Organisation, "today", lambda self: date(2026, 9, 1))
    actions.change_target(personas.kr_cache, target=95, actor=personas.cleo)
    assert events_for(personas.kr_cache)[0].changes["target"] == {"from": 90, "to": 95}


def test_earlier_check_ins_keep_the_target_they_were_measured_against(personas, mid_cycle):
    kr = personas.kr_cache
    check_in = actions.record_check_in(key_result=kr, author=personas.cleo, value=70)
    actions.change_target(kr, target=130, reason="Stretch", actor=personas.ben)
    check_in.refresh_from_db()
    assert check_in.target_then == 90


def test_it_records_a_check_in_as_a_change_of_value_and_progress(personas, mid_cycle):
    kr = personas.kr_cache
    actions.record_check_in(
        key_result=kr, author=personas.cleo, actor=personas.cleo, value=70, confidence=6
    )
    event = events_for(kr)[0]
    assert event.action == "checked_in"
    assert event.actor == personas.cleo
    assert event.changes["value"] == {"from": None, "to": "70"}
    assert event.changes["progress"] == {"from": 0.0, "to": 0.5}
    assert event.changes["confidence"] == {"from": None, "to": 6}
    assert "author" not in event.changes  # the actor measured it themselves


def test_a_check_in_for_someone_else_names_the_author(personas, mid_cycle):
    actions.record_check_in(key_result=personas.kr_cache, author=personas.cleo, value=70)
    event = events_for(personas.kr_cache)[0]
    assert event.actor is None  # the operator
    assert event.changes["author"] == {"from": None, "to": {"person": personas.cleo.pk}}


def test_it_records_owner_alignment_state_and_privacy_changes(personas):
    objective = Objective.objects.get(pk=personas.personal_objective.pk)
    objective.owner = personas.dev
    objective.parent_objective = personas.department_objective
    objective.is_private = True
    actions.save_objective(objective, actor=personas.ada, reason="Dev takes it over")
    changes = events_for(objective)[0].changes
    assert changes["owner"] == {
        "from": {"person": personas.cleo.pk},
        "to": {"person": personas.dev.pk},
    }
    # By id, never by title: a private objective's title must not end up in another's trail.
    assert changes["parent_objective_id"] == {
        "from": personas.team_objective.pk,
        "to": personas.department_objective.pk,
    }
    assert changes["is_private"] == {"from": False, "to": True}
    actions.archive_objective(objective, actor=personas.ada)
    assert events_for(objective)[0].changes == {"state": {"from": "active", "to": "archived"}}


def test_saving_without_a_change_records_nothing(personas):
    before = AuditEvent.objects.count()
    actions.save_objective(Objective.objects.get(pk=personas.team_objective.pk))
    assert AuditEvent.objects.count() == before


def test_creation_and_cycles_are_recorded(personas):
    cycle = actions.save_cycle(
        Cycle(name="2027-Q1", kind="quarter", start=date(2027, 1, 1), end=date(2027, 3, 31)),
        actor=personas.ada,
    )
    created = events_for(cycle)[0]
    assert created.action == "created"
    assert created.changes["name"] == {"from": None, "to": "2027-Q1"}
    cycle.end = date(2027, 3, 30)
    actions.save_cycle(cycle, actor=personas.ada, reason="Offsite")
    assert events_for(cycle)[0].changes == {"end": {"from": "2027-03-31", "to": "2027-03-30"}}


def test_contributors_are_recorded(personas):
    kr = personas.kr_cache
    actions.set_contributors(kr, [personas.dev], actor=personas.cleo)
    event = events_for(kr)[0]
    assert event.changes == {"contributors": {"from": [], "to": [{"person": personas.dev.pk}]}}
    assert list(kr.contributors.all()) == [personas.dev]


def test_deleting_an_objective_leaves_its_trail(personas):
    objective = Objective.objects.get(pk=personas.personal_objective.pk)
    objective.key_results.all().delete()
    pk = objective.pk
    actions.delete_objective(objective, actor=personas.ada, reason="Duplicate")
    assert not Objective.objects.filter(pk=pk).exists()
    trail = AuditEvent.objects.filter(target_type="objective", target_id=pk)
    assert trail.first().action == "deleted"
    assert trail.count() >= 2  # created, deleted


# --- append-only ---------------------------------------------------------------------------


def test_rows_survive_deletion_attempts_through_the_orm(personas):
    count = AuditEvent.objects.count()
    event = AuditEvent.objects.first()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(reason="rewritten")
    event.reason = "rewritten"
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_rows_survive_deletion_attempts_through_the_admin(client, personas):
    client.force_login(personas.ada.user)  # a superuser
    event = AuditEvent.objects.first()
    count = AuditEvent.objects.count()
    assert client.get(f"/admin/audit/auditevent/{event.pk}/delete/").status_code == 403
    assert (
        client.post(f"/admin/audit/auditevent/{event.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    bulk = {"action": "delete_selected", "_selected_action": [event.pk], "post": "yes"}
    client.post("/admin/audit/auditevent/", bulk)
    edited = client.post(f"/admin/audit/auditevent/{event.pk}/change/", {"reason": "rewritten"})
    assert edited.status_code == 403
    assert client.get("/admin/audit/auditevent/add/").status_code == 403
    assert AuditEvent.objects.count() == count
    assert AuditEvent.objects.get(pk=event.pk).reason == ""


def test_the_admin_still_reads_the_trail(client, personas):
    client.force_login(personas.ada.user)
    assert client.get("/admin/audit/auditevent/").status_code == 200


# --- the pages -----------------------------------------------------------------------------


def test_the_objective_page_shows_its_history_and_its_key_results_newest_first(
    client, personas, mid_cycle
):
    p = personas
    actions.change_target(p.kr_cache, target=95, reason="New CDN", actor=p.ben)
    actions.record_check_in(key_result=p.kr_cache, author=p.cleo, actor=p.cleo, value=70)
    client.force_login(p.dev.user)
    html = client.get(f"/objectives/{p.team_objective.pk}/").content.decode()
    history = html[html.index('data-testid="history"') :]
    checked_in = history.index("checked in")
    changed = history.index("Reason: New CDN")
    created = history.index("created")
    assert checked_in < changed < created  # newest first
    assert "Ben</a>" in history and "Cleo</a>" in history
    assert "“Raise cache hit rate from 50 to 90”" in history
    assert "<del>90</del> → <ins>95</ins>" in history


def test_the_key_result_page_shows_its_own_history(client, personas, mid_cycle):
    p = personas
    actions.change_target(p.kr_cache, target=95, reason="New CDN", actor=p.ben)
    client.force_login(p.dev.user)
    html = client.get(f"/key-results/{p.kr_cache.pk}/").content.decode()
    assert 'data-testid="history-reason">Reason: New CDN' in html


def test_history_names_a_hidden_objective_without_its_title(client, personas):
    p = personas
    secret = actions.save_objective(
        Objective(title="Acquire Quillstone", cycle=p.quarter, owner=p.ada, unit=p.company,
                  is_private=True)
    )  # fmt: skip
    team = Objective.objects.get(pk=p.team_objective.pk)
    team.parent_objective = secret
    actions.save_objective(team, actor=p.ada)
    client.force_login(p.dev.user)
    html = client.get(f"/objectives/{team.pk}/").content.decode()
    assert "Quillstone" not in html
    assert "<ins>a private objective</ins>" in html
    client.force_login(p.ada.user)
    assert "<ins>Acquire Quillstone</ins>" in client.get(f"/objectives/{team.pk}/").content.decode()


def test_the_history_costs_the_same_queries_however_long_it_is(client, personas, mid_cycle):
    p = personas
    client.force_login(p.dev.user)
    url = f"/objectives/{p.team_objective.pk}/"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = queries()
    for value in range(55, 75):
        actions.record_check_in(key_result=p.kr_cache, author=p.cleo, actor=p.dev, value=value)
        actions.change_target(p.kr_cache, target=90 + value, reason=f"r{value}", actor=p.ben)
    assert queries() == first
