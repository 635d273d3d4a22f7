"""Read OKR spreadsheets (``.csv`` and ``.xlsx``) into a :class:`Document`.

Two kinds of sheet are understood, told apart by their headers:

* **Key result sheets**, one row per key result, with its objective repeated on every
  row (Objective, Key Result, Team, Quarter, Start, Target, ...).
* **Check-in sheets**, one row per measurement: ``Date`` + (``Key Result`` or
  ``KR ID``) + (``Value`` or ``Zone``), optionally Created, Confidence, Note, By.

Rules (so that people preparing files, and the importer, know what to expect):

* Headers match case-, space- and punctuation-insensitively, with synonyms (see
  ``OKR_COLUMNS`` / ``CHECK_IN_COLUMNS``). A description column is never a title.
  A column named just "Unit" is the organisational unit, unless the sheet also has a
  Team or Department column: then it is the key result's unit of measure.
* Row numbers are those a spreadsheet shows: the header is row 1, so the first data
  row is row 2. For CSV records spanning several lines the physical line is given too.
* Text is kept exactly as written (no stripping of titles, descriptions, notes, level
  texts; ``KeyResultDoc.raw`` has every field). Only parsed values are stripped.
* CSV: encoding UTF-8 (with or without BOM), else Windows-1252, else Latin-1 (with a
  notice); the delimiter (``, ; TAB |``) is the one the header line uses most, the
  csv sniffer breaking ties. In files not delimited by commas a
  decimal comma is read ("4,5" is 4.5). In an ``.xlsx`` every worksheet is read.
* Dates: ISO, ``DD.MM.YYYY``, unambiguous ``D/M/YYYY``, Excel serial numbers and date
  cells. A datetime at midnight is a plain date and is never shifted by a timezone.
  Timestamps without an offset (e.g. ``2023-07-26 22:00:00``) are **UTC**: with
  ``timezone`` a check-in's measurement time is converted to that zone and its date
  taken; without it ``measured_at`` is an aware UTC datetime.
* Objectives are identified by their ``Objective ID``, else by (team, quarter, title).
  When rows of one objective disagree on its state the first row wins (a notice).
* Type: ``metric`` is a ``change`` key result (start → target), ``ordinal`` a
  ``levels`` one whose levels are the Commit / Target / Stretch zone texts; the
  Northstar kind names are accepted as they are.
* States: DRAFT → draft, ONGOING → active, SUCCESSFUL → closed + achieved,
  NOTSUCCESSFUL → closed + not achieved, plus the plain Northstar state names.
* Teams become ``team`` units (``department`` when the column says Department). The
  company: if exactly one unit name looks like an organisation's name (it contains a
  space and no "/", like "Puzzle ITC" among "/ux", "/mobility", "MarCom") it becomes
  the ``company`` unit and parent of the others; otherwise no company is created.
  Without a Level column an objective's level follows its unit (company / team).
* Quarters: "2018-Q3", "2018 Q4", "Q4 2018" are calendar quarters; a bare "Q4" needs
  ``year`` unless Quarter start/end dates are given; "Backlog" is undated; other labels
  (fiscal "GJ 24/25-Q2") keep their text and take the Quarter start / end dates.
* ``Parent / Aligned to`` is kept in ``parent_ref``; when it names another objective
  of the same sheet (by Objective ID, else by its only title), or a key result of the
  sheet (by KR ID), the objective is also moved under that objective's (or that key
  result's objective's) ``children``.
* A row repeating an earlier row exactly is skipped with a notice; so is a row with an
  empty key result text (its objective is still kept). Bad numbers raise, and so do
  numbers that are not finite ("inf", "nan", "1e999").
* Columns Northstar's own export adds so that importing it back changes nothing:
  Reported score / text, Objective / KR position, Relative change (a fraction, or a
  percentage with "%"), Needs review / Review reason. Absent columns leave the
  document's fields None: the importer then leaves those fields of the database alone.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from xml.etree.ElementTree import ParseError
from zipfile import BadZipFile
from zoneinfo import ZoneInfo

from northstar.interchange.document import (
    LEVEL_NAMES,
    CheckInDoc,
    CycleDoc,
    Document,
    ImportProblem,
    KeyResultDoc,
    Location,
    ObjectiveDoc,
    UnitDoc,
)
from northstar.interchange.formats._common import (
    as_aware,
    as_local,
    finite_or_problem,
    parse_cycle,
    parse_number,
    parse_when,
    zone_or_problem,
)

OKR_COLUMNS: dict[str, set[str]] = {
    "objective": {"objective", "objectivetitle", "objectivename", "objectivetext"},
    "objective_id": {"objectiveid", "objectiveref", "objectivereference", "objectivekey"},
    "objective_description": {"objectivedescription", "objectivedetails"},
    "objective_state": {"objectivestate", "objectivestatus", "state", "status"},
    "objective_owner": {"objectiveowner"},
    "key_result": {"keyresult", "keyresulttitle", "keyresultname", "kr", "krtitle"},
    "kr_id": {"krid", "keyresultid", "krref", "keyresultref", "krkey"},
    "kr_description": {"keyresultdescription", "krdescription", "description"},
    "owner": {"owner", "krowner", "keyresultowner", "responsible", "assignee"},
    "team": {"team", "department", "orgunit", "organisationunit", "organizationunit"},
    "level": {"level", "objectivelevel"},
    "parent": {"parent", "alignedto", "parentalignedto", "parentobjective", "alignment"},
    "start": {"start", "baseline", "startvalue"},
    "target": {"target", "goal", "targetvalue"},
    "stretch": {"stretchgoal", "stretch", "stretchtarget"},
    "current": {"current", "currentvalue", "actual"},
    "measure_unit": {"unitofmeasure", "measureunit", "uom", "metricunit"},
    "type": {"type", "krtype", "keyresulttype", "kind"},
    "fail_zone": {"failzone"},
    "commit_zone": {"commitzone"},
    "target_zone": {"targetzone"},
    "stretch_zone": {"stretchzone"},
    "cycle": {"quarter", "cycle", "period", "timeframe"},
    "cycle_start": {"quarterstart", "cyclestart", "periodstart"},
    "cycle_end": {"quarterend", "cycleend", "periodend"},
    "confidence": {"confidence"},
    "weight": {"weight"},
    # Written by Northstar's own export, so that importing it back changes nothing.
    "relative": {"relativechange", "relative"},
    "needs_review": {"needsreview"},
    "review_reason": {"reviewreason"},
    "reported_score": {"reportedscore"},
    "reported_text": {"reportedtext", "reportedresult"},
    "objective_position": {"objectiveposition"},
    "kr_position": {"krposition", "keyresultposition"},
}

CHECK_IN_COLUMNS: dict[str, set[str]] = {
    "date": {"date", "measuredat", "measuredon", "checkindate"},
    "key_result": {"keyresult", "keyresulttitle", "kr"},
    "kr_id": {"krid", "keyresultid", "krref", "keyresultref"},
    "value": {"value", "measuredvalue"},
    "zone": {"zone"},
    "created": {"created", "createdat"},
    "confidence": {"confidence"},
    "note": {"note", "notes", "comment", "comments"},
    "author": {"by", "author", "createdby"},
    "done": {"done", "completed"},
}

STATES: dict[str, tuple[str, str | None]] = {
    "draft": ("draft", None),
    "proposed": ("proposed", None),
    "active": ("active", None),
    "ongoing": ("active", None),
    "inprogress": ("active", None),
    "closed": ("closed", None),
    "archived": ("archived", None),
    "successful": ("closed", "achieved"),
    "achieved": ("closed", "achieved"),
    "notsuccessful": ("closed", "not_achieved"),
    "unsuccessful": ("closed", "not_achieved"),
    "notachieved": ("closed", "not_achieved"),
}

KINDS = {
    "metric": "change",
    "ordinal": "levels",
    "change": "change",
    "atleast": "at_least",
    "atmost": "at_most",
    "within": "within",
    "milestone": "milestone",
    "binary": "milestone",
    "levels": "levels",
}

ZONE_COLUMNS = (
    ("fail", "fail_zone"),
    ("commit", "commit_zone"),
    ("target", "target_zone"),
    ("stretch", "stretch_zone"),
)
TRUE_WORDS = {"1", "true", "yes", "y", "x", "done", "ja", "oui"}
FALSE_WORDS = {"0", "false", "no", "n", "nein", "non"}
CSV_DELIMITERS = ",;\t|"


def read_sheet(
    path: str | Path,
    *,
    source: str | None = None,
    year: int | None = None,
    timezone: str | None = None,
) -> Document:
    """Read a ``.csv`` or ``.xlsx`` file of key results or check-ins."""
    path = Path(path)
    document = Document(source=source or path.name)
    zone = zone_or_problem(timezone, Location(document.source, field="timezone"))
    context = _Context(document, year=year, zone=zone)
    for table in _tables(path, document):
        _read_table(table, context)
    context.finish()
    return document


# --- reading raw tables ------------------------------------------------------------------


@dataclass
class _Table:
    """A grid of cells as read from a file, before any meaning is given to it."""

    file: str
    header: list[str]
    records: list[tuple[int, int | None, list[object]]]  # (row, first line, cells)
    decimal_comma: bool = False
    only_table: bool = True


def _tables(path: Path, document: Document) -> list[_Table]:
    if path.suffix.lower() == ".xlsx":
        return _xlsx_tables(path, document.source)
    if path.suffix.lower() in {".csv", ".tsv", ".txt"}:
        return [_csv_table(path, document)]
    raise ImportProblem(Location(document.source), "only .csv and .xlsx sheets can be read")


def _csv_table(path: Path, document: Document) -> _Table:
    text = _decode(path.read_bytes(), document)
    delimiter = _sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[tuple[int, int | None, list[object]]] = []
    last_line = 0
    for row_number, cells in enumerate(reader, start=1):
        records.append((row_number, last_line + 1, list(cells)))
        last_line = reader.line_num
    if not records:
        raise ImportProblem(Location(document.source), "the file is empty")
    header = [str(cell) for cell in records[0][2]]
    return _Table(document.source, header, records[1:], decimal_comma=delimiter != ",")


def _decode(data: bytes, document: Document) -> str:
    """UTF-8 first (BOM or not); then the Windows and Latin encodings Excel writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    for encoding in ("cp1252", "latin-1"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        document.notice(Location(document.source), f"not UTF-8: read as {encoding}")
        return text
    raise AssertionError("latin-1 decodes any bytes")


def _sniff_delimiter(text: str) -> str:
    """The delimiter used most in the header line; the csv sniffer breaks ties.

    The header line decides because it never holds a quoted newline and rarely a
    delimiter inside a name, whereas the sniffer's sample of data rows can be misled
    by long quoted fields full of commas (German prose in a semicolon file).
    """
    header_line = text.splitlines()[0] if text else ""
    counts = {delimiter: header_line.count(delimiter) for delimiter in CSV_DELIMITERS}
    most = max(counts.values())
    candidates = [delimiter for delimiter, count in counts.items() if count == most]
    if len(candidates) == 1:
        return candidates[0]
    try:
        sniffed = csv.Sniffer().sniff(text[:16384], delimiters="".join(candidates)).delimiter
    except csv.Error:
        sniffed = candidates[0]
    return sniffed


def _xlsx_tables(path: Path, file: str) -> list[_Table]:
    from openpyxl import load_workbook  # Imported here: only workbooks need it.
    from openpyxl.utils.exceptions import InvalidFileException

    # An .xlsx is a zip of XML parts: an empty or renamed file is not a zip (BadZipFile),
    # another zip lacks the parts (KeyError), a damaged one has broken XML (ParseError).
    # Whichever, the person importing needs to hear which file, not a traceback.
    not_a_workbook = (BadZipFile, KeyError, InvalidFileException, ParseError)
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
        try:
            sheets = [(sheet.title, list(sheet.iter_rows(values_only=True))) for sheet in workbook]
        finally:
            workbook.close()
    except not_a_workbook:
        raise ImportProblem(Location(file), "not an Excel workbook (.xlsx)") from None
    tables = []
    for title, rows in sheets:
        label = file if len(sheets) == 1 else f"{file} [{title}]"
        if rows:
            header = [cell_text(cell) for cell in rows[0]]
            records = [(number, None, list(row)) for number, row in enumerate(rows[1:], start=2)]
            tables.append(_Table(label, header, records, only_table=len(sheets) == 1))
    return tables


def cell_text(value: object) -> str:
    """The text a cell shows: strings untouched, whole floats without ".0"."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == datetime.min.time():
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


# --- giving meaning to columns -------------------------------------------------------------


def normalise_header(header: str) -> str:
    """Compare headers ignoring case, spaces and punctuation ("KR ID" == "kr_id")."""
    return re.sub(r"[\W_]+", "", header.casefold())


def _match_columns(header: list[str], synonyms: dict[str, set[str]]) -> dict[str, int]:
    """Map each known column key to the index of the first header naming it."""
    columns: dict[str, int] = {}
    for index, name in enumerate(header):
        key = _column_key(normalise_header(name), synonyms)
        if key is not None and key not in columns:
            columns[key] = index
    return columns


def _column_key(name: str, synonyms: dict[str, set[str]]) -> str | None:
    return next((key for key, names in synonyms.items() if name in names), None)


def _okr_columns(header: list[str]) -> dict[str, int]:
    """OKR columns, deciding what a bare "Unit" column means (see module docstring)."""
    columns = _match_columns(header, OKR_COLUMNS)
    for index, name in enumerate(header):
        if normalise_header(name) == "unit":
            key = "measure_unit" if "team" in columns else "team"
            columns.setdefault(key, index)
    return columns


def _is_check_in_sheet(header: list[str]) -> bool:
    columns = _match_columns(header, CHECK_IN_COLUMNS)
    has_ref = "key_result" in columns or "kr_id" in columns
    has_measure = "value" in columns or "zone" in columns
    return "date" in columns and has_ref and has_measure


@dataclass
class _Row:
    """One data row with typed accessors that report problems at the right place."""

    table: _Table
    number: int
    line: int | None
    cells: list[object]
    columns: dict[str, int]

    def cell(self, key: str) -> object:
        index = self.columns.get(key)
        if index is None or index >= len(self.cells):
            return None
        return self.cells[index]

    def text(self, key: str) -> str:
        return cell_text(self.cell(key))

    def stripped(self, key: str) -> str | None:
        return self.text(key).strip() or None

    def location(self, key: str | None = None) -> Location:
        name = self.table.header[self.columns[key]] if key in self.columns else None
        return Location(self.table.file, line=self.line, row=self.number, field=name)

    def number_of(self, key: str) -> float | None:
        value = self.cell(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return finite_or_problem(float(value), self.text(key), self.location(key))
        decimal_comma = self.table.decimal_comma
        return parse_number(self.text(key), self.location(key), decimal_comma=decimal_comma)

    def integer_of(self, key: str) -> int | None:
        number = self.number_of(key)
        if number is not None and not number.is_integer():
            raise ImportProblem(self.location(key), f"{self.text(key)!r} is not a whole number")
        return None if number is None else int(number)

    def when(self, key: str) -> date | datetime | None:
        return parse_when(self.cell(key), self.location(key))

    def raw(self) -> dict[str, str]:
        # Short rows (CSV lines with fewer delimiters) read as empty trailing fields.
        padded = [*self.cells, *[None] * (len(self.table.header) - len(self.cells))]
        return {
            name: cell_text(cell) for name, cell in zip(self.table.header, padded, strict=False)
        }

    def is_blank(self) -> bool:
        return all(not cell_text(cell).strip() for cell in self.cells)


def _rows(table: _Table, columns: dict[str, int], context: _Context) -> Iterator[_Row]:
    """Data rows, without blank ones and without exact repeats (noticed)."""
    seen: dict[tuple[str, ...], int] = {}
    for number, line, cells in table.records:
        row = _Row(table, number, line, cells, columns)
        if row.is_blank():
            continue
        fingerprint = tuple(cell_text(cell) for cell in cells)
        if fingerprint in seen:
            context.notice(row.location(), f"repeats row {seen[fingerprint]}: skipped")
            continue
        seen[fingerprint] = number
        yield row


# --- building the document -----------------------------------------------------------------


@dataclass
class _Context:
    """What is shared while reading all tables of one file."""

    document: Document
    year: int | None
    zone: ZoneInfo | None
    objectives: dict[tuple[str | None, ...], ObjectiveDoc] = field(default_factory=dict)
    cycles: dict[str, CycleDoc] = field(default_factory=dict)
    units: dict[str, str] = field(default_factory=dict)  # name → kind
    has_level_column: bool = False
    state_conflicts: set[int] = field(default_factory=set)

    def notice(self, location: Location, message: str) -> None:
        self.document.notice(location, message)

    def finish(self) -> None:
        company = _company_name(self.units)
        self.document.units = [_unit(name, kind, company) for name, kind in self.units.items()]
        self.document.cycles = list(self.cycles.values())
        self.document.objectives = _nest(list(self.objectives.values()))
        if not self.has_level_column:
            for objective in self.document.all_objectives():
                objective.level = _level_from_unit(objective.unit, company)


def _read_table(table: _Table, context: _Context) -> None:
    if _is_check_in_sheet(table.header):
        _read_check_ins(table, context)
        return
    columns = _okr_columns(table.header)
    missing = [key for key in ("objective", "key_result") if key not in columns]
    if not missing:
        context.has_level_column |= "level" in columns
        _report_unknown_headers(table, columns, context)
        for row in _rows(table, columns, context):
            _read_key_result_row(row, context)
    elif table.only_table:
        raise ImportProblem(
            Location(table.file, row=1),
            "no 'Objective' and 'Key Result' columns (nor Date / Key Result / Value "
            "check-in columns) found",
        )
    else:
        context.notice(Location(table.file, row=1), "not an OKR or check-in sheet: skipped")


def _report_unknown_headers(table: _Table, columns: dict[str, int], context: _Context) -> None:
    known = set(columns.values())
    for index, name in enumerate(table.header):
        if index not in known and name.strip():
            context.notice(Location(table.file, row=1, field=name), "unknown column: ignored")


def _read_key_result_row(row: _Row, context: _Context) -> None:
    objective = _objective_for(row, context)
    if not row.text("key_result").strip():
        context.notice(row.location("key_result"), "no key result text: row skipped")
        return
    objective.key_results.append(_key_result(row))


def _objective_for(row: _Row, context: _Context) -> ObjectiveDoc:
    """Find the row's objective or start it; later rows may only repeat its state."""
    title = row.text("objective")
    if not title.strip():
        raise ImportProblem(row.location("objective"), "the key result has no objective")
    team = _team(row, context)
    cycle = _cycle(row, context)
    ref = row.stripped("objective_id")
    key = ("id", ref) if ref else ("title", team, cycle, title.strip())
    state, outcome = _state(row)
    existing = context.objectives.get(key)
    if existing is None:
        existing = _new_objective(row, title, team, cycle, state, outcome)
        context.objectives[key] = existing
    elif _conflicting_state(existing, row, (state, outcome), context):
        context.notice(
            row.location("objective_state"),
            f"objective {title.strip()!r} has another state on row "
            f"{existing.location.row}: the first row's state is kept",
        )
    return existing


def _conflicting_state(
    objective: ObjectiveDoc, row: _Row, state: tuple[str, str | None], context: _Context
) -> bool:
    """True the first time a row contradicts the state its objective started with."""
    if row.stripped("objective_state") is None or (objective.state, objective.outcome) == state:
        return False
    if id(objective) in context.state_conflicts:
        return False  # One notice per objective is enough to send someone to look.
    context.state_conflicts.add(id(objective))
    return True


def _new_objective(
    row: _Row, title: str, team: str | None, cycle: str | None, state: str, outcome: str | None
) -> ObjectiveDoc:
    return ObjectiveDoc(
        title=title,
        location=row.location("objective"),
        description=row.text("objective_description"),
        owner=row.stripped("objective_owner"),
        unit=team,
        level=row.stripped("level"),
        state=state,
        outcome=outcome,
        external_ref=row.stripped("objective_id"),
        cycle=cycle,
        parent_ref=row.stripped("parent"),
        position=row.integer_of("objective_position"),
        reported=_reported(row),
    )


def _reported(row: _Row) -> tuple[float | None, str] | None:
    """(score, text) when the sheet has a Reported score or text column (then blank
    cells mean "none"); None when it has neither, so the import leaves them alone."""
    if "reported_score" not in row.columns and "reported_text" not in row.columns:
        return None
    return row.number_of("reported_score"), row.text("reported_text")


def _state(row: _Row) -> tuple[str, str | None]:
    text = row.stripped("objective_state")
    if text is None:
        return "active", None
    state = STATES.get(normalise_header(text))
    if state is None:
        known = (
            "DRAFT, ONGOING, SUCCESSFUL, NOTSUCCESSFUL, or draft/proposed/active/closed/archived"
        )
        raise ImportProblem(row.location("objective_state"), f"unknown state {text!r} ({known})")
    return state


def _team(row: _Row, context: _Context) -> str | None:
    name = row.stripped("team")
    if name is not None and name not in context.units:
        header = normalise_header(row.table.header[row.columns["team"]])
        context.units[name] = "department" if header == "department" else "team"
    return name


def _cycle(row: _Row, context: _Context) -> str | None:
    label = row.stripped("cycle")
    if label is None:
        return None
    cycle = parse_cycle(
        label,
        row.location("cycle"),
        year=context.year,
        start=_date_of(row, "cycle_start", context),
        end=_date_of(row, "cycle_end", context),
    )
    known = context.cycles.setdefault(cycle.name, cycle)
    if (known.start, known.end) != (cycle.start, cycle.end):
        context.notice(
            row.location("cycle"),
            f"{cycle.name!r} has other dates on an earlier row: the first ones are kept",
        )
    return cycle.name


def _date_of(row: _Row, key: str, context: _Context) -> date | None:
    moment = row.when(key)
    if moment is None:
        return None
    local = as_local(moment, context.zone)
    return local.date() if isinstance(local, datetime) else local


def _key_result(row: _Row) -> KeyResultDoc:
    return KeyResultDoc(
        title=row.text("key_result"),
        location=row.location("key_result"),
        description=row.text("kr_description"),
        owner=row.stripped("owner"),
        external_ref=row.stripped("kr_id"),
        kind=_kind(row),
        start=row.number_of("start"),
        target=row.number_of("target"),
        current=row.number_of("current"),
        unit=row.text("measure_unit").strip(),
        weight=row.number_of("weight"),
        confidence=row.integer_of("confidence"),
        levels=_levels(row),
        raw=row.raw(),
        stretch=row.number_of("stretch"),
        position=row.integer_of("kr_position"),
        relative=_relative(row),
        review=_review(row),
    )


def _relative(row: _Row) -> float | None:
    """A fraction ("0.1") or a percentage ("10%"): both are +10 % from the first check-in."""
    number = row.number_of("relative")
    if number is not None and row.text("relative").strip().endswith("%"):
        return number / 100
    return number


def _review(row: _Row) -> tuple[bool, str] | None:
    """(needs review, reason) from a Needs review cell; None when it is blank or absent
    (the importer then flags what it finds wrong itself)."""
    word = row.text("needs_review").strip().casefold()
    if not word:
        return None
    if word not in TRUE_WORDS | FALSE_WORDS:
        raise ImportProblem(row.location("needs_review"), f"{word!r} is not yes or no")
    needed = word in TRUE_WORDS
    return needed, row.text("review_reason") if needed else ""


def _kind(row: _Row) -> str | None:
    text = row.stripped("type")
    if text is None:
        return "levels" if _levels(row) else None
    kind = KINDS.get(normalise_header(text))
    if kind is None:
        names = "metric, ordinal, change, at_least, at_most, within, milestone, levels"
        raise ImportProblem(row.location("type"), f"unknown type {text!r} (one of {names})")
    return kind


def _levels(row: _Row) -> list[tuple[str, str]] | None:
    """Zone texts in level order, exactly as written; None when the row has none."""
    levels = [(name, row.text(key)) for name, key in ZONE_COLUMNS if row.text(key).strip()]
    return levels or None


def _company_name(units: dict[str, str]) -> str | None:
    """The one unit named like an organisation (a space, no "/"), if exactly one is."""
    candidates = [name for name in units if " " in name and "/" not in name]
    return candidates[0] if len(candidates) == 1 else None


def _unit(name: str, kind: str, company: str | None) -> UnitDoc:
    if name == company:
        return UnitDoc(name=name, kind="company", parent=None)
    return UnitDoc(name=name, kind=kind, parent=company)


def _level_from_unit(unit: str | None, company: str | None) -> str | None:
    if unit is None:
        return None
    return "company" if unit == company else "team"


def _nest(objectives: list[ObjectiveDoc]) -> list[ObjectiveDoc]:
    """Move objectives whose parent_ref names another objective under it; return roots."""
    by_ref = {o.external_ref: o for o in objectives if o.external_ref}
    # An objective aligned to a key result of the sheet goes under that key result's
    # objective; ``parent_ref`` still names the key result, for the importer.
    for objective in objectives:
        for key_result in objective.key_results:
            if key_result.external_ref:
                by_ref.setdefault(key_result.external_ref, objective)
    titles: dict[str, list[ObjectiveDoc]] = {}
    for objective in objectives:
        titles.setdefault(objective.title.strip(), []).append(objective)
    roots = []
    for objective in objectives:
        parent = _parent_of(objective, by_ref, titles)
        (parent.children if parent is not None else roots).append(objective)
    return roots


def _parent_of(
    objective: ObjectiveDoc,
    by_ref: dict[str, ObjectiveDoc],
    titles: dict[str, list[ObjectiveDoc]],
) -> ObjectiveDoc | None:
    ref = objective.parent_ref
    if ref is None:
        return None
    same_title = titles.get(ref, [])
    parent = by_ref.get(ref) or (same_title[0] if len(same_title) == 1 else None)
    # Never nest an objective under itself or its own descendant (a cycle in the file).
    if parent is None or parent is objective or _is_below(parent, objective):
        return None
    return parent


def _is_below(candidate: ObjectiveDoc, ancestor: ObjectiveDoc) -> bool:
    return any(candidate is child for child in ancestor.walk())


# --- check-ins -----------------------------------------------------------------------------


def _read_check_ins(table: _Table, context: _Context) -> None:
    columns = _match_columns(table.header, CHECK_IN_COLUMNS)
    _report_unknown_headers(table, columns, context)
    for row in _rows(table, columns, context):
        context.document.check_ins.append(_check_in(row, context))


def _check_in(row: _Row, context: _Context) -> CheckInDoc:
    measured = row.when("date")
    if measured is None:
        raise ImportProblem(row.location("date"), "the check-in has no date")
    created = row.when("created")
    return CheckInDoc(
        location=row.location(),
        key_result_ref=_key_result_ref(row),
        measured_at=as_local(measured, context.zone),
        created_at=None if created is None else as_aware(created, context.zone),
        measured_time=as_aware(measured, None) if isinstance(measured, datetime) else None,
        value=row.number_of("value"),
        level=_zone(row),
        done=_done(row),
        confidence=row.integer_of("confidence"),
        note=row.text("note"),
        author=row.stripped("author"),
    )


def _key_result_ref(row: _Row) -> str:
    ref = row.stripped("kr_id") or row.text("key_result")
    if not ref.strip():
        raise ImportProblem(
            row.location("kr_id" if "kr_id" in row.columns else "key_result"),
            "the check-in names no key result",
        )
    return ref


def _zone(row: _Row) -> str | None:
    text = row.stripped("zone")
    if text is None:
        return None
    level = text.casefold()
    if level not in LEVEL_NAMES:
        raise ImportProblem(
            row.location("zone"), f"unknown zone {text!r} (FAIL, COMMIT, TARGET or STRETCH)"
        )
    return level


def _done(row: _Row) -> bool | None:
    if "done" not in row.columns:
        return None
    word = row.text("done").strip().casefold()
    if not word:
        return None
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImportProblem(row.location("done"), f"{word!r} is not yes or no")
