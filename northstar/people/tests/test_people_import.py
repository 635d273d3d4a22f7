"""`northstar people import FILE.csv`: all or nothing, re-import updates, never duplicates."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from northstar.audit.models import AuditEvent
from northstar.people.models import Person

GOOD = """Email,Name,Unit,Manager,ROLE
hana@northwind.test,Hana Ito,Platform,ivo@northwind.test,member
ivo@northwind.test,Ivo Berg,Engineering,ben@northwind.test,lead
jon@northwind.test,Jon Park,,,viewer
"""


def write(tmp_path: Path, text: str, name: str = "people.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def run(*args: str) -> str:
    out = StringIO()
    call_command("people", "import", *map(str, args), stdout=out)
    return out.getvalue()


def test_it_imports_people_with_units_managers_and_roles(tmp_path, personas):
    out = run(write(tmp_path, GOOD))
    assert "3 new, 0 updated, 0 unchanged" in out
    hana = Person.objects.get(email="hana@northwind.test")
    ivo = Person.objects.get(email="ivo@northwind.test")
    jon = Person.objects.get(email="jon@northwind.test")
    assert (hana.name, hana.unit, hana.role) == ("Hana Ito", personas.platform, "member")
    assert hana.manager == ivo  # a manager named later in the file
    assert ivo.manager == personas.ben
    assert personas.engineering.leads.filter(pk=ivo.pk).exists()
    assert ivo.role == "member"
    assert (jon.unit, jon.role) == (None, "viewer")
    assert hana.user is None  # accounts come with an invitation


def test_reimporting_the_same_file_changes_nothing(tmp_path, personas):
    path = write(tmp_path, GOOD)
    run(path)
    people, events = Person.objects.count(), AuditEvent.objects.count()
    out = run(path)
    assert "0 new, 0 updated, 3 unchanged" in out
    assert Person.objects.count() == people
    assert AuditEvent.objects.count() == events


def test_reimporting_updates_by_email(tmp_path, personas):
    run(write(tmp_path, GOOD))
    out = run(write(tmp_path, "email,name,unit\nHANA@northwind.test,Hana Ito-Berg,Engineering\n"))
    assert "0 new, 1 updated, 0 unchanged" in out
    hana = Person.objects.get(email__iexact="hana@northwind.test")
    assert (hana.name, hana.unit) == ("Hana Ito-Berg", personas.engineering)
    assert hana.manager.email == "ivo@northwind.test"  # empty cells leave values alone
    moved = AuditEvent.objects.for_target(hana).filter(action="changed").first()  # newest
    assert moved.changes["unit"]["from"]["id"] == personas.platform.pk


def test_it_updates_existing_people_too(tmp_path, personas):
    run(write(tmp_path, "email,manager\ndev@northwind.test,cleo@northwind.test\n"))
    personas.dev.refresh_from_db()
    assert personas.dev.manager == personas.cleo
    assert personas.dev.name == "Dev"


def test_a_bad_row_writes_nothing_and_names_file_row_and_column(tmp_path, personas):
    text = GOOD + "kim@northwind.test,Kim Lee,Sales,,member\n"
    with pytest.raises(CommandError) as error:
        run(write(tmp_path, text, "staff.csv"))
    message = str(error.value)
    assert "staff.csv, row 5, column 'unit': no unit is named 'Sales'" in message
    assert "Nothing was imported" in message
    assert (
        not Person.objects.filter(email__endswith="@northwind.test")
        .exclude(pk__in=[personas.ada.pk, personas.ben.pk, personas.cleo.pk, personas.dev.pk])
        .exists()
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("not-an-email,X,,,", "row 2, column 'email': not-an-email is not an email address"),
        ("kim@northwind.test,,,,", "row 2, column 'name': a new person needs a name"),
        ("kim@northwind.test,Kim,,,boss", "row 2, column 'role': 'boss' is not a role"),
        ("kim@northwind.test,Kim,,,lead", "row 2, column 'role': a lead needs the unit"),
        ("kim@northwind.test,Kim,,zed@northwind.test,", "row 2, column 'manager': nobody has"),
        ("kim@northwind.test,Kim,,kim@northwind.test,", "nobody manages themselves"),
    ],
)
def test_it_explains_each_kind_of_bad_row(tmp_path, personas, row, expected):
    with pytest.raises(CommandError, match=expected):
        run(write(tmp_path, "email,name,unit,manager,role\n" + row + "\n"))


def test_it_refuses_unknown_columns_and_a_missing_email_column(tmp_path, personas):
    with pytest.raises(CommandError, match="row 1, column 'mananger': unknown column"):
        run(write(tmp_path, "email,name,mananger\na@b.test,A,\n"))
    with pytest.raises(CommandError, match="the email column is missing"):
        run(write(tmp_path, "name\nA\n"))


def test_it_refuses_the_same_email_twice(tmp_path, personas):
    with pytest.raises(
        CommandError, match="row 3, column 'email': kim@northwind.test is also on row 2"
    ):
        run(write(tmp_path, "email,name\nkim@northwind.test,Kim\nKIM@northwind.test,Kim\n"))


def test_it_refuses_a_loop_of_managers(tmp_path, personas):
    text = "email,name,manager\na@n.test,A,b@n.test\nb@n.test,B,a@n.test\n"
    with pytest.raises(CommandError, match="loop"):
        run(write(tmp_path, text))
    assert not Person.objects.filter(email="a@n.test").exists()


def test_a_dry_run_writes_nothing(tmp_path, personas):
    out = run(write(tmp_path, GOOD), "--dry-run")
    assert "Dry run: would import 3 new" in out
    assert not Person.objects.filter(email="hana@northwind.test").exists()


def test_it_reads_semicolons_and_a_byte_order_mark(tmp_path, personas):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffE-mail;Name\n".replace("E-mail", "email").encode() + b"kim@n.test;Kim\n"
    )
    run(path)
    assert Person.objects.get(email="kim@n.test").name == "Kim"


def test_as_a_lead_it_only_touches_their_units(tmp_path, personas):
    text = "email,name,unit\nkim@northwind.test,Kim,Platform\n"
    run(write(tmp_path, text), "--as", "ben@northwind.test")
    assert Person.objects.get(email="kim@northwind.test").unit == personas.platform
    with pytest.raises(CommandError, match="you do not lead Northwind"):
        run(
            write(tmp_path, "email,name,unit\nlee@northwind.test,Lee,Northwind\n"),
            "--as",
            "ben@northwind.test",
        )
    with pytest.raises(CommandError, match="only an admin may make someone an admin"):
        run(write(tmp_path, "email,role\ndev@northwind.test,admin\n"), "--as", "ben@northwind.test")


def test_it_names_a_missing_file(personas):
    with pytest.raises(CommandError, match="no such file"):
        run("/nonexistent/people.csv")
