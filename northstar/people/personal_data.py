"""Everything stored about a person, out as JSON (export) or gone (erase).

Erasure replaces the name and email with a pseudonym everywhere — the person row, the
account, the audit trail (see `audit.models.pseudonymise_person`), the Django admin's log,
and the text of comments, kudos and stored notifications, @handles included (see `scrub`) —
while the OKR history stays whole: objectives, key results, check-ins, comments, kudos and
mentions keep pointing at the same, now pseudonymous, person.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from northstar.audit.models import AuditEvent, pseudonymise_person, record
from northstar.feedback.models import KUDOS_MAX_LENGTH, Comment, Kudos, Mention
from northstar.notifications.models import Delivery
from northstar.okrs.models import CheckIn, Initiative, KeyResult, Objective
from northstar.people import actions
from northstar.people.models import Invitation, Person, SignInFailure, Unit
from northstar.people.scrub import Scrubber

# Rows rewritten per UPDATE statement when erasing.
BATCH = 500


def export_person(person: Person) -> dict[str, Any]:
    return {
        "exported_at": timezone.now().isoformat(),
        "profile": _profile(person),
        "account": _account(person),
        "memberships": {
            "unit": _ref(person.unit),
            "leads": [_ref(unit) for unit in person.led_units.all()],
            "manager": _ref(person.manager),
        },
        "objectives": [_objective(o) for o in _owned(Objective, person, "cycle", "unit")],
        "key_results": [_key_result(kr) for kr in _owned(KeyResult, person, "objective")],
        "initiatives": [_initiative(i) for i in _owned(Initiative, person)],
        "check_ins": [
            _check_in(c) for c in CheckIn.objects.filter(author=person).select_related("key_result")
        ],
        "invitations": [_invitation(i) for i in _invitations(person)],
        "comments": [_comment(c) for c in Comment.objects.filter(author=person)],
        "kudos": {
            "given": [_kudos(k) for k in _kudos_where(giver=person)],
            "received": [_kudos(k) for k in _kudos_where(receiver=person)],
        },
        "mentions": [_mention(m) for m in _mentions_of(person)],
        "audit_events": {
            "acted": [_event(e) for e in AuditEvent.objects.filter(actor=person)],
            "about": [_event(e) for e in AuditEvent.objects.for_target(person)],
        },
    }


def _owned(model: type, person: Person, *related: str) -> list:
    owned = model.objects.filter(owner=person)
    return list(owned.select_related(*related) if related else owned)


def _ref(item: Unit | Person | None) -> dict | None:
    return {"id": item.pk, "name": item.name} if item is not None else None


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def _profile(person: Person) -> dict[str, Any]:
    return {
        "id": person.pk,
        "name": person.name,
        "email": person.email,
        "job_title": person.job_title,
        "role": person.role,
        "is_active": person.is_active,
    }


def _account(person: Person) -> dict[str, Any] | None:
    user = person.user
    if user is None:
        return None
    return {
        "username": user.get_username(),
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "date_joined": _iso(user.date_joined),
        "last_login": _iso(user.last_login),
        "is_active": user.is_active,
        "is_superuser": user.is_superuser,
    }


def _objective(o: Objective) -> dict[str, Any]:
    return {
        "id": o.pk,
        "reference": o.reference,
        "title": o.title,
        "description": o.description,
        "cycle": o.cycle.name,
        "unit": _ref(o.unit),
        "state": o.state,
        "progress": o.progress,
        "created_at": _iso(o.created_at),
    }


def _key_result(kr: KeyResult) -> dict[str, Any]:
    return {
        "id": kr.pk,
        "reference": kr.reference,
        "title": kr.title,
        "objective": {"id": kr.objective_id, "title": kr.objective.title},
        "kind": kr.kind,
        "start": kr.start,
        "target": kr.target,
        "unit": kr.unit,
        "state": kr.state,
        "progress": kr.progress,
        "created_at": _iso(kr.created_at),
    }


def _initiative(i: Initiative) -> dict[str, Any]:
    return {"id": i.pk, "title": i.title, "key_result_id": i.key_result_id, "status": i.status}


def _check_in(c: CheckIn) -> dict[str, Any]:
    return {
        "id": c.pk,
        "key_result": {"id": c.key_result_id, "title": c.key_result.title},
        "measured_on": _iso(c.measured_on),
        "value": c.value,
        "level": c.level,
        "done": c.done,
        "confidence": c.confidence,
        "note": c.note,
        "created_at": _iso(c.created_at),
    }


def _invitations(person: Person) -> list[Invitation]:
    if not person.email:
        return []
    return list(Invitation.objects.filter(email__iexact=person.email))


def _invitation(i: Invitation) -> dict[str, Any]:
    return {
        "email": i.email,
        "unit": _ref(i.unit),
        "role": i.role,
        "created": _iso(i.created),
        "expires": _iso(i.expires),
        "accepted_at": _iso(i.accepted_at),
    }


def _on(item: Comment | Kudos) -> dict[str, int | None]:
    """What feedback is on: an objective, narrowed to a key result and a check-in if set."""
    return {
        "objective_id": item.objective_id,
        "key_result_id": item.key_result_id,
        "check_in_id": item.check_in_id,
    }


def _comment(c: Comment) -> dict[str, Any]:
    return {"id": c.pk, "on": _on(c), "body": c.body, "created": _iso(c.created)}


def _kudos_where(**who: Person) -> list[Kudos]:
    return list(Kudos.objects.filter(**who).select_related("giver", "receiver"))


def _kudos(k: Kudos) -> dict[str, Any]:
    return {
        "id": k.pk,
        "on": _on(k),
        "giver": _ref(k.giver),
        "receiver": _ref(k.receiver),
        "message": k.message,
        "created": _iso(k.created),
    }


def _mentions_of(person: Person) -> list[Mention]:
    return list(
        Mention.objects.filter(person=person)
        .select_related("comment__author")
        .order_by("comment__created", "pk")
    )


def _mention(m: Mention) -> dict[str, Any]:
    """The comment that names the person: that text is about them too."""
    comment = m.comment
    return {
        "comment_id": comment.pk,
        "by": _ref(comment.author),
        "on": _on(comment),
        "body": comment.body,
        "created": _iso(comment.created),
    }


def _event(e: AuditEvent) -> dict[str, Any]:
    return {
        "at": _iso(e.at),
        "actor_id": e.actor_id,
        "action": e.action,
        "target": {"type": e.target_type, "id": e.target_id},
        "changes": e.changes,
        "reason": e.reason,
    }


@transaction.atomic
def erase_person(*, person: Person, actor: Person | None) -> str:
    """Pseudonymise the person everywhere and close their account. Returns the pseudonym."""
    if actor is not None and actor.pk == person.pk:
        raise ValidationError("You cannot erase yourself; ask another admin.")
    old_name, old_email = person.name, person.email
    for unit in person.led_units.all():
        actions.remove_lead(unit=unit, person=person, actor=actor)
    person.name = f"Former member {secrets.token_hex(2)}"
    person.email = None
    person.job_title = ""
    person.is_active = False
    person.save(update_fields=["name", "email", "job_title", "is_active"])
    _anonymise_account(person)
    _forget_email(old_email)
    _scrub_admin_log(person)
    record(actor=actor, action="erased", target=person)
    pseudonymise_person(person, old_name=old_name, old_email=old_email)
    scrubber = Scrubber(person, old_name=old_name, old_email=old_email)
    _scrub_comments(person, scrubber)
    _scrub_kudos(scrubber)
    _scrub_deliveries(scrubber)
    return person.name


def _anonymise_account(person: Person) -> None:
    user = person.user
    if user is None:
        return
    user.username = f"erased-{user.pk}"
    user.email = ""
    user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def _forget_email(email: str | None) -> None:
    if not email:
        return
    Invitation.objects.filter(email__iexact=email).delete()
    SignInFailure.objects.filter(email=email.lower()).delete()


def _scrub_admin_log(person: Person) -> None:
    """The Django admin's history shows an object's name as it was when edited."""
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Person), object_id=str(person.pk)
    )
    entries.update(object_repr=person.name)
    if person.user_id:
        user_type = ContentType.objects.get_for_model(person.user)
        LogEntry.objects.filter(content_type=user_type, object_id=str(person.user_id)).update(
            object_repr=person.user.get_username()
        )


# Free text is read in full first, then written: SQLite gives no isolation between a running
# read and writes on the same connection (as in `pseudonymise_person`).


def _scrub_comments(person: Person, scrubber: Scrubber) -> None:
    mentioning = set(Mention.objects.filter(person=person).values_list("comment_id", flat=True))
    changed = []
    for comment in Comment.objects.only("pk", "body").iterator(chunk_size=2000):
        body = scrubber.text(comment.body, mentioned=comment.pk in mentioning)
        if body != comment.body:
            comment.body = body
            changed.append(comment)
    Comment.objects.bulk_update(changed, ["body"], batch_size=BATCH)


def _scrub_kudos(scrubber: Scrubber) -> None:
    changed = []
    for kudos in Kudos.objects.only("pk", "message").iterator(chunk_size=2000):
        message = _within(scrubber.text(kudos.message), KUDOS_MAX_LENGTH)
        if message != kudos.message:
            kudos.message = message
            changed.append(kudos)
    Kudos.objects.bulk_update(changed, ["message"], batch_size=BATCH)


def _within(text: str, length: int) -> str:
    """A pseudonym may be longer than the handle it replaces; the column is not."""
    return text if len(text) <= length else text[: length - 1] + "…"


def _scrub_deliveries(scrubber: Scrubber) -> None:
    """What each notification said (a mention carries the comment's text, a webhook's title
    the recipients' names) and any error, which may quote the address."""
    changed = []
    for delivery in Delivery.objects.only("pk", "payload", "last_error").iterator(chunk_size=2000):
        payload = scrubber.json(delivery.payload)
        last_error = scrubber.text(delivery.last_error)
        if payload != delivery.payload or last_error != delivery.last_error:
            delivery.payload, delivery.last_error = payload, last_error
            changed.append(delivery)
    Delivery.objects.bulk_update(changed, ["payload", "last_error"], batch_size=BATCH)
