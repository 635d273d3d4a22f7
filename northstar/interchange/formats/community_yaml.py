"""Read the "organisation → projects → members" OKR YAML used by community repos.

The layout (e.g. Startup Sonoma County's)::

    Name: "Organisation"
    OKR:
      2019: {}
      Q4:
        Objective: "…"
        KeyResults:
          - Metric: "…"
    Projects:
      - Name: "Project"
        OKR: {…}
        Members:
          - Name: "Person"
            OKR: {…}

Rules:

* The organisation becomes a ``company`` unit, each project a ``team`` unit under it;
  members are people: they own their objectives (level ``individual``, unit = their
  project). Organisation objectives have level ``company``, project ones ``team``.
* Each ``OKR`` key is a cycle: ``2019`` a year, ``2018-Q4`` / ``Q4 2018`` a calendar
  quarter, and a bare ``Q4`` the quarter of ``year`` (``--year``); without it the
  reader stops with a message asking for ``--year``. Empty entries (``Q4: {}``) are
  skipped without needing a year.
* An entry holds one ``Objective`` with ``KeyResults`` (``Metric`` texts, or plain
  strings), or a list of such entries. A key result with empty text is skipped with a
  notice.
* Alignment follows the hierarchy within the same cycle: project objectives under the
  organisation's objective, member objectives under their project's (or, if the project
  has none in that cycle, the organisation's).
* Everything else (``Vision``, ``Crons``, ``SOPs``, …) is ignored.
* Locations are YAML paths such as ``Projects[0].Members[2].OKR.Q4.KeyResults[0]``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from northstar.interchange.document import (
    Document,
    ImportProblem,
    KeyResultDoc,
    Location,
    ObjectiveDoc,
    UnitDoc,
)
from northstar.interchange.formats._common import load_text, parse_cycle

KEY_RESULT_TEXT_KEYS = ("Metric", "KeyResult", "Key Result", "Title", "Name")


def looks_like_community_yaml(data: object) -> bool:
    """True for parsed YAML in this layout (Northstar's own has a ``northstar`` key)."""
    if not isinstance(data, dict) or "northstar" in data:
        return False
    has_okrs = isinstance(data.get("OKR"), dict)
    has_projects = isinstance(data.get("Projects"), list)
    return "Name" in data and (has_okrs or has_projects)


def read_community_yaml(
    path_or_text: str | Path, *, year: int | None, source: str | None = None
) -> Document:
    """Read an organisation → projects → members OKR file into a Document."""
    text, default_source = load_text(path_or_text)
    document = Document(source=source or default_source)
    data = _load(text, document.source)
    _Reader(document, year).read_organisation(data)
    return document


def _load(text: str, source: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        raise ImportProblem(Location(source, line=line), f"not valid YAML: {error}") from None
    if not looks_like_community_yaml(data):
        raise ImportProblem(Location(source), "not an organisation / projects / members OKR file")
    return data


@dataclass
class _Reader:
    document: Document
    year: int | None

    def read_organisation(self, data: dict[str, Any]) -> None:
        name = _name(data)
        if name:
            self.document.units.append(UnitDoc(name=name, kind="company"))
        roots = self._objectives(data, "", unit=name, level="company", owner=None)
        self.document.objectives.extend(roots)
        parents = _by_cycle(roots)
        for index, project in enumerate(_list(data.get("Projects"))):
            self._read_project(project, f"Projects[{index}]", name, parents)

    def _read_project(
        self, project: Any, path: str, company: str | None, parents: dict[str, ObjectiveDoc]
    ) -> None:
        if not isinstance(project, dict):
            self.document.notice(self._location(path), "a project that is not a mapping: skipped")
            return
        name = _name(project)
        if name:
            self.document.units.append(UnitDoc(name=name, kind="team", parent=company))
        own = self._objectives(project, path, unit=name, level="team", owner=None)
        _align(own, parents, self.document.objectives)
        # Members align under their project's objective, else the organisation's.
        reachable = {**parents, **_by_cycle(own)}
        for index, member in enumerate(_list(project.get("Members"))):
            self._read_member(member, f"{path}.Members[{index}]", name, reachable)

    def _read_member(
        self, member: Any, path: str, unit: str | None, parents: dict[str, ObjectiveDoc]
    ) -> None:
        if not isinstance(member, dict):
            self.document.notice(self._location(path), "a member that is not a mapping: skipped")
            return
        person = _name(member)
        own = self._objectives(member, path, unit=unit, level="individual", owner=person)
        _align(own, parents, self.document.objectives)

    def _objectives(
        self, holder: dict[str, Any], path: str, *, unit: str | None, level: str, owner: str | None
    ) -> list[ObjectiveDoc]:
        """Objectives of one organisation, project or member, in file order."""
        okr = holder.get("OKR")
        if not isinstance(okr, dict):
            return []
        prefix = f"{path}.OKR" if path else "OKR"
        found = []
        for key, entry in okr.items():
            for objective in self._entry(entry, f"{prefix}.{key}", str(key)):
                objective.unit, objective.level, objective.owner = unit, level, owner
                found.append(objective)
        return found

    def _entry(self, entry: Any, path: str, cycle_key: str) -> Iterator[ObjectiveDoc]:
        items = [(entry, path)] if isinstance(entry, dict) else _indexed(entry, path)
        items = [(item, item_path) for item, item_path in items if _has_objective(item)]
        if not items:
            return
        cycle = self._cycle(cycle_key, path)
        for item, item_path in items:
            yield self._objective(item, item_path, cycle)

    def _cycle(self, key: str, path: str) -> str:
        cycle = parse_cycle(key, self._location(path), year=self.year)
        if all(known.name != cycle.name for known in self.document.cycles):
            self.document.cycles.append(cycle)
        return cycle.name

    def _objective(self, item: dict[str, Any], path: str, cycle: str) -> ObjectiveDoc:
        objective = ObjectiveDoc(
            title=str(item["Objective"]),
            location=self._location(f"{path}.Objective"),
            description=str(item.get("Description") or ""),
            cycle=cycle,
        )
        for index, result in enumerate(_list(item.get("KeyResults"))):
            key_result = self._key_result(result, f"{path}.KeyResults[{index}]")
            if key_result is not None:
                objective.key_results.append(key_result)
        return objective

    def _key_result(self, result: Any, path: str) -> KeyResultDoc | None:
        location = self._location(path)
        text = _key_result_text(result)
        if not text.strip():
            self.document.notice(location, "a key result without text: skipped")
            return None
        raw = {str(k): str(v) for k, v in result.items()} if isinstance(result, dict) else {}
        return KeyResultDoc(title=text, location=location, raw=raw)

    def _location(self, path: str) -> Location:
        return Location(self.document.source, field=path)


def _by_cycle(objectives: list[ObjectiveDoc]) -> dict[str, ObjectiveDoc]:
    """The objective others align under, per cycle: the first one written."""
    first: dict[str, ObjectiveDoc] = {}
    for objective in objectives:
        first.setdefault(objective.cycle or "", objective)
    return first


def _align(
    objectives: list[ObjectiveDoc],
    parents: dict[str, ObjectiveDoc],
    roots: list[ObjectiveDoc],
) -> None:
    """Put each objective under the parent objective of the same cycle, else at the top."""
    for objective in objectives:
        parent = parents.get(objective.cycle or "")
        (parent.children if parent is not None else roots).append(objective)


def _key_result_text(result: Any) -> str:
    if result is None:
        return ""
    if isinstance(result, str | int | float):
        return str(result)
    if isinstance(result, dict):
        return next((str(result[key]) for key in KEY_RESULT_TEXT_KEYS if result.get(key)), "")
    return ""


def _has_objective(item: Any) -> bool:
    return isinstance(item, dict) and bool(str(item.get("Objective") or "").strip())


def _indexed(entry: Any, path: str) -> list[tuple[Any, str]]:
    return [(item, f"{path}[{index}]") for index, item in enumerate(_list(entry))]


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _name(holder: dict[str, Any]) -> str | None:
    name = holder.get("Name")
    if name is None:
        return None
    return str(name).strip() or None
