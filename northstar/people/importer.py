"""`northstar people import FILE.csv`: people from a spreadsheet, all or nothing.

Columns (headers case-insensitive, any order; only `email` is required, `name` for people not
yet known):

    email    the key: a row for a known email updates that person, never duplicates them
    name     their name
    unit     the name of an existing unit (an unknown unit is an error; create units first)
    manager  the email of their manager: someone known, or anyone in the file (later rows too)
    role     admin, lead (a member who leads the row's unit), member or viewer

An empty cell leaves a known person's value as it is; new people default to role member.
Every row is checked before anything is written, and any problem (reported with the file,
row and column; the header is row 1) means nothing is written.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from northstar.audit.models import record
from northstar.okrs.access import Viewer, person_for, standing
from northstar.people import access, actions
from northstar.people.models import Invitation, Person, Unit

COLUMNS = ("email", "name", "unit", "manager", "role")


class PeopleImportError(Exception):
    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Row:
    number: int
    email: str
    name: str = ""
    unit: Unit | None = None
    manager: str = ""
    role: str = ""
    person: Person | None = None  # the known person with this email, if any


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    emails: list[str] = field(default_factory=list)


def import_people(path: str | Path, *, viewer: Viewer, dry_run: bool = False) -> ImportResult:
    """Import the file as `viewer` (OPERATOR may do everything; a lead only in their units)."""
    path = Path(path)
    who = standing(viewer)
    rows = Reader(path, who).rows()
    with transaction.atomic():
        result = _apply(rows, person_for(who))
        result.dry_run = dry_run
        if dry_run:
            transaction.set_rollback(True)
    return result


class Reader:
    """Parses and checks every row, collecting every problem before giving up."""

    def __init__(self, path: Path, who: Viewer):
        self.path = path
        self.who = who
        self.problems: list[str] = []
        self.units: dict[str, list[Unit]] = {}
        for unit in Unit.objects.all():
            self.units.setdefault(unit.name.strip().lower(), []).append(unit)

    def problem(self, number: int | None, column: str | None, message: str) -> None:
        where = [self.path.name]
        if number is not None:
            where.append(f"row {number}")
        if column is not None:
            where.append(f"column {column!r}")
        self.problems.append(f"{', '.join(where)}: {message}")

    def rows(self) -> list[Row]:
        records = self._records()
        rows = [self._row(number, values) for number, values in records]
        self._check_managers(rows)
        if self.problems:
            raise PeopleImportError(self.problems)
        return rows

    def _records(self) -> list[tuple[int, dict[str, str]]]:
        try:
            with self.path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.reader(handle, _dialect(handle))
                table = list(reader)
        except (OSError, UnicodeDecodeError, csv.Error) as error:
            raise PeopleImportError([f"{self.path.name}: cannot read it ({error})"]) from None
        if not table:
            raise PeopleImportError([f"{self.path.name}: the file is empty"])
        header = [cell.strip().lower() for cell in table[0]]
        self._check_header(header)
        if self.problems:
            raise PeopleImportError(self.problems)
        return [
            (
                number,
                {col: (cells[i].strip() if i < len(cells) else "") for i, col in enumerate(header)},
            )
            for number, cells in enumerate(table[1:], start=2)
            if any(cell.strip() for cell in cells)
        ]

    def _check_header(self, header: list[str]) -> None:
        for name in header:
            if name not in COLUMNS:
                self.problem(1, name, f"unknown column; the columns are {', '.join(COLUMNS)}")
        if "email" not in header:
            self.problem(1, "email", "the email column is missing")
        if len(set(header)) != len(header):
            self.problem(1, None, "a column appears twice")

    def _row(self, number: int, values: dict[str, str]) -> Row:
        email = values.get("email", "").lower()
        row = Row(number=number, email=email, name=values.get("name", ""))
        row.manager = values.get("manager", "").lower()
        row.role = values.get("role", "").lower()
        if not self._check_email(row):
            return row
        row.person = Person.objects.filter(email__iexact=email).first()
        if not row.name and row.person is None:
            self.problem(number, "name", "a new person needs a name")
        row.unit = self._unit(number, values.get("unit", ""))
        self._check_role(row)
        self._check_permission(row)
        return row

    def _check_email(self, row: Row) -> bool:
        try:
            validate_email(row.email)
        except ValidationError:
            shown = row.email or "(empty)"
            self.problem(row.number, "email", f"{shown} is not an email address")
            return False
        return True

    def _unit(self, number: int, name: str) -> Unit | None:
        if not name:
            return None
        found = self.units.get(name.lower(), [])
        if not found:
            self.problem(number, "unit", f"no unit is named {name!r}; create it first")
            return None
        if len(found) > 1:
            self.problem(number, "unit", f"several units are named {name!r}")
            return None
        return found[0]

    def _check_role(self, row: Row) -> None:
        if not row.role:
            return
        if row.role not in Invitation.Role.values:
            choices = ", ".join(Invitation.Role.values)
            self.problem(row.number, "role", f"{row.role!r} is not a role; use one of {choices}")
        elif row.role == Invitation.Role.LEAD and row.unit is None:
            self.problem(row.number, "role", "a lead needs the unit they lead in the unit column")

    def _check_permission(self, row: Row) -> None:
        """Acting as someone (`--as`): they may only import people they could manage."""
        if access.is_admin(self.who):
            return
        if row.role == Invitation.Role.ADMIN:
            self.problem(row.number, "role", "only an admin may make someone an admin")
        if row.person is not None and not access.can_manage_person(self.who, row.person):
            self.problem(row.number, "email", f"you may not manage {row.email}")
        if row.person is None and row.unit is None:
            self.problem(row.number, "unit", "name one of the units you lead")
        if row.unit is not None and not access.can_manage_unit(self.who, row.unit):
            self.problem(row.number, "unit", f"you do not lead {row.unit.name}")

    def _check_managers(self, rows: list[Row]) -> None:
        in_file: dict[str, int] = {}
        for row in rows:
            if row.email in in_file:
                self.problem(
                    row.number, "email", f"{row.email} is also on row {in_file[row.email]}"
                )
            in_file.setdefault(row.email, row.number)
        known = {
            e.lower()
            for e in Person.objects.filter(email__isnull=False).values_list("email", flat=True)
        }
        for row in rows:
            if not row.manager:
                continue
            if row.manager == row.email:
                self.problem(row.number, "manager", "nobody manages themselves")
            elif row.manager not in in_file and row.manager not in known:
                self.problem(row.number, "manager", f"nobody has the email {row.manager}")
        self._check_manager_loops(rows)

    def _check_manager_loops(self, rows: list[Row]) -> None:
        managers = _known_managers()
        managers.update({row.email: row.manager for row in rows if row.manager})
        for row in rows:
            seen, node = {row.email}, managers.get(row.email)
            while node and node not in seen:
                seen.add(node)
                node = managers.get(node)
            if node == row.email:
                self.problem(row.number, "manager", "the managers go round in a loop")


def _known_managers() -> dict[str, str]:
    pairs = Person.objects.filter(email__isnull=False, manager__email__isnull=False)
    return {e.lower(): m.lower() for e, m in pairs.values_list("email", "manager__email")}


def _dialect(handle) -> type[csv.Dialect] | csv.Dialect:
    """Commas, semicolons (European spreadsheets) or tabs."""
    sample = handle.read(4096)
    handle.seek(0)
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _apply(rows: list[Row], actor: Person | None) -> ImportResult:
    """Write the checked rows: people first, then managers (who may come later in the file)."""
    before = {row.email: _snapshot(row.person) for row in rows if row.person is not None}
    people = {row.email: _save(row, actor) for row in rows}
    for row in rows:
        if row.manager:
            manager = people.get(row.manager) or Person.objects.get(email__iexact=row.manager)
            _set_manager(people[row.email], manager, actor)
    result = ImportResult(emails=[row.email for row in rows])
    for row in rows:
        if row.person is None:
            result.created += 1
        elif _snapshot(people[row.email]) != before[row.email]:
            result.updated += 1
        else:
            result.unchanged += 1
    return result


def _snapshot(person: Person) -> tuple:
    led = frozenset(person.led_units.values_list("pk", flat=True))
    return (person.name, person.unit_id, person.role, person.manager_id, led)


def _save(row: Row, actor: Person | None) -> Person:
    fields = _fields(row)
    if row.person is None:
        person = Person(email=row.email, **fields)
        person.full_clean()
        person.save()
        # Names stay out of the trail's values; the person is the target.
        changes = {name: (None, value) for name, value in fields.items() if name != "name"}
        record(actor=actor, action="created", target=person, changes=changes)
    else:
        person = actions.update_person(person=row.person, actor=actor, **fields)
    if row.role == Invitation.Role.LEAD:
        actions.add_lead(unit=row.unit, person=person, actor=actor)
    return person


def _set_manager(person: Person, manager: Person, actor: Person | None) -> None:
    if person.manager_id != manager.pk:
        actions.update_person(person=person, actor=actor, manager=manager)


def _fields(row: Row) -> dict:
    fields: dict = {}
    if row.name:
        fields["name"] = row.name
    if row.unit is not None:
        fields["unit"] = row.unit
    if row.role:
        fields["role"] = actions.person_role(row.role)
    return fields
