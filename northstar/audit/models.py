"""The audit trail: who changed what, when, from what to what, and why.

Append-only. Rows are written through `record()`; no page, API or admin can edit or delete
them (the model, its QuerySet and the admin all refuse). People appear in the trail only as
references to Person rows (`actor`, and `{"person": id}` inside `changes`), so erasing a
person's name and email pseudonymises the trail as well.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from django.db import models
from django.utils import timezone

from northstar.people.models import Person


class AppendOnlyError(Exception):
    """Raised on any attempt to change or delete a row of the audit trail."""


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only.")

    def for_target(self, target: models.Model) -> AuditQuerySet:
        return self.filter(target_type=target._meta.model_name, target_id=target.pk)


class AuditEvent(models.Model):
    at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty when the installation's operator acted (a CLI command without --as).",
    )
    action = models.CharField(max_length=40)
    target_type = models.CharField(max_length=40)
    target_id = models.BigIntegerField()
    # The objective an event belongs to, so an objective's history (its own events, its key
    # results' and their check-ins') is one indexed query.
    objective_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(blank=True, default="")

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type} {self.target_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("The audit trail is append-only.")


def value_for_trail(value: Any) -> Any:
    """JSON-safe form of a field value; people become references so erasure reaches them."""
    if isinstance(value, Person):
        return {"person": value.pk}
    if isinstance(value, models.Model):
        return {"type": value._meta.model_name, "id": value.pk, "label": str(value)}
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def record(
    *,
    actor: Person | None,
    action: str,
    target: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    reason: str = "",
    objective_id: int | None = None,
) -> AuditEvent:
    """Append one event. `changes` maps a field to (old, new)."""
    event = new_event(
        actor=actor,
        action=action,
        target=target,
        changes=changes,
        reason=reason,
        objective_id=objective_id,
    )
    event.save()
    return event


def new_event(
    *,
    actor: Person | None,
    action: str,
    target: models.Model,
    changes: dict[str, tuple[Any, Any]] | None = None,
    reason: str = "",
    objective_id: int | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """The event `record()` appends, unsaved: for writers that append many in one
    `bulk_create` (imports). `at` defaults to now."""
    return AuditEvent(
        at=at or timezone.now(),
        actor=actor,
        action=action,
        target_type=target._meta.model_name,
        target_id=target.pk,
        objective_id=objective_id,
        changes={
            field: {"from": value_for_trail(old), "to": value_for_trail(new)}
            for field, (old, new) in (changes or {}).items()
        },
        reason=reason,
    )


def diff(before: models.Model | None, after: models.Model, fields: list[str]) -> dict:
    """(old, new) for each listed field that differs; every field when `before` is None."""
    changes = {}
    for field in fields:
        old = getattr(before, field) if before is not None else None
        new = getattr(after, field)
        if old != new:
            changes[field] = (old, new)
    return changes


def pseudonymise_person(person: Person, *, old_name: str, old_email: str | None) -> int:
    """Scrub an erased person's former name and email from the trail's `changes` and
    `reason` (people are references, but labels and typed reasons may spell them out), and
    blank the name/email values of events about that person. Returns the events rewritten.

    The one sanctioned exception to append-only: it goes through the base manager, which
    lacks the refusing QuerySet, and writes nothing but these two columns.
    """
    patterns = [re.compile(rf"(?<!\w){re.escape(old_name)}(?!\w)")] if old_name.strip() else []
    if old_email:
        patterns.append(re.compile(re.escape(old_email), re.IGNORECASE))
    events = AuditEvent.objects.only("pk", "target_type", "target_id", "changes", "reason")
    rewrites = []
    # Read everything first, then write: SQLite gives no isolation between a running read
    # and writes on the same connection.
    for event in events.iterator(chunk_size=2000):
        changes = _scrub(event.changes, patterns, person.name)
        if event.target_type == "person" and event.target_id == person.pk:
            changes = _blank_identity(changes, person)
        reason = _scrub(event.reason, patterns, person.name)
        if changes != event.changes or reason != event.reason:
            rewrites.append((event.pk, changes, reason))
    for pk, changes, reason in rewrites:
        AuditEvent._base_manager.filter(pk=pk).update(changes=changes, reason=reason)
    return len(rewrites)


def _scrub(value: Any, patterns: list[re.Pattern], pseudonym: str) -> Any:
    if isinstance(value, str):
        for pattern in patterns:
            value = pattern.sub(pseudonym, value)
        return value
    if isinstance(value, list):
        return [_scrub(item, patterns, pseudonym) for item in value]
    if isinstance(value, dict):
        return {key: _scrub(item, patterns, pseudonym) for key, item in value.items()}
    return value


def _blank_identity(changes: dict, person: Person) -> dict:
    """Earlier names and emails of the person (a rename, say) leave the trail too."""
    replacement = {"name": person.name, "email": None}
    for field, value in replacement.items():
        if field in changes:
            changes[field] = {"from": value, "to": value}
    return changes
