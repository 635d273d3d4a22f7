"""Imports write to the audit trail like any other door: an event per objective and key result
created or changed, by the `--as` person, "imported from" the file; nothing for nothing."""

from __future__ import annotations

import pytest

from northstar.audit.models import AuditEvent
from northstar.interchange.tests.test_import_documents import CASCADE
from northstar.interchange.tests.test_import_native import EXAMPLE, run, write
from northstar.okrs.models import KeyResult, Objective
from northstar.people.models import Person

REASON = "imported from okrs.yaml"


@pytest.fixture
def importer(db) -> Person:
    return Person.objects.create(name="Ivy", email="ivy@northwind.test", role="admin")


def events(action: str, item: Objective | KeyResult) -> list[AuditEvent]:
    return list(AuditEvent.objects.for_target(item).filter(action=action))


def test_each_created_item_has_one_event_with_its_imported_fields(importer, tmp_path):
    run(write(tmp_path, EXAMPLE), "--as", "ivy@northwind.test")
    api, personal = (Objective.objects.get(external_ref=ref) for ref in ("API-1", "ME-1"))
    cache = KeyResult.objects.get(external_ref="API-1.1")
    cleo = Person.objects.get(email="cleo@northwind.test")
    created = AuditEvent.objects.filter(action="created")
    assert created.count() == 2 + 3  # objectives and key results
    assert {(e.actor, e.reason) for e in created} == {(importer, REASON)}

    (event,) = events("created", cache)
    assert event.objective_id == api.pk
    assert event.changes["title"] == {"from": None, "to": "Raise cache hit rate from 50 to 90"}
    assert event.changes["objective_id"] == {"from": None, "to": api.pk}
    assert (event.changes["start"]["to"], event.changes["target"]["to"]) == (50, 90)
    assert "low" not in event.changes  # empty fields are left out
    # The check-in recorded after the key result is newer in its history.
    (check_in,) = events("checked_in", cache)
    assert (event.at, event.pk) < (check_in.at, check_in.pk)

    (event,) = events("created", api)
    assert event.changes["owner"] == {"from": None, "to": {"person": cleo.pk}}
    assert event.changes["unit"]["to"]["label"] == "Platform"

    # Alignment, written in a second pass, is part of the one "created" event, by id only.
    (event,) = events("created", personal)
    assert event.changes["parent_objective_id"] == {"from": None, "to": api.pk}
    assert event.changes["cycle"]["to"]["label"] == "2026-Q4"
    assert "unit" not in event.changes


def test_importing_again_records_nothing(importer, tmp_path):
    path = write(tmp_path, EXAMPLE)
    run(path)
    before = AuditEvent.objects.count()
    run(path, "--as", "ivy@northwind.test")
    assert AuditEvent.objects.count() == before


def test_a_change_records_only_what_differs(importer, tmp_path):
    run(write(tmp_path, EXAMPLE))
    changed = (
        EXAMPLE.replace("title: Make the API fast", "title: Make the API faster")
        .replace("    target: 90\n", "    target: 95\n    contributors: [ivy@northwind.test]\n")
        .replace("  parent_objective: API-1\n", "")
    )
    run(write(tmp_path, changed), "--as", "ivy@northwind.test")
    api, personal = (Objective.objects.get(external_ref=ref) for ref in ("API-1", "ME-1"))
    (event,) = events("changed", api)
    assert event.changes == {"title": {"from": "Make the API fast", "to": "Make the API faster"}}
    assert (event.actor, event.reason) == (importer, REASON)
    (event,) = events("changed", KeyResult.objects.get(external_ref="API-1.1"))
    assert event.changes == {
        "target": {"from": 90, "to": 95},
        "contributors": {"from": [], "to": [{"person": importer.pk}]},
    }
    (event,) = events("changed", personal)
    assert event.changes == {"parent_objective_id": {"from": api.pk, "to": None}}
    assert AuditEvent.objects.filter(action="changed").count() == 3


def test_a_document_import_by_the_operator(db, tmp_path):
    run(write(tmp_path, CASCADE, "okrs.md"), "--cycle", "2019-Q4")
    pipeline = Objective.objects.get(title="Fill the pipeline")
    (event,) = events("created", pipeline)
    assert (event.actor, event.reason) == (None, "imported from okrs.md")
    assert event.changes["unit"]["to"]["label"] == "CMO"
    assert event.changes["parent_objective_id"]["to"] == pipeline.parent_objective_id
    assert AuditEvent.objects.filter(action="created").count() == (
        Objective.objects.count() + KeyResult.objects.count()
    )
    later = CASCADE.replace("70% (two late months)", "80% (one late month)")
    run(write(tmp_path, later, "okrs.md"), "--cycle", "2019-Q4")
    (event,) = AuditEvent.objects.filter(action="changed")
    assert event.target_id == Objective.objects.get(title="Close the books on time").pk
    assert event.changes == {
        "reported_score": {"from": 0.7, "to": 0.8},
        "reported_text": {"from": "70% (two late months)", "to": "80% (one late month)"},
    }


def test_a_dry_run_records_nothing(db, tmp_path):
    run(write(tmp_path, EXAMPLE), "--dry-run")
    assert not AuditEvent.objects.exists()
