"""`northstar tree`: print the cascade of a cycle with progress and health.

    northstar tree [--cycle NAME] [--unit NAME] [--as EMAIL]

The cycle's objectives and key results are loaded in two queries and the tree is built in
memory, so the command stays fast on a large organisation. With `--as`, the tree is the one
that person may read (private objectives they may not see are left out, as on the web);
without it, the operator sees everything.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.okrs.access import (
    OPERATOR,
    Refused,
    Viewer,
    cli_viewer,
    visible_key_results,
    visible_objectives,
    with_privacy_flags,
)
from northstar.okrs.models import Cycle, KeyResult, Objective, State, format_number
from northstar.okrs.progress import Health, fraction_to_percent
from northstar.people.models import Organisation, Unit

HEALTH_LABELS = {
    Health.ON_TRACK: "on track",
    Health.BEHIND: "behind",
    Health.AT_RISK: "at risk",
    Health.STALE: "stale",
    Health.NONE: "no data",
}
LEVEL_ORDER = {"company": 0, "department": 1, "team": 2, "individual": 3}
INDENT = "    "


class Command(BaseCommand):
    help = "Print the cascade of objectives and key results with progress and health."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--cycle", help="Cycle name; default: the one containing today, else the latest."
        )
        parser.add_argument(
            "--unit", help="Only this unit's objectives and what is aligned under them."
        )
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="Show what this person may read."
        )

    def handle(
        self, *args, cycle: str | None, unit: str | None, as_email: str | None = None, **options
    ) -> None:
        viewer = reader(as_email)
        org = Organisation.get()
        today = org.today()
        chosen = pick_cycle(cycle, today, viewer)
        cascade = Cascade.load(chosen, viewer)
        roots = cascade.roots(find_unit(unit) if unit else None)
        self.stdout.write(header(org, chosen, today))
        if not roots:
            self.stdout.write("No objectives" + (f" for {unit}." if unit else " yet."))
        for objective in roots:
            for line in cascade.lines(objective, 0, org, today):
                self.stdout.write(line)


def reader(email: str | None) -> Viewer:
    """The viewer `--as EMAIL` names, else the operator."""
    try:
        return cli_viewer(email)
    except Refused as error:
        raise CommandError(str(error)) from None


def pick_cycle(name: str | None, today: date, viewer: Viewer = OPERATOR) -> Cycle:
    cycles = sorted(Cycle.objects.all(), key=_calendar)
    if name:
        return _named(cycles, name)
    if not cycles:
        raise CommandError("There are no cycles yet; create one, or run `northstar demo`.")
    # An empty cycle makes an empty tree: prefer those with objectives, when there are any
    # (that the viewer may read: which cycle opens must not hint at private work).
    filled = set(visible_objectives(viewer).values_list("cycle_id", flat=True).distinct())
    cycles = [c for c in cycles if c.pk in filled] or cycles
    current = [c for c in cycles if c.is_dated and c.contains(today)]
    if current:
        # The most specific: the quarter rather than the year around it.
        return min(current, key=lambda c: (c.end - c.start, c.name))
    dated = [c for c in cycles if c.is_dated]
    return max(dated, key=lambda c: (c.start, c.start - c.end)) if dated else cycles[0]


def _calendar(cycle: Cycle) -> tuple:
    """Calendar order, a year before its first quarter, undated backlogs last. (Sorted here:
    databases collate names like '2026' and '2026-Q1' differently.)"""
    if not cycle.is_dated:
        return (1, date.max, 0, cycle.name)
    return (0, cycle.start, -(cycle.end - cycle.start).days, cycle.name)


def _named(cycles: list[Cycle], name: str) -> Cycle:
    exact = [c for c in cycles if c.name == name]
    loose = [c for c in cycles if c.name.casefold() == name.strip().casefold()]
    if exact or loose:
        return (exact or loose)[0]
    valid = ", ".join(c.name for c in cycles) or "none yet"
    raise CommandError(f"No cycle is called {name!r}. Cycles: {valid}.")


def find_unit(name: str) -> Unit:
    """A unit by name, or by (the end of) its path, 'Engineering/Platform', when names repeat."""
    units = {u.pk: u for u in Unit.objects.all()}
    paths = {pk: unit_path(u, units) for pk, u in units.items()}
    wanted = name.strip().strip("/").casefold()
    found = [u for u in units.values() if _path_ends(paths[u.pk].casefold(), wanted)]
    if len(found) == 1:
        return found[0]
    if found:
        options = ", ".join(sorted(paths[u.pk] for u in found))
        raise CommandError(f"Several units are called {name!r}; use one of: {options}.")
    valid = ", ".join(sorted(u.name for u in units.values())) or "none yet"
    raise CommandError(f"No unit is called {name!r}. Units: {valid}.")


def _path_ends(path: str, wanted: str) -> bool:
    return path == wanted or path.endswith("/" + wanted)


def unit_path(unit: Unit, units: dict[int, Unit]) -> str:
    names, node, seen = [], unit, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        names.append(node.name)
        node = units.get(node.parent_id)
    return "/".join(reversed(names))


def header(org: Organisation, cycle: Cycle, today: date) -> str:
    text = f"{org.name} · {cycle.name}"
    if cycle.is_dated:
        expected = fraction_to_percent(cycle.expected_progress(today))
        text += f" ({cycle.start} – {cycle.end}) · {today}: {expected} of the cycle elapsed"
    return text


@dataclass
class Cascade:
    """A cycle's objectives and key results, linked in memory."""

    objectives: dict[int, Objective]
    key_results: dict[int, list[KeyResult]] = field(default_factory=lambda: defaultdict(list))
    under_objective: dict[int, list[Objective]] = field(default_factory=lambda: defaultdict(list))
    under_key_result: dict[int, list[Objective]] = field(default_factory=lambda: defaultdict(list))
    parent_of: dict[int, int | None] = field(default_factory=dict)  # nearest objective above

    @classmethod
    def load(cls, cycle: Cycle, viewer: Viewer = OPERATOR) -> Cascade:
        objectives = visible_objectives(viewer).for_cycle(cycle).counted()
        objectives = with_privacy_flags(objectives.select_related("owner", "unit"), viewer)
        cascade = cls({o.pk: o for o in objectives})
        for objective in cascade.objectives.values():
            objective.cycle = cycle  # health() reads it; spare a query per objective
        key_results = (
            visible_key_results(viewer)
            .filter(objective__cycle=cycle)
            .exclude(objective__state=State.ARCHIVED)
        )
        for kr in key_results.select_related("current_check_in"):
            cascade.key_results[kr.objective_id].append(kr)
        cascade._link()
        return cascade

    def _link(self) -> None:
        kr_objective = {kr.pk: oid for oid, krs in self.key_results.items() for kr in krs}
        for objective in self._ordered(self.objectives.values()):
            if objective.parent_objective_id in self.objectives:
                self.under_objective[objective.parent_objective_id].append(objective)
            elif objective.parent_key_result_id in kr_objective:
                self.under_key_result[objective.parent_key_result_id].append(objective)
        self.parent_of = {
            o.pk: o.parent_objective_id
            if o.parent_objective_id in self.objectives
            else kr_objective.get(o.parent_key_result_id)
            for o in self.objectives.values()
        }

    @staticmethod
    def _ordered(objectives: Iterable[Objective]) -> list[Objective]:
        return sorted(objectives, key=lambda o: (LEVEL_ORDER[o.level], o.position, o.pk))

    def roots(self, unit: Unit | None = None) -> list[Objective]:
        """Tops of the tree: objectives whose parent is outside the cycle (or none), or with
        a unit, that unit's objectives that no other of its objectives sits above."""
        if unit is None:
            chosen = {pk for pk, parent in self.parent_of.items() if parent is None}
        else:
            mine = {o.pk for o in self.objectives.values() if o.unit_id == unit.pk}
            chosen = {pk for pk in mine if not self._ancestors(pk) & mine}
        return self._ordered(self.objectives[pk] for pk in chosen)

    def _ancestors(self, pk: int) -> set[int]:
        found: set[int] = set()
        parent = self.parent_of.get(pk)
        while parent is not None and parent not in found:
            found.add(parent)
            parent = self.parent_of.get(parent)
        return found

    def lines(self, objective: Objective, depth: int, org: Organisation, today: date) -> list[str]:
        lines = [INDENT * depth + objective_text(objective, org, today)]
        for kr in self.key_results[objective.pk]:
            lines.append(INDENT * (depth + 1) + "• " + key_result_text(kr))
            for child in self.under_key_result[kr.pk]:
                lines.extend(self.lines(child, depth + 2, org, today))
        for child in self.under_objective[objective.pk]:
            lines.extend(self.lines(child, depth + 1, org, today))
        return lines


def objective_text(objective: Objective, org: Organisation, today: date) -> str:
    owner = objective.owner.name if objective.owner else "no owner"
    health = HEALTH_LABELS[objective.health(org, today)]
    progress = fraction_to_percent(objective.progress)
    text = f"{objective.title}  [{objective.get_level_display()} · {owner}]  {progress}  {health}"
    return text + privacy_notes(objective)


def privacy_notes(objective: Objective) -> str:
    """What the viewer may know of hidden neighbours: that they exist, not what they are."""
    notes = []
    if objective.is_private:
        notes.append("private")
    if getattr(objective, "includes_private", False):
        notes.append("includes private work")
    if getattr(objective, "parent_hidden", False):
        notes.append("aligned to a private objective")
    return f"  ({'; '.join(notes)})" if notes else ""


def key_result_text(kr: KeyResult) -> str:
    progress = fraction_to_percent(kr.progress)
    archived = " (archived)" if kr.state == KeyResult.State.ARCHIVED else ""
    return f"{kr.title}: {measure_text(kr)}  {progress}{archived}"


def measure_text(kr: KeyResult) -> str:
    """'current / target' in the key result's own terms."""
    if kr.progress_source == KeyResult.Source.ALIGNED:
        return "from the objectives aligned under it"
    current = kr.current_check_in.display_value if kr.current_check_in else "—"
    unit = kr.unit if kr.unit in {"", "%"} else f" {kr.unit}"
    if kr.kind == "milestone":
        return f"{current} / done"
    if kr.kind == "levels":
        return f"{current} / {kr.level_choices()[-1].name}"
    if kr.kind == "within":
        return f"{current} / {format_number(kr.low)}–{format_number(kr.high)}{unit}"
    if kr.awaits_baseline:
        return f"{current} / {kr.relative:+.0%} from the first check-in"
    sign = {"at_least": "≥ ", "at_most": "≤ "}.get(kr.kind, "")
    return f"{current} / {sign}{format_number(kr.target)}{unit}"
