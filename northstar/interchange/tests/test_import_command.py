"""`northstar import`: all or nothing, in the order given, with a summary and warnings."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from northstar.okrs.models import CheckIn, Cycle, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit

OKRS = """\
KR ID,Team,Quarter,Objective,Objective state,Key Result,Owner,Type,Start,Target
K1,Platform,2026-Q4,Fast API,ONGOING,Cut p95 latency from 800 to 400,ops@nw.test,metric,800,400
K2,Platform,2026-Q4,Fast API,ONGOING,Raise cache hit rate,ops@nw.test,metric,50,90
K3,Platform,2026-Q4,Ship the editor,DRAFT,Release the editor,,metric,0,1
K4,Design,2026-Q4,Delight users,SUCCESSFUL,Run 5 interviews,,metric,0,5
"""

CHECK_INS = """\
KR ID,Date,Created,Value,Confidence,Note,By
K1,2026-10-15,2026-10-15T09:00:00Z,700,6,first,cleo@northwind.test
K1,2026-11-01,2026-11-01T09:00:00Z,600,7,second,
K2,2026-10-20,,60,,,
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


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    return write(tmp_path, "okrs.csv", OKRS), write(tmp_path, "check_ins.csv", CHECK_INS)


def test_it_imports_several_files_in_order_and_sums_them_up(db, files):
    out, _ = run(*files)
    assert out.splitlines()[0] == (
        "Imported 3 objectives (3 new, 0 updated), 4 key results (4 new, 0 updated), "
        "3 check-ins (3 new) from 2 files; 0 warnings"
    )
    latency = KeyResult.objects.get(external_ref="K1")
    assert latency.current_check_in.value == 600
    assert latency.progress == pytest.approx(0.5)
    assert latency.objective.progress is not None  # roll-ups refreshed at the end


def test_it_refuses_a_check_in_sheet_before_its_key_results(db, files):
    okrs, check_ins = files
    with pytest.raises(CommandError, match=r"check_ins.csv, row 2.*no key result has the ID"):
        run(check_ins, okrs)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_it_refuses_a_bad_number_with_its_row_and_changes_nothing(db, files, tmp_path):
    run(*files)
    before = counts()
    lines = OKRS.splitlines()
    lines[4] = lines[4].replace(",0,5", ",0,five")  # row 5: the header is row 1
    lines.append("K5,Design,2026-Q4,New,ONGOING,New KR,,metric,0,1")
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, "broken.csv", "\n".join(lines) + "\n"))
    assert "broken.csv, row 5, field 'Target': 'five' is not a number" in str(error.value)
    assert "Nothing was imported." in str(error.value)
    assert counts() == before


def test_it_writes_nothing_when_a_later_file_fails(db, files, tmp_path):
    bad = write(tmp_path, "bad.csv", "KR ID,Date,Value\nNOPE,2026-10-01,1\n")
    with pytest.raises(CommandError, match="bad.csv, row 2"):
        run(*files, bad)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_a_dry_run_says_what_it_would_do_and_writes_nothing(db, files):
    out, _ = run(*files, "--dry-run")
    assert out.startswith("Would import 3 objectives (3 new, 0 updated)")
    assert "Dry run: nothing was written." in out
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_importing_twice_updates_instead_of_duplicating(db, files):
    run(*files)
    before = counts()
    out, _ = run(*files)
    assert counts() == before
    assert "3 objectives (0 new, 0 updated, 3 unchanged)" in out
    assert "3 check-ins (0 new, 3 already there)" in out


def test_a_changed_file_updates_the_matched_items(db, files, tmp_path):
    run(*files)
    changed = write(tmp_path, "okrs.csv", OKRS.replace("Raise cache hit rate,", "Raise hits,"))
    out, _ = run(changed)
    assert KeyResult.objects.get(external_ref="K2").title == "Raise hits"
    assert KeyResult.objects.count() == 4
    assert "4 key results (0 new, 1 updated, 3 unchanged)" in out


def test_it_records_the_person_acting_as_author_of_unsigned_check_ins(db, files):
    Person.objects.create(name="Ada", email="ada@northwind.test", role=Person.Role.ADMIN)
    run(*files, "--as", "ada@northwind.test")
    second = CheckIn.objects.get(note="second")
    assert second.author.email == "ada@northwind.test"
    assert CheckIn.objects.get(note="first").author.email == "cleo@northwind.test"


def test_without_as_unsigned_check_ins_have_no_author(db, files):
    run(*files)
    assert CheckIn.objects.get(note="second").author is None


def test_it_refuses_an_unknown_person_to_act_as(db, files):
    with pytest.raises(CommandError, match="No person has the email 'nobody@x.test'"):
        run(*files, "--as", "nobody@x.test")


def test_it_refuses_an_unknown_file_type(db, tmp_path):
    path = write(tmp_path, "okrs.txt2", "hello")
    with pytest.raises(CommandError, match=r"okrs.txt2: unknown file type '.txt2'"):
        run(path)


def test_it_refuses_a_missing_file(db, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run(str(tmp_path / "missing.csv"))


def test_it_refuses_an_unknown_time_zone(db, files):
    with pytest.raises(CommandError, match="unknown timezone 'Mars/Olympus'"):
        run(*files, "--timezone", "Mars/Olympus")


def test_it_prints_warnings_and_imports_the_rest(db, tmp_path):
    text = OKRS + "K9,Design,2026-Q4,Delight users,SUCCESSFUL,,,metric,0,5\n"
    out, err = run(write(tmp_path, "okrs.csv", text))
    assert "warning: okrs.csv, row 6" in err
    assert "no key result text: row skipped" in err
    assert out.splitlines()[0].endswith("1 warning")
    assert KeyResult.objects.count() == 4


def test_it_warns_once_about_check_ins_outside_their_cycle(db, files, tmp_path):
    early = CHECK_INS.replace("2026-10-15,", "2026-06-15,").replace("2026-11-01,", "2026-06-20,")
    _, err = run(files[0], write(tmp_path, "early.csv", early))
    lines = [line for line in err.splitlines() if "outside" in line]
    assert lines == [
        "warning: 2 check-ins are dated outside their key result's cycle, kept as written "
        "(first: early.csv, row 2, key result K1 'Cut p95 latency from 800 to 400')"
    ]
    assert CheckIn.objects.filter(outside_cycle=True).count() == 2


def test_a_check_in_dated_in_the_future_is_refused_at_its_row(db, files, tmp_path):
    # The action refuses it (it would pin the current value for good); the import names
    # the row, and being all or nothing, writes none of the files.
    future = CHECK_INS.replace("K1,2026-11-01,2026-11-01T09:00:00Z", "K1,2099-01-01,")
    path = write(tmp_path, "future.csv", future)
    with pytest.raises(
        CommandError, match=r"future\.csv, row 3.*The measurement date cannot be in the future"
    ):
        run(files[0], path)
    assert counts() == (0, 0, 0, 0, 0, 0)


def test_it_dates_timestamps_in_the_given_time_zone(db, files, tmp_path):
    late = "KR ID,Date,Value\nK2,2026-10-20 22:30:00,70\n"
    run(files[0], write(tmp_path, "late.csv", late), "--timezone", "Europe/Zurich")
    assert str(CheckIn.objects.get().measured_on) == "2026-10-21"


def test_without_a_time_zone_timestamps_are_dated_in_the_organisations(db, files, tmp_path):
    org = Organisation.get()
    org.time_zone = "Asia/Tokyo"
    org.save()
    late = "KR ID,Date,Value\nK2,2026-10-20 16:00:00,70\n"
    run(files[0], write(tmp_path, "late.csv", late))
    assert str(CheckIn.objects.get().measured_on) == "2026-10-21"


def test_the_import_command_runs_through_the_northstar_cli(db, files, capsys):
    from northstar.cli import main

    main(["northstar", "import", *files, "--dry-run"])
    assert "Would import 3 objectives" in capsys.readouterr().out
