"""Who may see and change what: the one rule set that every front door goes through.

Pages, htmx fragments, search, exports and the CLI (`--as EMAIL`) ask these functions, and
so will the API, dashboards and notifications; none of them keeps a copy of the rules.

A *viewer* is whatever a door knows about who is asking:

* a Django user (a request), `AnonymousUser` or None: signed out, sees nothing;
* a `Person` (the CLI's `--as EMAIL`);
* `OPERATOR`: the installation's operator (the CLI without `--as`), who may do everything;
* a `Standing`: any of the above, resolved. Views resolve once per request with
  `standing(request.user)` and pass it on, so later checks cost no queries for it.

The rules, in short (the README's "Security and privacy" section says the same):

* Everyone signed in, with an active person, reads every public objective, its key results
  and check-ins. A superuser without a person counts as an admin; any other account
  without a person, and a deactivated person, read nothing.
* Private objectives (and their key results and check-ins) are read only by their owner,
  the owners and contributors of their key results, the leads of the owning unit and every
  unit above it (for a personal objective: of the owner's unit and above), and admins.
  To anyone else they do not exist: lookups answer 404, lists leave them out.
* Owners edit their objectives and key results and check in on them; contributors named on
  a key result check in on it; leads edit everything owned by the units they lead and the
  units below, including personal objectives of the people in those units, and decide on
  the proposals addressed to them (never on their own). Admins manage everything.
* Viewers (Person.role viewer) read like everyone else and change nothing.

Each condition sits on its own line so that test coverage shows every branch was
exercised (zulip's `access_stream_by_id` style). Visibility is one SQL condition (see
`_readable`), so a page lists what its viewer may read in the same number of queries
whatever the size of the organisation.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q
from django.shortcuts import get_object_or_404

from northstar.okrs.models import (
    CheckIn,
    KeyResult,
    KeyResultQuerySet,
    Objective,
    ObjectiveQuerySet,
)
from northstar.people.models import Person, PersonQuerySet, Unit, UnitQuerySet


class _Operator:
    """The installation's operator: a CLI command run without `--as`."""

    def __repr__(self) -> str:
        return "OPERATOR"


OPERATOR = _Operator()


@dataclass(frozen=True, eq=False)
class Standing:
    """What access needs to know about a viewer, resolved once."""

    person: Person | None = None
    reads: bool = False  # may read at all
    writes: bool = False  # may change anything at all (viewers and the signed-out may not)
    admin: bool = False  # an organisation admin, or the operator: reads and manages all
    operator: bool = False
    led: frozenset[int] = field(default_factory=frozenset)  # units led, and all below them


NOBODY = Standing()

type Viewer = AbstractBaseUser | AnonymousUser | Person | _Operator | Standing | None


class Refused(Exception):
    """A CLI's `--as EMAIL` cannot act: nobody has that email, or they may read nothing."""


# --- who is asking -------------------------------------------------------------------------


def standing(viewer: Viewer) -> Standing:
    if isinstance(viewer, Standing):
        return viewer
    if viewer is OPERATOR:
        return Standing(reads=True, writes=True, admin=True, operator=True)
    if viewer is None:
        return NOBODY
    if isinstance(viewer, Person):
        return _person_standing(viewer, viewer.user if viewer.user_id else None)
    return _user_standing(viewer)


def _user_standing(user: AbstractBaseUser | AnonymousUser) -> Standing:
    if not user.is_authenticated:
        return NOBODY
    if not user.is_active:
        return NOBODY
    person = person_for(user)
    if person is None and user.is_superuser:
        # `northstar createsuperuser` makes an account before anyone is in the organisation.
        return Standing(reads=True, writes=True, admin=True)
    if person is None:
        return NOBODY
    return _person_standing(person, user)


def _person_standing(person: Person, user: AbstractBaseUser | None) -> Standing:
    if not person.is_active:
        return NOBODY
    if user is not None and not user.is_active:
        return NOBODY
    if person.holds_admin_role:
        return Standing(person=person, reads=True, writes=True, admin=True)
    if person.role == Person.Role.VIEWER:
        return Standing(person=person, reads=True, led=led_units(person))
    return Standing(person=person, reads=True, writes=True, led=led_units(person))


def person_for(viewer: Viewer) -> Person | None:
    """The person behind a viewer, if any (an admin account or the operator may have none)."""
    if isinstance(viewer, Standing):
        return viewer.person
    if isinstance(viewer, Person):
        return viewer
    if viewer is None or viewer is OPERATOR:
        return None
    if not viewer.is_authenticated:
        return None
    try:
        # Django caches the reverse one-to-one on the user, so repeated calls are free.
        return viewer.person
    except Person.DoesNotExist:
        return None


def led_units(person: Person) -> frozenset[int]:
    """The units the person leads and every unit below them, in one query."""
    is_led = Unit.leads.through.objects.filter(unit_id=OuterRef("pk"), person_id=person.pk)
    rows = Unit.objects.order_by().annotate(is_led=Exists(is_led))
    children: dict[int | None, list[int]] = defaultdict(list)
    todo: list[int] = []
    for pk, parent_id, led in rows.values_list("pk", "parent_id", "is_led"):
        children[parent_id].append(pk)
        if led:
            todo.append(pk)
    found: set[int] = set()
    while todo:
        pk = todo.pop()
        if pk not in found:
            found.add(pk)
            todo.extend(children[pk])
    return frozenset(found)


def cli_viewer(email: str | None) -> Person | _Operator:
    """The viewer of a CLI command: the person `--as EMAIL` names, else the operator."""
    if email is None:
        return OPERATOR
    person = Person.objects.select_related("user").filter(email__iexact=email.strip()).first()
    if person is None:
        raise Refused(f"No person has the email {email!r}.")
    if not standing(person).reads:
        raise Refused(f"{person.email} is deactivated: they may not read or change anything.")
    return person


# --- reading -------------------------------------------------------------------------------


def _readable(who: Standing, path: str = "") -> Q:
    """The condition for an objective, reached through `path` ("" or "objective__" …),
    that a signed-in, non-admin viewer may read: public, or private and theirs to see."""
    person = who.person
    objective_id = f"{path[:-2]}_id" if path else "pk"
    theirs = KeyResult.objects.filter(objective_id=OuterRef(objective_id)).filter(
        Q(owner=person) | Q(contributors=person)
    )
    condition = Q(**{f"{path}is_private": False})
    condition |= Q(**{f"{path}owner": person})
    condition |= Q(Exists(theirs))
    if who.led:
        condition |= Q(**{f"{path}unit_id__in": who.led})
        condition |= Q(**{f"{path}unit__isnull": True, f"{path}owner__unit_id__in": who.led})
    return condition


def visible_objectives(viewer: Viewer) -> ObjectiveQuerySet:
    who = standing(viewer)
    if not who.reads:
        return Objective.objects.none()
    if who.admin:
        return Objective.objects.all()
    return Objective.objects.filter(_readable(who))


def hidden_objectives(viewer: Viewer) -> ObjectiveQuerySet:
    """Objectives that exist but that this viewer may not read: for "includes private
    work" flags, which say that something hidden counts, never what."""
    who = standing(viewer)
    if not who.reads:
        return Objective.objects.all()
    if who.admin:
        return Objective.objects.none()
    return Objective.objects.filter(is_private=True).exclude(_readable(who))


def visible_key_results(viewer: Viewer) -> KeyResultQuerySet:
    who = standing(viewer)
    if not who.reads:
        return KeyResult.objects.none()
    if who.admin:
        return KeyResult.objects.all()
    return KeyResult.objects.filter(_readable(who, "objective__"))


def visible_check_ins(viewer: Viewer):
    who = standing(viewer)
    if not who.reads:
        return CheckIn.objects.none()
    if who.admin:
        return CheckIn.objects.all()
    return CheckIn.objects.filter(_readable(who, "key_result__objective__"))


def visible_units(viewer: Viewer) -> UnitQuerySet:
    # The organisation chart is public to everyone signed in.
    if not standing(viewer).reads:
        return Unit.objects.none()
    return Unit.objects.all()


def visible_people(viewer: Viewer) -> PersonQuerySet:
    if not standing(viewer).reads:
        return Person.objects.none()
    return Person.objects.all()


def visible_objective_ids(viewer: Viewer, ids: set[int]) -> set[int]:
    """Which of these objectives the viewer may read, in at most one query."""
    who = standing(viewer)
    if not ids:
        return set()
    if who.admin:
        return set(ids)
    return set(visible_objectives(who).filter(pk__in=ids).values_list("pk", flat=True))


def with_privacy_flags(objectives: ObjectiveQuerySet, viewer: Viewer) -> ObjectiveQuerySet:
    """Annotate, as this viewer may see them:

    * `includes_private`: objectives hidden from the viewer are aligned under this one (or
      under one of its key results), so its progress counts work the viewer may not see.
      Pages say "includes private work" and nothing more: no number, no title;
    * `parent_hidden`: it is aligned to an objective (or a key result of one) that the
      viewer may not read; its thread upwards stops there, untitled.
    """
    hidden_children = (
        hidden_objectives(viewer)
        .counted()
        .filter(Q(parent_objective=OuterRef("pk")) | Q(parent_key_result__objective=OuterRef("pk")))
    )
    return objectives.annotate(
        includes_private=Exists(hidden_children), parent_hidden=parent_is_hidden(viewer)
    )


def parent_is_hidden(viewer: Viewer) -> Exists:
    """True for an objective aligned to one (or to a key result of one) the viewer may
    not read; for filters and annotations."""
    hidden_parent = hidden_objectives(viewer).filter(
        Q(pk=OuterRef("parent_objective_id")) | Q(key_results=OuterRef("parent_key_result_id"))
    )
    return Exists(hidden_parent)


def can_read_objective(viewer: Viewer, objective: Objective) -> bool:
    who = standing(viewer)
    if not who.reads:
        return False
    if who.admin:
        return True
    if not objective.is_private:
        return True
    # The SQL condition decides, so that a single object and a list never disagree.
    return visible_objectives(who).filter(pk=objective.pk).exists()


def can_read_key_result(viewer: Viewer, key_result: KeyResult) -> bool:
    return can_read_objective(viewer, key_result.objective)


def get_objective_for_user(viewer: Viewer, pk: int) -> Objective:
    """The objective with its owner, unit, cycle and first parent hop loaded; 404 if the
    viewer may not see it (so a hidden objective is indistinguishable from a missing one)."""
    objectives = visible_objectives(viewer).select_related(
        "owner", "unit", "cycle", "parent_objective", "parent_key_result__objective"
    )
    return get_object_or_404(objectives, pk=pk)


def get_key_result_for_user(viewer: Viewer, pk: int) -> KeyResult:
    key_results = visible_key_results(viewer).select_related(
        "owner",
        "current_check_in",
        "objective__owner",
        "objective__unit",
        "objective__cycle",
        "objective__parent_objective",
        "objective__parent_key_result__objective",
    )
    return get_object_or_404(key_results, pk=pk)


def get_unit_for_user(viewer: Viewer, pk: int) -> Unit:
    return get_object_or_404(visible_units(viewer).select_related("parent"), pk=pk)


def get_person_for_user(viewer: Viewer, pk: int) -> Person:
    return get_object_or_404(visible_people(viewer).select_related("unit", "manager"), pk=pk)


# --- changing ------------------------------------------------------------------------------


def _leads_owner_of(who: Standing, objective: Objective) -> bool:
    """Whether the viewer leads the objective's unit or a unit above it; for a personal
    objective, the owner's unit or a unit above it."""
    if objective.unit_id is not None:
        return objective.unit_id in who.led
    if objective.owner_id is None:
        return False
    return objective.owner.unit_id in who.led


def can_edit_objective(viewer: Viewer, objective: Objective) -> bool:
    who = standing(viewer)
    if not who.writes:
        return False
    if who.admin:
        return True
    if objective.owner_id == who.person.pk:
        return True
    return _leads_owner_of(who, objective)


def can_edit_key_result(viewer: Viewer, key_result: KeyResult) -> bool:
    who = standing(viewer)
    if not who.writes:
        return False
    if who.admin:
        return True
    if key_result.owner_id == who.person.pk:
        return True
    return can_edit_objective(who, key_result.objective)


def can_check_in(viewer: Viewer, key_result: KeyResult) -> bool:
    """Whoever edits the key result, and the contributors it names."""
    who = standing(viewer)
    if not who.writes:
        return False
    if can_edit_key_result(who, key_result):
        return True
    return key_result.contributors.filter(pk=who.person.pk).exists()


def can_decide_proposal(viewer: Viewer, objective: Objective) -> bool:
    """Approve, request changes or decline a proposed objective: the leads of its unit (or
    of its owner's unit) and the units above, except its owner; and admins."""
    who = standing(viewer)
    if not who.writes:
        return False
    if who.admin:
        return True
    if objective.owner_id == who.person.pk:
        return False
    return _leads_owner_of(who, objective)


def can_manage_organisation(viewer: Viewer) -> bool:
    """People, units, cycles and imports: admins and the operator."""
    who = standing(viewer)
    if not who.writes:
        return False
    return who.admin
