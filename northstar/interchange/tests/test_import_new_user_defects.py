"""Defects a new user met importing real files: located errors instead of tracebacks,
files without OKRs, check-in timestamps and their time zone, and re-importing exports."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.interchange import exporter
from northstar.interchange.document import ImportProblem
from northstar.interchange.formats.sheet import read_sheet
from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit
from northstar.testdata import SHARED_DATA

OKRS = """\
KR ID,Team,Quarter,Objective,Key Result,Type,Start,Target
K1,Platform,2025-Q3,Fast API,Cut p95 latency,metric,800,400
K2,Platform,2025-Q3,Fast API,Raise cache hit rate,metric,50,90
"""
# Local midnights in Zurich as a tool stores them in UTC: 22:00 in summer, 23:00 in winter.
MIDNIGHTS = """\
KR ID,Date,Created,Value
K1,2025-07-14 22:00:00,2025-07-15 09:12:30.5,700
K1,2025-08-31 22:00:00,2025-09-01 10:00:01.25,650
K2,2025-09-01 10:30:00,2025-09-01 10:31:00,60
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, ...]:
    models = (Objective, KeyResult, CheckIn, Unit, Person, Cycle)
    return tuple(model.objects.count() for model in models)


def refused(*args: str) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert "Nothing was imported." in str(error.value)
    return str(error.value)


# --- 1. located errors instead of tracebacks -------------------------------------------------


@pytest.mark.parametrize("number", ["1e999", "-1e999", "inf", "Infinity", "nan", "NaN"])
@pytest.mark.parametrize("column", ["Start", "Target"])
def test_it_refuses_a_number_that_is_not_finite_at_its_cell(db, tmp_path, number, column):
    cells = f",{number},400" if column == "Start" else f",800,{number}"
    text = OKRS.replace(",800,400", cells)
    message = refused(write(tmp_path, "okrs.csv", text))
    assert f"okrs.csv, row 2, field '{column}': '{number}' is not a finite number" in message
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_nan_is_not_taken_for_a_blank_start(tmp_path):
    # A blank Start means "the first check-in is the baseline"; "nan" must not sneak in as
    # one (it used to, silently).
    blank = read_sheet(write(tmp_path, "blank.csv", OKRS.replace(",800,400", ",,400")))
    assert next(blank.all_key_results()).start is None
    with pytest.raises(ImportProblem, match="'nan' is not a finite number"):
        read_sheet(write(tmp_path, "nan.csv", OKRS.replace(",800,400", ",nan,400")))


def _zip_without_workbook(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "not a workbook")


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path.write_bytes(b""),
        lambda path: path.write_bytes(b"\x00\x01binary junk\xff"),
        lambda path: path.write_text(OKRS, encoding="utf-8"),  # a CSV renamed .xlsx
        _zip_without_workbook,
    ],
    ids=["empty", "binary", "csv", "other-zip"],
)
def test_it_refuses_a_file_that_is_no_workbook_by_name(db, tmp_path, make):
    path = tmp_path / "okrs.xlsx"
    make(path)
    assert "okrs.xlsx: not an Excel workbook (.xlsx)" in refused(str(path))


@pytest.mark.parametrize("year", ["99999", "1899", "0", "3000"])
def test_it_refuses_a_year_out_of_range(db, year):
    sonoma = str(SHARED_DATA / "startupsonoma_okr_org_project_member.yml")
    message = refused(sonoma, "--year", year)
    assert f"--year: the year {year} is not between 1900 and 2999" in message


def test_it_refuses_a_cycle_option_whose_quarter_has_no_real_year(db):
    nodejs = str(SHARED_DATA / "nodejs_commcomm_okr_2020.md")
    message = refused(nodejs, "--cycle", "0000-Q1")
    assert "--cycle: the year 0 is not between 1900 and 2999" in message
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_it_refuses_a_quarter_in_a_file_whose_year_is_out_of_range(db, tmp_path):
    text = OKRS.replace("2025-Q3", "0000-Q3", 1)
    message = refused(write(tmp_path, "okrs.csv", text))
    assert "okrs.csv, row 2, field 'Quarter': the year 0 is not between 1900 and 2999" in message


def test_it_says_a_directory_is_a_directory(db, tmp_path):
    (tmp_path / "okrs.csv").mkdir()
    message = refused(str(tmp_path / "okrs.csv"))
    assert "okrs.csv: is a directory, not a file" in message
    assert "no such file" not in message


# --- 2. a file without OKRs ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("okrs.csv", "KR ID,Team,Quarter,Objective,Key Result,Type,Start,Target\n"),
        ("check_ins.csv", "KR ID,Date,Created,Value\n"),
        ("empty.md", ""),
        ("prose.md", "# Our plans\n\nWe will write them down soon.\n\n* a list, not OKRs\n"),
    ],
)
def test_a_file_without_okrs_is_an_error_and_nothing_is_written(db, tmp_path, name, text):
    good = write(tmp_path, "good.csv", OKRS)
    message = refused(good, write(tmp_path, name, text))
    assert f"{name}: found no OKRs in it" in message
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_northstar_file_of_people_only_is_not_refused(db, tmp_path):
    people = "northstar: 1\npeople:\n- name: Ada\n  email: ada@example.test\n"
    out, _ = run(write(tmp_path, "people.yaml", people))
    assert out.startswith("Imported 0 objectives")
    assert Person.objects.get().email == "ada@example.test"


# --- 3. check-in timestamps without --timezone ----------------------------------------------


def test_without_timezone_check_ins_are_dated_in_the_organisations_zone(db, tmp_path):
    org = Organisation.get()
    org.time_zone = "Europe/Zurich"
    org.save()
    _, err = run(write(tmp_path, "okrs.csv", OKRS), write(tmp_path, "zurich.csv", MIDNIGHTS))
    days = sorted(CheckIn.objects.values_list("measured_on", flat=True))
    assert days == [date(2025, 7, 15), date(2025, 9, 1), date(2025, 9, 1)]
    assert "--timezone" not in err  # the organisation's zone is not UTC: nothing to say


def test_it_warns_when_midnights_look_shifted_and_the_zone_is_utc(db, tmp_path):
    _, err = run(write(tmp_path, "okrs.csv", OKRS), write(tmp_path, "zurich.csv", MIDNIGHTS))
    assert (
        "warning: zurich.csv: 2 check-in times are exactly 22:00 or 23:00 UTC, like local "
        "midnights east of UTC stored in UTC: dated in UTC they fall a day early; if the "
        "file was written in another zone, import it with --timezone"
    ) in err
    assert CheckIn.objects.filter(measured_on=date(2025, 7, 14)).exists()  # a day early


def test_it_does_not_warn_with_a_timezone_or_real_times(db, tmp_path):
    okrs = write(tmp_path, "okrs.csv", OKRS)
    _, err = run(okrs, write(tmp_path, "zurich.csv", MIDNIGHTS), "--timezone", "Europe/Zurich")
    assert "22:00 or 23:00" not in err
    assert not CheckIn.objects.filter(measured_on=date(2025, 7, 14)).exists()
    # 09:00 on the dot is a time someone typed, not a shifted midnight.
    typed = "KR ID,Date,Value\nK2,2025-09-10 09:00:00,70\nK2,2025-09-11 22:00:00,71\n"
    _, err = run(okrs, write(tmp_path, "typed.csv", typed))
    assert "22:00 or 23:00" not in err


def test_it_warns_with_an_explicit_utc_zone_under_another_name(db, tmp_path):
    okrs = write(tmp_path, "okrs.csv", OKRS)
    _, err = run(okrs, write(tmp_path, "zurich.csv", MIDNIGHTS), "--timezone", "Etc/UTC")
    assert "dated in UTC they fall a day early" in err


# --- 4. re-importing check-ins with another --timezone ---------------------------------------


def test_a_check_in_sheet_imported_again_in_another_zone_is_not_duplicated(db, tmp_path):
    okrs, sheet = write(tmp_path, "okrs.csv", OKRS), write(tmp_path, "zurich.csv", MIDNIGHTS)
    run(okrs, sheet)
    before = list(CheckIn.objects.order_by("pk").values_list("pk", "measured_on"))
    out, err = run(sheet, "--timezone", "Europe/Zurich")
    assert "3 check-ins (0 new, 3 already there)" in out
    # Append-only: the check-ins keep the dates they were recorded with.
    assert list(CheckIn.objects.order_by("pk").values_list("pk", "measured_on")) == before
    assert (
        "warning: zurich.csv, row 2: already imported as 2025-07-14; the file now says "
        "2025-07-15 — check --timezone (1 more check-ins of this file likewise): kept as "
        "imported, check-ins are never moved"
    ) in err


def test_the_real_puzzle_check_ins_imported_again_in_zurich_add_nothing(db):
    okrs, sheet = SHARED_DATA / "puzzle_okrs.csv", SHARED_DATA / "puzzle_checkins.csv"
    _, err = run(str(okrs), str(sheet))
    assert "puzzle_checkins.csv: 268 check-in times are exactly 22:00" in err
    out, err = run(str(sheet), "--timezone", "Europe/Zurich")
    assert "860 check-ins (0 new, 860 already there)" in out
    assert "puzzle_checkins.csv, row 2: already imported as 2023-07-26; the file now says " in err
    assert "2023-07-27 — check --timezone (272 more check-ins" in err
    assert CheckIn.objects.count() == 860


# --- 5. re-importing an export into the same database ----------------------------------------


@pytest.fixture
def varied(personas, data_files) -> None:
    """The personas (objectives made as through the web, all at position 0) and GitLab's
    cascade (relative key results, review flags, reported results), with odd settings."""
    objective = Objective.objects.filter(unit__isnull=False).order_by("pk").first()
    objective.include_children = False
    objective.save()
    kr = KeyResult.objects.filter(kind="levels").first() or KeyResult.objects.first()
    kr.needs_review, kr.review_reason = True, "the target is a guess"
    kr.save()


@pytest.fixture
def data_files(db) -> None:
    for name in ("gitlab_2018q3_cascade.md", "nodejs_commcomm_okr_2020.md"):
        run(str(SHARED_DATA / name))


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_sheet_export_imported_into_the_same_database_changes_nothing(varied, tmp_path, fmt):
    assert KeyResult.objects.filter(relative__isnull=False).count() >= 6
    assert Objective.objects.filter(reported_score__isnull=False).exists()
    before = exporter.export("yaml")
    refs = sorted(Objective.objects.values_list("external_ref", flat=True))
    path = tmp_path / f"export.{fmt}"
    content = exporter.export(fmt)
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    out, _ = run(str(path))
    assert exporter.export("yaml") == before
    assert "objectives (0 new, 0 updated" in out
    assert "key results (0 new, 0 updated" in out
    # An export's own "O-12" is no external ID: importing it back does not store it as one.
    assert sorted(Objective.objects.values_list("external_ref", flat=True)) == refs


def test_a_sheet_without_the_export_columns_leaves_what_they_carry(db, tmp_path):
    okrs = write(tmp_path, "okrs.csv", OKRS)
    run(okrs)
    Objective.objects.update(reported_score=0.7, reported_text="70% (a good quarter)")
    KeyResult.objects.update(needs_review=True, review_reason="check the baseline")
    run(okrs)  # no Reported / Needs review columns: they stay as they are
    objective = Objective.objects.get()
    assert (objective.reported_score, objective.reported_text) == (0.7, "70% (a good quarter)")
    assert set(KeyResult.objects.values_list("needs_review", "review_reason")) == {
        (True, "check the baseline")
    }
    header, *rows = OKRS.splitlines()
    cleared = [f"{header},Reported score,Reported text,Needs review"]
    cleared += [f"{row},,,no" for row in rows]
    run(write(tmp_path, "cleared.csv", "\n".join(cleared) + "\n"))
    objective.refresh_from_db()
    assert (objective.reported_score, objective.reported_text) == (None, "")
    assert set(KeyResult.objects.values_list("needs_review", "review_reason")) == {(False, "")}


def test_the_relative_change_column_reads_fractions_and_percentages(tmp_path):
    text = (
        "Objective,Key Result,Type,Relative change\nGrow,Grow sign-ups,change,0.1\n"
        "Grow,Cut churn,change,-5%\n"
    )
    document = read_sheet(write(tmp_path, "relative.csv", text))
    assert [kr.relative for kr in document.all_key_results()] == [0.1, -0.05]
