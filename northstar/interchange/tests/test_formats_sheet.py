"""Reading key result and check-in spreadsheets (CSV and XLSX) into a Document."""

import csv
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from northstar.interchange.document import ImportProblem
from northstar.interchange.formats.sheet import read_sheet
from northstar.testdata import SHARED_DATA

DATA = SHARED_DATA
OKRS = DATA / "puzzle_okrs.csv"
CHECK_INS = DATA / "puzzle_checkins.csv"


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def puzzle():
    return read_sheet(OKRS)


@pytest.fixture(scope="module")
def puzzle_check_ins():
    return read_sheet(CHECK_INS, timezone="Europe/Zurich")


# --- the real Puzzle ITC export ------------------------------------------------------------


def test_puzzle_has_every_key_result_and_objective(puzzle):
    assert len(list(puzzle.all_key_results())) == 220
    assert len(list(puzzle.all_objectives())) == 75
    assert puzzle.check_ins == []


def test_puzzle_units_are_teams_under_the_company(puzzle):
    units = {unit.name: unit for unit in puzzle.units}
    assert len(units) == 9
    assert units["Puzzle ITC"].kind == "company"
    assert units["Puzzle ITC"].parent is None
    teams = [unit for name, unit in units.items() if name != "Puzzle ITC"]
    assert {unit.kind for unit in teams} == {"team"}
    assert {unit.parent for unit in teams} == {"Puzzle ITC"}
    assert {"/ux", "MarCom"} <= set(units)


def test_puzzle_fiscal_quarters_keep_their_dates_and_backlog_has_none(puzzle):
    cycles = {cycle.name: cycle for cycle in puzzle.cycles}
    assert set(cycles) == {"GJ 24/25-Q2", "GJ 24/25-Q3", "GJ 24/25-Q4", "Backlog"}
    assert (cycles["GJ 24/25-Q2"].start, cycles["GJ 24/25-Q2"].end) == (
        date(2024, 10, 1),
        date(2024, 12, 31),
    )
    assert cycles["GJ 24/25-Q4"].start == date(2025, 4, 1)
    assert {cycles[f"GJ 24/25-Q{n}"].kind for n in (2, 3, 4)} == {"quarter"}
    backlog = cycles["Backlog"]
    assert (backlog.kind, backlog.start, backlog.end) == ("backlog", None, None)


def test_puzzle_objective_with_two_states_keeps_the_first_and_says_so(puzzle):
    state_notices = [n for n in puzzle.notices if "state" in n.message]
    assert len(state_notices) == 1
    title = "Wir steigern die Wirtschaftlichkeit von WAC"
    assert title in state_notices[0].message
    rows = [r for r in _csv_rows(OKRS) if r["Objective"] == title and r["Team"] == "/ux"]
    objective = next(o for o in puzzle.all_objectives() if o.title == title and o.unit == "/ux")
    first_state = {"ONGOING": "active", "SUCCESSFUL": "closed", "NOTSUCCESSFUL": "closed"}
    assert objective.state == first_state.get(rows[0]["Objective state"], "draft")


def test_puzzle_states_map_to_state_and_outcome(puzzle):
    pairs = Counter((o.state, o.outcome) for o in puzzle.all_objectives())
    assert set(pairs) <= {
        ("draft", None),
        ("active", None),
        ("closed", "achieved"),
        ("closed", "not_achieved"),
    }
    assert pairs[("closed", "achieved")] > 0
    assert pairs[("closed", "not_achieved")] > 0
    assert pairs[("draft", None)] > 0


def test_puzzle_metric_key_results_are_changes_one_of_them_decreasing(puzzle):
    metrics = [k for k in puzzle.all_key_results() if k.raw["Type"] == "metric"]
    assert {k.kind for k in metrics} == {"change"}
    decreasing = [k for k in metrics if None not in (k.start, k.target) and k.start > k.target]
    assert [(k.start, k.target) for k in decreasing] == [(2.0, 1.0)]
    assert sum(1 for k in metrics if k.start is None) == 9


def test_puzzle_ordinal_key_results_have_three_written_levels(puzzle):
    rows = {r["KR ID"]: r for r in _csv_rows(OKRS)}
    ordinals = [k for k in puzzle.all_key_results() if k.raw["Type"] == "ordinal"]
    assert ordinals
    for key_result in ordinals:
        row = rows[key_result.external_ref]
        assert key_result.kind == "levels"
        assert key_result.levels == [
            ("commit", row["Commit zone"]),
            ("target", row["Target zone"]),
            ("stretch", row["Stretch zone"]),
        ]


def test_puzzle_text_round_trips_exactly(puzzle):
    rows = {r["KR ID"]: r for r in _csv_rows(OKRS)}
    key_results = list(puzzle.all_key_results())
    for key_result in key_results:
        row = rows[key_result.external_ref]
        assert key_result.title == row["Key Result"]
        assert key_result.description == row["Key Result description"]
        assert key_result.raw == row
    multi_line = [k for k in key_results if "\n" in k.description]
    assert multi_line, "the export has descriptions with newlines inside"
    assert any(
        k.title != k.title.strip() or k.levels and k.levels[0][1].endswith(" ") for k in key_results
    ), "surrounding spaces are kept"


def test_puzzle_objective_descriptions_and_owners(puzzle):
    rows = _csv_rows(OKRS)
    objective = next(o for o in puzzle.all_objectives() if o.title == rows[0]["Objective"])
    assert objective.description == rows[0]["Objective description"]
    assert objective.cycle == "Backlog"
    assert objective.unit == "/hitobito"
    assert objective.level == "team"
    first = objective.key_results[0]
    assert first.owner == "person-1@example.invalid"
    assert first.external_ref == "1155"
    assert first.location.row == 2


def test_puzzle_check_ins_are_dated_in_zurich(puzzle_check_ins):
    check_ins = puzzle_check_ins.check_ins
    assert len(check_ins) == 860
    first = check_ins[0]
    assert first.key_result_ref == "32"
    assert first.measured_at == date(2023, 7, 27)
    assert type(first.measured_at) is date
    assert first.value == 17021
    assert first.confidence == 5
    assert first.note == "BBT Team noch nicht bei uns. Offizielle Zahl von Kollege"
    assert first.author == "person-1@example.invalid"
    assert first.created_at == datetime(2023, 7, 27, 11, 39, 2, 925800, tzinfo=UTC)


def test_puzzle_check_in_zones_become_level_names(puzzle_check_ins):
    levels = Counter(c.level for c in puzzle_check_ins.check_ins)
    assert set(levels) == {None, "fail", "commit", "target", "stretch"}
    assert levels["stretch"] == 15


def test_check_in_times_stay_aware_utc_without_a_timezone():
    first = read_sheet(CHECK_INS).check_ins[0]
    assert first.measured_at == datetime(2023, 7, 26, 22, 0, tzinfo=UTC)
    assert first.measured_at.utcoffset().total_seconds() == 0


# --- small files written for one rule each ---------------------------------------------------


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_semicolons_decimal_commas_and_windows_umlauts(tmp_path):
    path = _write(
        tmp_path,
        "ziele.csv",
        "Objective;Key Result;Team;Start;Target;Confidence\r\n"
        "Größer werden;Umsatz über 4,5 Mio;Zürich Süd;4,5;1.250,75;7\r\n",
        encoding="cp1252",
    )
    document = read_sheet(path)
    [key_result] = document.all_key_results()
    assert key_result.title == "Umsatz über 4,5 Mio"
    assert (key_result.start, key_result.target, key_result.confidence) == (4.5, 1250.75, 7)
    assert [o.title for o in document.objectives] == ["Größer werden"]
    assert [u.name for u in document.units] == ["Zürich Süd"]
    assert any("cp1252" in n.message for n in document.notices)


def test_a_broken_number_names_file_row_and_field(tmp_path):
    path = _write(
        tmp_path,
        "okrs.csv",
        "Objective,Key Result,Start,Target\nGrow,Reach 10,0,10\nGrow,Reach 20,0,2O\n",
    )
    with pytest.raises(ImportProblem) as raised:
        read_sheet(path)
    message = str(raised.value)
    assert message.startswith("okrs.csv, row 3, field 'Target'")
    assert "'2O' is not a number" in message


def test_headers_match_loosely_but_a_zone_or_description_is_never_the_value(tmp_path):
    path = _write(
        tmp_path,
        "okrs.csv",
        "objective DESCRIPTION,  OBJECTIVE ,Key result description,key_result,"
        "Baseline,Goal,Target zone,KR-ID,Weight\n"
        "why,Grow,how,Reach 10,1,10,ten reached,K-1,2\n",
    )
    document = read_sheet(path)
    [objective] = document.objectives
    [key_result] = objective.key_results
    assert (objective.title, objective.description) == ("Grow", "why")
    assert (key_result.title, key_result.description) == ("Reach 10", "how")
    assert (key_result.start, key_result.target, key_result.weight) == (1, 10, 2)
    assert key_result.levels == [("target", "ten reached")]
    assert key_result.external_ref == "K-1"


def test_a_quarter_without_year_needs_year(tmp_path):
    path = _write(tmp_path, "okrs.csv", "Objective,Key Result,Quarter\nGrow,Reach 10,Q4\n")
    with pytest.raises(ImportProblem) as raised:
        read_sheet(path)
    assert "--year" in str(raised.value)
    assert raised.value.location.row == 2
    assert raised.value.location.field == "Quarter"
    document = read_sheet(path, year=2018)
    [cycle] = document.cycles
    assert (cycle.name, cycle.start, cycle.end, cycle.kind) == (
        "2018-Q4",
        date(2018, 10, 1),
        date(2018, 12, 31),
        "quarter",
    )
    assert document.objectives[0].cycle == "2018-Q4"


@pytest.mark.parametrize("label", ["2018 Q4", "Q4 2018", "2018-Q4"])
def test_quarters_with_a_year_need_no_year_option(tmp_path, label):
    path = _write(tmp_path, "okrs.csv", f"Objective,Key Result,Quarter\nGrow,Reach 10,{label}\n")
    assert [c.name for c in read_sheet(path).cycles] == ["2018-Q4"]


def test_repeated_rows_and_empty_key_results_are_skipped_with_notices(tmp_path):
    path = _write(
        tmp_path,
        "okrs.csv",
        "Objective,Key Result\nGrow,Reach 10\nGrow,Reach 10\nGrow,\nShrink,  \n",
    )
    document = read_sheet(path)
    assert [k.title for k in document.all_key_results()] == ["Reach 10"]
    assert [o.title for o in document.objectives] == ["Grow", "Shrink"]
    messages = [(n.location.row, n.message) for n in document.notices]
    assert (3, "repeats row 2: skipped") in messages
    assert sum("no key result text" in m for _, m in messages) == 2


def test_parent_column_aligns_objectives_of_the_same_sheet(tmp_path):
    path = _write(
        tmp_path,
        "okrs.csv",
        "Objective ID,Objective,Parent / Aligned to,Key Result\n"
        "O1,Company goal,,Revenue\n"
        "O2,Team goal,O1,Deals\n"
        "O3,Other team goal,Company goal,Leads\n"
        "O4,Aligned elsewhere,KR-99,Calls\n",
    )
    document = read_sheet(path)
    assert [o.title for o in document.objectives] == ["Company goal", "Aligned elsewhere"]
    assert [c.title for c in document.objectives[0].children] == ["Team goal", "Other team goal"]
    assert document.objectives[1].parent_ref == "KR-99"


def test_types_and_states_in_northstar_words(tmp_path):
    path = _write(
        tmp_path,
        "okrs.csv",
        "Objective,Objective state,Key Result,Type,Current,Unit of measure\n"
        "A,proposed,Ship it,milestone,,\n"
        "B,archived,Keep churn low,at_most,3,%\n",
    )
    document = read_sheet(path)
    assert [(o.state, o.outcome) for o in document.objectives] == [
        ("proposed", None),
        ("archived", None),
    ]
    kinds = [(k.kind, k.current, k.unit) for k in document.all_key_results()]
    assert kinds == [("milestone", None, ""), ("at_most", 3.0, "%")]


def test_unknown_state_is_a_problem(tmp_path):
    path = _write(tmp_path, "okrs.csv", "Objective,State,Key Result\nA,paused,Ship it\n")
    with pytest.raises(ImportProblem, match="row 2, field 'State': unknown state 'paused'"):
        read_sheet(path)


def test_a_sheet_without_okr_columns_is_refused(tmp_path):
    path = _write(tmp_path, "notes.csv", "Name,Comment\nx,y\n")
    with pytest.raises(ImportProblem, match="no 'Objective' and 'Key Result' columns"):
        read_sheet(path)


def test_unknown_timezone_is_refused_before_reading(tmp_path):
    path = _write(tmp_path, "okrs.csv", "Objective,Key Result\nA,B\n")
    with pytest.raises(ImportProblem, match="unknown timezone 'Mars/Base'"):
        read_sheet(path, timezone="Mars/Base")


def test_check_in_csv_with_titles_local_dates_and_bad_zone(tmp_path):
    path = _write(
        tmp_path,
        "checkins.csv",
        "Key Result;Date;Value;Zone;Note\n"
        "Reach 10;2024-03-30T23:30:00Z;2,5;;  spaced note \n"
        "Reach 10;31.03.2024;;commit;\n",
    )
    document = read_sheet(path, timezone="Europe/Zurich")
    first, second = document.check_ins
    assert (first.key_result_ref, first.measured_at, first.value) == (
        "Reach 10",
        date(2024, 3, 31),
        2.5,
    )
    assert first.note == "  spaced note "
    assert (second.measured_at, second.level, second.value) == (date(2024, 3, 31), "commit", None)
    bad = _write(tmp_path, "bad.csv", "KR ID,Date,Zone\n1,2024-01-01,GREAT\n")
    with pytest.raises(ImportProblem, match="row 2, field 'Zone'"):
        read_sheet(bad)


# --- Excel ----------------------------------------------------------------------------------


def test_xlsx_dates_serial_numbers_and_check_in_sheet(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    okrs = workbook.active
    okrs.title = "OKRs"
    okrs.append(["Objective", "Key Result", "Quarter", "Quarter start", "Quarter end", "Target"])
    okrs.append(["  Grow ", "Reach 10", "FY25 Q2", datetime(2024, 10, 1), 45657, 10])
    check_ins = workbook.create_sheet("Check-ins")
    check_ins.append(["KR", "Date", "Value", "Confidence"])
    check_ins.append(["Reach 10", datetime(2024, 10, 5), 4.5, 8.0])
    check_ins.append(["Reach 10", 45580, 6, None])
    workbook.create_sheet("Notes").append(["Anything", "else"])
    path = tmp_path / "okrs.xlsx"
    workbook.save(path)

    document = read_sheet(path, timezone="Pacific/Auckland")
    [cycle] = document.cycles
    assert (cycle.name, cycle.start, cycle.end) == (
        "FY25 Q2",
        date(2024, 10, 1),
        date(2024, 12, 31),
    )
    [objective] = document.objectives
    assert objective.title == "  Grow "
    assert objective.key_results[0].target == 10
    assert objective.key_results[0].location.file == "okrs.xlsx [OKRs]"
    first, second = document.check_ins
    # Midnight cells are dates: a timezone far from UTC must not move them.
    assert (first.measured_at, first.value, first.confidence) == (date(2024, 10, 5), 4.5, 8)
    assert second.measured_at == date(2024, 10, 15)
    assert any("[Notes]" in n.location.file for n in document.notices)


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("Objective\tKey Result\tTarget\nGrow, fast\tReach 4,5\t4,5\n", "utf-8"),
        ("Objective|Key Result|Target\nGrow, fast|Reach 4,5|4,5\n", "utf-8"),
        ("Objective;Key Result;Target;Remarks, if any\nGrow, fast;Reach 4,5;4,5;\n", "utf-8"),
        ('Objective,Key Result,Target\n"Grow, fast","Reach 4,5",4.5\n', "utf-8-sig"),
    ],
    ids=["tab", "pipe", "semicolon-with-comma-in-header", "comma-with-bom"],
)
def test_delimiters_and_byte_order_mark(tmp_path, content, encoding):
    document = read_sheet(_write(tmp_path, "okrs.csv", content, encoding=encoding))
    [objective] = document.objectives
    [key_result] = objective.key_results
    assert (objective.title, key_result.title, key_result.target) == (
        "Grow, fast",
        "Reach 4,5",
        4.5,
    )
    assert all(n.message == "unknown column: ignored" for n in document.notices)
