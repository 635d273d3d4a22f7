"""Writes to people and units. Pages, CLI commands and the people import all call these, so
each change is validated and lands in the audit trail the same way whatever the door.

`actor` is the Person acting, or None for the installation's operator (a CLI command without
`--as`). Permission checks happen before, in the caller, through `people.access`.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from northstar.audit.models import diff, record
from northstar.lib.urls import absolute_url
from northstar.okrs.models import KeyResult, Objective, State
from northstar.people.models import Invitation, Organisation, Person, Unit

User = get_user_model()

OPEN_STATES = (State.DRAFT, State.PROPOSED, State.ACTIVE)

# Mail backends that deliver nothing to the recipient: the invitation link must then be
# shown (CLI, page) so that someone can pass it on.
UNDELIVERED_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}


# Accounts ----------------------------------------------------------------------------------


def person_for_user(user: AbstractBaseUser) -> Person | None:
    """The account's person. A superuser made with `createsuperuser` has none at first: one
    is created on sign-in (role admin), or an existing person with the same email (say, an
    imported owner) is linked, so that the first admin can use the app at once."""
    try:
        return user.person
    except Person.DoesNotExist:
        pass
    if not user.is_superuser:
        return None
    with transaction.atomic():
        person = _unlinked_person(user.email) or Person(name=_display_name(user))
        if person.email is None and user.email and not _email_taken(user.email):
            person.email = user.email.lower()
        person.user = user
        person.role = Person.Role.ADMIN
        person.save()
        record(actor=person, action="joined", target=person, changes={"role": (None, "admin")})
    user.person = person
    return person


def _unlinked_person(email: str) -> Person | None:
    if not email:
        return None
    return Person.objects.filter(email__iexact=email, user__isnull=True).first()


def _email_taken(email: str) -> bool:
    return Person.objects.filter(email__iexact=email).exists()


def _display_name(user: AbstractBaseUser) -> str:
    full = user.get_full_name().strip()
    if full:
        return full
    return (user.email or user.get_username()).split("@")[0]


def account_exists(email: str) -> bool:
    """Whether someone can already sign in (or could, once reactivated) with this email."""
    if User._default_manager.filter(email__iexact=email).exists():
        return True
    if User._default_manager.filter(username__iexact=email).exists():
        return True
    return Person.objects.filter(email__iexact=email, user__isnull=False).exists()


# Invitations -------------------------------------------------------------------------------


@transaction.atomic
def create_invitation(
    *, email: str, unit: Unit | None, role: str, invited_by: Person | None
) -> tuple[Invitation, str]:
    """A new invitation and its secret token (only its hash is stored)."""
    email = email.strip().lower()
    validate_email(email)
    if role not in Invitation.Role.values:
        raise ValidationError({"role": f"Unknown role {role!r}."})
    if role == Invitation.Role.LEAD and unit is None:
        raise ValidationError({"unit": "A lead is invited to lead a unit: choose one."})
    if account_exists(email):
        raise ValidationError({"email": f"{email} already has an account."})
    token = secrets.token_urlsafe(32)
    now = timezone.now()
    invitation = Invitation.objects.create(
        email=email,
        unit=unit,
        role=role,
        invited_by=invited_by,
        token_hash=Invitation.hash_token(token),
        created=now,
        expires=now + Invitation.VALID_FOR,
    )
    record(
        actor=invited_by,
        action="invited",
        target=invitation,
        changes={"email": (None, email), "unit": (None, unit), "role": (None, role)},
    )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("unit", "invited_by")
        .filter(token_hash=Invitation.hash_token(token))
        .first()
    )


def invitation_path(token: str) -> str:
    return reverse("invitation", args=[token])


def invitation_link(token: str) -> str:
    """The absolute link for places without a request (the terminal)."""
    return absolute_url(invitation_path(token))


def mail_is_delivered() -> bool:
    mailers = getattr(settings, "MAILERS", None)
    if mailers is not None:
        backend = mailers.get("default", {}).get("BACKEND", "")
    else:
        backend = settings.EMAIL_BACKEND
    return backend not in UNDELIVERED_BACKENDS


def send_invitation(invitation: Invitation, link: str) -> None:
    context = {
        "invitation": invitation,
        "link": link,
        "organisation": Organisation.get(),
        "days": Invitation.VALID_FOR.days,
    }
    subject = render_to_string("web/accounts/invitation_subject.txt", context)
    body = render_to_string("web/accounts/invitation_email.txt", context)
    EmailMessage(" ".join(subject.split()), body, to=[invitation.email]).send()


@transaction.atomic
def accept_invitation(*, invitation: Invitation, name: str, password: str) -> Person:
    """Create the account, and its person or link the existing one with that email; join the
    unit with the invited role."""
    if not invitation.is_open:
        raise ValidationError("This invitation has expired or was already used.")
    if account_exists(invitation.email):
        raise ValidationError(f"{invitation.email} already has an account; sign in instead.")
    user = User._default_manager.create_user(
        username=invitation.email, email=invitation.email, password=password
    )
    person = Person.objects.filter(email__iexact=invitation.email).first()
    before = Person.objects.get(pk=person.pk) if person else None
    person = person or Person(email=invitation.email)
    person.name = name.strip()
    person.user = user
    person.is_active = True
    person.role = person_role(invitation.role)
    if invitation.unit is not None:
        person.unit = invitation.unit
    person.full_clean()
    person.save()
    record(
        actor=person,
        action="joined",
        target=person,
        changes=diff(before, person, ["role", "unit"]),
    )
    if invitation.role == Invitation.Role.LEAD:
        add_lead(unit=invitation.unit, person=person, actor=invitation.invited_by)
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["accepted_at"])
    return person


def person_role(invited: str) -> str:
    """Leading is not a role but a unit's lead list; a lead is a member who leads."""
    if invited == Invitation.Role.LEAD:
        return Person.Role.MEMBER
    return invited


# People ------------------------------------------------------------------------------------

PERSON_FIELDS = ["name", "job_title", "role", "unit", "manager"]


@transaction.atomic
def update_person(*, person: Person, actor: Person | None, reason: str = "", **fields) -> Person:
    """Change any of name, job title, role, unit and manager; one audit event for all."""
    unknown = set(fields) - set(PERSON_FIELDS)
    if unknown:
        raise TypeError(f"update_person() cannot change {', '.join(sorted(unknown))}")
    before = Person.objects.get(pk=person.pk)
    for field, value in fields.items():
        setattr(person, field, value)
    person.full_clean()
    person.save()
    changes = diff(before, person, PERSON_FIELDS)
    if changes:
        record(actor=actor, action="changed", target=person, changes=changes, reason=reason)
    return person


@transaction.atomic
def add_lead(*, unit: Unit, person: Person, actor: Person | None, reason: str = "") -> None:
    if unit.leads.filter(pk=person.pk).exists():
        return
    unit.leads.add(person)
    record(
        actor=actor,
        action="lead added",
        target=unit,
        changes={"leads": (None, person)},
        reason=reason,
    )


@transaction.atomic
def remove_lead(*, unit: Unit, person: Person, actor: Person | None, reason: str = "") -> None:
    if not unit.leads.filter(pk=person.pk).exists():
        return
    unit.leads.remove(person)
    record(
        actor=actor,
        action="lead removed",
        target=unit,
        changes={"leads": (person, None)},
        reason=reason,
    )


def open_objectives(person: Person) -> list[Objective]:
    return list(Objective.objects.filter(owner=person, state__in=OPEN_STATES))


def open_key_results(person: Person) -> list[KeyResult]:
    return list(
        KeyResult.objects.filter(
            owner=person, state=KeyResult.State.ACTIVE, objective__state__in=OPEN_STATES
        )
    )


@transaction.atomic
def deactivate_person(
    *,
    person: Person,
    actor: Person | None,
    successor: Person | None = None,
    reason: str = "",
) -> tuple[int, int]:
    """Stop the person signing in and hand their open objectives and key results to a
    successor (required when there are any). Their history (closed items, check-ins, the
    trail) stays theirs. Returns how many objectives and key results were handed over."""
    _check_deactivation(person, actor, successor)
    objectives, key_results = open_objectives(person), open_key_results(person)
    if (objectives or key_results) and successor is None:
        raise ValidationError(
            {
                "successor": f"{person.name} owns {len(objectives)} open objective(s) and "
                f"{len(key_results)} open key result(s): choose who takes them over."
            }
        )
    for item in [*objectives, *key_results]:
        _hand_over(item, successor, actor, reason)
    for unit in person.led_units.all():
        remove_lead(unit=unit, person=person, actor=actor, reason=reason)
    _set_active(person, False, actor, reason)
    return len(objectives), len(key_results)


def _check_deactivation(person: Person, actor: Person | None, successor: Person | None) -> None:
    if not person.is_active:
        raise ValidationError(f"{person.name} is already inactive.")
    if actor is not None and actor.pk == person.pk:
        raise ValidationError("You cannot deactivate yourself; ask another admin.")
    if successor is None:
        return
    if successor.pk == person.pk:
        raise ValidationError({"successor": "The successor must be someone else."})
    if not successor.is_active:
        raise ValidationError({"successor": f"{successor.name} is inactive."})


def _hand_over(
    item: Objective | KeyResult, successor: Person, actor: Person | None, reason: str
) -> None:
    old_owner = item.owner
    item.owner = successor
    item.save(update_fields=["owner", "updated_at"])
    objective_id = item.pk if isinstance(item, Objective) else item.objective_id
    record(
        actor=actor,
        action="handed over",
        target=item,
        changes={"owner": (old_owner, successor)},
        reason=reason,
        objective_id=objective_id,
    )


def _set_active(person: Person, active: bool, actor: Person | None, reason: str) -> None:
    person.is_active = active
    person.save(update_fields=["is_active"])
    if person.user is not None:
        # An inactive account cannot sign in, and its open sessions stop working: Django's
        # backend refuses inactive users when it loads the session's user.
        person.user.is_active = active
        person.user.save(update_fields=["is_active"])
    record(
        actor=actor,
        action="reactivated" if active else "deactivated",
        target=person,
        changes={"is_active": (not active, active)},
        reason=reason,
    )


@transaction.atomic
def reactivate_person(*, person: Person, actor: Person | None, reason: str = "") -> None:
    if person.is_active:
        raise ValidationError(f"{person.name} is already active.")
    _set_active(person, True, actor, reason)


# Units -------------------------------------------------------------------------------------


@transaction.atomic
def create_unit(
    *, name: str, kind: str, parent: Unit | None, actor: Person | None, reason: str = ""
) -> Unit:
    unit = Unit(name=name.strip(), kind=kind, parent=parent)
    unit.full_clean()
    unit.save()
    changes = {"name": (None, unit.name), "kind": (None, kind), "parent": (None, parent)}
    record(actor=actor, action="created", target=unit, changes=changes, reason=reason)
    return unit


@transaction.atomic
def update_unit(
    *, unit: Unit, actor: Person | None, name: str, kind: str, reason: str = ""
) -> Unit:
    """Rename a unit or change its kind. Objectives keep their unit; their level follows the
    new kind (a department turned team owns team objectives)."""
    before = Unit.objects.get(pk=unit.pk)
    unit.name, unit.kind = name.strip(), kind
    unit.full_clean()
    unit.save()
    if before.kind != unit.kind:
        for objective in unit.objectives.all():
            objective.save(update_fields=["level"])  # save() derives the level
    changes = diff(before, unit, ["name", "kind"])
    if changes:
        record(actor=actor, action="changed", target=unit, changes=changes, reason=reason)
    return unit


@transaction.atomic
def move_unit(*, unit: Unit, parent: Unit | None, actor: Person | None, reason: str = "") -> Unit:
    """Put a unit (with everything below it) under another parent, or at the top."""
    old_parent = unit.parent
    if _same(old_parent, parent):
        return unit
    unit.parent = parent
    unit.full_clean()  # refuses loops and a name already used under the new parent
    unit.save(update_fields=["parent"])
    record(
        actor=actor,
        action="moved",
        target=unit,
        changes={"parent": (old_parent, parent)},
        reason=reason,
    )
    return unit


def _same(a: Unit | None, b: Unit | None) -> bool:
    return (a.pk if a else None) == (b.pk if b else None)


@transaction.atomic
def merge_units(
    *, source: Unit, target: Unit, actor: Person | None, reason: str = ""
) -> dict[str, int]:
    """Merge `source` into `target`: its members, objectives, sub-units, leads and pending
    invitations move to `target`, then `source` is removed. Objectives keep their identity
    (and so their history); each move is one audit event. Returns counts of what moved."""
    _check_merge(source, target)
    moved = {"people": 0, "objectives": 0, "units": 0, "leads": 0}
    for person in source.members.all():
        _move_person(person, source, target, actor, reason)
        moved["people"] += 1
    for objective in source.objectives.all():
        _move_objective(objective, source, target, actor, reason)
        moved["objectives"] += 1
    for child in source.children.all():
        move_unit(unit=child, parent=target, actor=actor, reason=reason)
        moved["units"] += 1
    for lead in source.leads.all():
        if not target.leads.filter(pk=lead.pk).exists():
            add_lead(unit=target, person=lead, actor=actor, reason=reason)
            moved["leads"] += 1
    source.invitations.update(unit=target)
    record(
        actor=actor,
        action="merged",
        target=source,
        changes={"merged_into": (source, target)},
        reason=reason,
    )
    source.delete()
    return moved


def _check_merge(source: Unit, target: Unit) -> None:
    if source.pk == target.pk:
        raise ValidationError("A unit cannot be merged into itself.")
    if source.pk in {unit.pk for unit in target.ancestors()}:
        raise ValidationError(
            f"{target.name} sits under {source.name}; move it out before merging."
        )
    taken = set(target.children.values_list("name", flat=True))
    clashes = sorted(taken & set(source.children.values_list("name", flat=True)))
    if clashes:
        raise ValidationError(
            f"{target.name} already has sub-units named {', '.join(clashes)}; "
            "rename them before merging."
        )


def _move_person(
    person: Person, source: Unit, target: Unit, actor: Person | None, reason: str
) -> None:
    person.unit = target
    person.save(update_fields=["unit"])
    record(
        actor=actor,
        action="moved",
        target=person,
        changes={"unit": (source, target)},
        reason=reason,
    )


def _move_objective(
    objective: Objective, source: Unit, target: Unit, actor: Person | None, reason: str
) -> None:
    objective.unit = target
    objective.save(update_fields=["unit", "level", "updated_at"])  # save() derives the level
    record(
        actor=actor,
        action="moved",
        target=objective,
        changes={"unit": (source, target)},
        reason=reason,
        objective_id=objective.pk,
    )


@transaction.atomic
def add_member(*, unit: Unit, person: Person, actor: Person | None, reason: str = "") -> None:
    """Make the unit the person's unit (people belong to one unit)."""
    if person.unit_id == unit.pk:
        return
    update_person(person=person, actor=actor, reason=reason, unit=unit)


@transaction.atomic
def remove_member(*, unit: Unit, person: Person, actor: Person | None, reason: str = "") -> None:
    if person.unit_id != unit.pk:
        return
    update_person(person=person, actor=actor, reason=reason, unit=None)


def describe(changes: dict[str, Any]) -> str:
    """'3 people, 2 objectives' from merge_units' counts, for messages."""
    return ", ".join(f"{count} {what}" for what, count in changes.items() if count) or "nothing"
