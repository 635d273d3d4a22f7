"""`northstar worker` over django-tasks-db's database queue, as deployments run it."""

from __future__ import annotations

import signal
from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from northstar.notifications.events import publish
from northstar.notifications.models import Delivery
from northstar.notifications.tests.conftest import make_target
from northstar.people.models import Person

DATABASE_BACKEND = "django_tasks_db.DatabaseBackend"


@pytest.fixture
def keep_signals():
    """The worker installs its own shutdown handlers; give pytest its own back."""
    names = [signal.SIGINT, signal.SIGTERM, getattr(signal, "SIGQUIT", signal.SIGTERM)]
    saved = {name: signal.getsignal(name) for name in names}
    yield
    for name, handler in saved.items():
        signal.signal(name, handler)


def work() -> None:
    call_command("worker", batch=True, startup_delay=False, reload=False, stdout=StringIO())


def test_it_refuses_a_backend_without_a_queue(db, immediate_tasks):
    with pytest.raises(CommandError, match="TASKS_BACKEND=django_tasks_db.DatabaseBackend"):
        work()


# The worker closes and reopens database connections between tasks, which only a test
# outside a wrapping transaction survives on every database.
@pytest.mark.django_db(transaction=True)
def test_it_delivers_and_requeues_failures_with_their_delay(
    settings, keep_signals, closed_port_url
):
    settings.TASKS = {"default": {"BACKEND": DATABASE_BACKEND}}
    eve = Person.objects.create(name="Eve", email="eve@northwind.test")
    make_target(closed_port_url, kinds=["kudos"])
    publish("kudos", recipients=[eve], actor=None, subject=None, context={"text": "Thanks"})
    assert DBTaskResult.objects.count() == 2  # queued in the database, nothing sent yet
    assert mail.outbox == []
    before = timezone.now()
    work()
    assert Delivery.objects.get(recipient=eve).status == "sent"
    assert [m.to for m in mail.outbox] == [["eve@northwind.test"]]
    hook = Delivery.objects.get(channel="webhook")
    assert (hook.status, hook.attempts) == ("retrying", 1)
    [retry] = DBTaskResult.objects.filter(status="READY")
    assert retry.args_kwargs == {"args": [hook.pk], "kwargs": {}}
    assert before + timedelta(seconds=55) < retry.run_after < timezone.now() + timedelta(minutes=1)
