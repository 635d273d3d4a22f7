"""Who may manage people and units. Pages, forms and CLI commands (`--as EMAIL`) ask these
functions; they build on `okrs.access.standing()`, so "who is an admin" and "which units does
someone lead" have one definition for the whole application.

A viewer is anything `standing()` takes: a sign-in account, a Person (CLI `--as`), OPERATOR
(a CLI command without `--as`, who may do everything), a resolved Standing, or None.

Rules:
- admins (and the operator) manage every person and unit;
- a unit lead manages the units they lead and every unit below them: membership, leads,
  renaming, sub-units, and moving or merging *within* what they manage;
- only admins create top-level units, grant the admin role, manage an admin, or export and
  erase personal data;
- nobody but an admin manages themselves; viewers and deactivated people manage nothing.

Each condition sits on its own line so that test coverage shows every branch was exercised.
"""

from __future__ import annotations

from northstar.okrs.access import Viewer, standing
from northstar.people.models import Invitation, Person, Unit


def is_admin(viewer: Viewer) -> bool:
    who = standing(viewer)
    if not who.writes:
        return False
    return who.admin


def can_manage_unit(viewer: Viewer, unit: Unit | None) -> bool:
    """Edit the unit's membership, leads, name and sub-units. `None` is the top level."""
    who = standing(viewer)
    if not who.writes:
        return False
    if who.admin:
        return True
    if unit is None:
        return False
    return unit.pk in who.led


def can_manage_person(viewer: Viewer, person: Person) -> bool:
    """Change the person's name, unit and manager; deactivate or reactivate them."""
    who = standing(viewer)
    if not who.writes:
        return False
    if who.admin:
        return True
    if who.person.pk == person.pk:
        return False
    if person.holds_admin_role:
        return False
    if person.unit_id is None:
        return False
    return person.unit_id in who.led


def can_add_member(viewer: Viewer, unit: Unit, person: Person) -> bool:
    """Make the unit the person's unit: a lead takes in people without a unit, or moves
    people between units they manage, but does not take them from someone else's."""
    who = standing(viewer)
    if not can_manage_unit(who, unit):
        return False
    if person.unit_id is None:
        return True
    return can_manage_person(who, person)


def can_invite(viewer: Viewer, unit: Unit | None, role: str) -> bool:
    who = standing(viewer)
    if is_admin(who):
        return True
    if role == Invitation.Role.ADMIN:
        return False
    return can_manage_unit(who, unit)


def can_see_personal_data(viewer: Viewer) -> bool:
    """Export or erase everything stored about a person."""
    return is_admin(viewer)


def managed_units(viewer: Viewer) -> list[Unit]:
    """Every unit the viewer may manage, in name order (for choice lists)."""
    who = standing(viewer)
    if not who.writes:
        return []
    units = list(Unit.objects.all())
    if who.admin:
        return units
    return [unit for unit in units if unit.pk in who.led]
