"""Northstar's own interchange format: the whole database as YAML or JSON.

The format is documented field by field in ``docs/format.md``. This module knows the
shape of the file and nothing about the database: it turns a file into validated plain
records (``read_native``) and plain records into text (``dump_yaml`` / ``dump_json``).
The exporter builds the records and the importer writes them.

Design choices that make an export re-import to the very same file:

* One schema (``SCHEMA``) describes every record: the reader checks types against it and
  fills in defaults; the exporter leaves out fields equal to their default.
* Text is written so that YAML gives it back exactly: multi-line text as a literal block
  when PyYAML can keep it exact, otherwise double-quoted with escapes.
* Timestamps are ISO 8601 in UTC with microseconds; numbers without a fraction are
  written as integers (they are read back as floats where the field is a number).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml

from northstar.interchange.document import (
    CYCLE_KINDS,
    KEY_RESULT_KINDS,
    OBJECTIVE_STATES,
    OUTCOMES,
    UNIT_KINDS,
    ImportProblem,
    Location,
)
from northstar.interchange.formats._common import load_text

FORMAT_KEY = "northstar"
FORMAT_VERSION = 1
# Key of the YAML path a validated record came from (for error messages).
PATH = "@path"


class _Required:
    """Marks a field the file must give."""

    def __repr__(self) -> str:
        return "REQUIRED"


class _Absent:
    """Marks a field that stays absent from the record when the file does not give it."""

    def __repr__(self) -> str:
        return "ABSENT"


REQUIRED: Any = _Required()
ABSENT: Any = _Absent()


@dataclass(frozen=True)
class Field:
    """One field of a record: its type, its default and, for choices, the allowed values."""

    type: str  # text, number, integer, boolean, date, datetime, choice, refs, record(s)
    default: Any = None
    choices: tuple[str, ...] = ()
    record: str = ""  # the SCHEMA entry of nested records


def _text(default: Any = "") -> Field:
    return Field("text", default)


def _number(default: Any = None) -> Field:
    return Field("number", default)


def _choice(choices: tuple[str, ...], default: Any) -> Field:
    return Field("choice", default, choices)


def _records(record: str) -> Field:
    return Field("records", (), record=record)


SCHEMA: dict[str, dict[str, Field]] = {
    "file": {
        FORMAT_KEY: Field("integer", REQUIRED),
        "organisation": Field("record", None, record="organisation"),
        "units": _records("unit"),
        "people": _records("person"),
        "cycles": _records("cycle"),
        "objectives": _records("objective"),
    },
    "organisation": {
        "name": _text("My organisation"),
        "time_zone": _text("UTC"),
        "fiscal_year_start_month": Field("integer", 1),
        "week_start": _choice(("monday", "sunday"), "monday"),
        "check_in_cadence_days": Field("integer", 7),
        "behind_threshold": _number(0.85),
        "at_risk_threshold": _number(0.6),
    },
    "unit": {
        "name": _text(REQUIRED),
        "ref": _text(None),
        "kind": _choice(UNIT_KINDS, "team"),
        "parent": _text(None),
        "leads": Field("refs", ()),
    },
    "person": {
        "name": _text(REQUIRED),
        "email": _text(None),
        "ref": _text(None),
        "unit": _text(None),
        "manager": _text(None),
        "job_title": _text(""),
        "is_active": Field("boolean", True),
    },
    "cycle": {
        "name": _text(REQUIRED),
        "kind": _choice(CYCLE_KINDS, "quarter"),
        "start": Field("date", None),
        "end": Field("date", None),
        "parent": _text(None),
        "check_in_cadence_days": Field("integer", None),
    },
    "objective": {
        "ref": _text(REQUIRED),
        "title": _text(REQUIRED),
        "description": _text(""),
        "cycle": _text(REQUIRED),
        "unit": _text(None),
        "owner": _text(None),
        "parent_objective": _text(None),
        "parent_key_result": _text(None),
        "state": _choice(OBJECTIVE_STATES, "active"),
        "outcome": _choice(OUTCOMES, None),
        "weight": _number(1.0),
        "include_children": Field("boolean", True),
        "is_private": Field("boolean", False),
        "reported_score": _number(None),
        "reported_text": _text(""),
        "position": Field("integer", 0),
        "created_at": Field("datetime", None),
        "key_results": _records("key_result"),
    },
    "key_result": {
        "ref": _text(REQUIRED),
        "title": _text(REQUIRED),
        "description": _text(""),
        "owner": _text(None),
        "contributors": Field("refs", ()),
        "weight": _number(1.0),
        "kind": _choice(KEY_RESULT_KINDS, "change"),
        "start": _number(None),
        "target": _number(None),
        "low": _number(None),
        "high": _number(None),
        "relative": _number(None),
        "unit": _text(""),
        "levels": _records("level"),
        "progress_source": _choice(("own", "aligned"), "own"),
        "state": _choice(("active", "archived"), "active"),
        "needs_review": Field("boolean", False),
        "review_reason": _text(""),
        "position": Field("integer", 0),
        "created_at": Field("datetime", None),
        "check_ins": _records("check_in"),
        "initiatives": _records("initiative"),
    },
    "level": {
        "name": _text(REQUIRED),
        "score": _number(REQUIRED),
        "description": _text(""),
    },
    "check_in": {
        "measured_on": Field("date", REQUIRED),
        "created_at": Field("datetime", None),
        "value": _number(None),
        "level": _text(""),
        "done": Field("boolean", None),
        "confidence": Field("integer", None),
        "note": _text(""),
        "author": _text(None),
        # Only written when the check-in was measured against another start or target
        # than the key result's current ones.
        "start_then": _number(ABSENT),
        "target_then": _number(ABSENT),
    },
    "initiative": {
        "title": _text(REQUIRED),
        "owner": _text(None),
        "status": _choice(("planned", "in_progress", "done", "dropped"), "planned"),
        "created_at": Field("datetime", None),
    },
}


# --- reading -------------------------------------------------------------------------------


@dataclass
class NativeFile:
    """A validated native file: plain records with every default filled in."""

    source: str
    data: dict[str, Any]
    lines: dict[str, int]

    def location(self, record: dict[str, Any] | None, field: str | None = None) -> Location:
        """Where a record (or one of its fields) sits in the file."""
        path = record[PATH] if record is not None else ""
        return _at(self, _join(path, field) if field else path)


def is_native(data: object) -> bool:
    """True for parsed YAML/JSON that declares itself a Northstar file."""
    return isinstance(data, dict) and FORMAT_KEY in data


def load_tree(path_or_text: str | Path, *, source: str | None = None) -> tuple[Any, dict, str]:
    """Parse YAML or JSON into plain data, the line of each key path, and the source name."""
    text, default_source = load_text(path_or_text)
    source = source or default_source
    if source.lower().endswith(".json"):
        return _load_json(text, source), {}, source
    return (*_load_yaml(text, source), source)


def read_native(path_or_text: str | Path, *, source: str | None = None) -> NativeFile:
    """Read and validate a native file."""
    data, lines, source = load_tree(path_or_text, source=source)
    return validate_native(data, lines, source)


def validate_native(data: Any, lines: dict[str, int], source: str) -> NativeFile:
    """Check parsed data against the schema; raise ImportProblem at the first mistake."""
    native = NativeFile(source, {}, lines)
    if not is_native(data):
        raise ImportProblem(Location(source), f"not a Northstar file (no '{FORMAT_KEY}:' key)")
    version = data.get(FORMAT_KEY)
    if version != FORMAT_VERSION:
        raise ImportProblem(
            native.location(None, FORMAT_KEY),
            f"format version {version!r} is not supported (this Northstar reads {FORMAT_VERSION})",
        )
    native.data = _validate_record(native, "file", data, "")
    return native


def _load_json(text: str, source: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        location = Location(source, line=error.lineno)
        raise ImportProblem(location, f"not valid JSON: {error.msg}") from None


def _load_yaml(text: str, source: str) -> tuple[Any, dict[str, int]]:
    """Safe-load YAML, remembering the line of every key so errors can point at it."""
    loader = yaml.SafeLoader(text)
    lines: dict[str, int] = {}
    try:
        node = loader.get_single_node()
        data = None if node is None else _construct(loader, node, "", lines, source)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        reason = getattr(error, "problem", None) or str(error)
        raise ImportProblem(Location(source, line=line), f"not valid YAML: {reason}") from None
    finally:
        loader.dispose()
    return data, lines


def _construct(
    loader: yaml.SafeLoader, node: yaml.Node, path: str, lines: dict[str, int], source: str
) -> Any:
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            child = f"{path}.{key}" if path else str(key)
            if key in mapping:
                line = key_node.start_mark.line + 1
                raise ImportProblem(Location(source, line=line, field=child), "repeated key")
            lines[child] = key_node.start_mark.line + 1
            mapping[key] = _construct(loader, value_node, child, lines, source)
        return mapping
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            child = f"{path}[{index}]"
            lines[child] = item_node.start_mark.line + 1
            items.append(_construct(loader, item_node, child, lines, source))
        return items
    return loader.construct_object(node, deep=True)


def _validate_record(native: NativeFile, name: str, value: Any, path: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ImportProblem(_at(native, path), "expected a mapping of fields")
    fields = SCHEMA[name]
    unknown = [key for key in value if key not in fields]
    if unknown:
        known = ", ".join(fields)
        raise ImportProblem(
            _at(native, _join(path, str(unknown[0]))), f"unknown field (known: {known})"
        )
    record: dict[str, Any] = {PATH: path}
    for key, spec in fields.items():
        field_path = _join(path, key)
        given = value.get(key)
        if given is not None:
            record[key] = _validate_value(native, spec, given, field_path)
        elif spec.default is REQUIRED:
            raise ImportProblem(_at(native, field_path), "this field is required")
        elif spec.default is not ABSENT or key in value:
            record[key] = _default(spec)
    return record


def _default(spec: Field) -> Any:
    if spec.type in {"records", "refs"}:
        return []
    return None if spec.default is ABSENT else spec.default


def _validate_value(native: NativeFile, spec: Field, value: Any, path: str) -> Any:
    check = _CHECKS.get(spec.type)
    if check is not None:
        return check(native, value, path)
    if spec.type == "choice":
        if value not in spec.choices:
            raise ImportProblem(_at(native, path), f"{value!r} is not one of {spec.choices}")
        return value
    if spec.type == "record":
        return _validate_record(native, spec.record, value, path)
    if not isinstance(value, list):
        raise ImportProblem(_at(native, path), "expected a list")
    if spec.type == "refs":
        return [_check_text(native, item, f"{path}[{i}]") for i, item in enumerate(value)]
    return [
        _validate_record(native, spec.record, item, f"{path}[{i}]") for i, item in enumerate(value)
    ]


def _check_text(native: NativeFile, value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise ImportProblem(_at(native, path), f"expected text, got {value!r}: put it in quotes")
    return value


def _check_number(native: NativeFile, value: Any, path: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ImportProblem(_at(native, path), f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise ImportProblem(_at(native, path), "the number must be finite")
    return float(value)


def _check_integer(native: NativeFile, value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ImportProblem(_at(native, path), f"expected a whole number, got {value!r}")
    return value


def _check_boolean(native: NativeFile, value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise ImportProblem(_at(native, path), f"expected true or false, got {value!r}")
    return value


def _check_date(native: NativeFile, value: Any, path: str) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise ImportProblem(_at(native, path), f"{value!r} is not a date (YYYY-MM-DD)") from None


def _check_datetime(native: NativeFile, value: Any, path: str) -> datetime:
    if not isinstance(value, datetime):
        try:
            value = datetime.fromisoformat(value)
        except (TypeError, ValueError):
            reason = f"{value!r} is not a timestamp (YYYY-MM-DDTHH:MM:SS+00:00)"
            raise ImportProblem(_at(native, path), reason) from None
    # A timestamp without an offset is UTC, the zone every export writes.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_CHECKS = {
    "text": _check_text,
    "number": _check_number,
    "integer": _check_integer,
    "boolean": _check_boolean,
    "date": _check_date,
    "datetime": _check_datetime,
}


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _at(native: NativeFile, path: str) -> Location:
    probe = path
    line = native.lines.get(probe)
    # A field without a line of its own (a missing one) points at its record's line.
    while line is None and "." in probe:
        probe = probe.rsplit(".", 1)[0]
        line = native.lines.get(probe)
    return Location(native.source, line=line, field=path or None)


# --- writing -------------------------------------------------------------------------------


def compact(name: str, values: dict[str, Any]) -> dict[str, Any]:
    """The record as written: schema order, fields equal to their default left out."""
    record: dict[str, Any] = {}
    for key, spec in SCHEMA[name].items():
        if key not in values:
            continue
        value = values[key]
        if spec.default is not REQUIRED and _is_default(spec, value):
            continue
        record[key] = plain_number(value) if spec.type == "number" else value
    return record


def _is_default(spec: Field, value: Any) -> bool:
    if spec.default is ABSENT:
        return False  # Present means "say it": the caller only passes it when it matters.
    if spec.type in {"records", "refs"}:
        return not value
    return value == spec.default and type(value) is type(spec.default)


def plain_number(value: Any) -> Any:
    """Whole floats as integers, so files read "8", not "8.0"."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return int(value)
    return value


class _Dumper(yaml.SafeDumper):
    """Block scalars for multi-line text; ISO 8601 timestamps."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a block would not be exact
    # (trailing spaces, carriage returns, control characters).
    style = "|" if "\n" in text else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


def _represent_datetime(dumper: yaml.SafeDumper, moment: datetime) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", moment.isoformat())


_Dumper.add_representer(str, _represent_text)
_Dumper.add_representer(datetime, _represent_datetime)


def dump_yaml(data: dict[str, Any]) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        default_flow_style=False,
        width=100,
    )


def dump_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_value) + "\n"


def _json_value(value: Any) -> str:
    if isinstance(value, date | datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} to JSON")
