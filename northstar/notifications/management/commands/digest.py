"""`northstar digest [--dry-run] [--today YYYY-MM-DD] [--force]`: one round of the weekly
digest for unit leads, on the organisation's digest day. Run it daily from cron; it acts
only on that day and never twice a day."""

from __future__ import annotations

from datetime import date

from northstar.notifications.digest import build_digests
from northstar.notifications.models import Kind
from northstar.notifications.rounds import Planned, RoundCommand
from northstar.people.models import Organisation


class Command(RoundCommand):
    help = "Send unit leads their weekly digest (one round; run daily from cron)."
    kind = Kind.DIGEST
    weekday_field = "digest_weekday"
    noun = "digest"

    def plan(self, org: Organisation, today: date) -> list[Planned]:
        return [
            Planned(digest.lead, digest.line, digest.context())
            for digest in build_digests(org, today)
        ]
