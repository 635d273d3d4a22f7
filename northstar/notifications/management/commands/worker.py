"""`northstar worker`: run the background task queue (django-tasks-db's `db_worker`).

Deployments set TASKS_BACKEND=django_tasks_db.DatabaseBackend so that notifications are
queued in the database, and keep one or more `northstar worker` processes running. All of
db_worker's options work (`--batch`, `--interval`, `--max-tasks`, `--queue-name` …).
"""

from __future__ import annotations

from django.core.management.base import CommandError, CommandParser
from django.tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Command as DbWorker


class Command(DbWorker):
    help = "Run the background worker for the database task queue (notifications)."

    def add_arguments(self, parser: CommandParser) -> None:
        super().add_arguments(parser)
        # db_worker validates its default backend while parsing, which would answer a
        # misconfiguration with an argparse error; handle() explains it instead.
        parser.set_defaults(backend_name=None)

    def handle(self, *args, backend_name: str | None, **options) -> None:
        backend_name = backend_name or DEFAULT_TASK_BACKEND_ALIAS
        if not isinstance(task_backends[backend_name], DatabaseBackend):
            raise CommandError(
                "The worker runs the database task queue, but the task backend is "
                f"{type(task_backends[backend_name]).__name__}. Set "
                "TASKS_BACKEND=django_tasks_db.DatabaseBackend (and run `northstar migrate`)."
            )
        super().handle(*args, backend_name=backend_name, **options)
