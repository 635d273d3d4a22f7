from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.db import transaction

from northstar.feedback.actions import add_comment, give_kudos
from northstar.feedback.models import Celebration
from northstar.notifications.events import muted, okr_item_of, publish
from northstar.notifications.models import Delivery, Preference
from northstar.notifications.tests.conftest import make_target
from northstar.okrs.actions import record_check_in
from northstar.okrs.models import Objective


def deliveries(kind: str = "kudos") -> list[Delivery]:
    return list(Delivery.objects.filter(kind=kind).order_by("pk"))


def test_it_queues_one_email_per_recipient_on_commit(
    personas, dummy_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        publish(
            "kudos",
            recipients=[personas.cleo, personas.dev, personas.cleo],
            actor=personas.ben,
            subject=personas.kr_cache,
            context={"message": "Great hit rate!"},
        )
        assert dummy_tasks.results == []  # nothing leaves before the commit
    sent = deliveries()
    assert [(d.channel, d.recipient) for d in sent] == [
        ("email", personas.cleo),
        ("email", personas.dev),
    ]
    assert sent[0].payload["title"] == "Ben gave you kudos on “Raise cache hit rate from 50 to 90”"
    assert sent[0].payload["text"] == "Great hit rate!"
    assert sent[0].payload["url"].endswith(f"/key-results/{personas.kr_cache.pk}/")
    assert sorted(r.args[0] for r in dummy_tasks.results) == [d.pk for d in sent]


def test_it_sends_nothing_when_the_transaction_rolls_back(
    personas, dummy_tasks, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        publish("kudos", recipients=[personas.cleo], actor=None, subject=None, context={})
        raise RuntimeError("the check-in failed")
    assert callbacks == []
    assert deliveries() == []
    assert dummy_tasks.results == []


def test_it_never_notifies_the_actor(personas, dummy_tasks):
    publish(
        "mention",
        recipients=[personas.ben, personas.cleo],
        actor=personas.ben,
        subject=personas.kr_latency,
        context={},
    )
    assert [d.recipient for d in deliveries("mention")] == [personas.cleo]


def test_it_is_quiet_for_whoever_opted_out(personas, dummy_tasks):
    Preference.set(personas.cleo, "kudos", "email", False)
    publish(
        "kudos",
        recipients=[personas.cleo, personas.dev],
        actor=personas.ben,
        subject=personas.kr_cache,
        context={},
    )
    assert [d.recipient for d in deliveries()] == [personas.dev]


def test_it_skips_inactive_people_and_people_without_email(personas, dummy_tasks):
    personas.dev.is_active = False
    personas.dev.save()
    personas.cleo.email = None
    personas.cleo.save()
    publish(
        "kudos",
        recipients=[personas.cleo, personas.dev],
        actor=None,
        subject=personas.kr_cache,
        context={},
    )
    assert deliveries() == []


def make_private(objective: Objective) -> Objective:
    objective.is_private = True
    objective.save()
    return objective


def test_it_tells_nobody_about_an_objective_they_may_not_read(personas, dummy_tasks):
    # Private: Cleo owns it and reads it; Dev, a teammate, may not know it exists.
    make_private(personas.personal_objective)
    publish(
        "mention",
        recipients=[personas.cleo, personas.dev],
        actor=personas.ben,
        subject=personas.kr_course,
        context={},
    )
    assert [d.recipient for d in deliveries("mention")] == [personas.cleo]


def test_it_posts_to_subscribed_webhooks_once_per_event(personas, dummy_tasks):
    slack = make_target("http://127.0.0.1:9/slack", fmt="slack", kinds=["kudos"])
    make_target("http://127.0.0.1:9/other", kinds=["celebration"])
    publish(
        "kudos",
        recipients=[personas.cleo, personas.dev],
        actor=personas.ben,
        subject=personas.kr_cache,
        context={},
    )
    hooks = [d for d in deliveries() if d.channel == "webhook"]
    assert [d.target for d in hooks] == [slack]
    assert hooks[0].payload["title"] == (
        "Ben gave Cleo, Dev kudos on “Raise cache hit rate from 50 to 90”"
    )


def test_it_never_posts_a_private_objective_to_a_webhook(personas, dummy_tasks):
    make_target("http://127.0.0.1:9/hook", kinds=["celebration"])
    make_private(personas.team_objective)
    publish(
        "celebration",
        recipients=[personas.cleo],
        actor=None,
        subject=personas.kr_cache,
        context={},
    )
    assert [d.channel for d in deliveries("celebration")] == ["email"]


def test_it_never_posts_personal_kinds_to_a_webhook(personas, dummy_tasks):
    make_target("http://127.0.0.1:9/hook", kinds=["reminder", "digest"])
    publish("reminder", recipients=[personas.cleo], actor=None, subject=None, context={})
    assert [d.channel for d in deliveries("reminder")] == ["email"]


def test_it_finds_the_objective_through_a_subjects_own_subject(personas, dummy_tasks):
    class Comment:  # what feedback passes: a model whose `subject` is the OKR item
        subject = personas.kr_course

    make_private(personas.personal_objective)
    publish(
        "mention",
        recipients=[personas.dev],
        actor=personas.cleo,
        subject=Comment(),
        context={"excerpt": "see this"},
    )
    assert deliveries("mention") == []


def test_it_publishes_nothing_while_muted(personas, dummy_tasks):
    with muted():
        publish("kudos", recipients=[personas.cleo], actor=None, subject=None, context={})
    assert deliveries() == []


def test_it_refuses_an_unknown_kind(personas):
    with pytest.raises(ValueError):
        publish("gossip", recipients=[personas.cleo], actor=None, subject=None, context={})


def test_a_subject_it_cannot_place_never_reaches_a_webhook(personas, dummy_tasks):
    make_target("http://127.0.0.1:9/hook", kinds=["kudos"])
    publish("kudos", recipients=[personas.cleo], actor=None, subject=personas.platform, context={})
    assert [d.channel for d in deliveries()] == ["email"]


# --- what a notice names: the narrowest OKR item of its subject -------------------------------


def test_feedback_on_a_key_result_or_its_check_in_names_the_key_result(personas, dummy_tasks):
    p = personas
    check_in = record_check_in(key_result=p.kr_cache, author=p.cleo, value=60)
    add_comment(subject=p.kr_cache, author=p.ben, body="Nice, @cleo")
    add_comment(subject=check_in, author=p.ben, body="Why the jump, @cleo?")
    give_kudos(subject=check_in, giver=p.ben, message="Good jump")
    sent = deliveries("mention") + deliveries("kudos")
    assert [d.payload["title"] for d in sent] == [
        "Ben mentioned you on “Raise cache hit rate from 50 to 90”",
        "Ben mentioned you on “Raise cache hit rate from 50 to 90”",
        "Ben gave you kudos on “Raise cache hit rate from 50 to 90”",
    ]
    assert {d.objective_id for d in sent} == {p.team_objective.pk}


def test_the_narrowest_relation_wins(personas):
    p = personas
    check_in = record_check_in(key_result=p.kr_latency, author=p.ben, value=700)
    # Relations that disagree, so that each answer shows which one was read.
    assert okr_item_of(SimpleNamespace(objective=p.company_objective)) == p.company_objective
    on_key_result = SimpleNamespace(objective=p.company_objective, key_result=p.kr_cache)
    assert okr_item_of(on_key_result) == p.kr_cache
    on_check_in = SimpleNamespace(
        objective=p.company_objective, key_result=p.kr_cache, check_in=check_in
    )
    assert okr_item_of(on_check_in) == p.kr_latency


def test_a_celebrations_own_subject_wins_over_the_check_in_that_landed_it(personas):
    p = personas
    check_in = record_check_in(key_result=p.kr_cache, author=p.cleo, value=90)
    completed = Celebration(
        kind=Celebration.Kind.OBJECTIVE, objective=p.team_objective, check_in=check_in
    )
    assert okr_item_of(completed) == p.team_objective


def test_a_comment_on_a_private_key_result_reaches_only_its_readers(personas, dummy_tasks):
    p = personas
    make_private(p.personal_objective)
    make_target("http://127.0.0.1:9/hook", kinds=["mention"])
    # Ben leads Cleo's department and may read it; Dev, her teammate, may not.
    comment = add_comment(subject=p.kr_course, author=p.cleo, body="@ben @dev: halfway")
    assert okr_item_of(comment) == p.kr_course
    assert [(d.channel, d.recipient) for d in deliveries("mention")] == [("email", p.ben)]
