"""The access funnels, branch by branch."""

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from northstar.okrs.access import (
    can_check_in,
    get_key_result_for_user,
    get_objective_for_user,
    person_for,
    visible_key_results,
    visible_objectives,
    visible_people,
    visible_units,
)
from northstar.people.models import Person


def test_anonymous_sees_nothing(personas):
    anonymous = AnonymousUser()
    assert not visible_objectives(anonymous).exists()
    assert not visible_key_results(anonymous).exists()
    assert not visible_people(anonymous).exists()
    assert not visible_units(anonymous).exists()
    assert person_for(anonymous) is None
    with pytest.raises(Http404):
        get_objective_for_user(anonymous, personas.team_objective.pk)


def test_everyone_signed_in_reads_everything_for_now(personas):
    dev = personas.dev.user
    assert visible_objectives(dev).count() == 4
    assert get_key_result_for_user(dev, personas.kr_cache.pk) == personas.kr_cache
    with pytest.raises(Http404):
        get_key_result_for_user(dev, 999)


def test_person_for_an_account_without_a_person(db):
    user = User.objects.create_user("loner")
    assert person_for(user) is None


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("cleo", True),  # owns the key result and its objective
        ("ben", True),  # leads Engineering, above Platform
        ("ada", True),  # superuser (and leads the company)
        ("dev", False),  # a member of Platform with no role here
    ],
)
def test_who_may_check_in(personas, who, allowed):
    person = getattr(personas, who)
    assert can_check_in(person.user, personas.kr_cache) is allowed


def test_the_objective_owner_may_check_in(personas):
    kr = personas.kr_cache
    kr.owner = personas.dev
    kr.save()
    assert can_check_in(personas.cleo.user, kr)


def test_a_lead_of_the_unit_itself_may_check_in(personas):
    personas.platform.leads.add(personas.dev)
    assert can_check_in(personas.dev.user, personas.kr_cache)


def test_a_lead_of_a_sibling_unit_may_not(personas):
    from northstar.people.models import Unit

    sales = Unit.objects.create(name="Sales", kind="department", parent=personas.company)
    sales.leads.add(personas.dev)
    assert not can_check_in(personas.dev.user, personas.kr_cache)


def test_leads_reach_personal_objectives_of_people_in_their_units(personas):
    # Cleo belongs to Platform, below Engineering: Ben leads her personal objective too.
    assert can_check_in(personas.ben.user, personas.kr_course)


def test_leads_do_not_reach_personal_objectives_of_people_elsewhere(personas):
    from northstar.people.models import Unit

    sales = Unit.objects.create(name="Sales", kind="department", parent=personas.company)
    sales.leads.add(personas.dev)
    assert not can_check_in(personas.dev.user, personas.kr_course)


def test_staff_status_alone_does_not_make_an_admin(personas):
    # Admins are Person.role admin or superusers; is_staff only opens Django's admin site.
    user = personas.dev.user
    user.is_staff = True
    user.save()
    assert not can_check_in(user, personas.kr_cache)


def test_an_organisation_admin_may_check_in(personas):
    Person.objects.filter(pk=personas.dev.pk).update(role=Person.Role.ADMIN)
    user = User.objects.get(pk=personas.dev.user_id)
    assert can_check_in(user, personas.kr_cache)


def test_an_inactive_account_may_not(personas):
    user = personas.cleo.user
    user.is_active = False
    assert not can_check_in(user, personas.kr_cache)


def test_an_inactive_person_may_not(personas):
    Person.objects.filter(pk=personas.cleo.pk).update(is_active=False)
    user = User.objects.get(pk=personas.cleo.user_id)
    assert not can_check_in(user, personas.kr_cache)


def test_an_account_without_a_person_may_not(personas):
    assert not can_check_in(User.objects.create_user("loner"), personas.kr_cache)


def test_anonymous_may_not(personas):
    assert not can_check_in(AnonymousUser(), personas.kr_cache)
