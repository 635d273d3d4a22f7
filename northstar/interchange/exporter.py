"""Export the database: Northstar's own YAML / JSON, a key result sheet (CSV / XLSX), or a
Markdown outline.

The native export is full-fidelity: importing it into an empty database and exporting
again gives the same text. That rests on three rules:

* Stable references. Objectives and key results are referred to by their ``ref``: their
  external ID, else Northstar's own ``O-<id>`` / ``KR-<id>`` (the importer stores the ref
  as the external ID, so it survives). Units are referred to by name (by ``U-<id>`` when
  two units share a name), people by e-mail, else by name (``Name #2`` for the second of
  two people without e-mail who share a name), cycles by name.
* Deterministic order: units and objectives depth first through their trees, siblings
  by position (objectives) or name (units) and then by creation order; check-ins by
  measured date, then time written.
* Exact values: text untouched, timestamps to the microsecond in UTC.

Derived figures (progress, levels of objectives, health) are not exported: the importer
recomputes them. Sign-in accounts are not exported either.

An export is read through `okrs.access` like any page: given a viewer (the CLI's `--as
EMAIL`) it holds only the objectives that person may read, with their key results and
check-ins; an alignment to a hidden objective is left out, as if there were none. The
operator (no `--as`) exports everything. Units and people are the public organisation chart.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from northstar.interchange.formats import native
from northstar.okrs.access import OPERATOR, Viewer, visible_objectives
from northstar.okrs.models import CheckIn, Cycle, Initiative, KeyResult, Objective
from northstar.people.models import Organisation, Person, Unit

FORMATS = ("yaml", "json", "csv", "xlsx", "md")
WEEK_STARTS = {Organisation.WeekStart.MONDAY: "monday", Organisation.WeekStart.SUNDAY: "sunday"}

# One row per key result. The sheet reader understands every header, and they carry what
# an import sets (reported results, review flags, relative changes, positions), so that a
# CSV or XLSX export imported back into the same database changes nothing. An XLSX export
# leaves "Current" out and adds a sheet of check-ins instead.
OBJECTIVE_HEADERS = [
    "Objective ID",
    "Objective",
    "Objective description",
    "Objective state",
    "Objective owner",
    "Level",
    "Team",
    "Quarter",
    "Quarter start",
    "Quarter end",
    "Parent",
    "Reported score",
    "Reported text",
    "Objective position",
]
KEY_RESULT_ONLY_HEADERS = [
    "KR ID",
    "Key Result",
    "Key Result description",
    "Owner",
    "Type",
    "Start",
    "Target",
    "Current",
    "Unit of measure",
    "Weight",
    "Fail zone",
    "Commit zone",
    "Target zone",
    "Stretch zone",
    "Relative change",
    "Needs review",
    "Review reason",
    "KR position",
]
KEY_RESULT_HEADERS = OBJECTIVE_HEADERS + KEY_RESULT_ONLY_HEADERS
CHECK_IN_HEADERS = ["KR ID", "Date", "Created", "Value", "Zone", "Done", "Confidence", "Note", "By"]
ZONES = ("fail", "commit", "target", "stretch")


def export(fmt: str, viewer: Viewer = OPERATOR) -> str | bytes:
    """What the viewer may read (the operator: the whole database) in one of ``FORMATS``;
    bytes for XLSX, text otherwise."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r} (one of {', '.join(FORMATS)})")
    if fmt == "yaml":
        return native.dump_yaml(snapshot(viewer))
    if fmt == "json":
        return native.dump_json(snapshot(viewer))
    if fmt == "csv":
        return key_result_csv(viewer)
    if fmt == "xlsx":
        return workbook_bytes(viewer)
    return markdown_outline(viewer)


# --- loading and references ------------------------------------------------------------------


@dataclass
class _Data:
    """Everything the exports need, loaded once, with each item's reference."""

    organisation: Organisation
    units: list[Unit]
    people: list[Person]
    cycles: list[Cycle]
    objectives: list[Objective]  # depth first through the alignment tree
    unit_refs: dict[int, str] = field(default_factory=dict)
    person_refs: dict[int, str] = field(default_factory=dict)
    objective_refs: dict[int, str] = field(default_factory=dict)
    key_result_refs: dict[int, str] = field(default_factory=dict)
    depth: dict[int, int] = field(default_factory=dict)
    objective_of_key_result: dict[int, int] = field(default_factory=dict)

    def unit(self, unit_id: int | None) -> str | None:
        return None if unit_id is None else self.unit_refs[unit_id]

    def person(self, person_id: int | None) -> str | None:
        return None if person_id is None else self.person_refs[person_id]


def _load(viewer: Viewer) -> _Data:
    # Read without creating: an export must not write, not even the settings row.
    organisation = Organisation.objects.order_by("pk").first() or Organisation()
    units = _unit_tree(list(Unit.objects.prefetch_related("leads")))
    people = sorted(Person.objects.all(), key=lambda p: (p.name, p.email or "", p.pk))
    cycles = list(Cycle.objects.select_related("parent"))
    objectives, depth = _objective_tree(viewer)
    data = _Data(organisation, units, people, cycles, objectives, depth=depth)
    data.unit_refs = _unit_refs(units)
    data.person_refs = _person_refs(people)
    data.objective_refs = _refs({o.pk: o.external_ref for o in objectives}, "O")
    key_results = [kr for o in objectives for kr in o.key_results.all()]
    data.key_result_refs = _refs({kr.pk: kr.external_ref for kr in key_results}, "KR")
    data.objective_of_key_result = {kr.pk: kr.objective_id for kr in key_results}
    return data


def _unit_tree(units: list[Unit]) -> list[Unit]:
    """Units depth first, siblings by name then creation, so parents come first."""
    children: dict[int | None, list[Unit]] = {}
    for unit in sorted(units, key=lambda u: (u.name, u.pk)):
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def visit(parent_id: int | None) -> None:
        for unit in children.get(parent_id, []):
            ordered.append(unit)
            visit(unit.pk)

    visit(None)
    return ordered


def _objective_tree(viewer: Viewer) -> tuple[list[Objective], dict[int, int]]:
    """Objectives depth first through alignment (under objectives or their key results).
    Key results, check-ins and contributors come with their objective: whoever may read
    an objective may read those (access.py)."""
    objectives = list(
        visible_objectives(viewer)
        .select_related("cycle", "unit", "owner")
        .prefetch_related(
            "key_results__check_ins", "key_results__initiatives", "key_results__contributors"
        )
    )
    readable = {o.pk for o in objectives}
    kr_objective = {kr.pk: o.pk for o in objectives for kr in o.key_results.all()}
    children: dict[int | None, list[Objective]] = {}
    for objective in objectives:
        # Under a hidden parent, an objective starts its own tree.
        parent = (
            objective.parent_objective_id if objective.parent_objective_id in readable else None
        )
        parent = parent or kr_objective.get(objective.parent_key_result_id)
        children.setdefault(parent, []).append(objective)
    cycle_order = {cycle.pk: index for index, cycle in enumerate(Cycle.objects.all())}
    ordered: list[Objective] = []
    depth: dict[int, int] = {}

    def visit(objective: Objective, level: int) -> None:
        if objective.pk in depth:
            return  # an alignment loop (never saved through the actions): write it once
        depth[objective.pk] = level
        ordered.append(objective)
        for child in sorted(children.get(objective.pk, []), key=lambda o: (o.position, o.pk)):
            visit(child, level + 1)

    roots = children.get(None, [])
    for root in sorted(roots, key=lambda o: (cycle_order[o.cycle_id], o.position, o.pk)):
        visit(root, 0)
    for objective in objectives:  # anything caught in a loop
        visit(objective, 0)
    return ordered, depth


def _unit_refs(units: list[Unit]) -> dict[int, str]:
    names = Counter(unit.name for unit in units if not unit.external_ref)
    refs = {}
    for unit in units:
        if unit.external_ref:
            refs[unit.pk] = unit.external_ref
        else:
            refs[unit.pk] = unit.name if names[unit.name] == 1 else f"U-{unit.pk}"
    return refs


def _person_refs(people: list[Person]) -> dict[int, str]:
    """E-mail, else name; the second of two same-named people without e-mail is "Name #2"."""
    seen: Counter[str] = Counter()
    refs = {}
    for person in sorted(people, key=lambda p: p.pk):
        if person.email:
            refs[person.pk] = person.email
            continue
        seen[person.name] += 1
        count = seen[person.name]
        refs[person.pk] = person.name if count == 1 else f"{person.name} #{count}"
    return refs


def _refs(external: dict[int, str], prefix: str) -> dict[int, str]:
    """External IDs, else ``<prefix>-<id>``. A ref already used (two items imported with
    the same ID, or a generated ref equal to another item's ID) gets ``-<id>`` appended,
    so that every ref in a file names one item."""
    explicit = {ref for ref in external.values() if ref}
    used: set[str] = set()
    refs = {}
    for pk, external_ref in sorted(external.items()):
        ref = external_ref or f"{prefix}-{pk}"
        if ref in used or (not external_ref and ref in explicit):
            ref = f"{ref}-{pk}"
        used.add(ref)
        refs[pk] = ref
    return refs


# --- native YAML / JSON ----------------------------------------------------------------------


def snapshot(viewer: Viewer = OPERATOR) -> dict[str, Any]:
    """Everything the viewer may read as plain records (see ``docs/format.md``)."""
    data = _load(viewer)
    return {
        native.FORMAT_KEY: native.FORMAT_VERSION,
        "organisation": _organisation(data.organisation),
        "units": [_unit(unit, data) for unit in data.units],
        "people": [_person(person, data) for person in data.people],
        "cycles": [_cycle(cycle) for cycle in data.cycles],
        "objectives": [_objective(objective, data) for objective in data.objectives],
    }


def _organisation(org: Organisation) -> dict[str, Any]:
    return native.compact(
        "organisation",
        {
            "name": org.name,
            "time_zone": org.time_zone,
            "fiscal_year_start_month": org.fiscal_year_start_month,
            "week_start": WEEK_STARTS.get(org.week_start, "monday"),
            "check_in_cadence_days": org.check_in_cadence_days,
            "behind_threshold": org.behind_threshold,
            "at_risk_threshold": org.at_risk_threshold,
        },
    )


def _unit(unit: Unit, data: _Data) -> dict[str, Any]:
    ref = data.unit_refs[unit.pk]
    return native.compact(
        "unit",
        {
            "name": unit.name,
            "ref": ref if ref != unit.name else None,
            "kind": unit.kind,
            "parent": data.unit(unit.parent_id),
            "leads": sorted(data.person_refs[lead.pk] for lead in unit.leads.all()),
        },
    )


def _person(person: Person, data: _Data) -> dict[str, Any]:
    ref = data.person_refs[person.pk]
    return native.compact(
        "person",
        {
            "name": person.name,
            "email": person.email,
            "ref": ref if ref not in {person.email, person.name} else None,
            "unit": data.unit(person.unit_id),
            "manager": data.person(person.manager_id),
            "job_title": person.job_title,
            "is_active": person.is_active,
        },
    )


def _cycle(cycle: Cycle) -> dict[str, Any]:
    return native.compact(
        "cycle",
        {
            "name": cycle.name,
            "kind": cycle.kind,
            "start": cycle.start,
            "end": cycle.end,
            "parent": cycle.parent.name if cycle.parent_id else None,
            "check_in_cadence_days": cycle.check_in_cadence_days,
        },
    )


def _objective(objective: Objective, data: _Data) -> dict[str, Any]:
    parent_objective = objective.parent_objective_id
    parent_key_result = objective.parent_key_result_id
    return native.compact(
        "objective",
        {
            "ref": data.objective_refs[objective.pk],
            "title": objective.title,
            "description": objective.description,
            "cycle": objective.cycle.name,
            "unit": data.unit(objective.unit_id),
            "owner": data.person(objective.owner_id),
            "parent_objective": data.objective_refs.get(parent_objective),
            "parent_key_result": data.key_result_refs.get(parent_key_result),
            "state": objective.state,
            "outcome": objective.outcome or None,
            "weight": objective.weight,
            "include_children": objective.include_children,
            "is_private": objective.is_private,
            "reported_score": objective.reported_score,
            "reported_text": objective.reported_text,
            "position": objective.position,
            "created_at": _utc(objective.created_at),
            "key_results": [_key_result(kr, data) for kr in objective.key_results.all()],
        },
    )


def _key_result(kr: KeyResult, data: _Data) -> dict[str, Any]:
    return native.compact(
        "key_result",
        {
            "ref": data.key_result_refs[kr.pk],
            "title": kr.title,
            "description": kr.description,
            "owner": data.person(kr.owner_id),
            "contributors": sorted(data.person_refs[p.pk] for p in kr.contributors.all()),
            "weight": kr.weight,
            "kind": kr.kind,
            "start": kr.start,
            "target": kr.target,
            "low": kr.low,
            "high": kr.high,
            "relative": kr.relative,
            "unit": kr.unit,
            "levels": [_level(level) for level in kr.levels or []],
            "progress_source": kr.progress_source,
            "state": kr.state,
            "needs_review": kr.needs_review,
            "review_reason": kr.review_reason,
            "position": kr.position,
            "created_at": _utc(kr.created_at),
            "check_ins": [_check_in(check_in, kr, data) for check_in in kr.check_ins.all()],
            "initiatives": [_initiative(item, data) for item in kr.initiatives.all()],
        },
    )


def _level(level: dict[str, Any]) -> dict[str, Any]:
    return native.compact(
        "level",
        {
            "name": level["name"],
            "score": float(level["score"]),
            "description": level.get("description", ""),
        },
    )


def _check_in(check_in: CheckIn, kr: KeyResult, data: _Data) -> dict[str, Any]:
    values = {
        "measured_on": check_in.measured_on,
        "created_at": _utc(check_in.created_at),
        "value": check_in.value,
        "level": check_in.level,
        "done": check_in.done,
        "confidence": check_in.confidence,
        "note": check_in.note,
        "author": data.person(check_in.author_id),
    }
    # Only when the check-in was measured against another start or target than today's.
    if check_in.start_then != kr.start:
        values["start_then"] = check_in.start_then
    if check_in.target_then != kr.target:
        values["target_then"] = check_in.target_then
    return native.compact("check_in", values)


def _initiative(initiative: Initiative, data: _Data) -> dict[str, Any]:
    return native.compact(
        "initiative",
        {
            "title": initiative.title,
            "owner": data.person(initiative.owner_id),
            "status": initiative.status,
            "created_at": _utc(initiative.created_at),
        },
    )


def _utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC)


# --- key result sheets -----------------------------------------------------------------------


def key_result_csv(viewer: Viewer = OPERATOR) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(KEY_RESULT_HEADERS)
    writer.writerows(_key_result_rows(_load(viewer), with_current=True))
    return buffer.getvalue()


def workbook_bytes(viewer: Viewer = OPERATOR) -> bytes:
    from openpyxl import Workbook  # Imported here: only this export needs it.

    data = _load(viewer)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Key results"
    headers = [h for h in KEY_RESULT_HEADERS if h != "Current"]
    sheet.append(headers)
    for row in _key_result_rows(data, with_current=False):
        sheet.append([_cell(value) for value in row])
    check_ins = workbook.create_sheet("Check-ins")
    check_ins.append(CHECK_IN_HEADERS)
    for row in _check_in_rows(data):
        check_ins.append([_cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _cell(value: Any) -> Any:
    """What openpyxl can store: no control characters (Excel refuses them)."""
    if isinstance(value, str):
        return "".join(c for c in value if c >= " " or c in "\t\n\r")
    return value


def _key_result_rows(data: _Data, *, with_current: bool) -> Iterator[list[Any]]:
    for objective in data.objectives:
        key_results = list(objective.key_results.all())
        if not key_results:
            yield _objective_cells(objective, data) + _key_result_cells(None, data, with_current)
        for kr in key_results:
            yield _objective_cells(objective, data) + _key_result_cells(kr, data, with_current)


def _objective_cells(objective: Objective, data: _Data) -> list[Any]:
    cycle = objective.cycle
    return [
        data.objective_refs[objective.pk],
        objective.title,
        objective.description,
        _sheet_state(objective),
        data.person(objective.owner_id) or "",
        objective.level,
        objective.unit.name if objective.unit_id else "",
        cycle.name,
        _iso(cycle.start),
        _iso(cycle.end),
        _parent_ref(objective, data),
        _number(objective.reported_score),
        objective.reported_text,
        objective.position,
    ]


def _sheet_state(objective: Objective) -> str:
    if objective.outcome == "achieved":
        return "achieved"
    if objective.outcome == "not_achieved":
        return "not achieved"
    return objective.state


def _parent_ref(objective: Objective, data: _Data) -> str:
    """The objective or key result it is aligned to (the sheet reader finds either)."""
    if objective.parent_objective_id:
        return data.objective_refs.get(objective.parent_objective_id, "")
    if objective.parent_key_result_id:
        return data.key_result_refs.get(objective.parent_key_result_id, "")
    return ""


def _key_result_cells(kr: KeyResult | None, data: _Data, with_current: bool) -> list[Any]:
    if kr is None:
        width = len(KEY_RESULT_ONLY_HEADERS) - (0 if with_current else 1)
        return [""] * width
    start, target = _sheet_measure(kr)
    cells = [
        data.key_result_refs[kr.pk],
        kr.title,
        kr.description,
        data.person(kr.owner_id) or "",
        kr.kind,
        _number(start),
        _number(target),
    ]
    if with_current:
        cells.append(_current(kr))
    cells += [kr.unit, _number(kr.weight), *_zones(kr)]
    cells += [
        _number(kr.relative),
        "yes" if kr.needs_review else "no",
        kr.review_reason,
        kr.position,
    ]
    return cells


def _sheet_measure(kr: KeyResult) -> tuple[float | None, float | None]:
    """Start / Target columns; a band is written there as lower / upper edge."""
    if kr.kind == "within":
        return kr.low, kr.high
    return kr.start, kr.target


def _current_check_in(kr: KeyResult) -> CheckIn | None:
    """The current check-in from the prefetched ones (no query per key result)."""
    return next((c for c in kr.check_ins.all() if c.pk == kr.current_check_in_id), None)


def _current(kr: KeyResult) -> Any:
    current = _current_check_in(kr)
    if current is None or kr.kind == "levels":
        return ""
    if kr.kind == "milestone":
        return 1 if current.done else 0
    return _number(current.value)


def _zones(kr: KeyResult) -> list[str]:
    if kr.kind != "levels":
        return [""] * len(ZONES)
    described = {level["name"].casefold(): level.get("description", "") for level in kr.levels}
    return [described.get(zone, "") for zone in ZONES]


def _check_in_rows(data: _Data) -> Iterator[list[Any]]:
    for objective in data.objectives:
        for kr in objective.key_results.all():
            for check_in in kr.check_ins.all():
                yield [
                    data.key_result_refs[kr.pk],
                    check_in.measured_on,
                    _utc(check_in.created_at).isoformat(),
                    _number(check_in.value),
                    check_in.level,
                    "" if check_in.done is None else ("yes" if check_in.done else "no"),
                    "" if check_in.confidence is None else check_in.confidence,
                    check_in.note,
                    data.person(check_in.author_id) or "",
                ]


def _number(value: float | None) -> Any:
    return "" if value is None else native.plain_number(value)


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


# --- Markdown outline ------------------------------------------------------------------------


def markdown_outline(viewer: Viewer = OPERATOR) -> str:
    """Objectives per cycle as nested ``**Objective:**`` / ``**Key Result:**`` bullets,
    each key result with its current value; the Markdown reader reads it back."""
    data = _load(viewer)
    lines = [f"# OKRs of {data.organisation.name}", ""]
    for cycle in data.cycles:
        objectives = [o for o in data.objectives if o.cycle_id == cycle.pk]
        if objectives:
            lines += [f"## {cycle.name}", ""]
            lines += list(_outline(objectives, data))
            lines.append("")
    return "\n".join(lines)


def _outline(objectives: Iterable[Objective], data: _Data) -> Iterator[str]:
    base = None
    for objective in objectives:
        depth = data.depth[objective.pk]
        base = depth if base is None else min(base, depth)
        indent = "    " * (depth - base)
        label = _label(objective)
        progress = "" if objective.progress is None else f" — {round(objective.progress * 100)}%"
        yield f"{indent}* **Objective:** {label}{_one_line(objective.title)}{progress}"
        for kr in objective.key_results.all():
            yield f"{indent}    * **Key Result:** {_one_line(kr.title)}{_result(kr)}"


def _label(objective: Objective) -> str:
    """The unit as an owner label ("Platform: …") when it reads as one."""
    if not objective.unit_id:
        return ""
    name = objective.unit.name
    label_like = len(name.split()) <= 4 and len(name) <= 40
    label_like = label_like and not any(c.isdigit() or c in "[]()%:" for c in name)
    return f"{name}: " if label_like else ""


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _result(kr: KeyResult) -> str:
    """The current value after an em dash, in the shapes the sentence parser reads back:
    "— 8/10 (80%)", "— 94%" (a measure in %), "— 50%" (share of the way), "— Done"."""
    current = _current_check_in(kr)
    if current is None:
        return ""
    if kr.kind == "milestone":
        return " — Done" if current.done else " — Not done"
    if kr.kind == "levels":
        return f" — {current.level}"
    percent = round((kr.progress or 0) * 100)
    if kr.unit == "%":
        return f" — {_figure(current.value)}%"
    if kr.kind == "change" and kr.start == 0 and kr.target:
        return f" — {_figure(current.value)}/{_figure(kr.target)} ({percent}%)"
    return f" — {percent}%"


def _figure(value: float | None) -> str:
    """A number as the sentence parser reads it: no thousands separators."""
    return str(native.plain_number(value))
