from __future__ import annotations

from datetime import date, timedelta

from django.core import mail
from django.db import transaction
from django.utils import timezone

from northstar.notifications import tasks
from northstar.notifications.events import publish
from northstar.notifications.models import Delivery
from northstar.notifications.tests.conftest import check_in, make_target, run_queued
from northstar.okrs.models import CheckIn


def publish_kudos(personas) -> None:
    publish(
        "kudos",
        recipients=[personas.cleo],
        actor=personas.ben,
        subject=personas.kr_cache,
        context={"message": "Thanks"},
    )


def only(**filters) -> Delivery:
    return Delivery.objects.get(**filters)


def test_it_sends_an_email_and_logs_it(personas, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    assert run_queued(dummy_tasks) == ["sent"]
    delivery = only(kind="kudos")
    assert (delivery.status, delivery.attempts, delivery.last_error) == ("sent", 1, "")
    assert delivery.sent_at is not None
    assert [m.to for m in mail.outbox] == [["cleo@northwind.test"]]


def test_a_failing_webhook_is_retried_with_back_off_then_marked_failed(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    make_target(receiver.url, kinds=["kudos"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    delays = []
    for attempt in range(1, tasks.MAX_ATTEMPTS + 1):
        before = timezone.now()
        run_queued(dummy_tasks)
        hook = only(channel="webhook")
        assert hook.attempts == attempt
        assert (
            hook.last_error
            == f"attempt {attempt}: WebhookError: HTTP 500 from {receiver_host(receiver)}"
        )
        if attempt < tasks.MAX_ATTEMPTS:
            assert hook.status == "retrying"
            [retry] = dummy_tasks.results
            assert retry.task.run_after == hook.next_attempt_at
            delays.append(round((retry.task.run_after - before).total_seconds() / 60))
    assert delays == [1, 4, 16, 64]
    assert (hook.status, dummy_tasks.results) == ("failed", [])
    assert len(receiver.requests) == tasks.MAX_ATTEMPTS
    assert all(r.signature_ok for r in receiver.requests)
    assert only(channel="email").status == "sent"  # the person's mail went out regardless


def receiver_host(receiver) -> str:
    return receiver.url.split("/")[2]


def test_a_retry_that_succeeds_marks_the_delivery_sent(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 503
    make_target(receiver.url, kinds=["kudos"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    run_queued(dummy_tasks)
    receiver.status = 200
    run_queued(dummy_tasks)
    hook = only(channel="webhook")
    assert (hook.status, hook.attempts, hook.next_attempt_at) == ("sent", 2, None)
    assert hook.last_error == "attempt 1: WebhookError: HTTP 503 from " + receiver_host(receiver)


def test_a_dead_webhook_never_blocks_or_breaks_a_check_in(
    personas, immediate_tasks, closed_port_url, django_capture_on_commit_callbacks
):
    # The immediate backend runs the delivery inside the on-commit hook of the check-in's
    # own transaction: a refused connection must stay inside the delivery.
    make_target(closed_port_url, kinds=["celebration"])
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        done = check_in(personas.kr_release, date(2026, 12, 2), done=True)
        publish(
            "celebration",
            recipients=[personas.ben],
            actor=None,
            subject=personas.kr_release,
            context={},
        )
    assert CheckIn.objects.filter(pk=done.pk).exists()
    # Feedback's automatic celebration (if wired) and ours: every one failed quietly.
    hooks = list(Delivery.objects.filter(channel="webhook"))
    assert hooks
    for hook in hooks:
        assert hook.status == "retrying"
        assert hook.attempts == 1
        assert "attempt 1: URLError" in hook.last_error
        assert hook.next_attempt_at > timezone.now()


def test_retries_wait_for_the_next_round_when_the_backend_cannot_defer(
    personas, immediate_tasks, receiver, django_capture_on_commit_callbacks
):
    receiver.status = 500
    make_target(receiver.url, kinds=["kudos"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    hook = only(channel="webhook")
    assert hook.status == "retrying"
    assert tasks.retry_due() == 0  # not yet due
    receiver.status = 200
    later = hook.next_attempt_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retry_due(now=later) == 1
    hook.refresh_from_db()
    assert (hook.status, hook.attempts) == ("sent", 2)


def test_it_withholds_a_retry_about_an_objective_made_private_meanwhile(
    personas, dummy_tasks, receiver, django_capture_on_commit_callbacks
):
    make_target(receiver.url, kinds=["kudos"])
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    personas.team_objective.is_private = True
    personas.team_objective.save()
    run_queued(dummy_tasks)
    hook = only(channel="webhook")
    assert (hook.status, hook.last_error) == (
        "failed",
        "attempt 1: withheld: the objective is private",
    )
    assert receiver.requests == []
    assert only(channel="email").status == "sent"  # Cleo owns it: she may still be told


def test_it_runs_a_delivery_once(personas, dummy_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_kudos(personas)
    delivery = only(kind="kudos")
    tasks.deliver.call(delivery.pk)
    assert tasks.deliver.call(delivery.pk) == "sent"
    assert len(mail.outbox) == 1
