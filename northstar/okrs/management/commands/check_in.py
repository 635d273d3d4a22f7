"""`northstar check-in`: record a check-in from a script or a terminal.

    northstar check-in KR VALUE [--confidence N] [--note TEXT] [--date YYYY-MM-DD] [--as EMAIL]

KR is the key result's reference: the external ID it was imported with, or `KR-<id>`.
VALUE is a number, `done` / `not-done` for a milestone, or the name of a level.
With `--as EMAIL` the check-in is that person's, and only allowed where they may check in
on the web; a key result they may not see answers like a missing one. Without `--as` the
operator records it, unattributed.
(The module is `check_in` because Django command modules cannot contain a dash; the
`northstar` command maps `check-in` to it.)
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.okrs import actions
from northstar.okrs.access import (
    OPERATOR,
    Refused,
    Viewer,
    can_check_in,
    cli_viewer,
    person_for,
    visible_key_results,
)
from northstar.okrs.management.commands.demo import parse_day
from northstar.okrs.models import CheckIn, KeyResult
from northstar.okrs.progress import fraction_to_percent
from northstar.people.models import Organisation


class Command(BaseCommand):
    help = "Record a check-in on a key result and print the new progress."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Usage and errors should show the name people type, not the module's.
        return super().create_parser(prog_name, "check-in", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("reference", metavar="KR", help="External ID or KR-<id>.")
        parser.add_argument(
            "value", metavar="VALUE", help="A number, done / not-done, or a level's name."
        )
        parser.add_argument("--confidence", type=int, help="How confident you are, 0 to 10.")
        parser.add_argument("--note", default="", help="What happened since the last one.")
        parser.add_argument(
            "--date", type=parse_day, help="Day measured (YYYY-MM-DD); default: today."
        )
        parser.add_argument(
            "--as", dest="as_email", metavar="EMAIL", help="Record it for this person."
        )

    def handle(
        self,
        *args,
        reference: str,
        value: str,
        confidence: int | None,
        note: str,
        date: date | None,
        as_email: str | None,
        **options,
    ) -> None:
        try:
            viewer = cli_viewer(as_email)
        except Refused as error:
            raise CommandError(str(error)) from None
        key_result = find_key_result(reference, viewer)
        if not can_check_in(viewer, key_result):
            raise CommandError(
                f"{as_email} may not check in on {key_result.reference}: check-ins are for "
                "its owners, contributors and the leads of its unit. Nothing was recorded."
            )
        author = person_for(viewer)
        org = Organisation.get()
        if confidence is not None and not 0 <= confidence <= 10:
            raise CommandError(f"Confidence goes from 0 to 10, not {confidence}.")
        before = (key_result.progress, key_result.objective.progress)
        try:
            check_in = actions.record_check_in(
                key_result=key_result,
                author=author,
                actor=author,
                measured_on=date or org.today(),
                confidence=confidence,
                note=note,
                org=org,
                **actions.parse_reading(key_result, value),
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self._report(key_result, check_in, before)

    def _report(
        self, kr: KeyResult, check_in: CheckIn, before: tuple[float | None, float | None]
    ) -> None:
        unit = f" {kr.unit}" if kr.unit and check_in.value is not None else ""
        author = f", for {check_in.author}" if check_in.author else ""
        self.stdout.write(
            f"Recorded {check_in.display_value}{unit} on {kr.reference} “{kr.title}” "
            f"(measured {check_in.measured_on}{author})."
        )
        if kr.current_check_in_id != check_in.pk:
            self.stdout.write("A later measurement exists, so the current value is unchanged.")
        if check_in.outside_cycle:
            self.stderr.write(self.style.WARNING("That day lies outside the objective's cycle."))
        objective = kr.objective
        self.stdout.write(f"Key result: {_change(before[0], kr.progress)}")
        self.stdout.write(
            f"Objective “{objective.title}”: {_change(before[1], objective.progress)}"
        )


def _change(before: float | None, after: float | None) -> str:
    return f"{fraction_to_percent(after)} (was {fraction_to_percent(before)})"


def find_key_result(reference: str, viewer: Viewer = OPERATOR) -> KeyResult:
    """The key result a reference names, ready for a check-in, or a CommandError. One the
    viewer may not read gets the same answer as one that does not exist."""
    key_results = visible_key_results(viewer).select_related("objective__cycle", "owner")
    try:
        kr = key_results.by_reference(reference)
    except KeyResult.DoesNotExist as error:
        # by_reference says what is wrong: nothing given, or nothing found.
        raise CommandError(str(error)) from None
    except KeyResult.MultipleObjectsReturned as error:
        raise CommandError(f"{error} Use its Northstar reference, KR-<id>, instead.") from None
    if kr.progress_source == KeyResult.Source.ALIGNED:
        raise CommandError(
            f"{kr.reference} takes its progress from the objectives aligned under it; "
            "check in on their key results instead."
        )
    if kr.state == KeyResult.State.ARCHIVED:
        raise CommandError(f"{kr.reference} is archived; it takes no more check-ins.")
    return kr
