"""Every real OKR file of ../shared/data imports cleanly, each into a fresh database, with
the facts listed in that folder's README.

The files are not copied into the repository; CI checks them out beside it. A missing
folder fails these tests (it never skips them), so a broken checkout cannot pass silently.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.interchange import exporter
from northstar.interchange.importer import NO_START
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.people.models import Person, Unit
from northstar.test import empty_database

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data"
ZURICH = ZoneInfo("Europe/Zurich")


@pytest.fixture(scope="module")
def data() -> Path:
    if not DATA.is_dir():
        pytest.fail(
            f"The real OKR files are missing: expected the folder {DATA} (shared/data beside "
            "the repository checkout)."
        )
    return DATA


def run_import(*args: str) -> str:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def depth(objective: Objective) -> int:
    return len(objective.alignment_chain()) + 1


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.DictReader(stream))


def round_trips(tmp_path: Path) -> bool:
    """Export, import the export into an empty database, export again: the same YAML
    (and the same JSON)?"""
    first_yaml, first_json = exporter.export("yaml"), exporter.export("json")
    empty_database()
    path = tmp_path / "export.yaml"
    path.write_text(first_yaml, encoding="utf-8")
    run_import(str(path))
    return (exporter.export("yaml"), exporter.export("json")) == (first_yaml, first_json)


# --- GitLab 2018-Q3 (Markdown cascade) -------------------------------------------------------


@pytest.fixture
def gitlab(db, data: Path) -> str:
    return run_import(str(data / "gitlab_2018q3_cascade.md"))


def test_it_reads_gitlab_as_a_cascade_four_levels_deep_under_three_company_objectives(gitlab):
    roots = list(Objective.objects.roots())
    assert len(roots) == 3
    assert {o.level for o in roots} == {"company"}
    deepest = max(depth(kr.objective) for kr in KeyResult.objects.select_related("objective"))
    assert deepest + 1 >= 4  # company → department → team objectives → their key results
    assert Objective.objects.filter(level="department").exists()
    assert Objective.objects.filter(level="team").exists()


def test_it_turns_gitlab_owner_labels_into_units_at_the_right_level(gitlab):
    assert Unit.objects.get(name="CEO").kind == "company"
    for department in ("VPE", "CMO"):
        assert Unit.objects.get(name=department).kind == "department"
    assert Unit.objects.get(name="Frontend").kind == "team"
    assert Unit.objects.get(name="Frontend").parent.name == "VPE"
    plan_kr = KeyResult.objects.get(
        title="Implement 10 performance improvements", owner__name="Plan"
    )
    assert plan_kr.objective.unit.name == "VPE"


def test_it_skips_the_gitlab_retrospective_and_front_matter(gitlab):
    titles = list(Objective.objects.values_list("title", flat=True))
    titles += list(KeyResult.objects.values_list("title", flat=True))
    for word in ("Retrospective", "Good", "Bad", "Try", "On this page", "TOC", "layout"):
        assert word not in titles
    assert Cycle.objects.get().name == "2018-Q3"  # from the front matter title
    assert "2018-Q3" in gitlab


def test_it_reads_gitlab_inline_results_as_values_or_no_value(gitlab):
    plan = KeyResult.objects.get(title="Implement 10 performance improvements", owner__name="Plan")
    assert (plan.start, plan.target) == (0, 10)
    assert plan.current_check_in.value == 8
    assert plan.progress == pytest.approx(0.8)
    assert plan.current_check_in.measured_on == date(2018, 9, 30)  # the quarter's end

    not_yet = KeyResult.objects.get(title__startswith="Implement 5 performance improvements on")
    assert not_yet.target == 10
    assert not not_yet.check_ins.exists()  # "X/10 (X%)": no value yet, not 0

    budget = KeyResult.objects.get(title="Preserve 100% of error budget", owner__name="Geo")
    assert budget.current_check_in.value == 94
    assert budget.progress == pytest.approx(0.94)
    vpe = Objective.objects.get(title__startswith="Make GitLab.com ready")
    assert vpe.reported_score == pytest.approx(0.7)
    assert vpe.reported_text.startswith("70% (moved to GCP")
    helm = Objective.objects.get(title="GitLab Helm charts generally available")
    assert helm.reported_score == 1.0


def test_gitlab_round_trips_through_the_native_format(gitlab, tmp_path):
    assert round_trips(tmp_path)


# --- Node.js Community Committee 2020 (Markdown with prefixes) -------------------------------


@pytest.fixture
def nodejs(db, data: Path) -> str:
    return run_import(str(data / "nodejs_commcomm_okr_2020.md"))


def test_it_reads_exactly_the_four_nodejs_objectives_and_thirteen_key_results(nodejs):
    assert Objective.objects.count() == 4
    assert KeyResult.objects.count() == 13
    assert not Objective.objects.filter(title__icontains="Key Concepts").exists()
    assert Objective.objects.filter(level="company").count() == 4


def test_it_reads_the_nodejs_views_key_result_as_a_change_from_125k_to_200k(nodejs):
    views = KeyResult.objects.get(title__startswith="200k views per 30 days")
    assert (views.kind, views.start, views.target) == ("change", 125_000, 200_000)
    assert views.progress == 0
    assert not views.check_ins.exists()


def test_nodejs_round_trips_through_the_native_format(nodejs, tmp_path):
    assert round_trips(tmp_path)


# --- Startup Sonoma County (community YAML) --------------------------------------------------


def test_it_asks_for_a_year_for_the_startupsonoma_quarter(db, data):
    with pytest.raises(CommandError, match=r"'Q4' has no year: pass --year"):
        run_import(str(data / "startupsonoma_okr_org_project_member.yml"))
    assert not Objective.objects.exists()


@pytest.fixture
def sonoma(db, data: Path) -> str:
    return run_import(str(data / "startupsonoma_okr_org_project_member.yml"), "--year", "2018")


def test_it_aligns_startupsonoma_organisation_project_and_members(sonoma):
    assert Objective.objects.count() == 5
    assert KeyResult.objects.count() == 7
    company = Objective.objects.roots().get()
    assert company.level == "company"
    assert company.key_results.count() == 3
    project = company.aligned_objectives.get()
    assert (project.level, project.unit.name) == ("team", "Space")
    members = list(project.aligned_objectives.all())
    assert len(members) == 3
    assert {m.level for m in members} == {"individual"}
    assert {m.owner.name for m in members} == {"Member A", "Member B", "Member C"}
    assert Cycle.objects.get().name == "2018-Q4"


def test_it_skips_the_empty_startupsonoma_key_result_with_a_warning(sonoma):
    assert "a key result without text: skipped" in sonoma
    assert not KeyResult.objects.filter(title="").exists()
    assert not Objective.objects.filter(title__icontains="Cron").exists()


def test_startupsonoma_round_trips_through_the_native_format(sonoma, tmp_path):
    assert round_trips(tmp_path)


# --- Puzzle ITC (key result sheet + check-in sheet) ------------------------------------------


@pytest.fixture(scope="module")
def puzzle_once(django_db_setup, django_db_blocker, data: Path) -> Iterator[str]:
    """One import for every Puzzle test: each test runs in a transaction rolled back
    afterwards, so none sees another's changes; the module cleans up after itself."""
    okrs, check_ins = data / "puzzle_okrs.csv", data / "puzzle_checkins.csv"
    with django_db_blocker.unblock():
        yield run_import(str(okrs), str(check_ins), "--timezone", "Europe/Zurich")
        empty_database()


@pytest.fixture
def puzzle(db, puzzle_once: str) -> str:
    return puzzle_once


def test_it_imports_every_puzzle_objective_key_result_and_team(puzzle):
    assert Objective.objects.count() == 75
    assert KeyResult.objects.count() == 220
    assert Unit.objects.count() == 9
    company = Unit.objects.get(name="Puzzle ITC")
    assert company.kind == "company"
    assert set(Unit.objects.exclude(pk=company.pk).values_list("parent", flat=True)) == {company.pk}
    assert "Imported 75 objectives (75 new, 0 updated), 220 key results" in puzzle


def test_it_maps_puzzle_states_and_warns_about_the_objective_with_two(puzzle, data):
    states = set(Objective.objects.values_list("state", "outcome"))
    assert states == {
        ("draft", ""),
        ("active", ""),
        ("closed", "achieved"),
        ("closed", "not_achieved"),
    }
    assert "has another state on row" in puzzle


def test_it_turns_puzzle_ordinal_key_results_into_levels(puzzle, data):
    ordinal = [row for row in rows(data / "puzzle_okrs.csv") if row["Type"] == "ordinal"]
    assert KeyResult.objects.filter(kind="levels").count() == len(ordinal)
    row = ordinal[0]
    kr = KeyResult.objects.get(external_ref=row["KR ID"])
    assert [level["name"] for level in kr.levels] == ["fail", "commit", "target", "stretch"]
    assert [level["score"] for level in kr.levels] == [0.0, 0.3, 0.7, 1.0]
    assert [level["description"] for level in kr.levels[1:]] == [
        row["Commit zone"],
        row["Target zone"],
        row["Stretch zone"],
    ]


def test_it_flags_the_nine_puzzle_metrics_without_start_and_takes_their_baseline(puzzle):
    flagged = KeyResult.objects.filter(needs_review=True, review_reason=NO_START)
    assert flagged.count() == 9
    kr_32 = KeyResult.objects.get(external_ref="32")
    assert kr_32 in flagged
    assert kr_32.start == 17021  # the first check-in is the baseline
    decreasing = KeyResult.objects.get(external_ref="45")
    assert (decreasing.start, decreasing.target, decreasing.direction) == (2, 1, "decrease")


def test_it_imports_all_860_puzzle_check_ins_dated_in_zurich(puzzle):
    assert CheckIn.objects.count() == 860
    first = KeyResult.objects.get(external_ref="32").check_ins.first()
    assert first.measured_on == date(2023, 7, 27)  # 2023-07-26 22:00 UTC is midnight there
    assert first.created_at == datetime(2023, 7, 27, 11, 39, 2, 925800, tzinfo=UTC)
    assert first.author == Person.objects.get(email="person-1@example.invalid")
    assert CheckIn.objects.filter(outside_cycle=True).count() == 860
    assert "860 check-ins are dated outside their key result's cycle" in puzzle


def test_puzzle_current_values_are_the_latest_measured_with_ties_broken_by_created(puzzle, data):
    latest: dict[str, tuple] = {}
    by_kr = defaultdict(list)
    for row in rows(data / "puzzle_checkins.csv"):
        by_kr[row["KR ID"]].append(row)
    for ref, check_ins in by_kr.items():
        latest[ref] = max(check_ins, key=lambda r: (zurich_day(r["Date"]), r["Created"]))
    for kr in KeyResult.objects.filter(external_ref__in=latest).select_related("current_check_in"):
        row = latest[kr.external_ref]
        current = kr.current_check_in
        if row["Zone"]:
            assert current.level == row["Zone"].lower()
        else:
            assert current.value == float(row["Value"])
            assert current.note == row["Note"]


def test_puzzle_values_outside_start_and_target_are_kept_raw(puzzle):
    assert KeyResult.objects.filter(progress_raw__gt=1).exists()
    assert not KeyResult.objects.filter(progress__gt=1).exists()


def test_puzzle_text_round_trips_exactly(puzzle, data):
    for row in rows(data / "puzzle_okrs.csv"):
        kr = KeyResult.objects.select_related("objective").get(external_ref=row["KR ID"])
        assert kr.title == row["Key Result"]
        assert kr.description == row["Key Result description"]
        assert kr.objective.title == row["Objective"]
        assert kr.objective.description == row["Objective description"]
    notes = sorted(CheckIn.objects.values_list("note", flat=True))
    assert notes == sorted(row["Note"] for row in rows(data / "puzzle_checkins.csv"))


def test_puzzle_imports_again_without_duplicates(puzzle, data):
    okrs, check_ins = data / "puzzle_okrs.csv", data / "puzzle_checkins.csv"
    again = run_import(str(okrs), str(check_ins), "--timezone", "Europe/Zurich")
    assert (Objective.objects.count(), KeyResult.objects.count()) == (75, 220)
    assert CheckIn.objects.count() == 860
    assert "75 objectives (0 new, 0 updated, 75 unchanged)" in again
    assert "860 check-ins (0 new, 860 already there)" in again


def test_puzzle_round_trips_through_the_native_format(puzzle, tmp_path):
    assert round_trips(tmp_path)


def zurich_day(text: str) -> date:
    """A UTC timestamp of the check-in sheet as a calendar day in Zurich."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC).astimezone(ZURICH).date()
