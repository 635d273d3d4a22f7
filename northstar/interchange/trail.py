"""The audit trail of an import: one event for each objective or key result it creates
("created", the imported fields) or changes ("changed", old → new of the fields that differ),
by the `--as` person (None: the operator), with the reason "imported from <file name>".

The importer saves these rows itself rather than through `okrs.actions` (whose validation
refuses what imports keep and flag, and whose per-save roll-ups an import does once at the
end), so their trail is kept here: the imported fields as stored before a write, compared
with what was saved. Events wait in memory and are appended in one `bulk_create` when the
import finishes (the Puzzle pair alone makes about 300), each dated when its write happened,
so that a key result's creation stays older than its imported check-ins. Several writes to
one item from one file (a native file sets alignment in a second pass) make one event; a
write that changes nothing records nothing.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from northstar.audit.models import AuditEvent, new_event
from northstar.okrs.models import KeyResult, Objective
from northstar.people.models import Person

type Item = Objective | KeyResult
type Snapshot = dict[str, Any]

# Objectives and key results are named by id, never by title, as in `okrs.actions`: a private
# objective's title must not show up in a public one's history.
BY_ID = (Objective, KeyResult)
# A new item's fields left out of its "created" event, as `okrs.actions` does.
EMPTY = (None, "", [])
BATCH = 500


@dataclass
class _Pending:
    """An event being gathered: (old, new) per field, in the trail's terms."""

    item: Item
    created: bool
    reason: str
    at: datetime
    changes: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    def add(self, name: str, old: Any, new: Any) -> None:
        if name in self.changes:
            old = self.changes[name][0]  # a second write moves "to", not "from"
        self.changes[name] = (None if self.created else old, new)

    def event(self, actor: Person | None) -> AuditEvent | None:
        if self.created:
            changes = {n: pair for n, pair in self.changes.items() if pair[1] not in EMPTY}
        else:
            changes = {n: pair for n, pair in self.changes.items() if pair[0] != pair[1]}
            if not changes:
                return None  # written back to what it was
        return new_event(
            actor=actor,
            action="created" if self.created else "changed",
            target=self.item,
            changes=changes,
            reason=self.reason,
            objective_id=_objective_id(self.item),
            at=self.at,
        )


class ImportTrail:
    def __init__(self, actor: Person | None) -> None:
        self.actor = actor
        self.reason = ""
        self._pending: dict[tuple[str, int, str], _Pending] = {}

    def reading(self, file_name: str) -> None:
        """Writes from now on come from this file."""
        self.reason = f"imported from {file_name}"

    @staticmethod
    def before(item: Item, names: Iterable[str]) -> Snapshot | None:
        """The fields as stored, taken before a write; None for a new item."""
        if item.pk is None:
            return None
        return {name: _stored(item, name) for name in names}

    def saved(self, item: Item, before: Snapshot | None, names: Iterable[str]) -> None:
        """Note what a write did to these fields (all of them, for a new item)."""
        pending = self._pending_for(item, created=before is None)
        for name in names:
            old = None if before is None else before[name]
            new = _stored(item, name)
            if old != new:
                pending.add(*_for_trail(item, name, old, new))

    def changed(self, item: Item, name: str, old: Any, new: Any) -> None:
        """Note a change made outside the item's row (its contributors)."""
        self._pending_for(item, created=False).add(name, old, new)

    def flush(self) -> None:
        """Append every event gathered (inside the import's transaction)."""
        events = (pending.event(self.actor) for pending in self._pending.values())
        AuditEvent.objects.bulk_create([e for e in events if e is not None], batch_size=BATCH)
        self._pending.clear()

    def _pending_for(self, item: Item, *, created: bool) -> _Pending:
        key = (item._meta.model_name, item.pk, self.reason)
        if key not in self._pending:
            self._pending[key] = _Pending(item, created, self.reason, timezone.now())
        return self._pending[key]


def _objective_id(item: Item) -> int:
    """The objective whose history shows the event."""
    return item.pk if isinstance(item, Objective) else item.objective_id


def _stored(item: Item, name: str) -> Any:
    model_field = item._meta.get_field(name)
    if model_field.many_to_one:
        return getattr(item, model_field.attname)  # the id: the relation may not be loaded
    value = getattr(item, name)
    # A copy, so that changing the item's list in place cannot change the snapshot.
    return copy.deepcopy(value) if isinstance(value, (list, dict)) else value


def _for_trail(item: Item, name: str, old: Any, new: Any) -> tuple[str, Any, Any]:
    """A field's name and values as the trail writes them; relations are stored as ids."""
    model_field = item._meta.get_field(name)
    if not model_field.many_to_one:
        return name, old, new
    related = model_field.related_model
    if issubclass(related, BY_ID):
        return model_field.attname, old, new
    if related is Person:
        return name, _person(old), _person(new)
    # A cycle or a unit, named as it is now. The new one was just assigned, so it is loaded;
    # the old one is read only when it changed.
    return name, _instance(related, old), getattr(item, name)


def _person(pk: int | None) -> dict | None:
    """The trail's reference to a person, which erasure leaves pointing at the pseudonym."""
    return {"person": pk} if pk is not None else None


def _instance(model: type[models.Model], pk: int | None) -> models.Model | None:
    return model._base_manager.filter(pk=pk).first() if pk is not None else None


def contributor_refs(pks: Iterable[int]) -> list[dict]:
    """Contributors as `okrs.actions.set_contributors` records them."""
    return [{"person": pk} for pk in sorted(pks)]
