from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import socket
import threading
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from unittest import mock

import pytest
from django.tasks import task_backends

from northstar.notifications.models import WebhookTarget
from northstar.okrs import actions
from northstar.okrs.models import CheckIn, KeyResult
from northstar.people.models import Organisation

SECRET = "s3cret-for-tests"
DUMMY = "django.tasks.backends.dummy.DummyBackend"
IMMEDIATE = "django.tasks.backends.immediate.ImmediateBackend"


@pytest.fixture
def dummy_tasks(settings):
    """Tasks are stored, not run: a test runs them by hand and sees each retry's run_after."""
    settings.TASKS = {"default": {"BACKEND": DUMMY}}
    backend = task_backends["default"]
    yield backend
    backend.clear()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": IMMEDIATE}}
    return task_backends["default"]


def run_queued(backend) -> list:
    """Run every task the dummy backend holds (retries it queues wait for the next call)."""
    queued, backend.results[:] = list(backend.results), []
    return [result.task.call(*result.args, **result.kwargs) for result in queued]


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that checks the signature with its own HMAC code."""

    url: str
    status: int = 200
    requests: list[Received] = field(default_factory=list)


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            timestamp = self.headers["X-Northstar-Timestamp"]
            expected = hmac.new(
                SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256
            ).hexdigest()
            ok = hmac.compare_digest(f"sha256={expected}", self.headers["X-Northstar-Signature"])
            receiver.requests.append(Received(self.path, dict(self.headers), body, ok))
            self.send_response(receiver.status if ok else 401)
            self.end_headers()

        def log_message(self, *args) -> None:
            pass  # keep test output clean

    return Handler


@pytest.fixture
def receiver():
    receiver = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(receiver))
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield receiver
    server.shutdown()
    server.server_close()


@pytest.fixture
def closed_port_url() -> str:
    """A 127.0.0.1 URL nobody listens on: bind a port, then close it."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/hook"


def make_target(url: str, *, fmt: str = "json", kinds=("celebration", "kudos", "mention")):
    return WebhookTarget.objects.create(
        name=f"{fmt} hook", url=url, format=fmt, secret=SECRET, kinds=list(kinds)
    )


def check_in(key_result: KeyResult, on: date | None, **reading) -> CheckIn:
    """A check-in recorded on the day it measures (None: the organisation's today). The
    weeks these tests replay (handed to the commands as --today) may lie ahead of the real
    clock, and record_check_in refuses a date after the organisation's today."""
    recorded = mock.patch.object(Organisation, "today", lambda self: on)
    with recorded if on is not None else contextlib.nullcontext():
        return actions.record_check_in(
            key_result=key_result, author=key_result.owner, measured_on=on, **reading
        )
