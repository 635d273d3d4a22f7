"""`northstar remind [--dry-run] [--today YYYY-MM-DD] [--force]`: one round of check-in
reminders to the owners and contributors of stale key results, on the organisation's
reminder day. Run it daily from cron; it acts only on that day and never twice a day."""

from __future__ import annotations

from datetime import date

from northstar.notifications.models import Kind
from northstar.notifications.reminders import build_reminders
from northstar.notifications.rounds import Planned, RoundCommand
from northstar.people.models import Organisation


class Command(RoundCommand):
    help = "Remind owners of stale key results to check in (one round; run daily from cron)."
    kind = Kind.REMINDER
    weekday_field = "reminder_weekday"
    noun = "reminder"

    def plan(self, org: Organisation, today: date) -> list[Planned]:
        return [
            Planned(reminder.person, reminder.line, reminder.context())
            for reminder in build_reminders(org, today)
        ]
