"""`northstar serve`: run Northstar on this machine.

Northstar adds no dependency for serving, so this is Django's threaded development server
(`runserver`) without the auto-reloader, serving static files (the stylesheet, htmx) itself
even when DEBUG is off. It suits one machine or a small team on a trusted network; for
anything larger, put a WSGI server such as gunicorn in front of `northstar.wsgi`.

It never changes the database: pending migrations are reported, not applied.
"""

from __future__ import annotations

import errno
import socket
from argparse import ArgumentTypeError

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve Northstar from this machine (single-machine server; see --help)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument(
            "--port", type=port_number, default=8000, help="Port to listen on (1-65535)."
        )

    def handle(self, *args, host: str, port: int, **options) -> None:
        pending = pending_migrations()
        if pending:
            self.stderr.write(
                self.style.WARNING(
                    f"{len(pending)} database migration(s) are pending "
                    f"(for example {pending[0]}). Run `northstar migrate` first; "
                    "pages may fail until you do."
                )
            )
        if host not in settings.ALLOWED_HOSTS and "*" not in settings.ALLOWED_HOSTS:
            self.stderr.write(
                self.style.WARNING(
                    f"{host} is not in ALLOWED_HOSTS ({', '.join(settings.ALLOWED_HOSTS)}); "
                    "set ALLOWED_HOSTS to the names people type in their browser."
                )
            )
        # Before announcing anything: otherwise "press Ctrl+C to stop" is printed for a server
        # that never starts.
        check_can_listen(host, port)
        self.stdout.write(f"Northstar on http://{_display(host)}:{port}/ — press Ctrl+C to stop.")
        call_command(
            "runserver",
            f"{_bracketed(host)}:{port}",
            use_reloader=False,
            # Serve static files although DEBUG is off: nothing else serves them here.
            insecure_serving=True,
            use_ipv6=":" in host,
        )


def port_number(text: str) -> int:
    """argparse type for a TCP port (shared with `demo`): a clear message instead of the
    OverflowError the socket raises for a port beyond 65535."""
    try:
        port = int(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise ArgumentTypeError(f"port {port} is out of range; use 1-65535")
    return port


def check_can_listen(host: str, port: int) -> None:
    """Raise CommandError unless a server could listen on host:port right now: bind a socket
    the way the server will (SO_REUSEADDR, as Django's server sets it, so a port left in
    TIME_WAIT by a previous run counts as free) and close it again. Another server may take
    the port in between; that rare race still ends in runserver's own error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            reason = "the port is already in use (is Northstar already running?)"
            hint = "stop what uses it or pick another port with --port"
        elif error.errno == errno.EACCES:
            reason = "permission denied (ports below 1024 usually need root)"
            hint = "pick another port with --port"
        else:
            reason = error.strerror or str(error)
            hint = "check --host and --port"
        raise CommandError(
            f"Cannot listen on {_bracketed(host)}:{port}: {reason}; {hint}."
        ) from None


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the default database."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _display(host: str) -> str:
    # 0.0.0.0 listens everywhere; a browser on this machine reaches it at 127.0.0.1.
    return "127.0.0.1" if host == "0.0.0.0" else _bracketed(host)
