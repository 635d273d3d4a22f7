"""Kudos: a short thank-you to the owner of an objective or key result, or a check-in's
author."""

import pytest
from django.core.exceptions import ValidationError

from northstar.feedback.actions import give_kudos
from northstar.feedback.models import Kudos
from northstar.notifications.models import Delivery
from northstar.okrs import actions as okr_actions


def test_kudos_on_a_check_in_thank_its_author(personas):
    p = personas
    check_in = okr_actions.record_check_in(key_result=p.kr_latency, author=p.dev, value=700)
    kudos = give_kudos(subject=check_in, giver=p.cleo, message="  Nice   cut!  ")
    assert (kudos.giver, kudos.receiver, kudos.message) == (p.cleo, p.dev, "Nice cut!")
    assert (kudos.objective, kudos.key_result, kudos.check_in) == (
        p.department_objective,
        p.kr_latency,
        check_in,
    )
    delivery = Delivery.objects.get(kind="kudos")
    assert (delivery.recipient, delivery.payload["text"]) == (p.dev, "Nice cut!")


def test_kudos_on_a_key_result_or_objective_thank_the_owner(personas):
    p = personas
    assert give_kudos(subject=p.kr_cache, giver=p.ben, message="Thanks").receiver == p.cleo
    assert give_kudos(subject=p.company_objective, giver=p.ben, message="Go").receiver == p.ada
    assert list(
        Delivery.objects.filter(kind="kudos").values_list("recipient__name", flat=True)
    ) == ["Ada", "Cleo"]


def test_nobody_thanks_themselves(personas):
    with pytest.raises(ValidationError, match="someone else"):
        give_kudos(subject=personas.kr_cache, giver=personas.cleo, message="Me!")
    assert not Kudos.objects.exists()


def test_there_is_nobody_to_thank_without_an_owner(personas):
    kr = personas.kr_cache
    kr.owner = None
    kr.save()
    with pytest.raises(ValidationError, match="nobody to thank"):
        give_kudos(subject=kr, giver=personas.ben, message="Thanks")


def test_kudos_need_a_short_message(personas):
    with pytest.raises(ValidationError):
        give_kudos(subject=personas.kr_cache, giver=personas.ben, message=" ")
    with pytest.raises(ValidationError):
        give_kudos(subject=personas.kr_cache, giver=personas.ben, message="x" * 281)
    assert not Delivery.objects.exists()
