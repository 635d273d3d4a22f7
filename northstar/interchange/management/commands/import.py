"""`northstar import PATH... [--dry-run] [--cycle NAME] [--year YYYY] [--timezone TZ] [--as EMAIL]`

Imports OKR files (Northstar YAML/JSON, community YAML, CSV/XLSX sheets, Markdown) in one
transaction, in the order given. Rules: docs/import.md. An import creates units, people and
cycles, so with `--as` that person must be an admin; without it, the operator imports.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from northstar.interchange.document import ImportProblem
from northstar.interchange.importer import ImportOptions, ImportReport, import_files
from northstar.okrs.access import Refused, can_manage_organisation, cli_viewer


class Command(BaseCommand):
    help = (
        "Import OKRs from .yaml/.yml/.json (Northstar's own or the community layout), "
        ".csv/.xlsx sheets and .md outlines. All files go in one transaction: on any "
        "error nothing is written."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="+", metavar="PATH", help="files, in import order")
        parser.add_argument("--dry-run", action="store_true", help="do everything, then roll back")
        parser.add_argument(
            "--cycle", metavar="NAME", help="cycle for objectives whose file names none"
        )
        parser.add_argument(
            "--year", type=int, metavar="YYYY", help="year of quarters written as 'Q4'"
        )
        parser.add_argument(
            "--timezone",
            metavar="TZ",
            help="time zone to date check-in timestamps in (e.g. Europe/Zurich)",
        )
        parser.add_argument(
            "--as",
            dest="acting_as",
            metavar="EMAIL",
            help="person importing: author of check-ins that name none",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            viewer = cli_viewer(options["acting_as"])
        except Refused as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        if not can_manage_organisation(viewer):
            raise CommandError(
                f"{options['acting_as']} is not an admin: only admins import.\n"
                "Nothing was imported."
            )
        settings = ImportOptions(
            cycle=options["cycle"],
            year=options["year"],
            timezone=options["timezone"],
            acting_as=options["acting_as"],
            dry_run=options["dry_run"],
        )
        try:
            report = import_files(options["paths"], settings)
        except ImportProblem as problem:
            raise CommandError(f"{problem}\nNothing was imported.") from None
        self._print(report)

    def _print(self, report: ImportReport) -> None:
        for warning in report.warnings:
            self.stderr.write(f"warning: {warning}", style_func=self.style.WARNING)
        self.stdout.write(report.summary())
        if report.units_created or report.people_created or report.cycles_created:
            self.stdout.write(report.created_elsewhere())
        if report.dry_run:
            self.stdout.write("Dry run: nothing was written.")
