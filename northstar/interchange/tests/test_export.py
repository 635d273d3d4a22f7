"""`northstar export`: YAML by default, JSON, a key result sheet (CSV / XLSX) that the
sheet reader reads back, and a Markdown outline."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.interchange import exporter
from northstar.interchange.formats.markdown import read_markdown
from northstar.interchange.formats.sheet import read_sheet
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Organisation
from northstar.test import Personas, empty_database


def export(*args: str) -> str:
    out = io.StringIO()
    call_command("export", *args, stdout=out)
    return out.getvalue()


def import_into_empty_database(path: Path) -> None:
    empty_database()
    call_command("import", str(path), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.fixture
def measured(personas: Personas) -> Personas:
    actions.record_check_in(key_result=personas.kr_cache, author=None, value=70)
    actions.record_check_in(key_result=personas.kr_latency, author=None, value=600)
    actions.record_check_in(key_result=personas.kr_release, author=None, done=True)
    actions.record_check_in(key_result=personas.kr_course, author=None, level="target")
    return personas


def test_it_exports_yaml_to_standard_output_by_default(personas):
    text = export()
    assert text.startswith("northstar: 1\n")
    data = yaml.safe_load(text)
    assert [o["title"] for o in data["objectives"]] == [
        "Become the tool teams keep using",
        "Ship a faster product",
        "Make the API fast",
        "Learn query tuning",
    ]
    assert data["objectives"][1]["parent_key_result"] == personas.kr_company.reference


def test_it_exports_json_when_asked(personas):
    assert export("--format", "json").startswith('{\n  "northstar": 1,')


def test_it_takes_the_format_from_the_output_file(personas, tmp_path):
    path = tmp_path / "okrs.json"
    export("-o", str(path))
    assert path.read_text(encoding="utf-8").startswith("{")


def test_a_dash_writes_to_standard_output(personas, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert export("-o", "-").startswith("northstar: 1\n")
    assert not (tmp_path / "-").exists()  # not a file named "-"


@pytest.mark.parametrize(
    ("where", "why"),
    [("missing/dir/x.yaml", "its folder does not exist"), (".", "that is a folder")],
)
def test_an_unwritable_output_is_an_error_naming_the_path(personas, tmp_path, where, why):
    path = tmp_path / where
    with pytest.raises(CommandError, match=why) as refused:
        export("-o", str(path))
    assert str(path) in str(refused.value)


def test_it_refuses_to_write_xlsx_to_the_terminal(personas):
    with pytest.raises(CommandError, match="binary"):
        export("--format", "xlsx")


def test_the_csv_has_one_row_per_key_result_with_the_sheet_headers(measured):
    rows = list(csv.DictReader(io.StringIO(exporter.export("csv"))))
    assert len(rows) == KeyResult.objects.count()
    cache = next(row for row in rows if row["Key Result"].startswith("Raise cache"))
    assert (cache["Start"], cache["Target"], cache["Current"], cache["Unit of measure"]) == (
        "50",
        "90",
        "70",
        "%",
    )
    assert cache["Team"] == "Platform"
    assert cache["Parent"] == measured.department_objective.reference
    course = next(row for row in rows if row["Type"] == "levels")
    assert course["Level"] == "individual"


def test_the_csv_reads_back_as_the_same_outline(measured, tmp_path):
    path = tmp_path / "okrs.csv"
    export("-o", str(path))
    document = read_sheet(path)
    assert len(list(document.all_objectives())) == Objective.objects.count()
    assert len(list(document.all_key_results())) == KeyResult.objects.count()
    import_into_empty_database(path)
    cache = KeyResult.objects.get(title="Raise cache hit rate from 50 to 90")
    assert (cache.start, cache.target, cache.current_check_in.value) == (50, 90, 70)
    team = cache.objective
    assert (team.level, team.parent_objective.title) == ("team", "Ship a faster product")
    assert Objective.objects.get(title="Learn query tuning").level == "individual"


def test_the_xlsx_carries_key_results_and_check_ins(measured, tmp_path):
    path = tmp_path / "okrs.xlsx"
    export("-o", str(path))
    document = read_sheet(path)
    assert len(list(document.all_key_results())) == KeyResult.objects.count()
    assert len(document.check_ins) == CheckIn.objects.count()
    import_into_empty_database(path)
    assert CheckIn.objects.count() == 4
    assert KeyResult.objects.get(title="Finish the tuning course").current_check_in.level == (
        "target"
    )


def test_the_markdown_outline_shows_the_cascade_with_current_values(measured):
    text = exporter.export("md")
    assert "## 2026-Q4" in text
    assert "* **Objective:** Northwind: Become the tool teams keep using" in text
    assert "        * **Key Result:** Raise cache hit rate from 50 to 90 — 70%" in text
    assert "* **Key Result:** Release the new editor — Done" in text


def test_the_markdown_outline_reads_back(measured, tmp_path):
    path = tmp_path / "okrs.md"
    path.write_text(exporter.export("md"), encoding="utf-8")
    document = read_markdown(path)
    assert len(list(document.all_objectives())) == Objective.objects.count()
    assert len(list(document.all_key_results())) == KeyResult.objects.count()


def test_an_export_writes_nothing(db):
    export()
    assert not Organisation.objects.exists()
