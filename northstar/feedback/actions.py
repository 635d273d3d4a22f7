"""Writes with side effects: comments (and the mentions in them), kudos and celebrations.

Every front door calls these, and each one publishes its notification through
`northstar.notifications.events.publish` inside the caller's transaction, so a refused or
rolled-back write notifies nobody. Who may comment or give kudos is the views' question
(through `okrs.access`). Who gets told is decided here; `publish` then drops the actor, the
opted-out and anyone who may not read the objective. A mention is only recorded for someone
who may read what it is on, so a hidden objective is never hinted at.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse

from northstar.feedback.mentions import mention_tokens, resolve
from northstar.feedback.models import (
    COMMENT_MAX_LENGTH,
    KUDOS_MAX_LENGTH,
    Celebration,
    Comment,
    Kudos,
    Mention,
    Subject,
    anchor,
)
from northstar.okrs.access import can_read_objective
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Person


@transaction.atomic
def add_comment(*, subject: Subject, author: Person, body: str) -> Comment:
    """Comment on an objective, key result or check-in; notify the people it mentions."""
    body = body.strip()
    if not body:
        raise ValidationError({"body": "Write something before posting."})
    if len(body) > COMMENT_MAX_LENGTH:
        raise ValidationError({"body": f"Keep a comment under {COMMENT_MAX_LENGTH} characters."})
    comment = Comment.objects.create(author=author, body=body, **anchor(subject))
    mentioned = [
        person
        for person in _unique(resolve(mention_tokens(body)).values())
        if person.pk != author.pk and can_read_objective(person, comment.objective)
    ]
    Mention.objects.bulk_create(Mention(comment=comment, person=p) for p in mentioned)
    if mentioned:
        _publish(
            "mention",
            recipients=mentioned,
            actor=author,
            subject=comment,
            context={"text": body, "url": subject_url(comment.subject)},
        )
    return comment


def receiver_of(subject: Subject) -> Person | None:
    """Who kudos on this subject thank: a check-in's author, otherwise the owner."""
    if isinstance(subject, CheckIn):
        return subject.author
    return subject.owner


@transaction.atomic
def give_kudos(*, subject: Subject, giver: Person, message: str) -> Kudos:
    """Thank the owner (or a check-in's author) with a short message, and tell them."""
    message = " ".join(message.split())
    receiver = receiver_of(subject)
    if receiver is None:
        raise ValidationError("Nobody owns this yet, so there is nobody to thank.")
    if receiver.pk == giver.pk:
        raise ValidationError("Kudos go to someone else.")
    if not message:
        raise ValidationError({"message": "Say what you are thanking them for."})
    if len(message) > KUDOS_MAX_LENGTH:
        raise ValidationError({"message": f"Keep kudos under {KUDOS_MAX_LENGTH} characters."})
    kudos = Kudos.objects.create(giver=giver, receiver=receiver, message=message, **anchor(subject))
    _publish(
        "kudos",
        recipients=[receiver],
        actor=giver,
        subject=kudos,
        context={"text": message, "url": subject_url(subject)},
    )
    return kudos


def celebrate_if_landed(check_in: CheckIn) -> list[Celebration]:
    """Celebrate what this check-in made land: its key result reaching its target, and any
    objective up the alignment chain (or key result taking progress from it) reaching 100 %.

    Called by `okrs.actions.record_check_in` after the roll-up, which walked these very
    instances: their figures are fresh and walking the chain again costs no queries. Each
    subject is celebrated once, ever; nothing is celebrated while nothing is complete.
    """
    key_result = check_in.key_result
    candidates: list[Celebration] = []
    if _crossed_target(key_result, check_in):
        candidates.append(_celebration(key_result.objective, key_result, check_in))
    for objective, parent in _chain(key_result.objective):
        if objective.is_counted and objective.progress is not None and objective.progress >= 1:
            candidates.append(_celebration(objective, None, check_in))
        if _landed_from_below(parent):
            candidates.append(_celebration(parent.objective, parent, check_in))
    if not candidates:
        return []
    landed = [c for c in _not_yet_celebrated(candidates) if _saved(c)]
    for celebration in landed:
        _announce(celebration, actor=check_in.author)
    return landed


def _crossed_target(key_result: KeyResult, check_in: CheckIn) -> bool:
    """Whether this check-in moved the key result's current reading to its target or beyond,
    from below it (or from no reading at all)."""
    if key_result.current_check_in_id != check_in.pk:
        return False  # a back-dated reading: the current value did not change
    if not _complete(key_result):
        return False
    previous = (
        key_result.check_ins.exclude(pk=check_in.pk)
        .filter(
            Q(measured_on__lt=check_in.measured_on)
            | Q(measured_on=check_in.measured_on, created_at__lte=check_in.created_at)
        )
        .order_by("-measured_on", "-created_at", "-pk")
        .only("progress_then")
        .first()
    )
    return previous is None or previous.progress_then is None or previous.progress_then < 1


def _landed_from_below(key_result: KeyResult | None) -> bool:
    """A key result that takes its progress from the objectives aligned under it has no
    check-ins of its own: it lands when the roll-up brings it to 100 %."""
    return (
        key_result is not None
        and key_result.progress_source == KeyResult.Source.ALIGNED
        and _complete(key_result)
    )


def _complete(key_result: KeyResult) -> bool:
    return (
        key_result.state == KeyResult.State.ACTIVE
        and key_result.progress_raw is not None
        and key_result.progress_raw >= 1
    )


def _chain(objective: Objective) -> Iterable[tuple[Objective, KeyResult | None]]:
    """The objective and everything it rolls up into, each with the key result it is aligned
    to (if any), nearest first; the same walk as `okrs.actions.refresh_upwards`."""
    seen: set[int] = set()
    node: Objective | None = objective
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        if node.parent_key_result_id:
            parent = node.parent_key_result
            yield node, parent
            node = parent.objective
        else:
            yield node, None
            node = node.parent_objective


def _celebration(
    objective: Objective, key_result: KeyResult | None, check_in: CheckIn
) -> Celebration:
    kind = Celebration.Kind.KEY_RESULT if key_result else Celebration.Kind.OBJECTIVE
    return Celebration(
        kind=kind,
        objective=objective,
        key_result=key_result,
        check_in=check_in,
        created=check_in.created_at,
    )


def _not_yet_celebrated(candidates: list[Celebration]) -> list[Celebration]:
    """The candidates without a celebration yet, in one query."""
    done = Celebration.objects.filter(
        Q(kind=Celebration.Kind.KEY_RESULT, key_result__in=[c.key_result_id for c in candidates])
        | Q(kind=Celebration.Kind.OBJECTIVE, objective__in=[c.objective_id for c in candidates])
    ).values_list("kind", "objective_id", "key_result_id")
    celebrated = {
        (kind, key_result_id if kind == Celebration.Kind.KEY_RESULT else objective_id)
        for kind, objective_id, key_result_id in done
    }
    fresh, seen = [], set()
    for candidate in candidates:
        key = (candidate.kind, candidate.key_result_id or candidate.objective_id)
        if key not in celebrated and key not in seen:
            seen.add(key)
            fresh.append(candidate)
    return fresh


def _saved(celebration: Celebration) -> bool:
    """Save it unless a concurrent check-in celebrated the same subject first."""
    try:
        with transaction.atomic():
            celebration.save()
    except IntegrityError:
        return False
    return True


def _announce(celebration: Celebration, *, actor: Person | None) -> None:
    """Tell the owner and the members of the owning unit (for a personal objective, the
    owner's unit)."""
    subject = celebration.subject
    owner = subject.owner
    objective = celebration.objective
    unit_id = objective.unit_id or (objective.owner.unit_id if objective.owner_id else None)
    people = [owner] if owner is not None else []
    if unit_id is not None:
        people += list(Person.objects.active().filter(unit_id=unit_id).select_related("user"))
    # publish() leaves out the actor and anyone who may not read the objective.
    recipients = _unique(people)
    if recipients:
        _publish(
            "celebration",
            recipients=recipients,
            actor=actor,
            subject=celebration,
            context={"title": _headline(celebration), "url": subject_url(subject)},
        )


def _unique(people: Iterable[Person]) -> list[Person]:
    found: dict[int, Person] = {}
    for person in people:
        found.setdefault(person.pk, person)
    return list(found.values())


def subject_url(subject: Subject) -> str:
    if isinstance(subject, CheckIn):
        return reverse("check-in-feedback", args=[subject.pk])
    if isinstance(subject, KeyResult):
        return reverse("key-result", args=[subject.pk])
    return reverse("objective", args=[subject.pk])


def _headline(celebration: Celebration) -> str:
    if celebration.kind == Celebration.Kind.KEY_RESULT:
        return f"🎉 “{celebration.key_result.title}” reached its target"
    return f"🎉 “{celebration.objective.title}” is complete"


def _publish(
    kind: str,
    *,
    recipients: list[Person],
    actor: Person | None,
    subject: Comment | Kudos | Celebration,
    context: dict[str, Any],
) -> None:
    # Imported here: notifications reads feedback's models for digests, and a module-level
    # import would make the two apps import each other.
    from northstar.notifications import events

    events.publish(kind, recipients=recipients, actor=actor, subject=subject, context=context)
