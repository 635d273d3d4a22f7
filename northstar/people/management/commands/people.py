"""`northstar people`: people in bulk and personal data, from a terminal.

    northstar people import FILE.csv [--dry-run] [--as EMAIL]
    northstar people export EMAIL [--output FILE] [--as EMAIL]
    northstar people erase EMAIL [--no-input] [--as EMAIL]

The import's columns and rules are in `northstar/people/importer.py`. Without `--as` the
installation's operator acts and may do everything; with it, the import is limited to the
people and units that person manages, and export and erase need an admin.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.audit.models import record
from northstar.okrs.access import Refused, Viewer, cli_viewer, person_for
from northstar.people import access
from northstar.people.importer import PeopleImportError, import_people
from northstar.people.models import Person, Unit
from northstar.people.personal_data import erase_person, export_person


class Command(BaseCommand):
    help = "Import people from CSV; export or erase everything stored about a person."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        importing = actions.add_parser("import", help="Import or update people from a CSV file.")
        importing.add_argument("path", metavar="FILE.csv")
        importing.add_argument(
            "--dry-run", action="store_true", help="Check and count, then write nothing."
        )
        exporting = actions.add_parser("export", help="Everything stored about someone, as JSON.")
        exporting.add_argument("email", metavar="EMAIL")
        exporting.add_argument("--output", metavar="FILE", help="Write here, not to stdout.")
        erasing = actions.add_parser("erase", help="Replace someone's name and email everywhere.")
        erasing.add_argument("email", metavar="EMAIL")
        erasing.add_argument(
            "--no-input", action="store_false", dest="interactive", help="Do not ask to confirm."
        )
        for sub in (importing, exporting, erasing):
            sub.add_argument("--as", dest="as_email", metavar="EMAIL", help="Act as this person.")

    def handle(self, *args, action: str, as_email: str | None = None, **options) -> None:
        getattr(self, f"_{action}")(viewer_for(as_email), **options)

    def _import(self, viewer: Viewer, *, path: str, dry_run: bool, **options) -> None:
        if not Path(path).is_file():
            raise CommandError(f"{path}: no such file.")
        try:
            result = import_people(path, viewer=viewer, dry_run=dry_run)
        except PeopleImportError as error:
            raise CommandError(f"{error}\nNothing was imported.") from None
        counts = f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged"
        if dry_run:
            self.stdout.write(f"Dry run: would import {counts}. Nothing was written.")
        else:
            self.stdout.write(f"Imported people: {counts}.")

    def _export(self, viewer: Viewer, *, email: str, output: str | None, **options) -> None:
        self._require_admin(viewer)
        person = find_person(email)
        data = json.dumps(export_person(person), indent=2, ensure_ascii=False)
        record(actor=person_for(viewer), action="exported", target=person)
        if output:
            Path(output).write_text(data + "\n", encoding="utf-8")
            self.stdout.write(f"Wrote everything stored about {person.email} to {output}.")
        else:
            self.stdout.write(data)

    def _erase(self, viewer: Viewer, *, email: str, interactive: bool, **options) -> None:
        self._require_admin(viewer)
        person = find_person(email)
        if interactive and not self._confirm(person):
            raise CommandError("Nothing was erased.")
        try:
            pseudonym = erase_person(person=person, actor=person_for(viewer))
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(f"Erased {email}: the person is now “{pseudonym}”.")

    def _confirm(self, person: Person) -> bool:
        try:
            answer = input(
                f"Erase {person.name} <{person.email}> everywhere? Their OKR history stays, "
                "under a pseudonym. This cannot be undone. Type 'yes' to continue: "
            )
        except EOFError:
            # No terminal (a script, cron, a pipe that ended): nobody can answer, so say how
            # to confirm instead of showing a traceback.
            raise CommandError(
                "Nothing was erased: there is no terminal to confirm on; "
                "use --no-input to confirm without a terminal."
            ) from None
        return answer.strip().lower() == "yes"

    def _require_admin(self, viewer: Viewer) -> None:
        if not access.can_see_personal_data(viewer):
            raise CommandError(f"{person_for(viewer).email} is not an admin.")


def viewer_for(as_email: str | None) -> Viewer:
    """The person `--as EMAIL` names, else the operator (who may do everything)."""
    try:
        return cli_viewer(as_email)
    except Refused as refused:
        raise CommandError(str(refused)) from None


def find_person(email: str) -> Person:
    person = Person.objects.filter(email__iexact=email.strip()).first()
    if person is None:
        raise CommandError(f"No person has the email {email!r}.")
    return person


def find_unit(text: str) -> Unit:
    """A unit by its name (case-insensitive) or its id."""
    found = list(Unit.objects.filter(name__iexact=text.strip())[:2])
    if not found and text.strip().isdigit():
        found = list(Unit.objects.filter(pk=int(text)))
    if not found:
        raise CommandError(f"No unit is named {text!r}.")
    if len(found) > 1:
        raise CommandError(f"Several units are named {text!r}; use its id instead.")
    return found[0]
