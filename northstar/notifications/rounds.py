"""A round of reminders or digests, as run once a day from cron.

Each recipient gets a `RoundSent(kind, person, day)` marker in the same transaction as their
notification is published, so a second run on the same organisation-local day finds the
marker and sends nothing new, and a run that dies halfway resumes where it stopped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from northstar.notifications.events import publish
from northstar.notifications.models import RoundSent
from northstar.notifications.tasks import retry_due
from northstar.okrs.management.commands.demo import parse_day
from northstar.people.models import Organisation, Person


@dataclass(frozen=True)
class Planned:
    person: Person
    line: str
    context: dict


def send_round(kind: str, planned: list[Planned], *, day: date, dry_run: bool) -> list[Planned]:
    """Publish each planned notification not already sent today; what was (or, on a dry
    run, would be) sent."""
    already = set(RoundSent.objects.filter(kind=kind, day=day).values_list("person_id", flat=True))
    fresh = [p for p in planned if p.person.pk not in already]
    if dry_run:
        return fresh
    return [p for p in fresh if send_one(kind, p, day)]


def send_one(kind: str, planned: Planned, day: date) -> bool:
    with transaction.atomic():
        _, created = RoundSent.objects.get_or_create(kind=kind, person=planned.person, day=day)
        if not created:
            return False  # another run got there first
        publish(
            kind, recipients=[planned.person], actor=None, subject=None, context=planned.context
        )
    return True


class RoundCommand(BaseCommand):
    """`northstar remind` and `northstar digest`: one recipient per line on stdout, the rest
    (summary, why nothing ran) on stderr, so cron output stays greppable."""

    kind: str
    weekday_field: str
    noun: str

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Print who would get what; write nothing."
        )
        parser.add_argument(
            "--today",
            type=parse_day,
            help="The organisation-local day to run as (YYYY-MM-DD); default: today there.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even if today is not the organisation's day."
        )

    def handle(self, *args, dry_run: bool, today: date | None, force: bool, **options) -> None:
        org = Organisation.get()
        today = today or org.today()
        if not dry_run:
            retry_due()  # cron runs this daily: the sweep for backends that cannot defer
        weekday = getattr(org, self.weekday_field)
        if today.weekday() != weekday and not force:
            day_name = Organisation.Weekday(weekday).label
            self.stderr.write(
                f"{today:%A %Y-%m-%d} ({org.time_zone}) is not the organisation's {self.noun} "
                f"day ({day_name}); nothing sent. Use --force to run anyway."
            )
            if not dry_run:
                return
            # A dry run is a preview: show what the round would send if it ran today.
            self.stderr.write(f"Preview of the round as if {day_name} were today:")
        planned = self.plan(org, today)
        sent = send_round(self.kind, planned, day=today, dry_run=dry_run)
        for entry in sent:
            self.stdout.write(entry.line)
        self.stderr.write(self.summary(len(sent), len(planned) - len(sent), dry_run))

    def plan(self, org: Organisation, today: date) -> list[Planned]:
        raise NotImplementedError

    def summary(self, sent: int, skipped: int, dry_run: bool) -> str:
        verb = "would be sent (dry run: nothing written)" if dry_run else "queued"
        text = f"{sent} {self.noun}{'' if sent == 1 else 's'} {verb}"
        if skipped:
            text += f"; {skipped} already sent today"
        return text + "."
