"""The people and unit management rules, branch by branch."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from northstar.okrs.access import OPERATOR, standing
from northstar.people import access
from northstar.people.models import Person, Unit


def test_admins(personas):
    assert access.is_admin(personas.ada.user)  # a superuser
    assert access.is_admin(personas.ada)  # the same, as a person (CLI --as)
    assert not access.is_admin(personas.ben.user)
    assert not access.is_admin(AnonymousUser())
    assert not access.is_admin(None)
    personas.dev.role = Person.Role.ADMIN
    assert access.is_admin(personas.dev)
    personas.dev.is_active = False
    assert not access.is_admin(personas.dev)
    personas.ada.user.is_active = False
    assert not access.is_admin(personas.ada.user)


def test_an_account_without_a_person(db):
    loner = User.objects.create_user("loner")
    assert not access.is_admin(loner)
    assert not access.can_manage_unit(loner, None)
    # A superuser made with createsuperuser, before anyone is in the organisation.
    root = User.objects.create_superuser("root", password="x")
    assert access.is_admin(root)


def test_the_operator_may_do_everything(personas):
    assert access.is_admin(OPERATOR)
    assert access.can_manage_unit(OPERATOR, None)
    assert access.can_manage_person(OPERATOR, personas.ada)
    assert access.can_invite(OPERATOR, None, "admin")
    assert len(access.managed_units(OPERATOR)) == Unit.objects.count()


def test_a_resolved_standing_answers_the_same(personas):
    who = standing(personas.ben.user)
    assert access.can_manage_unit(who, personas.platform)
    assert not access.can_manage_unit(who, personas.company)


@pytest.mark.parametrize(
    ("who", "unit", "allowed"),
    [
        ("ada", "company", True),  # admin
        ("ben", "engineering", True),  # leads it
        ("ben", "platform", True),  # below what he leads
        ("ben", "company", False),  # above
        ("cleo", "platform", False),  # a member
    ],
)
def test_who_manages_a_unit(personas, who, unit, allowed):
    viewer = getattr(personas, who).user
    assert access.can_manage_unit(viewer, getattr(personas, unit)) is allowed


def test_only_admins_manage_the_top_level(personas):
    assert access.can_manage_unit(personas.ada.user, None)
    assert not access.can_manage_unit(personas.ben.user, None)


def test_viewers_and_inactive_leads_manage_nothing(personas):
    personas.ben.role = Person.Role.VIEWER
    assert not access.can_manage_unit(personas.ben, personas.platform)
    personas.ben.role = Person.Role.MEMBER
    personas.ben.is_active = False
    assert not access.can_manage_unit(personas.ben, personas.platform)
    personas.ben.is_active = True
    personas.ben.user.is_active = False
    assert not access.can_manage_unit(personas.ben.user, personas.platform)


def test_who_manages_a_person(personas):
    assert access.can_manage_person(personas.ben.user, personas.cleo)
    assert access.can_manage_person(personas.ada.user, personas.ada)  # admins: anyone
    assert not access.can_manage_person(personas.ben.user, personas.ben)  # not themselves
    assert not access.can_manage_person(personas.ben.user, personas.ada)  # an admin
    assert not access.can_manage_person(personas.cleo.user, personas.dev)
    assert not access.can_manage_person(AnonymousUser(), personas.dev)
    nobody = Person.objects.create(name="Unplaced")
    assert not access.can_manage_person(personas.ben.user, nobody)  # outside his units


def test_who_takes_in_members(personas):
    nobody = Person.objects.create(name="Unplaced")
    assert access.can_add_member(personas.ben.user, personas.platform, nobody)
    assert access.can_add_member(personas.ben.user, personas.platform, personas.dev)
    assert not access.can_add_member(personas.ben.user, personas.platform, personas.ada)
    assert not access.can_add_member(personas.cleo.user, personas.platform, nobody)


def test_who_invites(personas):
    assert access.can_invite(personas.ada.user, None, "admin")
    assert access.can_invite(personas.ben.user, personas.platform, "lead")
    assert not access.can_invite(personas.ben.user, personas.platform, "admin")
    assert not access.can_invite(personas.ben.user, None, "member")
    assert not access.can_invite(personas.cleo.user, personas.platform, "member")


def test_managed_units(personas):
    assert len(access.managed_units(personas.ada.user)) == Unit.objects.count()
    assert {u.name for u in access.managed_units(personas.ben.user)} == {"Engineering", "Platform"}
    assert access.managed_units(personas.cleo.user) == []
    assert access.managed_units(AnonymousUser()) == []


def test_personal_data_is_for_admins(personas):
    assert access.can_see_personal_data(personas.ada.user)
    assert not access.can_see_personal_data(personas.ben.user)


def test_a_lead_may_not_reactivate_a_deactivated_admin(personas):
    personas.dev.role = Person.Role.ADMIN
    personas.dev.is_active = False
    personas.dev.save()
    assert personas.dev.holds_admin_role
    assert not access.can_manage_person(personas.ben.user, personas.dev)
