"""`northstar demo`: build the Brightloom demo organisation and serve it.

    northstar demo [--today YYYY-MM-DD] [--port P] [--no-serve]

It wipes a previous demo but refuses a database that holds anything else.
"""

from __future__ import annotations

from argparse import ArgumentTypeError
from datetime import date
from zoneinfo import ZoneInfo

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from northstar.okrs import demo
from northstar.people.models import Organisation
from northstar.web.management.commands.serve import check_can_listen, port_number

# The demo's years: wide enough for any real use, and far from date.max, where the demo's
# quarter and year arithmetic (and check-ins dated after `today`) would overflow.
FIRST_YEAR, LAST_YEAR = 2000, 2999


def parse_day(text: str) -> date:
    """argparse type for a YYYY-MM-DD option (shared with `check-in`)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ArgumentTypeError(f"{text!r} is not a date; use YYYY-MM-DD") from None


def demo_day(text: str) -> date:
    """argparse type for `--today`: a date within the years the demo can be built for."""
    day = parse_day(text)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise ArgumentTypeError(
            f"{text} is outside the years the demo supports; pick a date from "
            f"{FIRST_YEAR}-01-01 to {LAST_YEAR}-12-31"
        )
    return day


class Command(BaseCommand):
    help = "Build a demo organisation (wiping a previous demo, never real data) and serve it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--today",
            type=demo_day,
            help="The demo's 'today' (YYYY-MM-DD); default: today in the demo's time zone.",
        )
        parser.add_argument(
            "--port", type=port_number, default=8000, help="Port to serve on (1-65535)."
        )
        parser.add_argument(
            "--no-serve", action="store_true", help="Only build the demo; don't serve it."
        )

    def handle(self, *args, today: date | None, port: int, no_serve: bool, **options) -> None:
        today = today or timezone.now().astimezone(ZoneInfo(demo.TIME_ZONE)).date()
        if not no_serve:
            # Fail before spending seconds on a build that could not be served.
            check_can_listen("127.0.0.1", port)
        self._migrate_if_needed()
        self.stdout.write(f"Building the {demo.COMPANY_NAME} demo as of {today}…")
        try:
            summary = demo.build_demo(today)
        except demo.DemoRefused as refused:
            raise CommandError(str(refused)) from None
        self._report(summary)
        self._sign_in(summary, port, serving=not no_serve)
        if not no_serve:
            call_command("serve", port=port)

    def _migrate_if_needed(self) -> None:
        """Set up a brand-new database, so that a demo on a fresh data directory just works.
        An existing one may hold real data, which the demo must leave exactly as it is."""
        connection = connections[DEFAULT_DB_ALIAS]
        executor = MigrationExecutor(connection)
        if not executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return
        if Organisation._meta.db_table in connection.introspection.table_names():
            raise CommandError(
                "This database has migrations to apply: run `northstar migrate` first."
            )
        self.stdout.write("Setting up the database…")
        call_command("migrate", verbosity=0)

    def _report(self, summary: demo.DemoSummary) -> None:
        counts = summary.counts
        self.stdout.write(
            f"{summary.organisation}: {counts['departments']} departments, "
            f"{counts['teams']} teams, {counts['people']} people; cycle {summary.quarter}: "
            f"{counts['objectives']} objectives ({counts['company objectives']} company, "
            f"{counts['department objectives']} department, {counts['team objectives']} team, "
            f"{counts['individual objectives']} individual), {counts['key results']} key "
            f"results, {counts['check-ins']} check-ins. On {summary.today}: "
            f"{counts['on_track']} on track, {counts['behind']} behind, "
            f"{counts['at_risk']} at risk, {counts['stale']} stale."
        )

    def _sign_in(self, summary: demo.DemoSummary, port: int, *, serving: bool) -> None:
        start = "Open" if serving else f"Serve it with `northstar serve --port {port}`, open"
        self.stdout.write(
            self.style.SUCCESS(
                f"\n{start} http://127.0.0.1:{port}/ and sign in with the password "
                f"{summary.password!r} as\n"
                f"  {summary.admin_email}  (the CEO, an administrator), or\n"
                f"  {summary.member_email}  (a team member)\n"
            )
        )
        self.stdout.write(f"From a terminal, try: {demo.EXAMPLE_CHECK_IN}\n")
