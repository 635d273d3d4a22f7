"""The shared document types: how locations and problems read in messages."""

from northstar.interchange.document import (
    Document,
    ImportProblem,
    KeyResultDoc,
    Location,
    Notice,
    ObjectiveDoc,
)


def test_location_names_file_row_and_field():
    assert str(Location("okrs.csv", row=12, field="Target")) == "okrs.csv, row 12, field 'Target'"


def test_location_shows_the_physical_line_only_when_it_differs_from_the_row():
    assert str(Location("okrs.csv", line=40, row=12)) == "okrs.csv, row 12 (line 40)"
    assert str(Location("okrs.md", line=7)) == "okrs.md, line 7"


def test_import_problem_message_starts_with_its_location():
    problem = ImportProblem(Location("okrs.csv", row=3, field="Start"), "'abc' is not a number")
    assert str(problem) == "okrs.csv, row 3, field 'Start': 'abc' is not a number"
    assert problem.reason == "'abc' is not a number"


def test_notice_reads_like_a_problem_but_is_data():
    notice = Notice(Location("a.md", line=2), "skipped")
    assert str(notice) == "a.md, line 2: skipped"


def test_document_walks_aligned_objectives_and_their_key_results():
    here = Location("x")
    child = ObjectiveDoc("Child", here, key_results=[KeyResultDoc("KR 2", here)])
    root = ObjectiveDoc("Root", here, key_results=[KeyResultDoc("KR 1", here)], children=[child])
    document = Document(source="x", objectives=[root])
    assert [o.title for o in document.all_objectives()] == ["Root", "Child"]
    assert [k.title for k in document.all_key_results()] == ["KR 1", "KR 2"]
