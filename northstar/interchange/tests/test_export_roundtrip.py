"""The native export is full-fidelity: export → import into an empty database → export
gives the same text, for YAML and JSON alike."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from django.core.management import call_command

from northstar.interchange import exporter
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, Initiative, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit
from northstar.test import Personas, empty_database

AWKWARD_TEXTS = [
    "  surrounded by spaces  ",
    "commas, quotes \"double\" and 'single'",
    "line one\nline two\n\n  indented after a blank line\n",
    "Umlaute: Größe, Übermaß, Ärger — and “curly” quotes",
    "trailing space on a line \nnext",
    "\ttab first, carriage return\r\nafter",
    "yes",
    "2026-01-01",
    "0042",
    "- looks like a list",
    "key: value # not a comment",
    "",
]


def reimport(tmp_path: Path, text: str, suffix: str) -> str:
    """Empty the database, import ``text`` and return what the import printed."""
    empty_database()
    path = tmp_path / f"export{suffix}"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), stdout=out, stderr=out)
    return out.getvalue()


@pytest.fixture
def rich(personas: Personas) -> Personas:
    """The personas with everything a native file must carry: check-ins of every kind,
    a target changed after a check-in, initiatives, awkward texts and odd settings."""
    p = personas
    org = p.org
    org.fiscal_year_start_month, org.week_start, org.check_in_cadence_days = 7, 6, 14
    org.save()
    p.quarter.check_in_cadence_days = 10
    p.quarter.save()
    p.ben.manager = p.ada
    p.ben.job_title = "Head of Engineering"
    p.ben.save()
    Person.objects.create(name="Sam")
    Person.objects.create(name="Sam", is_active=False)
    Unit.objects.create(name="Platform", kind="team", parent=p.company)  # a second Platform
    day = date(2026, 11, 2)
    moment = datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)
    actions.record_check_in(
        key_result=p.kr_cache, author=p.cleo, value=70, measured_on=day, created_at=moment
    )
    p.kr_cache.target = 95
    actions.save_key_result(p.kr_cache)
    actions.record_check_in(
        key_result=p.kr_cache, author=None, value=72.5, measured_on=day, confidence=7
    )
    actions.record_check_in(key_result=p.kr_release, author=p.ben, done=True, note="shipped")
    actions.record_check_in(key_result=p.kr_course, author=p.cleo, level="commit")
    Initiative.objects.create(key_result=p.kr_latency, title="Add a cache", owner=p.cleo)
    for index, text in enumerate(AWKWARD_TEXTS):
        kr = KeyResult(objective=p.personal_objective, title=f"kr {index}", description=text)
        kr.kind = "milestone"
        actions.save_key_result(kr)
        actions.record_check_in(key_result=kr, author=None, done=False, note=text)
    p.personal_objective.description = "\n".join(AWKWARD_TEXTS)
    p.personal_objective.reported_text = AWKWARD_TEXTS[0]
    p.personal_objective.state, p.personal_objective.outcome = "closed", "achieved"
    actions.save_objective(p.personal_objective)
    for text in AWKWARD_TEXTS[:-1]:
        actions.save_objective(
            Objective(title=text, cycle=p.year, unit=p.engineering, weight=2.5, position=3)
        )
    return p


def test_yaml_round_trips_exactly(rich, tmp_path):
    first = exporter.export("yaml")
    reimport(tmp_path, first, ".yaml")
    assert exporter.export("yaml") == first


def test_json_round_trips_exactly(rich, tmp_path):
    first = exporter.export("json")
    reimport(tmp_path, first, ".json")
    assert exporter.export("json") == first


def test_the_personas_round_trip_as_they_are(personas, tmp_path):
    first = exporter.export("yaml")
    reimport(tmp_path, first, ".yaml")
    assert exporter.export("yaml") == first


def test_text_comes_back_exactly(rich, tmp_path):
    reimport(tmp_path, exporter.export("yaml"), ".yaml")
    descriptions = set(KeyResult.objects.values_list("description", flat=True))
    notes = set(CheckIn.objects.values_list("note", flat=True))
    assert set(AWKWARD_TEXTS) <= descriptions
    assert set(AWKWARD_TEXTS) <= notes
    assert set(AWKWARD_TEXTS[:-1]) <= set(Objective.objects.values_list("title", flat=True))


def test_what_the_database_computes_comes_back_the_same(rich, tmp_path):
    cache_before = KeyResult.objects.get(pk=rich.kr_cache.pk)
    first_check_in = cache_before.check_ins.first()
    progress = {o.title: o.progress for o in Objective.objects.all()}
    reimport(tmp_path, exporter.export("yaml"), ".yaml")
    cache = KeyResult.objects.get(title=cache_before.title)
    assert cache.progress == cache_before.progress
    assert cache.current_check_in.value == 72.5
    restored = cache.check_ins.first()
    assert (restored.start_then, restored.target_then) == (50, 90)  # measured before the change
    assert restored.progress_then == first_check_in.progress_then
    assert restored.created_at == datetime(2026, 11, 2, 8, 30, 15, 123456, tzinfo=UTC)
    assert {o.title: o.progress for o in Objective.objects.all()} == progress
    department = Objective.objects.get(title="Ship a faster product")
    assert department.parent_key_result.title == rich.kr_company.title


def test_settings_people_and_units_come_back(rich, tmp_path):
    reimport(tmp_path, exporter.export("yaml"), ".yaml")
    org = Organisation.get()
    assert (org.name, org.time_zone, org.fiscal_year_start_month) == (
        "Northwind",
        "Europe/Zurich",
        7,
    )
    assert (org.week_start, org.check_in_cadence_days) == (6, 14)
    ben = Person.objects.get(email="ben@northwind.test")
    assert (ben.manager.name, ben.job_title, ben.unit.name) == (
        "Ada",
        "Head of Engineering",
        "Engineering",
    )
    assert Person.objects.filter(name="Sam").count() == 2
    assert Unit.objects.filter(name="Platform").count() == 2
    assert list(Unit.objects.get(name="Engineering").leads.values_list("name", flat=True)) == [
        "Ben"
    ]


def test_importing_the_export_into_the_same_database_changes_nothing(rich, tmp_path):
    first = exporter.export("yaml")
    path = tmp_path / "export.yaml"
    path.write_text(first, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(path), stdout=out, stderr=out)
    check_ins = CheckIn.objects.count()
    assert "15 objectives (0 new, 0 updated, 15 unchanged)" in out.getvalue()
    assert f"{check_ins} check-ins (0 new, {check_ins} already there)" in out.getvalue()
    assert exporter.export("yaml") == first


def test_the_export_is_the_same_every_time(rich):
    assert exporter.export("yaml") == exporter.export("yaml")
    assert exporter.export("json") == exporter.export("json")
