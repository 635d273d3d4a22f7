"""Writes with side effects. Every front door (web, API, CLI, importers, the demo) calls these,
so the invariants and the roll-up live in one place.

Every change to a cycle, an objective, a key result or its check-ins is also appended to the
audit trail (`northstar.audit`) in the same transaction: who (`actor`, None for the
installation's operator), what changed from and to, and why (`reason`). Who *may* make a
change is not decided here but in `access.py`, before the call.

Roll-up rule: a change to a key result recomputes that key result, then walks *up* the
alignment chain (objective → the key result or objective it is aligned to → …) refreshing
each node from its direct children's cached progress. Nothing below or beside the chain is
touched, so a check-in costs a handful of queries per level, whatever the size of the tree.
"""

from __future__ import annotations

import math as pymath
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from northstar.audit.models import diff, record
from northstar.insights import snapshots
from northstar.lib.numbers import read_number
from northstar.okrs import progress as math
from northstar.okrs.models import (
    CHECK_IN_NOTE_MAX_LENGTH,
    CheckIn,
    Cycle,
    KeyResult,
    Objective,
    State,
)
from northstar.people.models import Organisation, Person

# What the trail follows for each kind of row. Objectives and key results are referred to by
# id, never by title: a private objective's title must not show up in a public one's history.
CYCLE_FIELDS = ["name", "kind", "start", "end", "parent", "check_in_cadence_days"]
OBJECTIVE_FIELDS = [
    "title",
    "description",
    "cycle",
    "owner",
    "unit",
    "parent_objective_id",
    "parent_key_result_id",
    "state",
    "outcome",
    "weight",
    "include_children",
    "is_private",
]
KEY_RESULT_FIELDS = [
    "objective_id",
    "title",
    "description",
    "owner",
    "weight",
    "kind",
    "start",
    "target",
    "low",
    "high",
    "relative",
    "unit",
    "levels",
    "progress_source",
    "state",
]

# Earlier dates are typos (0026 for 2026), not measurements; they would also sort before
# every real check-in and skew the history charts.
EARLIEST_MEASUREMENT = date(1900, 1, 1)

MILESTONE_WORDS = {
    "done": True,
    "yes": True,
    "true": True,
    "1": True,
    "not-done": False,
    "not done": False,
    "no": False,
    "false": False,
    "0": False,
}


def parse_reading(key_result: KeyResult, text: str) -> dict:
    """Turn typed text (CLI, forms) into the check-in fields for this key result's kind."""
    text = text.strip()
    if key_result.kind == "milestone":
        if text.lower() not in MILESTONE_WORDS:
            raise ValidationError({"value": f"Use done or not-done for a milestone, not {text!r}."})
        return {"done": MILESTONE_WORDS[text.lower()]}
    if key_result.kind == "levels":
        names = [level.name for level in key_result.level_choices()]
        match = next((name for name in names if name.lower() == text.lower()), None)
        if match is None:
            raise ValidationError(
                {"value": f"{text!r} is not a level; use one of {', '.join(names)}."}
            )
        return {"level": match}
    try:
        value = read_number(text)
    except ValueError:
        raise ValidationError({"value": f"{text!r} is not a number."}) from None
    return {"value": value}


def _validate_reading(
    key_result: KeyResult, value: float | None, level: str, done: bool | None
) -> None:
    if key_result.kind == "milestone":
        if done is None:
            raise ValidationError({"done": "Say whether the milestone is done."})
    elif key_result.kind == "levels":
        if level.lower() not in {item.name.lower() for item in key_result.level_choices()}:
            raise ValidationError({"level": f"{level!r} is not one of this key result's levels."})
    else:
        if value is None:
            raise ValidationError({"value": "A value is required."})
        if not pymath.isfinite(value):
            raise ValidationError({"value": "The value must be a finite number."})


def _validate_measured_on(measured_on: date, org: Organisation) -> None:
    """Every front door (web, CLI, imports) ends up here, so this is the one place that
    dates are judged. The current value is the latest *measured* check-in and check-ins are
    append-only, so a future date (a typo like 2099) would pin the key result's value for
    good. "Future" is by the organisation's calendar, not the server's."""
    if measured_on > org.today():
        raise ValidationError({"measured_on": "The measurement date cannot be in the future."})
    if measured_on < EARLIEST_MEASUREMENT:
        raise ValidationError(
            {"measured_on": f"The measurement date cannot be before {EARLIEST_MEASUREMENT.year}."}
        )


@transaction.atomic
def record_check_in(
    *,
    key_result: KeyResult,
    author: Person | None,
    value: float | None = None,
    level: str = "",
    done: bool | None = None,
    measured_on: date | None = None,
    confidence: int | None = None,
    note: str = "",
    created_at: datetime | None = None,
    org: Organisation | None = None,
    roll_up: bool = True,
    actor: Person | None = None,
    reason: str = "",
) -> CheckIn:
    """Append a check-in, move the key result's current value if it is the latest measurement,
    and roll the change up through every ancestor in the same transaction.

    `author` is whom the measurement is by; `actor` who recorded it (None: the operator).

    Bulk writers (imports) pass ``roll_up=False`` and call ``refresh_everything()`` once at
    the end instead of walking the ancestors after every check-in."""
    org = org or Organisation.get()
    _validate_reading(key_result, value, level, done)
    if confidence is not None and not 0 <= confidence <= 10:
        raise ValidationError({"confidence": "Confidence goes from 0 to 10."})
    if len(note) > CHECK_IN_NOTE_MAX_LENGTH:
        raise ValidationError(
            {"note": f"Keep the note to {CHECK_IN_NOTE_MAX_LENGTH:,} characters or fewer."}
        )
    measured_on = measured_on or org.today()
    _validate_measured_on(measured_on, org)
    if key_result.kind == "levels":
        level = next(i.name for i in key_result.level_choices() if i.name.lower() == level.lower())
    before = _reading_of(key_result)
    if key_result.kind == "change" and key_result.start is None and value is not None:
        _take_baseline(key_result, value)
    check_in = CheckIn(
        key_result=key_result,
        value=value,
        level=level,
        done=done,
        measured_on=measured_on,
        confidence=confidence,
        note=note,
        author=author,
        created_at=created_at or timezone.now(),
        start_then=key_result.start,
        target_then=key_result.target,
        outside_cycle=not key_result.objective.cycle.contains(measured_on),
    )
    check_in.progress_then = math.key_result_progress(key_result.measure(), check_in.reading).raw
    check_in.save()
    if _is_later(check_in, key_result.current_check_in):
        key_result.current_check_in = check_in
    if key_result.last_check_in_on is None or measured_on > key_result.last_check_in_on:
        key_result.last_check_in_on = measured_on
    refresh_key_result(key_result)
    if roll_up:
        refresh_upwards(key_result.objective)
        from northstar.feedback.actions import celebrate_if_landed  # local: feedback uses okrs

        celebrate_if_landed(check_in)
    _record_check_in(check_in, before, actor=actor, reason=reason)
    return check_in


def _reading_of(key_result: KeyResult) -> tuple[str | None, float | None]:
    current = key_result.current_check_in
    return (current.display_value if current else None, key_result.progress)


def _record_check_in(
    check_in: CheckIn, before: tuple[str | None, float | None], *, actor, reason: str
) -> None:
    """A check-in is a change of its key result's value: the trail keeps it on the key
    result, from the value and progress before to the new reading and progress."""
    key_result = check_in.key_result
    changes = {
        "value": (before[0], check_in.display_value),
        "progress": (before[1], key_result.progress),
        "measured_on": (None, check_in.measured_on),
    }
    if check_in.confidence is not None:
        changes["confidence"] = (None, check_in.confidence)
    if check_in.author_id != getattr(actor, "pk", None):
        changes["author"] = (None, check_in.author)
    record(
        actor=actor,
        action="checked_in",
        target=key_result,
        changes=changes,
        reason=reason,
        objective_id=key_result.objective_id,
    )


def _take_baseline(key_result: KeyResult, value: float) -> None:
    """A key result written without a start ('cut bugs by 30%') measures from its first
    check-in: that value becomes the start, and a relative target is fixed from it."""
    key_result.start = value
    if key_result.relative is not None:
        key_result.target = value * (1 + key_result.relative)


def _is_later(check_in: CheckIn, current: CheckIn | None) -> bool:
    if current is None:
        return True
    return (check_in.measured_on, check_in.created_at) >= (current.measured_on, current.created_at)


def refresh_key_result(key_result: KeyResult) -> None:
    """Recompute a key result's cached progress from its current check-in or, when it takes
    its progress from the objectives aligned under it, from their cached progress."""
    if key_result.progress_source == KeyResult.Source.ALIGNED:
        children = [(o.progress, o.weight) for o in key_result.aligned_objectives.counted()]
        key_result.progress_raw = math.weighted_mean(children)
    else:
        current = key_result.current_check_in
        reading = current.reading if current else None
        key_result.progress_raw = math.key_result_progress(key_result.measure(), reading).raw
    key_result.progress = math.Progress(key_result.progress_raw).clamped
    key_result.save()


def refresh_objective(objective: Objective) -> None:
    objective.progress = objective.compute_progress()
    latest = objective.key_results.aggregate(latest=Max("last_check_in_on"))["latest"]
    objective.last_check_in_on = latest
    objective.save(update_fields=["progress", "last_check_in_on", "updated_at"])
    snapshots.record(objective)


def refresh_upwards(objective: Objective) -> None:
    """Refresh an objective and everything it rolls up into, nearest first."""
    seen: set[int] = set()
    node: Objective | None = objective
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        refresh_objective(node)
        if node.parent_key_result_id:
            parent_kr = node.parent_key_result
            refresh_key_result(parent_kr)
            node = parent_kr.objective
        else:
            node = node.parent_objective


def refresh_everything() -> int:
    """Recompute every cached figure bottom-up. Used after a bulk import; returns the count."""
    objectives = list(Objective.objects.all())
    for key_result in KeyResult.objects.select_related("current_check_in", "objective__cycle"):
        refresh_key_result(key_result)
    # Deepest first, so that each parent sees its children's fresh figures.
    depth = {o.pk: len(o.alignment_chain()) for o in objectives}
    for objective in sorted(objectives, key=lambda o: -depth[o.pk]):
        objective.refresh_from_db()
        refresh_objective(objective)
        for kr in objective.key_results.filter(progress_source=KeyResult.Source.ALIGNED):
            refresh_key_result(kr)
    for objective in sorted(objectives, key=lambda o: -depth[o.pk]):
        refresh_objective(objective)
    return len(objectives)


def _created(changes: dict) -> dict:
    """A new row's fields, leaving out the empty ones."""
    return {name: pair for name, pair in changes.items() if pair[1] not in (None, "", [])}


def _record_save(
    before: Objective | KeyResult | Cycle | None,
    after: Objective | KeyResult | Cycle,
    fields: list[str],
    *,
    actor: Person | None,
    reason: str,
    objective_id: int | None,
) -> None:
    changes = diff(before, after, fields)
    if before is None:
        record(
            actor=actor,
            action="created",
            target=after,
            changes=_created(changes),
            reason=reason,
            objective_id=objective_id,
        )
    elif changes:
        record(
            actor=actor,
            action="changed",
            target=after,
            changes=changes,
            reason=reason,
            objective_id=objective_id,
        )


@transaction.atomic
def save_cycle(cycle: Cycle, *, actor: Person | None = None, reason: str = "") -> Cycle:
    before = Cycle.objects.select_related("parent").filter(pk=cycle.pk).first()
    cycle.full_clean()
    cycle.save()
    _record_save(before, cycle, CYCLE_FIELDS, actor=actor, reason=reason, objective_id=None)
    return cycle


@transaction.atomic
def save_objective(
    objective: Objective, *, actor: Person | None = None, reason: str = ""
) -> Objective:
    """Validate (alignment loops, one parent, outcome) and save, then refresh the old and
    new parents' roll-ups."""
    previous = None
    if objective.pk:
        previous = (
            Objective.objects.select_related("owner", "unit", "cycle")
            .filter(pk=objective.pk)
            .first()
        )
    objective.full_clean()
    objective.save()
    refresh_upwards(objective)
    if previous and previous.parent != objective.parent and previous.parent is not None:
        _refresh_parent(previous)
    _record_save(
        previous,
        objective,
        OBJECTIVE_FIELDS,
        actor=actor,
        reason=reason,
        objective_id=objective.pk,
    )
    return objective


def _refresh_parent(objective: Objective) -> None:
    if objective.parent_key_result_id:
        kr = KeyResult.objects.get(pk=objective.parent_key_result_id)
        refresh_key_result(kr)
        refresh_upwards(kr.objective)
    elif objective.parent_objective_id:
        refresh_upwards(Objective.objects.get(pk=objective.parent_objective_id))


@transaction.atomic
def save_key_result(
    key_result: KeyResult, *, actor: Person | None = None, reason: str = ""
) -> KeyResult:
    previous = None
    if key_result.pk:
        previous = KeyResult.objects.select_related("owner").filter(pk=key_result.pk).first()
    key_result.full_clean()
    key_result.save()
    refresh_key_result(key_result)
    refresh_upwards(key_result.objective)
    _record_save(
        previous,
        key_result,
        KEY_RESULT_FIELDS,
        actor=actor,
        reason=reason,
        objective_id=key_result.objective_id,
    )
    return key_result


def change_target(
    key_result: KeyResult, *, target: float, reason: str = "", actor: Person | None
) -> KeyResult:
    """Move a key result's target. During its cycle this needs a reason: a target that moves
    while people measure against it is exactly what the trail is there to explain.
    Earlier check-ins keep the target they were measured against (`CheckIn.target_then`)."""
    cycle = key_result.objective.cycle
    underway = cycle.is_dated and cycle.contains(Organisation.get().today())
    if underway and not reason.strip():
        raise ValidationError({"reason": "Say why the target changes during the cycle."})
    key_result.target = target
    return save_key_result(key_result, actor=actor, reason=reason.strip())


@transaction.atomic
def set_contributors(
    key_result: KeyResult, people: list[Person], *, actor: Person | None, reason: str = ""
) -> None:
    """Name the people besides the owner who may check in on a key result."""
    before = sorted(key_result.contributors.values_list("pk", flat=True))
    after = sorted({person.pk for person in people})
    if before == after:
        return
    key_result.contributors.set(after)
    record(
        actor=actor,
        action="changed",
        target=key_result,
        changes={
            "contributors": ([{"person": pk} for pk in before], [{"person": pk} for pk in after])
        },
        reason=reason,
        objective_id=key_result.objective_id,
    )


@transaction.atomic
def archive_objective(
    objective: Objective, *, actor: Person | None = None, reason: str = ""
) -> None:
    """Archived objectives keep their history but leave every roll-up."""
    before = objective.state
    objective.state = State.ARCHIVED
    objective.save(update_fields=["state", "updated_at"])
    _refresh_parent(objective)
    if before != objective.state:
        record(
            actor=actor,
            action="changed",
            target=objective,
            changes={"state": (before, objective.state)},
            reason=reason,
            objective_id=objective.pk,
        )


@transaction.atomic
def delete_objective(
    objective: Objective, *, actor: Person | None = None, reason: str = ""
) -> None:
    """Hard-delete only what nothing is aligned under; otherwise archive it instead."""
    if (
        objective.aligned_objectives.exists()
        or Objective.objects.filter(parent_key_result__objective=objective).exists()
    ):
        raise ValidationError(
            "Objectives are aligned under this one; re-align them or archive it instead."
        )
    parent_holder = Objective(
        pk=objective.pk,
        parent_objective_id=objective.parent_objective_id,
        parent_key_result_id=objective.parent_key_result_id,
    )
    # Recorded first, while the row exists; the event outlives it.
    record(
        actor=actor,
        action="deleted",
        target=objective,
        changes={"title": (objective.title, None)},
        reason=reason,
        objective_id=objective.pk,
    )
    objective.delete()
    _refresh_parent(parent_holder)
