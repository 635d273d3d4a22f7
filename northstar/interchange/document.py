"""The intermediate representation every OKR reader produces.

Readers (Markdown outlines, spreadsheets, community YAML, ...) know nothing about the
database: they turn a file into a :class:`Document` made of plain dataclasses, and a
separate importer writes that document to the models. Keeping the two apart lets each
reader be tested on its own, without Django, and lets one importer serve every format.

Conventions shared by all readers:

* Text taken from the file is kept exactly as written (``raw`` on key results holds the
  original fields); only values that are parsed (numbers, dates) are stripped.
* Problems that make the file unusable raise :class:`ImportProblem` with a
  :class:`Location`; oddities the reader could work around become :class:`Notice`\\ s.
* References between items (``parent_ref``, ``key_result_ref``) are external ids or
  titles; the importer resolves them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

UNIT_KINDS = ("company", "department", "team")
CYCLE_KINDS = ("year", "quarter", "backlog", "custom")
KEY_RESULT_KINDS = ("change", "at_least", "at_most", "within", "milestone", "levels")
OBJECTIVE_STATES = ("draft", "proposed", "active", "closed", "archived")
OUTCOMES = ("achieved", "not_achieved")
LEVEL_NAMES = ("fail", "commit", "target", "stretch")


@dataclass(frozen=True)
class Location:
    """Where something sits in a source file, precise enough to find it again.

    ``row`` counts records the way a spreadsheet shows them (the header is row 1), while
    ``line`` is a physical line of a text file; a CSV record may span several lines, so
    both can be set. ``field`` names a column, a YAML path or a Markdown element.
    """

    file: str
    line: int | None = None
    row: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts = [self.file]
        if self.row is not None:
            # The physical line only helps when a multi-line record makes it differ.
            suffix = f" (line {self.line})" if self.line not in (None, self.row) else ""
            parts.append(f"row {self.row}{suffix}")
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field is not None:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)


class ImportProblem(Exception):
    """A file cannot be read as OKRs; the message says where and what to do about it."""

    def __init__(self, location: Location, reason: str) -> None:
        super().__init__(f"{location}: {reason}")
        self.location = location
        self.reason = reason


@dataclass
class Notice:
    """Something the reader worked around; shown to the person importing, never fatal."""

    location: Location
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


@dataclass
class UnitDoc:
    """An organisational unit; ``parent`` is another unit's name in the same document."""

    name: str
    kind: str = "team"
    parent: str | None = None


@dataclass
class CycleDoc:
    """A planning period; quarters of unknown fiscal calendars may lack dates."""

    name: str
    start: date | None = None
    end: date | None = None
    kind: str = "custom"


@dataclass
class KeyResultDoc:
    """One key result as written; ``kind`` None means "infer from the title"."""

    title: str
    location: Location
    description: str = ""
    owner: str | None = None
    external_ref: str | None = None
    kind: str | None = None
    start: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str = ""
    weight: float | None = None
    confidence: int | None = None
    # (level name, description as written), e.g. ("commit", "Kick off ...").
    levels: list[tuple[str, str]] | None = None
    # A result written after the title ("8/10 (80%)"), left unparsed for the importer.
    result_text: str | None = None
    # Original fields, exact text, so nothing the file said is lost.
    raw: dict[str, str] = field(default_factory=dict)
    # A numeric stretch goal, when the file has one besides the target.
    stretch: float | None = None
    # A short owner or team label written before the title ("Plan: ...").
    owner_label: str | None = None
    # Fields only a sheet exported by Northstar carries; None where the file says nothing,
    # so that importing it leaves them as they are.
    position: int | None = None  # among its objective's key results
    relative: float | None = None  # a change relative to the first check-in, 0.1 = +10 %
    review: tuple[bool, str] | None = None  # (needs review, reason)


@dataclass
class ObjectiveDoc:
    """An objective, its key results and the objectives aligned under it."""

    title: str
    location: Location
    description: str = ""
    owner: str | None = None
    unit: str | None = None
    level: str | None = None
    state: str = "active"
    outcome: str | None = None
    external_ref: str | None = None
    cycle: str | None = None
    parent_ref: str | None = None
    result_text: str | None = None
    key_results: list[KeyResultDoc] = field(default_factory=list)
    children: list[ObjectiveDoc] = field(default_factory=list)
    owner_label: str | None = None
    # As for key results: given by Northstar's own sheets, None when the file is silent.
    position: int | None = None  # among its siblings
    reported: tuple[float | None, str] | None = None  # (reported score, reported text)

    def walk(self) -> Iterator[ObjectiveDoc]:
        """This objective and every objective aligned below it, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class CheckInDoc:
    """A measurement of a key result, referenced by external id or title."""

    location: Location
    key_result_ref: str
    # A date, or an aware datetime when the file gives a time and no zone to convert to.
    measured_at: date | datetime
    created_at: datetime | None = None
    # The instant (aware, UTC) the file gave as the measurement time, when it gave a time
    # of day: kept even when ``measured_at`` was already turned into a date, so the
    # importer can tell local midnights stored in UTC from real times.
    measured_time: datetime | None = None
    value: float | None = None
    level: str | None = None
    done: bool | None = None
    confidence: int | None = None
    note: str = ""
    author: str | None = None


@dataclass
class Document:
    """Everything read from one source; ``objectives`` holds only the roots."""

    source: str
    units: list[UnitDoc] = field(default_factory=list)
    cycles: list[CycleDoc] = field(default_factory=list)
    objectives: list[ObjectiveDoc] = field(default_factory=list)
    check_ins: list[CheckInDoc] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)

    def all_objectives(self) -> Iterator[ObjectiveDoc]:
        """Every objective of the document, roots and aligned ones, depth first."""
        for root in self.objectives:
            yield from root.walk()

    def all_key_results(self) -> Iterator[KeyResultDoc]:
        """Every key result of every objective, in document order."""
        for objective in self.all_objectives():
            yield from objective.key_results

    def notice(self, location: Location, message: str) -> None:
        """Record a notice; a shorthand readers use while building the document."""
        self.notices.append(Notice(location, message))
