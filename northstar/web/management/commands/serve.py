"""`northstar serve`: run Northstar on this machine.

Northstar adds no dependency for serving, so this is Django's threaded development server
(`runserver`) without the auto-reloader, serving static files (the stylesheet, htmx) itself
even when DEBUG is off. It suits one machine or a small team on a trusted network; for
anything larger, put a WSGI server such as gunicorn in front of `northstar.wsgi`.

It never changes the database: pending migrations are reported, not applied.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor


class Command(BaseCommand):
    help = "Serve Northstar from this machine (single-machine server; see --help)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on.")

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
        self.stdout.write(f"Northstar on http://{_display(host)}:{port}/ — press Ctrl+C to stop.")
        call_command(
            "runserver",
            f"{_bracketed(host)}:{port}",
            use_reloader=False,
            # Serve static files although DEBUG is off: nothing else serves them here.
            insecure_serving=True,
            use_ipv6=":" in host,
        )


def pending_migrations() -> list[str]:
    """Names of migrations not yet applied to the default database."""
    connection = connections[DEFAULT_DB_ALIAS]
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _display(host: str) -> str:
    return "localhost" if host in {"127.0.0.1", "0.0.0.0"} else _bracketed(host)
