"""The one door into notifications: `publish()`.

Other apps call it inside their own transaction, after the write it is about:

    publish("kudos", recipients=[key_result.owner], actor=giver, subject=kudos,
            context={"text": kudos.message})

`subject` is the thing the event is about: an Objective, KeyResult or CheckIn, or any model
whose `subject` (else `check_in`, `key_result`, `objective`) attribute is one (a comment, a
kudos, a celebration). It names the event and, above all, decides privacy: nobody is told
about an objective they may not read (`okrs.access.can_read_objective`), and webhooks, whose
readers are unknown, only hear about public ones (never about a subject that cannot be placed).

`context` may carry (other keys are ignored):
    headline  the one-line title (mail subject); by default one is made from the kind, the
              actor and the subject ("Ada gave you kudos on “Cut p95 latency …”")
    text      a paragraph; else `excerpt` (a comment) or `message` (kudos) is used
    sections  a list of `notice.Section` (reminders and digests)
    url       a link (path or absolute); default: the subject's page

`muted()` turns publishing off for a block: writes that replay history (the demo, imports)
must not tell anyone about the past.

Nothing is sent here. One `Delivery` row per (recipient, channel) and per subscribed webhook
is written in the caller's transaction, and each is handed to the task queue only once that
transaction commits: a rolled-back check-in notifies nobody, and a failing channel can never
break the write that caused it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import partial

from django.db import models, transaction
from django.urls import reverse

from northstar.lib.urls import absolute_url
from northstar.notifications.models import (
    PERSONAL_KINDS,
    Channel,
    Delivery,
    Kind,
    Preference,
    WebhookTarget,
)
from northstar.notifications.notice import Notice, one_line
from northstar.okrs.access import can_read_objective
from northstar.okrs.models import CheckIn, KeyResult, Objective
from northstar.people.models import Person

# Most specific first: a celebration of an objective also names the check-in that landed it,
# so its own `subject` must win.
RELATED_NAMES = ("subject", "check_in", "key_result", "objective")
TEXT_KEYS = ("text", "excerpt", "message")
_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextmanager
def muted() -> Iterator[None]:
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def publish(
    kind: str,
    *,
    recipients: Iterable[Person],
    actor: Person | None,
    subject: models.Model | None,
    context: dict,
) -> None:
    kind = Kind(kind)  # an unknown kind is a caller's bug: fail loudly, inside their test
    if _muted.get():
        return
    recipients = [p for p in recipients if p is not None]
    item = okr_item_of(subject)
    objective = objective_of(item)
    people = email_recipients(kind, recipients, actor=actor, objective=objective)
    deliveries = [
        Delivery(
            kind=kind,
            channel=Channel.EMAIL,
            recipient=person,
            objective_id=objective.pk if objective else None,
            payload=build_notice(kind, actor, item, context, audience="you").to_json(),
        )
        for person in people
    ]
    # A subject we cannot place might belong to a private objective: no shared channel then.
    if subject is None or item is not None:
        named = [p for p in recipients if actor is None or p.pk != actor.pk]
        deliveries += webhook_deliveries(kind, actor, item, objective, context, named)
    if not deliveries:
        return
    Delivery.objects.bulk_create(deliveries)
    from northstar.notifications.tasks import enqueue  # tasks import this module's helpers

    for delivery in deliveries:
        # robust: an enqueue that fails is logged, never raised into the caller's commit.
        transaction.on_commit(partial(enqueue, delivery.pk), robust=True)


def email_recipients(
    kind: str, recipients: Iterable[Person], *, actor: Person | None, objective: Objective | None
) -> list[Person]:
    """Who gets this by email: never the actor, only active people with an address who have
    not opted out, and only those who may know the objective exists."""
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        if actor is not None and person.pk == actor.pk:
            continue
        if not person.is_active or not person.email:
            continue
        people.append(person)
    opted_out = Preference.objects.opted_out(kind, Channel.EMAIL, people)
    people = [p for p in people if p.pk not in opted_out]
    if objective is None:
        return people
    return [p for p in people if can_read_objective(p, objective)]


def webhook_deliveries(
    kind: str,
    actor: Person | None,
    item: models.Model | None,
    objective: Objective | None,
    context: dict,
    people: list[Person],
) -> list[Delivery]:
    if kind in PERSONAL_KINDS:
        return []
    if objective is not None and not is_public(objective):
        return []
    targets = WebhookTarget.objects.subscribed(kind)
    if not targets:
        return []
    audience = ", ".join(dict.fromkeys(p.name for p in people)) or "someone"
    payload = build_notice(kind, actor, item, context, audience=audience).to_json()
    return [
        Delivery(
            kind=kind,
            channel=Channel.WEBHOOK,
            target=target,
            objective_id=objective.pk if objective else None,
            payload=payload,
        )
        for target in targets
    ]


def is_public(objective: Objective) -> bool:
    """Whether everyone in the organisation may read it: the only safe case for a chat
    channel or an outside service, whose readers Northstar cannot check."""
    return not objective.is_private


# --- what the event is about ---------------------------------------------------------------


def okr_item_of(subject: models.Model | None) -> Objective | KeyResult | None:
    """The objective or key result a subject is about (a check-in is about its key result)."""
    if subject is None:
        return None
    if isinstance(subject, (Objective, KeyResult)):
        return subject
    if isinstance(subject, CheckIn):
        return subject.key_result
    for name in RELATED_NAMES:
        related = getattr(subject, name, None)
        if isinstance(related, (Objective, KeyResult, CheckIn)):
            return okr_item_of(related)
    return None


def objective_of(item: Objective | KeyResult | None) -> Objective | None:
    if isinstance(item, KeyResult):
        return item.objective
    return item


def item_url(item: Objective | KeyResult | None) -> str:
    if isinstance(item, Objective):
        return reverse("objective", args=[item.pk])
    if isinstance(item, KeyResult):
        return reverse("key-result", args=[item.pk])
    return ""


# --- what it says ----------------------------------------------------------------------------


def build_notice(
    kind: str,
    actor: Person | None,
    item: Objective | KeyResult | None,
    context: dict,
    *,
    audience: str,
) -> Notice:
    title = context.get("headline") or default_title(kind, actor, item, audience)
    text = next((context[key] for key in TEXT_KEYS if context.get(key)), "")
    return Notice(
        kind=kind,
        title=one_line(title),
        text=str(text),
        sections=tuple(context.get("sections", ())),
        url=absolute_url(context.get("url") or item_url(item)),
    )


def default_title(
    kind: str, actor: Person | None, item: Objective | KeyResult | None, audience: str
) -> str:
    who = actor.name if actor else "Northstar"
    on = f" on “{item}”" if item is not None else ""
    if kind == Kind.CELEBRATION:
        if isinstance(item, Objective):
            return f"🎉 “{item}” is complete"
        return f"🎉 “{item}” reached its target" if item is not None else "🎉 A target was reached"
    return {
        Kind.MENTION: f"{who} mentioned {audience}{on}",
        Kind.KUDOS: f"{who} gave {audience} kudos{on}",
        Kind.APPROVAL_REQUESTED: f"{who} asks {audience} to approve “{item}”"
        if item is not None
        else f"{who} asks {audience} for an approval",
        Kind.REMINDER: "Time for a check-in",
        Kind.DIGEST: "Your weekly digest",
    }[kind]
