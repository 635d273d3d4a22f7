"""Query shapes shared by the pages: cascade roots, children, child counts, health.

Every page runs a fixed number of queries whatever the size of the organisation, so lists
are loaded with their relations in one go and health is computed in Python from the cached
`progress` and `last_check_in_on` fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Protocol

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

from northstar.okrs.models import Cycle, Level, Objective, ObjectiveQuerySet
from northstar.okrs.progress import Health
from northstar.people.models import Organisation

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


def with_child_count(objectives: ObjectiveQuerySet) -> ObjectiveQuerySet:
    """Annotate `child_count`: objectives aligned directly under each one or under one of its
    key results, leaving archived ones out as the roll-up does. One correlated subquery."""
    children = (
        Objective.objects.counted()
        .filter(Q(parent_objective=OuterRef("pk")) | Q(parent_key_result__objective=OuterRef("pk")))
        .order_by()
        .annotate(count=Func(F("pk"), function="COUNT"))
        .values("count")
    )
    return objectives.annotate(
        child_count=Coalesce(Subquery(children, output_field=IntegerField()), 0)
    )


def aligned_under(objectives: ObjectiveQuerySet, parent: Objective) -> ObjectiveQuerySet:
    """Objectives aligned to `parent` itself or to one of its key results."""
    return objectives.filter(Q(parent_objective=parent) | Q(parent_key_result__objective=parent))


def cascade_roots(objectives: ObjectiveQuerySet, cycle: Cycle) -> ObjectiveQuerySet:
    """The top of a cycle's cascade: objectives aligned to nothing, or to something in
    another cycle (a quarter's objective under a yearly one still starts the quarter's tree)."""
    return objectives.filter(cycle=cycle).filter(
        Q(parent_objective__isnull=True, parent_key_result__isnull=True)
        | (Q(parent_objective__isnull=False) & ~Q(parent_objective__cycle=cycle))
        | (Q(parent_key_result__isnull=False) & ~Q(parent_key_result__objective__cycle=cycle))
    )


def by_level(objectives: ObjectiveQuerySet) -> ObjectiveQuerySet:
    return objectives.alias(level_rank=LEVEL_RANK).order_by("level_rank", "position", "pk")


def listing[QS: QuerySet](queryset: QS) -> QS:
    """A list for a page. Relations the view forgot to select_related are then fetched for
    all rows in one query rather than one per row: a safety net, not a substitute."""
    return queryset.fetch_mode(FETCH_PEERS)


def mark_health[T: HasHealth](items: Iterable[T], org: Organisation, today: date) -> list[T]:
    """Set `current_health` on each item; the caller has select_related the cycle."""
    items = list(items)
    for item in items:
        item.current_health = item.health(org, today)
    return items


def mark_outer_parents(objectives: Iterable[Objective]) -> None:
    """Set `outer_parent` on objectives aligned to something in another cycle, so a cascade
    root can say where it hangs. Needs parent_objective__cycle and
    parent_key_result__objective__cycle select_related."""
    for objective in objectives:
        parent = objective.parent_objective
        if parent is None and objective.parent_key_result_id:
            parent = objective.parent_key_result.objective
        outside = parent is not None and parent.cycle_id != objective.cycle_id
        objective.outer_parent = parent if outside else None
