"""Delivering notifications in the background, with retries and back-off.

`deliver(delivery_id)` makes one attempt. A failure is written to the delivery (attempt n and
the error) and the delivery is queued again after an exponential delay — 1, 4, 16 and 64
minutes — until MAX_ATTEMPTS attempts have failed; then it is marked failed. Nothing a
channel raises ever leaves the task: with the immediate backend the task runs inside the
publisher's on-commit hook, and a dead webhook must not turn a saved check-in into an error.

Backends that can defer (django-tasks-db, the dummy backend of tests) get the retry queued
with `run_after`. The immediate backend cannot defer, so there a retry waits, in state
"retrying", for `retry_due()`, which each `northstar remind` and `northstar digest` round
runs first.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.tasks import task
from django.utils import timezone

from northstar.notifications.channels.base import Undeliverable, channel_for
from northstar.notifications.events import is_public
from northstar.notifications.models import Delivery
from northstar.okrs.access import can_read_objective
from northstar.okrs.models import Objective

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_RETRY = timedelta(minutes=1)
BACKOFF_FACTOR = 4
FINISHED = {Delivery.Status.SENT, Delivery.Status.FAILED}


def retry_delay(failed_attempts: int) -> timedelta:
    """How long to wait after the n-th failed attempt."""
    return FIRST_RETRY * BACKOFF_FACTOR ** (failed_attempts - 1)


@task()
def deliver(delivery_id: int) -> str:
    delivery = (
        Delivery.objects.select_related("recipient__user", "target").filter(pk=delivery_id).first()
    )
    if delivery is None:
        return "gone"
    if delivery.status in FINISHED:
        return delivery.status  # a duplicate run (a sweep and a worker both picked it up)
    return attempt(delivery)


def attempt(delivery: Delivery) -> str:
    delivery.attempts += 1
    try:
        check_still_allowed(delivery)
        channel_for(delivery).send(delivery)
    except Undeliverable as error:
        return give_up(delivery, error)
    except Exception as error:  # any channel failure belongs to the delivery, not the caller
        return retry_later(delivery, error)
    delivery.status = Delivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "sent_at", "next_attempt_at"])
    return delivery.status


def check_still_allowed(delivery: Delivery) -> None:
    """Privacy is checked again at sending time: the objective may have become private, or
    the recipient may have left, since the event was published."""
    objective = None
    if delivery.objective_id is not None:
        objective = Objective.objects.filter(pk=delivery.objective_id).first()
        if objective is None:
            raise Undeliverable("withheld: the objective no longer exists")
    if delivery.target_id is not None:
        if not delivery.target.active:
            raise Undeliverable("withheld: the webhook target is switched off")
        if objective is not None and not is_public(objective):
            raise Undeliverable("withheld: the objective is private")
        return
    person = delivery.recipient
    if person is None or not person.is_active:
        raise Undeliverable("withheld: the recipient is no longer active")
    if objective is not None and not can_read_objective(person, objective):
        raise Undeliverable("withheld: the recipient may not read the objective")


def give_up(delivery: Delivery, error: Exception) -> str:
    delivery.status = Delivery.Status.FAILED
    delivery.last_error = f"attempt {delivery.attempts}: {error}"
    delivery.next_attempt_at = None
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    logger.warning("Delivery %s not sent: %s", delivery.pk, delivery.last_error)
    return delivery.status


def retry_later(delivery: Delivery, error: Exception) -> str:
    delivery.last_error = f"attempt {delivery.attempts}: {type(error).__name__}: {error}"
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = Delivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        delivery.status = Delivery.Status.RETRYING
        delivery.next_attempt_at = timezone.now() + retry_delay(delivery.attempts)
    delivery.save(update_fields=["status", "attempts", "last_error", "next_attempt_at"])
    logger.warning("Delivery %s failed (%s)", delivery.pk, delivery.last_error)
    if delivery.status == Delivery.Status.RETRYING and can_defer():
        enqueue(delivery.pk, run_after=delivery.next_attempt_at)
    return delivery.status


def can_defer() -> bool:
    return deliver.get_backend().supports_defer


def enqueue(delivery_id: int, run_after: datetime | None = None) -> None:
    """Hand a delivery to the task queue. A queue that refuses marks the delivery failed
    (visible in the delivery log) instead of raising into the caller: see the docstring."""
    job = deliver if run_after is None else deliver.using(run_after=run_after)
    try:
        job.enqueue(delivery_id)
    except Exception as error:
        logger.exception("Could not queue delivery %s", delivery_id)
        Delivery.objects.filter(pk=delivery_id).update(
            status=Delivery.Status.FAILED,
            last_error=f"could not queue: {type(error).__name__}: {error}",
        )


def retry_due(now: datetime | None = None) -> int:
    """Queue the retries whose time has come, for backends that cannot defer them."""
    if can_defer():
        return 0  # each retry is already queued with its own run_after
    now = now or timezone.now()
    due = Delivery.objects.filter(status=Delivery.Status.RETRYING, next_attempt_at__lte=now)
    ids = list(due.values_list("pk", flat=True))
    for delivery_id in ids:
        transaction.on_commit(lambda pk=delivery_id: enqueue(pk), robust=True)
    return len(ids)
