"""Query shapes shared by the pages: cascade roots, children, child counts, health.

Every page runs a fixed number of queries whatever the size of the organisation, so lists
are loaded with their relations in one go and health is computed in Python from the cached
`progress` and `last_check_in_on` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from django.db.models import (
    FETCH_PEERS,
    Case,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from northstar.audit.models import AuditEvent
from northstar.feedback.status import divergence
from northstar.okrs.access import (
    Viewer,
    parent_is_hidden,
    visible_key_results,
    visible_objective_ids,
    visible_objectives,
    with_privacy_flags,
)
from northstar.okrs.models import (
    Cycle,
    KeyResult,
    Level,
    Objective,
    ObjectiveQuerySet,
    format_number,
)
from northstar.okrs.progress import Health, fraction_to_percent
from northstar.people.models import Organisation, Person

LEVEL_RANK = Case(
    When(level=Level.COMPANY, then=Value(0)),
    When(level=Level.DEPARTMENT, then=Value(1)),
    When(level=Level.TEAM, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


class HasHealth(Protocol):
    def health(self, org: Organisation, today: date | None = None) -> Health: ...


def pick_current_cycle(cycles: Sequence[Cycle], today: date) -> Cycle | None:
    """The cycle people mean by "now": the shortest dated cycle containing today (a quarter
    rather than its year); else the one that started last; else the next one; else any."""
    dated = [c for c in cycles if c.is_dated]
    running = [c for c in dated if c.start <= today <= c.end]
    if running:
        return min(running, key=lambda c: (c.end - c.start, c.start))
    past = [c for c in dated if c.end < today]
    if past:
        return max(past, key=lambda c: (c.start, -(c.end - c.start).days))
    if dated:
        return min(dated, key=lambda c: c.start)
    return cycles[0] if cycles else None


def chosen_cycle(cycles: Sequence[Cycle], wanted: str | None, today: date) -> Cycle | None:
    """The cycle named by a `?cycle=` parameter, falling back to the current one."""
    if wanted and wanted.isdigit():
        found = next((c for c in cycles if c.pk == int(wanted)), None)
        if found is not None:
            return found
    return pick_current_cycle(cycles, today)


def _aligned_to_outer() -> Q:
    """Objectives aligned directly under the outer query's objective or one of its key
    results, leaving archived ones out as the roll-up does."""
    return Q(parent_objective=OuterRef("pk")) | Q(parent_key_result__objective=OuterRef("pk"))


def with_child_count(objectives: ObjectiveQuerySet, viewer: Viewer) -> ObjectiveQuerySet:
    """Annotate `child_count`, the objectives aligned under each one (or under one of its
    key results) that this viewer may read, leaving archived ones out as the roll-up does;
    and the privacy flags `includes_private` and `parent_hidden` (see access.py).
    Three correlated subqueries, whatever the number of rows."""
    children = (
        visible_objectives(viewer)
        .counted()
        .filter(Q(parent_objective=OuterRef("pk")) | Q(parent_key_result__objective=OuterRef("pk")))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    objectives = objectives.annotate(
        child_count=Coalesce(Subquery(children, output_field=IntegerField()), 0)
    )
    return with_privacy_flags(objectives, viewer)


def with_aligned_count(key_results: QuerySet, viewer: Viewer) -> QuerySet:
    """Annotate `aligned_count` on key results: the objectives aligned under each that this
    viewer may read, leaving archived ones out as the roll-up does. A key result whose
    progress comes from them shows this count instead of a measure (one subquery)."""
    aligned = (
        visible_objectives(viewer)
        .counted()
        .filter(parent_key_result=OuterRef("pk"))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return key_results.annotate(
        aligned_count=Coalesce(Subquery(aligned, output_field=IntegerField()), 0)
    )


def aligned_under(objectives: ObjectiveQuerySet, parent: Objective) -> ObjectiveQuerySet:
    """Objectives aligned to `parent` itself or to one of its key results."""
    return objectives.filter(Q(parent_objective=parent) | Q(parent_key_result__objective=parent))


def cascade_roots(objectives: ObjectiveQuerySet, cycle: Cycle, viewer: Viewer) -> ObjectiveQuerySet:
    """The top of a cycle's cascade: objectives aligned to nothing, or to something in
    another cycle (a quarter's objective under a yearly one still starts the quarter's tree),
    or to something this viewer may not see (so that it is not lost with its parent)."""
    return objectives.filter(cycle=cycle).filter(
        Q(parent_objective__isnull=True, parent_key_result__isnull=True)
        | (Q(parent_objective__isnull=False) & ~Q(parent_objective__cycle=cycle))
        | (Q(parent_key_result__isnull=False) & ~Q(parent_key_result__objective__cycle=cycle))
        | Q(parent_is_hidden(viewer))
    )


def visible_thread(objective: Objective, viewer: Viewer) -> tuple[list[Objective], bool]:
    """The objectives above this one, nearest first, up to the first the viewer may not
    read; and whether the thread stopped there ("aligned to a private objective")."""
    chain = objective.alignment_chain()
    readable = visible_objective_ids(viewer, {step.pk for step in chain})
    for index, step in enumerate(chain):
        if step.pk not in readable:
            return chain[:index], True
    return chain, False


def by_level(objectives: ObjectiveQuerySet) -> ObjectiveQuerySet:
    return objectives.alias(level_rank=LEVEL_RANK).order_by("level_rank", "position", "pk")


def listing[QS: QuerySet](queryset: QS) -> QS:
    """A list for a page. Relations the view forgot to select_related are then fetched for
    all rows in one query rather than one per row: a safety net, not a substitute."""
    return queryset.fetch_mode(FETCH_PEERS)


def mark_health[T: HasHealth](items: Iterable[T], org: Organisation, today: date) -> list[T]:
    """Set `current_health` (and, on key results, `current_divergence`) on each item; the
    caller has select_related the cycle and a key result's current check-in."""
    items = list(items)
    for item in items:
        item.current_health = item.health(org, today)
        item.current_divergence = divergence(item, org, today)
    return items


def mark_outer_parents(objectives: Iterable[Objective]) -> None:
    """Set `outer_parent` on objectives aligned to something in another cycle, so a cascade
    root can say where it hangs. Needs parent_objective__cycle and
    parent_key_result__objective__cycle select_related."""
    for objective in objectives:
        parent = objective.parent_objective
        if parent is None and objective.parent_key_result_id:
            parent = objective.parent_key_result.objective
        # A parent the viewer may not read is never named (with_child_count marks it).
        hidden = getattr(objective, "parent_hidden", True)
        outside = parent is not None and not hidden and parent.cycle_id != objective.cycle_id
        objective.outer_parent = parent if outside else None


# --- history ---------------------------------------------------------------------------------

HISTORY_LIMIT = 50
FIELD_LABELS = {
    "parent_objective_id": "aligned to objective",
    "parent_key_result_id": "aligned to key result",
    "objective_id": "objective",
    "is_private": "private",
    "include_children": "counts aligned objectives",
    "progress_source": "progress from",
    "check_in_cadence_days": "check-in cadence (days)",
    "measured_on": "measured on",
}
ACTION_LABELS = {"created": "created", "changed": "changed", "checked_in": "checked in"}
ACTION_LABELS |= {"deleted": "deleted"}
LONG_TEXT = 160


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    at: datetime
    actor: Person | None
    action: str
    # "" for the objective page's own events, else the key result's title ("a key result"
    # when the viewer may not read it).
    subject: str
    changes: list[Change]
    reason: str


def objective_history(
    objective: Objective, key_results: list[KeyResult], viewer: Viewer
) -> tuple[list[HistoryEntry], bool]:
    """The objective's events and its key results' (check-ins included), newest first; and
    whether older ones were left out. The caller passes the key results it loaded."""
    events = AuditEvent.objects.filter(objective_id=objective.pk)
    titles = {kr.pk: kr.title for kr in key_results}
    return _history(events, viewer, subjects=titles)


def key_result_history(key_result: KeyResult, viewer: Viewer) -> tuple[list[HistoryEntry], bool]:
    # The viewer reads the page, so may read the key result's title.
    events = AuditEvent.objects.for_target(key_result)
    return _history(events, viewer, subjects={key_result.pk: key_result.title})


def _history(
    events: QuerySet[AuditEvent], viewer: Viewer, *, subjects: dict[int, str]
) -> tuple[list[HistoryEntry], bool]:
    """At most four queries: the events, then the people, objectives and key results they
    refer to. References to what the viewer may not read are shown without a title.
    `subjects` are key-result titles the caller already loaded; other key results the
    events are about (one since moved to another objective, say) are looked up."""
    rows = list(events.order_by("-at", "-pk")[: HISTORY_LIMIT + 1])
    names = _Names.load(rows, viewer, known=set(subjects))
    subjects = names.key_results | subjects
    entries = [
        HistoryEntry(
            at=event.at,
            actor=names.people.get(event.actor_id),
            action=ACTION_LABELS.get(event.action, event.action.replace("_", " ")),
            subject=_subject(event, subjects),
            changes=[names.change(name, pair) for name, pair in event.changes.items()],
            reason=event.reason,
        )
        for event in rows[:HISTORY_LIMIT]
    ]
    return entries, len(rows) > HISTORY_LIMIT


def _subject(event: AuditEvent, subjects: dict[int, str]) -> str:
    if event.target_type != "keyresult":
        return ""
    return subjects.get(event.target_id, "a key result")


@dataclass
class _Names:
    """What the ids in a page of events stand for, as the viewer may see them."""

    people: dict[int, Person]
    objectives: dict[int, str]
    key_results: dict[int, str]

    @classmethod
    def load(cls, events: list[AuditEvent], viewer: Viewer, *, known: set[int]) -> _Names:
        """`known`: key results whose titles the caller has, so need not be looked up."""
        person_ids = {e.actor_id for e in events if e.actor_id}
        objective_ids: set[int] = set()
        key_result_ids: set[int] = set()
        for event in events:
            if event.target_type == "keyresult" and event.target_id not in known:
                key_result_ids.add(event.target_id)
            for name, pair in event.changes.items():
                values = [pair.get("from"), pair.get("to")]
                person_ids |= {ref["person"] for ref in _person_refs(values)}
                ids = {v for v in values if isinstance(v, int)}
                if name in {"parent_objective_id", "objective_id"}:
                    objective_ids |= ids
                if name == "parent_key_result_id":
                    key_result_ids |= ids
        people = Person.objects.in_bulk(person_ids) if person_ids else {}
        objectives = cls._titles(visible_objectives(viewer), objective_ids)
        key_results = cls._titles(visible_key_results(viewer), key_result_ids)
        return cls(people, objectives, key_results)

    @staticmethod
    def _titles(visible: QuerySet, ids: set[int]) -> dict[int, str]:
        if not ids:
            return {}
        return dict(visible.filter(pk__in=ids).values_list("pk", "title"))

    def change(self, name: str, pair: dict) -> Change:
        label = FIELD_LABELS.get(name, name.replace("_", " "))
        return Change(label, self.value(name, pair.get("from")), self.value(name, pair.get("to")))

    def value(self, name: str, value: Any) -> str:
        if value is None or value == "" or value == []:
            return "—"
        if name in {"parent_objective_id", "objective_id"}:
            return self.objectives.get(value, "a private objective")
        if name == "parent_key_result_id":
            return self.key_results.get(value, "a key result of a private objective")
        if name == "progress":
            return fraction_to_percent(value)
        return self.plain(value)

    def plain(self, value: Any) -> str:
        if isinstance(value, bool):
            return "yes" if value else "no"
        if isinstance(value, int | float):
            return format_number(value)
        if isinstance(value, dict) and "person" in value:
            person = self.people.get(value["person"])
            return person.name if person else "someone removed"
        if isinstance(value, dict):
            return str(value.get("label") or value.get("name") or "")
        if isinstance(value, list):
            return ", ".join(self.plain(item) for item in value)
        text = str(value)
        return text if len(text) <= LONG_TEXT else text[: LONG_TEXT - 1] + "…"


def _person_refs(values: list[Any]) -> list[dict]:
    found = []
    for value in values:
        items = value if isinstance(value, list) else [value]
        found += [item for item in items if isinstance(item, dict) and "person" in item]
    return found
