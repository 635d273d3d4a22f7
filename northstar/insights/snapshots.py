"""Objective progress over time: one snapshot per objective per day, upserted.

`okrs.actions.refresh_objective` calls `record` after every recomputation, so every front
door (check-ins on the web, the CLI, imports, the demo) fills the history without knowing it
exists.

The day of a snapshot is the day its figures describe, not the day the row was written: the
latest measurement that fed it. For an objective that is its key results' latest check-in,
or the latest snapshot of an objective aligned under it (the roll-up refreshes children
first). A history imported or built in calendar order therefore lands on its own days, and a
live check-in lands on today. An objective that nothing has measured yet has no history: a
snapshot "as of today" would sit after everything a later backfill writes, and its parents
would take that day for their latest news.
"""

from __future__ import annotations

from datetime import date

from django.db.models import Max, Q
from django.utils import timezone

from northstar.insights.models import ProgressSnapshot
from northstar.okrs.models import Objective


def record(objective: Objective) -> None:
    """Upsert the objective's snapshot for the day its figures describe: one query, two when
    it looks at the objectives aligned under it."""
    day = as_of(objective)
    if day is None:
        return
    snapshot = ProgressSnapshot(
        objective=objective,
        day=day,
        progress=objective.progress,
        recorded_at=timezone.now(),
    )
    ProgressSnapshot.objects.bulk_create(
        [snapshot],
        update_conflicts=True,
        unique_fields=["objective", "day"],
        update_fields=["progress", "recorded_at"],
    )


def as_of(objective: Objective) -> date | None:
    days = [objective.last_check_in_on]
    if objective.include_children:
        below = ProgressSnapshot.objects.filter(
            Q(objective__parent_objective_id=objective.pk)
            | Q(objective__parent_key_result__objective_id=objective.pk)
        )
        days.append(below.aggregate(day=Max("day"))["day"])
    known = [day for day in days if day is not None]
    return max(known) if known else None


def history(objective: Objective) -> list[ProgressSnapshot]:
    """The objective's snapshots, oldest first, in one query."""
    return list(ProgressSnapshot.objects.filter(objective=objective).order_by("day"))
