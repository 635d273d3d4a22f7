"""Northstar's own YAML / JSON: hand-written files import, mistakes are refused with
their line and field, and nothing is written when one is found."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.interchange.document import ImportProblem
from northstar.interchange.formats.native import read_native
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.people.models import Person, Unit

# The example of docs/format.md.
EXAMPLE = """\
northstar: 1
organisation:
  name: Northwind
  time_zone: Europe/Zurich
units:
- name: Northwind
  kind: company
- name: Platform
  parent: Northwind
people:
- name: Cleo
  email: cleo@northwind.test
  unit: Platform
cycles:
- name: 2026-Q4
  start: 2026-10-01
  end: 2026-12-31
objectives:
- ref: API-1
  title: Make the API fast
  cycle: 2026-Q4
  unit: Platform
  owner: cleo@northwind.test
  key_results:
  - ref: API-1.1
    title: Raise cache hit rate from 50 to 90
    start: 50
    target: 90
    unit: '%'
    check_ins:
    - measured_on: 2026-11-02
      created_at: 2026-11-02T08:30:00+00:00
      value: 70
      confidence: 7
      note: |
        Warm-up job deployed.
        Next: tune the eviction policy.
      author: cleo@northwind.test
  - ref: API-1.2
    title: Publish the tuning guide
    kind: milestone
- ref: ME-1
  title: Learn query tuning
  cycle: 2026-Q4
  owner: cleo@northwind.test
  parent_objective: API-1
  key_results:
  - ref: ME-1.1
    title: Finish the tuning course
    kind: levels
    levels:
    - {name: fail, score: 0}
    - {name: commit, score: 0.3, description: Half of the chapters}
    - {name: target, score: 0.7, description: All chapters}
    - {name: stretch, score: 1, description: All chapters and the exam}
"""


def write(tmp_path: Path, text: str, name: str = "okrs.yaml") -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("import", *args, stdout=out, stderr=out)
    return out.getvalue()


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(ImportProblem) as error:
        read_native(write(tmp_path, text))
    return str(error.value)


def test_the_documented_example_imports(db, tmp_path):
    run(write(tmp_path, EXAMPLE))
    cache = KeyResult.objects.get(external_ref="API-1.1")
    assert cache.progress == pytest.approx(0.5)
    assert cache.current_check_in.note == "Warm-up job deployed.\nNext: tune the eviction policy.\n"
    personal = Objective.objects.get(external_ref="ME-1")
    assert (personal.level, personal.parent_objective.title) == ("individual", "Make the API fast")
    assert Unit.objects.get(name="Platform").parent.name == "Northwind"
    assert Person.objects.get().unit.name == "Platform"
    course = KeyResult.objects.get(external_ref="ME-1.1")
    assert course.levels[1] == {
        "name": "commit",
        "score": 0.3,
        "description": "Half of the chapters",
    }


def test_it_points_at_the_line_and_field_of_an_unknown_field(tmp_path):
    text = EXAMPLE.replace("    target: 90\n", "    tagret: 90\n")
    message = problem(tmp_path, text)
    assert message.startswith("okrs.yaml, line 28, field 'objectives[0].key_results[0].tagret'")
    assert "unknown field" in message


def test_it_refuses_a_value_of_the_wrong_type(tmp_path):
    message = problem(tmp_path, EXAMPLE.replace("value: 70", "value: seventy"))
    assert "field 'objectives[0].key_results[0].check_ins[0].value'" in message
    assert "expected a number, got 'seventy'" in message


def test_it_refuses_a_missing_required_field(tmp_path):
    message = problem(tmp_path, EXAMPLE.replace("  cycle: 2026-Q4\n  unit: Platform\n", ""))
    assert "field 'objectives[0].cycle': this field is required" in message


def test_it_refuses_an_unknown_choice(tmp_path):
    message = problem(tmp_path, EXAMPLE.replace("kind: milestone", "kind: someday"))
    assert "'someday' is not one of" in message


def test_it_refuses_another_format_version(tmp_path):
    message = problem(tmp_path, EXAMPLE.replace("northstar: 1", "northstar: 2"))
    assert "format version 2 is not supported" in message


def test_it_refuses_a_repeated_key(tmp_path):
    message = problem(tmp_path, EXAMPLE.replace("  time_zone:", "  name: Again\n  time_zone:"))
    assert "line 4, field 'organisation.name': repeated key" in message


def test_it_refuses_broken_yaml_with_its_line(tmp_path):
    message = problem(tmp_path, "northstar: 1\nunits:\n\t- name: tab-indented\n")
    assert message.startswith("okrs.yaml, line 3: not valid YAML")


def test_it_refuses_a_yaml_file_it_cannot_place(db, tmp_path):
    with pytest.raises(CommandError, match="neither a Northstar file"):
        run(write(tmp_path, "title: my notes\n"))


def test_it_refuses_references_to_nothing_and_writes_nothing(db, tmp_path):
    text = EXAMPLE.replace("parent_objective: API-1", "parent_objective: API-9")
    with pytest.raises(CommandError, match=r"objectives\[1\].parent_objective.*'API-9'"):
        run(write(tmp_path, text))
    assert not Objective.objects.exists()
    assert not Cycle.objects.exists()


def test_it_refuses_an_unknown_cycle(db, tmp_path):
    text = EXAMPLE.replace(
        "  cycle: 2026-Q4\n  unit: Platform", "  cycle: 2027-Q1\n  unit: Platform"
    )
    with pytest.raises(CommandError, match="no cycle '2027-Q1'"):
        run(write(tmp_path, text))


def test_it_refuses_what_the_domain_refuses(db, tmp_path):
    text = EXAMPLE.replace("      confidence: 7\n", "      confidence: 12\n")
    with pytest.raises(CommandError, match="check_ins.0.*Confidence goes from 0 to 10"):
        run(write(tmp_path, text))
    assert not CheckIn.objects.exists()


def test_json_is_read_the_same_way(db, tmp_path):
    import json

    import yaml

    data = yaml.safe_load(EXAMPLE)
    text = json.dumps(data, default=str)
    run(write(tmp_path, text, "okrs.json"))
    assert KeyResult.objects.get(external_ref="API-1.1").current_check_in.value == 70


def test_importing_a_native_file_twice_changes_nothing(db, tmp_path):
    path = write(tmp_path, EXAMPLE)
    run(path)
    again = run(path)
    assert "2 objectives (0 new, 0 updated, 2 unchanged)" in again
    assert "1 check-ins (0 new, 1 already there)" in again
    assert CheckIn.objects.count() == 1


def test_a_changed_native_file_updates_in_place(db, tmp_path):
    run(write(tmp_path, EXAMPLE))
    changed = EXAMPLE.replace("title: Make the API fast", "title: Make the API faster")
    run(write(tmp_path, changed))
    assert Objective.objects.get(external_ref="API-1").title == "Make the API faster"
    assert Objective.objects.count() == 2
