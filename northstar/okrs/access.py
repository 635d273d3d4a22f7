"""Who may see and change what. Every read of user-visible data goes through these funnels.

For now everyone signed in reads everything; a later issue adds privacy here, in one place,
and every page, partial and search result follows. Each condition sits on its own line so
that test coverage shows every branch was exercised (zulip's `access_stream_by_id` style).
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import get_object_or_404

from northstar.okrs.models import KeyResult, KeyResultQuerySet, Objective, ObjectiveQuerySet
from northstar.people.models import Person, PersonQuerySet, Unit, UnitQuerySet

type AnyUser = AbstractBaseUser | AnonymousUser


def person_for(user: AnyUser) -> Person | None:
    """The person behind a sign-in account, if any (an admin account may have none)."""
    if not user.is_authenticated:
        return None
    try:
        # Django caches the reverse one-to-one on the user, so repeated calls are free.
        return user.person
    except Person.DoesNotExist:
        return None


def visible_objectives(user: AnyUser) -> ObjectiveQuerySet:
    if not user.is_authenticated:
        return Objective.objects.none()
    return Objective.objects.all()


def visible_key_results(user: AnyUser) -> KeyResultQuerySet:
    if not user.is_authenticated:
        return KeyResult.objects.none()
    return KeyResult.objects.all()


def visible_units(user: AnyUser) -> UnitQuerySet:
    if not user.is_authenticated:
        return Unit.objects.none()
    return Unit.objects.all()


def visible_people(user: AnyUser) -> PersonQuerySet:
    if not user.is_authenticated:
        return Person.objects.none()
    return Person.objects.all()


def get_objective_for_user(user: AnyUser, pk: int) -> Objective:
    """The objective with its owner, unit, cycle and first parent hop loaded; 404 if the
    user may not see it (so a hidden objective is indistinguishable from a missing one)."""
    objectives = visible_objectives(user).select_related(
        "owner", "unit", "cycle", "parent_objective", "parent_key_result__objective"
    )
    return get_object_or_404(objectives, pk=pk)


def get_key_result_for_user(user: AnyUser, pk: int) -> KeyResult:
    key_results = visible_key_results(user).select_related(
        "owner",
        "current_check_in",
        "objective__owner",
        "objective__unit",
        "objective__cycle",
        "objective__parent_objective",
        "objective__parent_key_result__objective",
    )
    return get_object_or_404(key_results, pk=pk)


def get_unit_for_user(user: AnyUser, pk: int) -> Unit:
    return get_object_or_404(visible_units(user).select_related("parent"), pk=pk)


def get_person_for_user(user: AnyUser, pk: int) -> Person:
    return get_object_or_404(visible_people(user).select_related("unit", "manager"), pk=pk)


def can_check_in(user: AnyUser, key_result: KeyResult) -> bool:
    """Owners of the key result or its objective, leads of the owning unit or any unit above
    it, and staff may record check-ins."""
    if not user.is_authenticated:
        return False
    if not user.is_active:
        return False
    if user.is_superuser:
        return True
    if user.is_staff:
        return True
    person = person_for(user)
    if person is None:
        return False
    if not person.is_active:
        return False
    if key_result.owner_id == person.pk:
        return True
    if key_result.objective.owner_id == person.pk:
        return True
    return leads_unit_or_above(person, key_result.objective.unit_id)


def leads_unit_or_above(person: Person, unit_id: int | None) -> bool:
    """Whether the person leads this unit or one of its ancestors.

    Two queries whatever the depth: the person's led units, then the tree's parent links
    (only when they lead something), walked in memory.
    """
    if unit_id is None:
        return False
    led = set(person.led_units.values_list("pk", flat=True))
    if not led:
        return False
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    node: int | None = unit_id
    seen: set[int] = set()
    while node is not None and node not in seen:
        if node in led:
            return True
        seen.add(node)
        node = parents.get(node)
    return False
