"""Writes with side effects. Every front door (web, API, CLI, importers, the demo) calls these,
so the invariants and the roll-up live in one place.

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

from northstar.okrs import progress as math
from northstar.okrs.models import CheckIn, KeyResult, Objective, State
from northstar.people.models import Organisation, Person

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
        value = float(
            text.replace(",", "") if text.count(",") and "." in text else text.replace(",", ".")
        )
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
) -> CheckIn:
    """Append a check-in, move the key result's current value if it is the latest measurement,
    and roll the change up through every ancestor in the same transaction.

    Bulk writers (imports) pass ``roll_up=False`` and call ``refresh_everything()`` once at
    the end instead of walking the ancestors after every check-in."""
    org = org or Organisation.get()
    _validate_reading(key_result, value, level, done)
    if confidence is not None and not 0 <= confidence <= 10:
        raise ValidationError({"confidence": "Confidence goes from 0 to 10."})
    measured_on = measured_on or org.today()
    if key_result.kind == "levels":
        level = next(i.name for i in key_result.level_choices() if i.name.lower() == level.lower())
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
    return check_in


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


@transaction.atomic
def save_objective(objective: Objective) -> Objective:
    """Validate (alignment loops, one parent, outcome) and save, then refresh the old and
    new parents' roll-ups."""
    previous = None
    if objective.pk:
        previous = Objective.objects.filter(pk=objective.pk).first()
    objective.full_clean()
    objective.save()
    refresh_upwards(objective)
    if previous and previous.parent != objective.parent and previous.parent is not None:
        _refresh_parent(previous)
    return objective


def _refresh_parent(objective: Objective) -> None:
    if objective.parent_key_result_id:
        kr = KeyResult.objects.get(pk=objective.parent_key_result_id)
        refresh_key_result(kr)
        refresh_upwards(kr.objective)
    elif objective.parent_objective_id:
        refresh_upwards(Objective.objects.get(pk=objective.parent_objective_id))


@transaction.atomic
def save_key_result(key_result: KeyResult) -> KeyResult:
    key_result.full_clean()
    key_result.save()
    refresh_key_result(key_result)
    refresh_upwards(key_result.objective)
    return key_result


@transaction.atomic
def archive_objective(objective: Objective) -> None:
    """Archived objectives keep their history but leave every roll-up."""
    objective.state = State.ARCHIVED
    objective.save(update_fields=["state", "updated_at"])
    _refresh_parent(objective)


@transaction.atomic
def delete_objective(objective: Objective) -> None:
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
    objective.delete()
    _refresh_parent(parent_holder)
