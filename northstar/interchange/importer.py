"""Write imported OKR files to the database, all or nothing.

``import_files`` reads every file first (a reader's problem stops the import before
anything is written), then writes them in the order given inside one transaction, so a
check-in sheet may follow the sheet defining its key results. Any problem while writing
raises :class:`ImportProblem` naming the file, row or line, field and reason, and the
transaction leaves the database as it was. A dry run does all the work and rolls back.

Two kinds of source are written:

* a :class:`Document` from the Markdown, sheet and community-YAML readers, mapped by the
  rules in ``docs/import.md`` (owner labels, cycles, key result sentences, inline
  results), by :class:`_DocumentWriter`;
* a :class:`NativeFile` (Northstar's own format, see ``docs/format.md``), which says
  everything explicitly, by :class:`_NativeWriter`.

Re-importing is idempotent: items are matched by their IDs (``external_ref``), else by
their place and title; check-ins by what they measured and when. Roll-ups are computed
once at the end (``actions.refresh_everything``).

Objectives and key results created or changed land in the audit trail as if saved through
``okrs.actions`` (see ``trail.py``); check-ins do through ``actions.record_check_in``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import DatabaseError, transaction

from northstar.interchange.document import (
    UNIT_KINDS,
    CheckInDoc,
    CycleDoc,
    Document,
    ImportProblem,
    KeyResultDoc,
    Location,
    ObjectiveDoc,
    UnitDoc,
)
from northstar.interchange.formats import native
from northstar.interchange.formats._common import (
    check_year,
    parse_cycle,
    quarter_cycle,
    zone_or_problem,
)
from northstar.interchange.formats.community_yaml import (
    looks_like_community_yaml,
    read_community_yaml,
)
from northstar.interchange.formats.markdown import read_markdown
from northstar.interchange.formats.native import NativeFile
from northstar.interchange.formats.sheet import read_sheet
from northstar.interchange.trail import ImportTrail, contributor_refs
from northstar.okrs import actions
from northstar.okrs import progress as math
from northstar.okrs.models import (
    CheckIn,
    Cycle,
    Initiative,
    KeyResult,
    Objective,
    measure_errors,
)
from northstar.okrs.sentences import InlineResult, parse_inline_result, parse_key_result
from northstar.people.models import Organisation, Person, Unit

NATIVE_SUFFIXES = {".yaml", ".yml", ".json"}
SHEET_SUFFIXES = {".csv", ".xlsx"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}

# Scores of the four levels an ordinal key result is given (progress.DEFAULT_LEVELS).
LEVEL_SCORES = {level.name: level.score for level in math.DEFAULT_LEVELS}

# What a key result measures, as a document import sets it.
MEASURE_FIELDS = ("kind", "start", "target", "low", "high", "relative", "unit", "levels")
# What identifies a check-in when a file is imported again.
CHECK_IN_KEY = ("measured_on", "created_at", "value", "level", "done", "note")
# Relations an import sets from instances it holds: no need to validate them by query.
OBJECTIVE_RELATIONS = ["cycle", "owner", "unit", "parent_objective", "parent_key_result"]

NO_START = "no start: the first check-in is the baseline"
SAME_START_AND_TARGET = (
    "start equals target: progress is 100% when a check-in equals the target, else 0%"
)


@dataclass
class ImportOptions:
    cycle: str | None = None  # for objectives whose file names no cycle
    year: int | None = None  # for quarters written without a year ("Q4")
    timezone: str | None = None  # to date check-in timestamps
    acting_as: str | None = None  # e-mail of the person importing
    dry_run: bool = False


@dataclass
class Tally:
    """What happened to one kind of item."""

    new: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.new + self.updated + self.unchanged

    def add(self, created: bool, changed: bool) -> None:
        if created:
            self.new += 1
        elif changed:
            self.updated += 1
        else:
            self.unchanged += 1

    def describe(self, noun: str) -> str:
        parts = [f"{self.new} new", f"{self.updated} updated"]
        if self.unchanged:
            parts.append(f"{self.unchanged} unchanged")
        return f"{self.total} {noun} ({', '.join(parts)})"


@dataclass
class ImportReport:
    files: list[str] = field(default_factory=list)
    objectives: Tally = field(default_factory=Tally)
    key_results: Tally = field(default_factory=Tally)
    check_ins: Tally = field(default_factory=Tally)
    units_created: int = 0
    people_created: int = 0
    cycles_created: int = 0
    warnings: list[str] = field(default_factory=list)
    dry_run: bool = False

    def summary(self) -> str:
        verb = "Would import" if self.dry_run else "Imported"
        check_ins = f"{self.check_ins.total} check-ins ({self.check_ins.new} new"
        if self.check_ins.unchanged:
            check_ins += f", {self.check_ins.unchanged} already there"
        files = f"{len(self.files)} file" + ("s" if len(self.files) != 1 else "")
        warnings = f"{len(self.warnings)} warning" + ("s" if len(self.warnings) != 1 else "")
        return (
            f"{verb} {self.objectives.describe('objectives')}, "
            f"{self.key_results.describe('key results')}, {check_ins}) from {files}; {warnings}"
        )

    def created_elsewhere(self) -> str:
        """The side effects people ask about: new units, people and cycles."""
        return (
            f"New units: {self.units_created}, new people: {self.people_created}, "
            f"new cycles: {self.cycles_created}"
        )


class _DryRun(Exception):
    """Raised inside the transaction to roll a dry run back."""


# --- reading ---------------------------------------------------------------------------------


@dataclass
class Source:
    """A file read and ready to write: a Document or a native file."""

    path: Path
    content: Document | NativeFile


def read_source(path: Path, options: ImportOptions) -> Source:
    """Read one file with the reader its extension (and, for YAML, its content) calls for."""
    suffix = path.suffix.lower()
    if path.is_dir():
        # "No such file" would send people looking for a typo in a path that exists.
        raise ImportProblem(Location(path.name), f"is a directory, not a file: {path}")
    if not path.is_file():
        raise ImportProblem(Location(path.name), f"no such file: {path}")
    if suffix in NATIVE_SUFFIXES:
        return Source(path, _read_yaml_or_json(path, options))
    if suffix in SHEET_SUFFIXES:
        return Source(path, read_sheet(path, year=options.year, timezone=options.timezone))
    if suffix in MARKDOWN_SUFFIXES:
        return Source(path, read_markdown(path))
    raise ImportProblem(
        Location(path.name),
        f"unknown file type {suffix or '(no extension)'!r}: use .yaml, .yml or .json "
        "(Northstar or community layout), .csv or .xlsx (sheets), or .md (Markdown)",
    )


def _refuse_empty(source: Source) -> None:
    """A sheet, outline or community file without a single objective, key result or
    check-in is an error, not a successful import of nothing: it is almost always the
    wrong file (a header-only export, prose, an empty save), and "Imported 0 objectives"
    reads like success. Northstar's own files are exempt: one may rightly hold only the
    organisation, units, people or cycles."""
    document = source.content
    if isinstance(document, NativeFile):
        return
    if document.check_ins or next(document.all_objectives(), None) is not None:
        return
    raise ImportProblem(Location(document.source), "found no OKRs in it")


def _read_yaml_or_json(path: Path, options: ImportOptions) -> Document | NativeFile:
    data, lines, source = native.load_tree(path)
    if native.is_native(data):
        return native.validate_native(data, lines, source)
    if looks_like_community_yaml(data):
        return read_community_yaml(path, year=options.year)
    raise ImportProblem(
        Location(source),
        f"neither a Northstar file (it has no '{native.FORMAT_KEY}: {native.FORMAT_VERSION}' "
        "key) nor an organisation / projects / members OKR file",
    )


# --- the import ------------------------------------------------------------------------------


def import_files(paths: Sequence[str | Path], options: ImportOptions) -> ImportReport:
    """Read, then write, every file in one transaction; raise ImportProblem on any error."""
    if options.timezone:
        zone_or_problem(options.timezone, Location("--timezone"))
    if options.year is not None:
        check_year(options.year, Location("--year"))
    sources = [read_source(Path(path), options) for path in paths]
    for source in sources:
        _refuse_empty(source)
    report = ImportReport(files=[source.path.name for source in sources], dry_run=options.dry_run)
    try:
        with transaction.atomic():
            session = _Session(report, options)
            for source in sources:
                session.write(source)
            session.finish()
            if options.dry_run:
                raise _DryRun
    except _DryRun:
        pass
    return report


@contextmanager
def problems_at(location: Location) -> Iterator[None]:
    """Turn validation and database errors into an ImportProblem at ``location``."""
    try:
        yield
    except ValidationError as error:
        raise ImportProblem(location, _validation_message(error)) from None
    except (DatabaseError, ValueError) as error:
        raise ImportProblem(location, str(error)) from None


def _validation_message(error: ValidationError) -> str:
    if hasattr(error, "message_dict"):
        return "; ".join(
            f"{name}: {' '.join(messages)}" if name != "__all__" else " ".join(messages)
            for name, messages in error.message_dict.items()
        )
    return " ".join(error.messages)


def _assign(instance: Any, values: dict[str, Any]) -> bool:
    """Set fields; True when any of them changed (foreign keys compared by id)."""
    changed = False
    for name, value in values.items():
        model_field = instance._meta.get_field(name)
        if model_field.many_to_one:
            # Compare ids: reading an unset relation would raise.
            same = getattr(instance, model_field.attname) == getattr(value, "pk", None)
        else:
            same = getattr(instance, name) == value
        if not same:
            setattr(instance, name, value)
            changed = True
    return changed


def looks_like_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


class _Session:
    """State shared by the files of one import: the organisation, people, units and
    cycles found or created so far, the key results written, and the warnings."""

    def __init__(self, report: ImportReport, options: ImportOptions) -> None:
        self.report = report
        self.options = options
        self.org = Organisation.get()
        self.acting_as = self._acting_as(options.acting_as)
        self.trail = ImportTrail(actor=self.acting_as)
        self.people: dict[str, Person] = {}
        self.key_results: dict[int, KeyResult] = {}  # one instance per key result
        self.key_results_by_ref: dict[str, KeyResult] = {}
        self.check_in_keys: dict[int, set[tuple]] = {}  # what each key result has recorded
        # Per key result: (created_at, value, level, done) → measured_on of its check-ins.
        self.check_in_days: dict[int, dict[tuple, date]] = {}
        # Check-ins found already imported under another date: (place, kept, file's, timed).
        self.redated: list[tuple[Location, date, date, bool]] = []
        self.outside_cycle: list[tuple[Location, KeyResult]] = []

    def _acting_as(self, email: str | None) -> Person | None:
        if not email:
            return None
        person = Person.objects.filter(email__iexact=email.strip()).first()
        if person is None:
            raise ImportProblem(Location("--as"), f"no person has the e-mail {email!r}")
        return person

    def write(self, source: Source) -> None:
        self.trail.reading(source.path.name)
        if isinstance(source.content, NativeFile):
            _NativeWriter(self, source.content).write()
        else:
            _DocumentWriter(self, source.content, source.path).write()

    def warn(self, message: str) -> None:
        self.report.warnings.append(message)

    def finish(self) -> None:
        self._warn_outside_cycle()
        self._warn_redated()
        actions.refresh_everything()
        self.trail.flush()

    def _warn_redated(self) -> None:
        """One warning per file, at its first such check-in (a sheet imported again with
        another zone has hundreds)."""
        by_file: dict[str, list[tuple[Location, date, date, bool]]] = {}
        for entry in self.redated:
            by_file.setdefault(entry[0].file, []).append(entry)
        for entries in by_file.values():
            location, kept, now, timed = entries[0]
            hint = " — check --timezone" if timed else ""
            more = len(entries) - 1
            also = f" ({more} more check-ins of this file likewise)" if more else ""
            self.warn(
                f"{location}: already imported as {kept}; the file now says {now}{hint}"
                f"{also}: kept as imported, check-ins are never moved"
            )

    def _warn_outside_cycle(self) -> None:
        if not self.outside_cycle:
            return
        location, kr = self.outside_cycle[0]
        count = len(self.outside_cycle)
        what = "check-in is" if count == 1 else "check-ins are"
        self.warn(
            f"{count} {what} dated outside their key result's cycle, kept as written "
            f"(first: {location}, key result {kr.reference} {_short(kr.title)!r})"
        )

    # people, units, cycles

    def person(self, text: str, location: Location) -> Person:
        """A person by e-mail (created with the local part as name) or by name."""
        key = text.strip()
        if key.casefold() in self.people:
            return self.people[key.casefold()]
        with problems_at(location):
            if looks_like_email(key):
                person = Person.objects.filter(email__iexact=key).first()
                if person is None:
                    person = self._new_person(name=key.split("@")[0], email=key)
            else:
                person = Person.objects.filter(name=key).order_by("pk").first()
                person = person or self._new_person(name=key, email=None)
        self.people[key.casefold()] = person
        return person

    def _new_person(self, *, name: str, email: str | None) -> Person:
        person = Person(name=name, email=email)
        person.full_clean(exclude=["user", "unit", "manager"])
        person.save()
        self.report.people_created += 1
        return person

    def unit(self, name: str, *, kind: str, parent: Unit | None) -> Unit:
        """The unit of that name (preferring one under ``parent``), else a new one."""
        found = list(Unit.objects.filter(name=name).order_by("pk"))
        same_parent = [u for u in found if u.parent_id == (parent.pk if parent else None)]
        if same_parent or found:
            return (same_parent or found)[0]
        unit = Unit.objects.create(name=name, kind=kind, parent=parent)
        self.report.units_created += 1
        return unit

    def company_unit(self) -> Unit:
        """The company: the only top unit of kind company, else one named after the
        organisation (created)."""
        companies = list(Unit.objects.filter(kind="company", parent=None).order_by("name", "pk"))
        if companies:
            return companies[0]
        return self.unit(self.org.name, kind="company", parent=None)

    def cycle(self, doc: CycleDoc, location: Location) -> Cycle:
        """The cycle of that name, created from the document's dates when missing."""
        cycle = Cycle.objects.filter(name=doc.name).first()
        if cycle is not None:
            if doc.start and (cycle.start, cycle.end) != (doc.start, doc.end):
                self.warn(
                    f"{location}: cycle {doc.name!r} already exists with the dates "
                    f"{cycle.start} – {cycle.end}: kept"
                )
            return cycle
        kind = doc.kind if doc.kind in Cycle.Kind.values else Cycle.Kind.CUSTOM
        cycle = Cycle(name=doc.name, kind=kind, start=doc.start, end=doc.end)
        with problems_at(location):
            cycle.full_clean()
            cycle.save()
        self.report.cycles_created += 1
        return cycle

    def cycle_from_option(self, location: Location) -> Cycle | None:
        """The cycle named by --cycle: existing, or created from its name."""
        name = self.options.cycle
        if not name:
            return None
        existing = Cycle.objects.filter(name=name).first()
        if existing is not None:
            return existing
        return self.cycle(self._cycle_doc(name.strip()), location)

    def _cycle_doc(self, name: str) -> CycleDoc:
        """A bare "Q4" with --year follows the organisation's fiscal year when it does not
        start in January; every other label follows the readers' rules."""
        match = re.fullmatch(r"Q([1-4])", name, re.IGNORECASE)
        first_month = self.org.fiscal_year_start_month
        if match and self.options.year and first_month != 1:
            return fiscal_quarter(self.options.year, int(match[1]), first_month)
        # A problem with the label (a quarter without a year, a year out of range) is the
        # option's, not the place of the objective that happened to need it first.
        return parse_cycle(name, Location("--cycle"), year=self.options.year)

    # key results

    def key_result_instance(self, key_result: KeyResult) -> KeyResult:
        """One Python object per key result, so check-ins always see its latest state."""
        return self.key_results.setdefault(key_result.pk, key_result)

    def record_check_in(self, kr: KeyResult, location: Location, **fields: Any) -> CheckIn:
        """Record through the action; roll-ups are refreshed once, in ``finish``."""
        with problems_at(location):
            check_in = actions.record_check_in(
                key_result=kr,
                org=self.org,
                roll_up=False,
                actor=self.acting_as,
                reason=self.trail.reason,
                **fields,
            )
        if check_in.outside_cycle:
            self.outside_cycle.append((location, kr))
        self._keys_of(kr).update(_check_in_keys(check_in))
        self.check_in_days[kr.pk][_written_key(check_in)] = check_in.measured_on
        self.report.check_ins.add(created=True, changed=True)
        return check_in

    def already_recorded(
        self, kr: KeyResult, location: Location, *, timed: bool = False, **reading: Any
    ) -> bool:
        """Whether the key result has a check-in measuring the same, on the same day, with
        the same note (and, when the file gives one, written at the same time).

        A check-in the file says was written at the same instant (``created_at``) with the
        same reading is the same check-in even on another day: importing a sheet again
        with another --timezone moves its dates, and it must not record them all twice.
        Check-ins are append-only, so the one recorded stays as it is, with a warning
        (``timed``: the file gave a time of day, so the zone may be why)."""
        key = tuple(reading[name] for name in CHECK_IN_KEY)
        found = key in self._keys_of(kr)
        if not found and reading["created_at"] is not None:
            kept = self.check_in_days[kr.pk].get(_written_key(reading))
            if kept is not None:
                self.redated.append((location, kept, reading["measured_on"], timed))
                found = True
        if found:
            self.report.check_ins.add(created=False, changed=False)
        return found

    def _keys_of(self, kr: KeyResult) -> set[tuple]:
        if kr.pk not in self.check_in_keys:
            keys: set[tuple] = set()
            days: dict[tuple, date] = {}
            for check_in in kr.check_ins.all():
                keys.update(_check_in_keys(check_in))
                days[_written_key(check_in)] = check_in.measured_on
            self.check_in_keys[kr.pk] = keys
            self.check_in_days[kr.pk] = days
        return self.check_in_keys[kr.pk]

    def find_key_result(self, ref: str, location: Location) -> KeyResult:
        """A key result by external ID, else by exact title, else by ``KR-<id>``."""
        key = ref.strip()
        if key not in self.key_results_by_ref:
            self.key_results_by_ref[key] = self._look_up_key_result(ref, location)
        return self.key_result_instance(self.key_results_by_ref[key])

    @staticmethod
    def _look_up_key_result(ref: str, location: Location) -> KeyResult:
        key = ref.strip()
        by_id = list(KeyResult.objects.filter(external_ref=key)[:2])
        if len(by_id) > 1:
            raise ImportProblem(location, f"several key results have the ID {key!r}")
        if by_id:
            return by_id[0]
        by_title = list(KeyResult.objects.filter(title=ref)[:2])
        if len(by_title) > 1:
            raise ImportProblem(location, f"several key results are titled {_short(key)!r}")
        found = by_title[0] if by_title else _own_reference(key, "KR", KeyResult)
        if found is None:
            raise ImportProblem(location, f"no key result has the ID or title {_short(key)!r}")
        return found


def _key_result_named(objective: Objective, ref: str | None) -> KeyResult | None:
    """The objective's key result with that ID or own reference ("KR-7"), if any."""
    if not ref or objective.pk is None:
        return None
    for kr in objective.key_results.all():
        if kr.external_ref == ref.strip() or _own_ref(kr, ref, "KR"):
            return kr
    return None


def _own_ref(item: Objective | KeyResult, ref: str, prefix: str) -> bool:
    """Whether ``ref`` is the item's own reference ("O-12", "KR-7"), which an export
    writes for items without an external ID: it is not stored as one (the native
    importer's rule too), or re-importing an export would give every item an ID."""
    return item.pk is not None and not item.external_ref and ref.strip() == f"{prefix}-{item.pk}"


def _first_unclaimed(queryset: Any, claimed: set[int]) -> Any:
    """The oldest item of the queryset not matched yet in this file (kept out of SQL:
    a growing "NOT IN" list would make every query slower)."""
    return next((item for item in queryset.order_by("pk") if item.pk not in claimed), None)


def _written_key(check_in: CheckIn | dict[str, Any]) -> tuple:
    """What identifies a check-in regardless of its date: when it was written, and what
    it read (a CheckIn, or the fields of one about to be recorded)."""
    names = ("created_at", "value", "level", "done")
    if isinstance(check_in, dict):
        return tuple(check_in[name] for name in names)
    return tuple(getattr(check_in, name) for name in names)


def _check_in_keys(check_in: CheckIn) -> set[tuple]:
    """The check-in's identity with and without its writing time (files may lack one)."""
    values = [getattr(check_in, name) for name in CHECK_IN_KEY]
    return {tuple(values), tuple(values[:1] + [None] + values[2:])}


def save_imported_key_result(kr: KeyResult, location: Location) -> None:
    """Validate and save a key result, keeping the measures imports keep and flag.

    Not ``actions.save_key_result``: its validation refuses a change without a start
    (the first check-in becomes the baseline) or with the start equal to the target,
    which an import keeps and flags for review. Everything else is still refused.
    """
    with problems_at(location):
        # Relations are real instances already: validating them would only cost queries.
        kr.clean_fields(exclude=["objective", "owner", "current_check_in"])
        errors = {
            name: message
            for name, message in measure_errors(kr).items()
            if name not in {"start", "target"} or kr.kind != "change"
        }
        if errors:
            raise ValidationError(errors)
        kr.save()


def fiscal_quarter(year: int, quarter: int, first_month: int) -> CycleDoc:
    """Quarter ``quarter`` of fiscal year ``year``, which starts in ``first_month`` of
    ``year`` (e.g. FY2024 from July 2024 to June 2025)."""
    first = first_month - 1 + 3 * (quarter - 1)  # months after January of ``year``
    after = first + 3
    start = date(year + first // 12, first % 12 + 1, 1)
    end = date(year + after // 12, after % 12 + 1, 1) - timedelta(days=1)
    return CycleDoc(name=f"FY{year}-Q{quarter}", start=start, end=end, kind="quarter")


def _short(text: str, length: int = 60) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


def _day(moment: date | datetime, org: Organisation) -> date:
    """A check-in's calendar day: dates as written, instants in the organisation's zone."""
    return org.local_date(moment) if isinstance(moment, datetime) else moment


def _is_utc(zone: ZoneInfo) -> bool:
    """True for UTC under any of its names (UTC, Etc/UTC, GMT, Zulu, ...): no offset in
    winter or summer. (London, with summer time, is not.)"""
    return all(
        datetime(2000, month, 1, tzinfo=zone).utcoffset() == timedelta(0) for month in (1, 7)
    )


def _measured_today(cycle: Cycle, org: Organisation) -> date:
    """When a result written in a document was measured: the cycle's end, or today if
    the cycle is undated or not over yet."""
    today = org.today()
    return min(cycle.end, today) if cycle.end else today


# --- documents (Markdown, sheets, community YAML) --------------------------------------------


class _DocumentWriter:
    """Writes one Document; see ``docs/import.md`` for the mapping rules."""

    def __init__(self, session: _Session, document: Document, path: Path) -> None:
        self.session = session
        self.document = document
        self.path = path
        self.units: dict[str, Unit] = {}
        self.cycles: dict[str, Cycle] = {}
        self.default: Cycle | None = None
        self.claimed_objectives: set[int] = set()
        self.claimed_key_results: set[int] = set()
        self.level_hints = self._level_hints()
        self.markdown = path.suffix.lower() in MARKDOWN_SUFFIXES
        self.sheet = path.suffix.lower() in SHEET_SUFFIXES

    def write(self) -> None:
        for notice in self.document.notices:
            self.session.warn(str(notice))
        by_name = {unit.name: unit for unit in self.document.units}
        for unit in self.document.units:
            self._unit(unit, by_name, set())
        for cycle in self.document.cycles:
            self.cycles[cycle.name] = self.session.cycle(cycle, self._here(f"cycle {cycle.name}"))
        for position, objective in enumerate(self.document.objectives):
            self._objective(objective, None, position)
        self._warn_shifted_midnights()
        for check_in in self.document.check_ins:
            self._check_in(check_in)

    def _warn_shifted_midnights(self) -> None:
        """Tools that keep dates as local midnights in UTC (Puzzle's export: 22:00 UTC for
        Zurich in summer, 23:00 in winter) put such check-ins a day early when they are
        dated in UTC, and the import cannot know the zone the file was written in. Times
        exactly on the hour are rare in timestamps a program wrote, so when every such
        time of a sheet is 22:00 or 23:00 UTC and the zone in use is UTC, say so. (Not
        "every time": real entry times, 11:39:02.93, may sit beside the midnights.)"""
        on_the_hour = [
            time.astimezone(UTC).hour
            for item in self.document.check_ins
            if (time := item.measured_time) is not None
            and (time.minute, time.second, time.microsecond) == (0, 0, 0)
        ]
        if not on_the_hour or not set(on_the_hour) <= {22, 23}:
            return
        if self.session.options.timezone:
            zone = ZoneInfo(self.session.options.timezone)
        else:
            zone = self.session.org.zone
        if not _is_utc(zone):
            return
        count = len(on_the_hour)
        what = "check-in time is" if count == 1 else "check-in times are"
        self.session.warn(
            f"{self.document.source}: {count} {what} exactly 22:00 or 23:00 UTC, like "
            "local midnights east of UTC stored in UTC: dated in UTC they fall a day "
            "early; if the file was written in another zone, import it with --timezone "
            "(e.g. --timezone Europe/Zurich)"
        )

    def _here(self, field_name: str | None = None) -> Location:
        return Location(self.document.source, field=field_name)

    # units

    def _level_hints(self) -> dict[str, str]:
        """The level objectives give their unit (e.g. a "Level" column): it decides the
        kind of a unit this import creates."""
        hints: dict[str, str] = {}
        for objective in self.document.all_objectives():
            if objective.unit and objective.level in UNIT_KINDS:
                hints.setdefault(objective.unit, objective.level)
        return hints

    def _unit(self, doc: UnitDoc, by_name: dict[str, UnitDoc], visiting: set[str]) -> Unit:
        if doc.name in self.units:
            return self.units[doc.name]
        if doc.name in visiting:
            raise ImportProblem(self._here(f"unit {doc.name}"), "units form a loop")
        visiting.add(doc.name)
        parent = None
        if doc.parent:
            parent_doc = by_name.get(doc.parent) or UnitDoc(doc.parent)
            parent = self._unit(parent_doc, by_name, visiting)
        kind = doc.kind
        if kind == "team" and self.level_hints.get(doc.name) in UNIT_KINDS:
            kind = self.level_hints[doc.name]
        unit = self.session.unit(doc.name, kind=kind, parent=parent)
        self.units[doc.name] = unit
        return unit

    def _unit_named(self, name: str) -> Unit:
        if name not in self.units:
            self._unit(UnitDoc(name, kind=self.level_hints.get(name, "team")), {}, set())
        return self.units[name]

    def _label_unit(self, label: str, parent: Objective | None) -> Unit:
        """An owner label names a unit: an existing one of that name, else a new one under
        the enclosing objective's unit, one level down (company → department → team)."""
        parent_unit = parent.unit if parent is not None else None
        if parent is None:
            kind = "company"
        elif parent_unit is not None and parent_unit.kind == "company":
            kind = "department"
        else:
            kind = "team"
        return self.session.unit(label.strip(), kind=kind, parent=parent_unit)

    # cycles

    def _cycle_for(self, item: ObjectiveDoc) -> Cycle:
        if item.cycle:
            if item.cycle not in self.cycles:
                doc = parse_cycle(item.cycle, item.location, year=self.session.options.year)
                self.cycles[item.cycle] = self.session.cycle(doc, item.location)
            return self.cycles[item.cycle]
        if self.default is None:
            self.default = self._default_cycle(item.location)
        return self.default

    def _default_cycle(self, location: Location) -> Cycle:
        """--cycle, else the document's only cycle, else one named in its title or file
        name ("2018-Q3" from "Calendar Year 2018 Q3 OKRs"), else stop and ask."""
        chosen = self.session.cycle_from_option(location)
        if chosen is not None:
            return chosen
        if len(self.document.cycles) == 1:
            return self.cycles[self.document.cycles[0].name]
        inferred = infer_cycle(self.path)
        if inferred is None:
            raise ImportProblem(
                location,
                "the file says which cycle its objectives belong to nowhere: pass --cycle "
                "NAME (for example --cycle 2018-Q3, or --cycle Q3 --year 2018)",
            )
        doc, origin = inferred
        self.session.warn(
            f"{self.document.source}: no cycle given; using {doc.name!r} from the file's "
            f"{origin} (pass --cycle to choose another)"
        )
        return self.session.cycle(doc, self._here("cycle"))

    # objectives

    def _objective(self, item: ObjectiveDoc, parent: Objective | None, position: int) -> None:
        cycle = self._cycle_for(item)
        unit, owner = self._placement(item, parent)
        parent_objective, parent_key_result = self._parent(item, parent)
        objective = self._match_objective(item, cycle, unit, parent_objective, parent_key_result)
        created = objective.pk is None
        values = {
            "title": item.title,
            "description": item.description,
            "cycle": cycle,
            "unit": unit,
            "parent_objective": parent_objective,
            "parent_key_result": parent_key_result,
            "state": item.state,
            "outcome": item.outcome or "",
            "position": position if item.position is None else item.position,
            **self._reported(item),
        }
        if created:
            # No document format carries it: set it on creation only, so an objective
            # someone told not to count its children keeps that through an import.
            values["include_children"] = True
        if item.external_ref and not _own_ref(objective, item.external_ref, "O"):
            values["external_ref"] = item.external_ref
        if owner is not None:
            values["owner"] = owner
        before = self.session.trail.before(objective, values)
        changed = _assign(objective, values)
        if created or changed:
            with problems_at(item.location):
                objective.full_clean(exclude=OBJECTIVE_RELATIONS, validate_constraints=False)
                objective.save()
            self.session.trail.saved(objective, before, values)
        self.claimed_objectives.add(objective.pk)
        self.session.report.objectives.add(created, changed)
        for index, key_result in enumerate(item.key_results):
            self._key_result(key_result, objective, index)
        for index, child in enumerate(item.children):
            self._objective(child, objective, index)

    def _reported(self, item: ObjectiveDoc) -> dict[str, Any]:
        """The reported score and text: a sheet's columns, else a result written after
        the title. A sheet without those columns says nothing about them: keep them."""
        if item.reported is not None:
            score, text = item.reported
        elif self.sheet:
            return {}
        else:
            score, text = reported_result(item.result_text)
        return {"reported_score": score, "reported_text": text}

    def _placement(
        self, item: ObjectiveDoc, parent: Objective | None
    ) -> tuple[Unit | None, Person | None]:
        """(unit, owner). Personal objectives (level "individual") have no unit."""
        owner = self.session.person(item.owner, item.location) if item.owner else None
        if item.level == "individual" and owner is not None:
            if item.unit and owner.unit_id is None:
                owner.unit = self._unit_named(item.unit)
                owner.save(update_fields=["unit"])
            return None, owner
        if item.unit:
            return self._unit_named(item.unit), owner
        if item.owner_label:
            return self._label_unit(item.owner_label, parent), owner
        if owner is not None:
            return None, owner
        if parent is not None:
            return parent.unit, None
        return self.session.company_unit(), None

    def _parent(
        self, item: ObjectiveDoc, enclosing: Objective | None
    ) -> tuple[Objective | None, KeyResult | None]:
        """The enclosing objective, else the one ``parent_ref`` names (an objective or a
        key result, by ID or by title); an unknown reference is a warning."""
        if enclosing is not None:
            # Nested under an objective because its Parent names one of that
            # objective's key results (a sheet): aligned to that key result.
            aligned_to = _key_result_named(enclosing, item.parent_ref)
            return (None, aligned_to) if aligned_to is not None else (enclosing, None)
        if not item.parent_ref:
            return None, None
        found = find_reference(item.parent_ref)
        if found is None:
            self.session.warn(
                f"{item.location}: aligned to {item.parent_ref!r}, which is neither in the "
                "file nor in the database: imported without alignment"
            )
            return None, None
        if isinstance(found, KeyResult):
            return None, found
        return found, None

    def _match_objective(
        self,
        item: ObjectiveDoc,
        cycle: Cycle,
        unit: Unit | None,
        parent_objective: Objective | None,
        parent_key_result: KeyResult | None,
    ) -> Objective:
        """By ID, else by (cycle, unit, parent, title); never one matched already."""
        claimed = self.claimed_objectives
        if item.external_ref:
            by_id = Objective.objects.filter(external_ref=item.external_ref)
            found = _first_unclaimed(by_id, claimed)
            if found is not None:
                return found
        by_place = Objective.objects.filter(
            cycle=cycle,
            unit=unit,
            parent_objective=parent_objective,
            parent_key_result=parent_key_result,
            title=item.title,
            external_ref__in={"", item.external_ref or ""},
        )
        return _first_unclaimed(by_place, claimed) or Objective()

    # key results

    def _key_result(self, item: KeyResultDoc, objective: Objective, position: int) -> None:
        if self.markdown:
            item = without_task_box(item)
        kr = self._match_key_result(item, objective)
        created = kr.pk is None
        inline = parse_inline_result(item.result_text) if item.result_text else None
        values = {
            "objective": objective,
            "title": item.title,
            "description": item.description,
            "position": position if item.position is None else item.position,
            **self._kept_review(kr, item, self._measure(kr, item, inline)),
        }
        if item.external_ref and not _own_ref(kr, item.external_ref, "KR"):
            values["external_ref"] = item.external_ref
        if item.weight is not None:
            values["weight"] = item.weight
        owner = item.owner or item.owner_label
        if owner:
            values["owner"] = self.session.person(owner, item.location)
        before = self.session.trail.before(kr, values)
        changed = _assign(kr, values)
        if created or changed:
            save_imported_key_result(kr, item.location)
            self.session.trail.saved(kr, before, values)
        kr = self.session.key_result_instance(kr)
        if kr.external_ref:
            self.session.key_results_by_ref.setdefault(kr.external_ref, kr)
        self.claimed_key_results.add(kr.pk)
        self.session.report.key_results.add(created, changed)
        self._written_result(kr, item, inline, objective.cycle)

    def _match_key_result(self, item: KeyResultDoc, objective: Objective) -> KeyResult:
        claimed = self.claimed_key_results
        found = None
        if item.external_ref:
            by_id = KeyResult.objects.filter(external_ref=item.external_ref)
            found = _first_unclaimed(by_id, claimed)
        if found is None and objective.pk is not None:
            by_place = KeyResult.objects.filter(
                objective=objective,
                title=item.title,
                external_ref__in={"", item.external_ref or ""},
            )
            found = _first_unclaimed(by_place, claimed)
        return KeyResult() if found is None else self.session.key_result_instance(found)

    @staticmethod
    def _kept_baseline(kr: KeyResult, measure: dict[str, Any]) -> dict[str, Any]:
        """A start taken from the first check-in is kept when the file still has none."""
        if kr.pk and measure["start"] is None and kr.start is not None and kr.check_ins.exists():
            measure = {**measure, "start": kr.start}
            if measure["relative"] is not None:
                measure["target"] = kr.target
        return measure

    def _measure(
        self, kr: KeyResult, item: KeyResultDoc, inline: InlineResult | None
    ) -> dict[str, Any]:
        return self._kept_levels(kr, self._kept_baseline(kr, key_result_measure(item, inline)))

    @staticmethod
    def _kept_review(kr: KeyResult, item: KeyResultDoc, measure: dict[str, Any]) -> dict[str, Any]:
        """Review flags are about the measure. A file that says nothing of them (no Needs
        review column) and leaves the measure as it is leaves them as they are: someone
        may have flagged the key result, or cleared the import's flag after looking."""
        if item.review is not None or kr.pk is None:
            return measure
        if any(getattr(kr, name) != measure[name] for name in MEASURE_FIELDS):
            return measure
        return {k: v for k, v in measure.items() if k not in {"needs_review", "review_reason"}}

    @staticmethod
    def _kept_levels(kr: KeyResult, measure: dict[str, Any]) -> dict[str, Any]:
        """Sheets carry level names and texts, not scores: levels that read the same keep
        what they are (their scores, or none of their own)."""
        if not kr.pk or kr.kind != "levels" or measure["kind"] != "levels":
            return measure

        def texts(levels: list[dict[str, Any]]) -> list[tuple[str, str]]:
            return [(level["name"], level.get("description") or "") for level in levels]

        # No levels of its own means the standard four, without texts.
        if texts(kr.levels or ordinal_levels({})) == texts(measure["levels"]):
            return {**measure, "levels": kr.levels}
        return measure

    def _written_result(
        self, kr: KeyResult, item: KeyResultDoc, inline: InlineResult | None, cycle: Cycle
    ) -> None:
        """A result written in the file ("8/10", "94%", "Done", a Current column) becomes
        a check-in, unless the key result already says so: its current check-in reads the
        same, or a check-in with the same reading and note exists (it was imported before).
        """
        reading = written_reading(kr, item, inline)
        if reading is None:
            return
        note = item.result_text or ""
        current = kr.current_check_in
        reads_the_same = current is not None and all(
            getattr(current, name) == value for name, value in reading.items()
        )
        if reads_the_same or kr.check_ins.filter(note=note, **reading).exists():
            self.session.report.check_ins.add(created=False, changed=False)
            return
        self.session.record_check_in(
            kr,
            item.location,
            author=self.session.acting_as,
            measured_on=_measured_today(cycle, self.session.org),
            note=note,
            **reading,
        )

    # check-ins

    def _check_in(self, item: CheckInDoc) -> None:
        kr = self.session.find_key_result(item.key_result_ref, item.location)
        reading = check_in_reading(kr, item)
        measured_on = _day(item.measured_at, self.session.org)
        if self.session.already_recorded(
            kr,
            item.location,
            timed=item.measured_time is not None,
            measured_on=measured_on,
            created_at=item.created_at,
            note=item.note,
            **reading,
        ):
            return
        author = self.session.acting_as
        if item.author:
            author = self.session.person(item.author, item.location)
        self.session.record_check_in(
            kr,
            item.location,
            author=author,
            measured_on=measured_on,
            confidence=item.confidence,
            note=item.note,
            created_at=item.created_at,
            **reading,
        )


def infer_cycle(path: Path) -> tuple[CycleDoc, str] | None:
    """A cycle named in a Markdown front matter title, else in the file name."""
    title = _front_matter_title(path)
    for text, origin in ((title, "title"), (path.stem, "name")):
        if text:
            cycle = cycle_in_text(text)
            if cycle is not None:
                return cycle, origin
    return None


_YEAR_QUARTER = re.compile(r"(?<!\d)((?:19|20)\d\d)[^\dA-Za-z]{0,3}q([1-4])(?!\d)", re.I)
_QUARTER_YEAR = re.compile(r"(?<![A-Za-z])q([1-4])[^\dA-Za-z]{0,3}((?:19|20)\d\d)(?!\d)", re.I)
_LONE_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


def cycle_in_text(text: str) -> CycleDoc | None:
    """ "Calendar Year 2018 Q3 OKRs" → 2018-Q3; "okr_2020" → 2020; else None."""
    spaced = text.replace("_", " ")
    if match := _YEAR_QUARTER.search(spaced):
        return quarter_cycle(int(match[1]), int(match[2]))
    if match := _QUARTER_YEAR.search(spaced):
        return quarter_cycle(int(match[2]), int(match[1]))
    if match := _LONE_YEAR.search(spaced):
        year = int(match[1])
        return CycleDoc(str(year), date(year, 1, 1), date(year, 12, 31), "year")
    return None


def _front_matter_title(path: Path) -> str | None:
    if path.suffix.lower() not in MARKDOWN_SUFFIXES:
        return None
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    if not lines or lines[0].strip() != "---":
        return None
    for line in lines[1:]:
        if line.strip() in {"---", "..."}:
            break
        if match := re.match(r"title:\s*(.+)", line):
            return match[1].strip().strip("\"'")
    return None


def find_reference(ref: str) -> Objective | KeyResult | None:
    """An objective or key result by external ID, own reference (O-12, KR-7) or title."""
    ref = ref.strip()
    for model, prefix in ((Objective, "O"), (KeyResult, "KR")):
        found = list(model.objects.filter(external_ref=ref)[:2])
        if len(found) == 1:
            return found[0]
        own = _own_reference(ref, prefix, model)
        if own is not None:
            return own
    titled = list(Objective.objects.filter(title=ref)[:2])
    return titled[0] if len(titled) == 1 else None


def _own_reference(ref: str, prefix: str, model: type) -> Any:
    match = re.fullmatch(rf"{prefix}-(\d+)", ref, re.IGNORECASE)
    if match is None:
        return None
    return model.objects.filter(pk=int(match[1]), external_ref="").first()


# --- mapping rules for documents (pure) ------------------------------------------------------

_TASK_BOX = re.compile(r"\[([ xX])\]\s+(\S.*)", re.DOTALL)


def without_task_box(item: KeyResultDoc) -> KeyResultDoc:
    """A Markdown task-list box ("[x] Ship the editor") is markup, not title: it says
    whether the key result is done, unless a result is written after the title."""
    match = _TASK_BOX.fullmatch(item.title)
    if match is None:
        return item
    box = f"[{match[1]}]"
    return replace(item, title=match[2], result_text=item.result_text or box)


def reported_result(text: str | None) -> tuple[float | None, str]:
    """An objective's written result → (score 0..1 or None, the text as written)."""
    if not text:
        return None, ""
    inline = parse_inline_result(text)
    if inline is None or inline.no_value:
        return None, text
    if inline.progress is not None:
        return inline.progress, text
    if inline.current is not None and inline.target:
        return inline.current / inline.target, text
    if inline.done is not None:
        return (1.0 if inline.done else 0.0), text
    return None, text


def key_result_measure(item: KeyResultDoc, inline: InlineResult | None) -> dict[str, Any]:
    """Kind and numbers of a key result: the file's own, else read from its title; then
    adjusted by a result written after it, then checked (degenerate measures are kept
    and flagged for review, never refused)."""
    measure = _measure_from_file(item) if item.kind else _measure_from_title(item)
    if item.relative is not None and measure["kind"] == "change":
        # A "Relative change" column: the target follows from the first check-in.
        measure["relative"] = item.relative
    if inline is not None:
        measure = _measure_with_result(measure, inline)
    measure = _flag_degenerate(measure)
    if item.review is not None:
        # The file's own flag wins: someone may have reviewed the key result and cleared
        # it, or flagged it for a reason the import cannot see (Northstar's export).
        needs_review, reason = item.review
        measure = {**measure, "needs_review": needs_review, "review_reason": reason}
    return measure


def _blank_measure(kind: str) -> dict[str, Any]:
    return {
        "kind": kind,
        "start": None,
        "target": None,
        "low": None,
        "high": None,
        "relative": None,
        "unit": "",
        "levels": [],
        "needs_review": False,
        "review_reason": "",
    }


def _measure_from_file(item: KeyResultDoc) -> dict[str, Any]:
    measure = _blank_measure(item.kind or "change")
    measure.update(unit=item.unit, start=item.start, target=item.target)
    if item.kind == "within":
        # Sheets have no band columns: Start and Target hold the lower and upper edge.
        measure.update(low=item.start, high=item.target, start=None, target=None)
    if item.kind == "levels":
        measure["levels"] = ordinal_levels(dict(item.levels or []))
    return measure


def _measure_from_title(item: KeyResultDoc) -> dict[str, Any]:
    parsed = parse_key_result(item.title)
    measure = _blank_measure(parsed.kind)
    measure.update(
        start=parsed.start,
        target=parsed.target,
        low=parsed.low,
        high=parsed.high,
        relative=parsed.relative,
        unit=parsed.unit or item.unit,
        needs_review=parsed.needs_review,
        review_reason=parsed.review_reason,
    )
    if parsed.kind == "levels":
        # "commit 100, target 150, stretch 200": named levels described by their numbers.
        written = {"commit": parsed.low, "target": parsed.target, "stretch": parsed.high}
        texts = {name: _figure(value, parsed.unit) for name, value in written.items()}
        measure.update(levels=ordinal_levels(texts), low=None, target=None, high=None)
    # Numbers given in their own columns win over those read from the sentence.
    if item.start is not None or item.target is not None:
        measure.update(kind="change", relative=None, needs_review=False, review_reason="")
        measure.update(start=item.start, target=item.target)
    return measure


def _figure(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    number = str(native.plain_number(value))
    return f"{number}{unit}" if unit == "%" else f"{number} {unit}".strip()


def ordinal_levels(descriptions: dict[str, str]) -> list[dict[str, Any]]:
    """fail / commit / target / stretch with their scores and the texts the file gives."""
    return [
        {"name": name, "score": score, "description": descriptions.get(name) or ""}
        for name, score in LEVEL_SCORES.items()
    ]


def _measure_with_result(measure: dict[str, Any], inline: InlineResult) -> dict[str, Any]:
    """ "8/10" and "X/10" say the target (from 0 unless a start is known); a bare
    percentage on a measure without numbers makes it "percent complete" (0 → 100 %)."""
    if inline.target is not None:
        start = measure["start"] if measure["kind"] == "change" else None
        measure = {**_blank_measure("change"), "unit": measure["unit"]}
        measure.update(start=0.0 if start is None else start, target=inline.target)
    elif inline.progress is not None and not _is_numeric(measure):
        measure = {**_blank_measure("change"), "start": 0.0, "target": 100.0, "unit": "%"}
    return measure


def _is_numeric(measure: dict[str, Any]) -> bool:
    kind = measure["kind"]
    if kind == "change":
        return measure["start"] is not None and measure["target"] is not None
    if kind in {"at_least", "at_most"}:
        return measure["target"] is not None
    return kind == "within" and measure["low"] is not None and measure["high"] is not None


def _flag_degenerate(measure: dict[str, Any]) -> dict[str, Any]:
    kind = measure["kind"]
    reason = None
    if kind == "change":
        if measure["target"] is None and measure["relative"] is None:
            reason = "no target: imported as a milestone"
        elif measure["start"] is None:
            return {**measure, "needs_review": True, "review_reason": NO_START}
        elif measure["start"] == measure["target"]:
            return {**measure, "needs_review": True, "review_reason": SAME_START_AND_TARGET}
    elif kind in {"at_least", "at_most"} and measure["target"] is None:
        reason = "no threshold: imported as a milestone"
    elif kind == "within" and (measure["low"] is None or measure["high"] is None):
        reason = "no band: imported as a milestone"
    if reason is None:
        return measure
    return {**_blank_measure("milestone"), "needs_review": True, "review_reason": reason}


def written_reading(
    kr: KeyResult, item: KeyResultDoc, inline: InlineResult | None
) -> dict[str, Any] | None:
    """The reading a result written in the file stands for, or None for no check-in
    ("X/10" has no value yet: that is not 0)."""
    if inline is not None and not inline.no_value:
        return _inline_reading(kr, inline)
    if item.current is not None:
        if kr.kind == "milestone":
            return {"done": item.current != 0}
        if kr.kind != "levels":
            return {"value": item.current}
    return None


def _inline_reading(kr: KeyResult, inline: InlineResult) -> dict[str, Any] | None:
    if inline.done is not None:
        if kr.kind == "milestone":
            return {"done": inline.done}
        return {"value": kr.target} if inline.done and kr.target is not None else None
    if inline.current is not None:
        return None if kr.kind in {"milestone", "levels"} else {"value": inline.current}
    if inline.progress is None or kr.kind in {"milestone", "levels"}:
        return None
    return {"value": _value_at(kr, inline.progress)}


def _value_at(kr: KeyResult, progress: float) -> float:
    """The value a bare percentage stands for. On a measure counted in % ("Preserve 100%
    of the error budget: 94%") it is the value itself; otherwise it is the share of the
    way from start to target (or of the threshold) that was done."""
    percent = progress * 100
    if kr.unit == "%":
        return percent
    if kr.kind == "change" and kr.start is not None and kr.target is not None:
        return kr.start + progress * (kr.target - kr.start)
    if kr.kind == "within":
        return kr.low + progress * (kr.high - kr.low)
    return progress * (kr.target or 0.0)


def check_in_reading(kr: KeyResult, item: CheckInDoc) -> dict[str, Any]:
    """value / level / done for this key result's kind, or an ImportProblem."""
    if kr.kind == "levels":
        if not item.level:
            raise ImportProblem(
                item.location,
                f"key result {kr.reference} is measured in levels: give a zone "
                f"({', '.join(level.name for level in kr.level_choices())})",
            )
        names = {level.name.casefold(): level.name for level in kr.level_choices()}
        level = names.get(item.level.casefold(), item.level)
        return {"level": level, "value": None, "done": None}
    if kr.kind == "milestone":
        done = item.done if item.done is not None else _done_from_value(item.value)
        if done is None:
            raise ImportProblem(
                item.location, f"key result {kr.reference} is a milestone: say done or not"
            )
        return {"done": done, "value": None, "level": ""}
    if item.value is None:
        raise ImportProblem(item.location, f"the check-in of {kr.reference} has no value")
    return {"value": item.value, "level": "", "done": None}


def _done_from_value(value: float | None) -> bool | None:
    return None if value is None else value != 0


# --- native files ----------------------------------------------------------------------------


class _NativeWriter:
    """Writes a native file: everything is explicit, so nothing is inferred; references
    are resolved within the file first, then in the database."""

    def __init__(self, session: _Session, native_file: NativeFile) -> None:
        self.session = session
        self.file = native_file
        self.data = native_file.data
        self.units: dict[str, Unit] = {}
        self.people: dict[str, Person] = {}
        self.cycles: dict[str, Cycle] = {}
        self.objectives: dict[str, Objective] = {}
        self.key_results: dict[str, KeyResult] = {}
        # Items matched so far, so two records never land on the same row.
        self.claimed: dict[type, set[int]] = {
            m: set() for m in (Unit, Person, Objective, KeyResult)
        }

    def at(self, record: dict[str, Any] | None, field_name: str | None = None) -> Location:
        return self.file.location(record, field_name)

    def write(self) -> None:
        if self.data["organisation"] is not None:
            self._organisation(self.data["organisation"])
        unit_records = {self._unit_ref(r): r for r in self.data["units"]}
        for record in self.data["units"]:
            self._unit(record, unit_records, set())
        for record in self.data["people"]:
            self._person(record)
        for record in self.data["people"]:
            self._person_links(record)
        for record in self.data["units"]:
            self._leads(record)
        self._cycles()
        for record in self.data["objectives"]:
            self._objective(record)
        for record in self.data["objectives"]:
            self._alignment(record)
        for record in self.data["objectives"]:
            for kr_record in record["key_results"]:
                self._check_ins(kr_record)
                self._initiatives(kr_record)

    # organisation

    def _organisation(self, record: dict[str, Any]) -> None:
        org = self.session.org
        week_start = {"monday": 0, "sunday": 6}[record["week_start"]]
        fields = [name for name in record if name not in {native.PATH, "week_start"}]
        _assign(org, {name: record[name] for name in fields} | {"week_start": week_start})
        with problems_at(self.at(record)):
            org.full_clean()
            org.save()

    # units and people

    @staticmethod
    def _unit_ref(record: dict[str, Any]) -> str:
        return record["ref"] or record["name"]

    def _unit(self, record: dict[str, Any], records: dict[str, dict], visiting: set[str]) -> Unit:
        ref = self._unit_ref(record)
        if ref in self.units:
            return self.units[ref]
        if ref in visiting:
            raise ImportProblem(self.at(record, "parent"), "units form a loop")
        visiting.add(ref)
        parent = None
        if record["parent"]:
            parent_record = records.get(record["parent"])
            parent = (
                self._unit(parent_record, records, visiting)
                if parent_record
                else self._existing_unit(record["parent"], self.at(record, "parent"))
            )
        unit = self._match_unit(record, parent)
        created = unit.pk is None
        external_ref = record["ref"] if record["ref"] and record["ref"] != record["name"] else ""
        values = {"name": record["name"], "kind": record["kind"], "parent": parent}
        if created or external_ref:
            values["external_ref"] = external_ref
        if _assign(unit, values) or created:
            with problems_at(self.at(record)):
                unit.full_clean()
                unit.save()
        self.session.report.units_created += created
        self.claimed[Unit].add(unit.pk)
        self.units[ref] = unit
        return unit

    def _match_unit(self, record: dict[str, Any], parent: Unit | None) -> Unit:
        claimed = self.claimed[Unit]
        ref = record["ref"]
        if ref and ref != record["name"]:
            found = _first_unclaimed(Unit.objects.filter(external_ref=ref), claimed)
            if found is not None:
                return found
        by_place = Unit.objects.filter(
            name=record["name"], parent=parent, external_ref__in={"", ref}
        )
        return _first_unclaimed(by_place, claimed) or Unit()

    def _existing_unit(self, ref: str, location: Location) -> Unit:
        found = Unit.objects.filter(external_ref=ref).first()
        found = found or Unit.objects.filter(name=ref).order_by("pk").first()
        if found is None:
            raise ImportProblem(location, f"no unit {ref!r} in the file or the database")
        return found

    def _unit_for(self, ref: str | None, location: Location) -> Unit | None:
        if ref is None:
            return None
        return self.units.get(ref) or self._existing_unit(ref, location)

    @staticmethod
    def _person_ref(record: dict[str, Any]) -> str:
        return record["ref"] or record["email"] or record["name"]

    def _person(self, record: dict[str, Any]) -> None:
        person = self._match_person(record)
        created = person.pk is None
        values = {
            "name": record["name"],
            "email": record["email"],
            "job_title": record["job_title"],
            "is_active": record["is_active"],
        }
        if _assign(person, values) or created:
            with problems_at(self.at(record)):
                person.full_clean(exclude=["user", "unit", "manager"])
                person.save()
        self.session.report.people_created += created
        self.claimed[Person].add(person.pk)
        self.people[self._person_ref(record)] = person

    def _match_person(self, record: dict[str, Any]) -> Person:
        if record["email"]:
            found = Person.objects.filter(email__iexact=record["email"]).first()
            return found or Person()
        by_name = Person.objects.filter(name=record["name"], email__isnull=True)
        return _first_unclaimed(by_name, self.claimed[Person]) or Person()

    def _person_links(self, record: dict[str, Any]) -> None:
        person = self.people[self._person_ref(record)]
        values = {
            "unit": self._unit_for(record["unit"], self.at(record, "unit")),
            "manager": self._person_for(record["manager"], self.at(record, "manager")),
        }
        if _assign(person, values):
            with problems_at(self.at(record, "manager")):
                person.full_clean(exclude=["user"])
                person.save()

    def _person_for(self, ref: str | None, location: Location) -> Person | None:
        if ref is None:
            return None
        return self.people.get(ref) or self.session.person(ref, location)

    def _leads(self, record: dict[str, Any]) -> None:
        unit = self.units[self._unit_ref(record)]
        leads = [self._person_for(ref, self.at(record, "leads")) for ref in record["leads"]]
        if {lead.pk for lead in leads} != set(unit.leads.values_list("pk", flat=True)):
            unit.leads.set(leads)

    # cycles

    def _cycles(self) -> None:
        for record in self.data["cycles"]:
            cycle = Cycle.objects.filter(name=record["name"]).first()
            created = cycle is None
            cycle = cycle or Cycle(name=record["name"])
            values = {key: record[key] for key in ("kind", "start", "end", "check_in_cadence_days")}
            if _assign(cycle, values) or created:
                with problems_at(self.at(record)):
                    cycle.full_clean(exclude=["parent"])
                    cycle.save()
            self.session.report.cycles_created += created
            self.cycles[record["name"]] = cycle
        for record in self.data["cycles"]:
            cycle = self.cycles[record["name"]]
            parent = self._cycle_for(record["parent"], self.at(record, "parent"))
            if _assign(cycle, {"parent": parent}):
                cycle.save(update_fields=["parent"])

    def _cycle_for(self, name: str | None, location: Location) -> Cycle | None:
        if name is None:
            return None
        cycle = self.cycles.get(name) or Cycle.objects.filter(name=name).first()
        if cycle is None:
            raise ImportProblem(location, f"no cycle {name!r} in the file or the database")
        return cycle

    # objectives and key results

    def _objective(self, record: dict[str, Any]) -> None:
        cycle = self._cycle_for(record["cycle"], self.at(record, "cycle"))
        unit = self._unit_for(record["unit"], self.at(record, "unit"))
        objective = self._match(Objective, record, cycle=cycle, unit=unit)
        created = objective.pk is None
        values = {
            "title": record["title"],
            "description": record["description"],
            "cycle": cycle,
            "unit": unit,
            "owner": self._person_for(record["owner"], self.at(record, "owner")),
            "state": record["state"],
            "outcome": record["outcome"] or "",
            "weight": record["weight"],
            "include_children": record["include_children"],
            "is_private": record["is_private"],
            "reported_score": record["reported_score"],
            "reported_text": record["reported_text"],
            "position": record["position"],
            **self._identity(objective, record, "O"),
        }
        before = self.session.trail.before(objective, values)
        changed = _assign(objective, values)
        if created or changed:
            with problems_at(self.at(record)):
                # Alignment is set in a second pass, once every objective exists.
                objective.full_clean(exclude=["parent_objective", "parent_key_result"])
                objective.save()
            self.session.trail.saved(objective, before, values)
        self.claimed[Objective].add(objective.pk)
        self.objectives[record["ref"]] = objective
        self.session.report.objectives.add(created, changed)
        for kr_record in record["key_results"]:
            self._key_result(kr_record, objective)

    def _identity(self, item: Objective | KeyResult, record: dict, prefix: str) -> dict:
        """The ref becomes the external ID, except an item's own "O-12" / "KR-7"."""
        values: dict[str, Any] = {}
        if record["created_at"] is not None:
            values["created_at"] = record["created_at"]
        own = item.pk is not None and record["ref"] == f"{prefix}-{item.pk}"
        if not (own and not item.external_ref):
            values["external_ref"] = record["ref"]
        return values

    def _match(self, model: type, record: dict[str, Any], **place: Any) -> Any:
        """By ref (external ID), else by place and title; never one matched already."""
        claimed = self.claimed[model]
        found = _first_unclaimed(model.objects.filter(external_ref=record["ref"]), claimed)
        if found is None:
            by_place = model.objects.filter(
                title=record["title"], external_ref__in={"", record["ref"]}, **place
            )
            found = _first_unclaimed(by_place, claimed)
        return found or model()

    def _key_result(self, record: dict[str, Any], objective: Objective) -> None:
        kr = self._match(KeyResult, record, objective=objective)
        created = kr.pk is None
        measure = ("kind", "start", "target", "low", "high", "relative", "unit", "weight")
        flags = ("progress_source", "state", "needs_review", "review_reason", "position")
        values = {name: record[name] for name in (*measure, *flags)}
        values |= {
            "objective": objective,
            "title": record["title"],
            "description": record["description"],
            "owner": self._person_for(record["owner"], self.at(record, "owner")),
            "levels": [_level(level) for level in record["levels"]],
            **self._identity(kr, record, "KR"),
        }
        before = self.session.trail.before(kr, values)
        changed = _assign(kr, values)
        if created or changed:
            save_imported_key_result(kr, self.at(record))
            self.session.trail.saved(kr, before, values)
        if record["contributors"] or not created:
            changed |= self._contributors(kr, record)
        self.claimed[KeyResult].add(kr.pk)
        self.key_results[record["ref"]] = self.session.key_result_instance(kr)
        self.session.report.key_results.add(created, changed)

    def _contributors(self, kr: KeyResult, record: dict[str, Any]) -> bool:
        """Name the key result's contributors as the file does; True when that changed."""
        at = self.at(record, "contributors")
        wanted = {self._person_for(ref, at).pk for ref in record["contributors"]}
        named = set(kr.contributors.values_list("pk", flat=True))
        if wanted == named:
            return False
        kr.contributors.set(wanted)
        self.session.trail.changed(
            kr, "contributors", contributor_refs(named), contributor_refs(wanted)
        )
        return True

    def _alignment(self, record: dict[str, Any]) -> None:
        objective = self.objectives[record["ref"]]
        values = {
            "parent_objective": self._aligned(record, "parent_objective", self.objectives),
            "parent_key_result": self._aligned(record, "parent_key_result", self.key_results),
        }
        before = self.session.trail.before(objective, values)
        if _assign(objective, values):
            with problems_at(self.at(record, "parent_objective")):
                objective.full_clean()
                objective.save()
            self.session.trail.saved(objective, before, values)

    def _aligned(self, record: dict[str, Any], name: str, written: dict[str, Any]) -> Any:
        ref = record[name]
        if ref is None:
            return None
        found = written.get(ref) or find_reference(ref)
        model = Objective if name == "parent_objective" else KeyResult
        if not isinstance(found, model):
            raise ImportProblem(self.at(record, name), f"nothing to align to has the ref {ref!r}")
        return found

    # check-ins and initiatives

    def _check_ins(self, record: dict[str, Any]) -> None:
        kr = self.key_results[record["ref"]]
        for item in record["check_ins"]:
            reading = {"value": item["value"], "level": item["level"], "done": item["done"]}
            if self.session.already_recorded(
                kr,
                self.at(item),
                measured_on=item["measured_on"],
                created_at=item["created_at"],
                note=item["note"],
                **reading,
            ):
                continue
            check_in = self.session.record_check_in(
                kr,
                self.at(item),
                author=self._person_for(item["author"], self.at(item, "author")),
                measured_on=item["measured_on"],
                confidence=item["confidence"],
                note=item["note"],
                created_at=item["created_at"],
                **reading,
            )
            _restore_measure_then(check_in, kr, item)

    def _initiatives(self, record: dict[str, Any]) -> None:
        kr = self.key_results[record["ref"]]
        for item in record["initiatives"]:
            owner = self._person_for(item["owner"], self.at(item, "owner"))
            same = kr.initiatives.filter(title=item["title"])
            if item["created_at"] is not None:
                same = same.filter(created_at=item["created_at"])
            initiative = same.order_by("pk").first() or Initiative(key_result=kr)
            values = {"title": item["title"], "owner": owner, "status": item["status"]}
            if item["created_at"] is not None:
                values["created_at"] = item["created_at"]
            if _assign(initiative, values) or initiative.pk is None:
                with problems_at(self.at(item)):
                    initiative.full_clean()
                    initiative.save()


def _level(record: dict[str, Any]) -> dict[str, Any]:
    return {"name": record["name"], "score": record["score"], "description": record["description"]}


def _restore_measure_then(check_in: CheckIn, kr: KeyResult, item: dict[str, Any]) -> None:
    """A check-in measured against an older start or target keeps them (and its progress
    as it was then), as it did in the database it was exported from."""
    if "start_then" not in item and "target_then" not in item:
        return
    check_in.start_then = item.get("start_then", check_in.start_then)
    check_in.target_then = item.get("target_then", check_in.target_then)
    measure = kr.measure()
    then = math.Measure(
        kind=measure.kind,
        start=check_in.start_then,
        target=check_in.target_then,
        low=measure.low,
        high=measure.high,
        levels=measure.levels,
    )
    try:
        check_in.progress_then = math.key_result_progress(then, check_in.reading).raw
    except ValueError:
        check_in.progress_then = None
    check_in.save(update_fields=["start_then", "target_then", "progress_then"])
