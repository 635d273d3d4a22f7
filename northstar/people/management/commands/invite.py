"""`northstar invite EMAIL [--unit UNIT] [--role admin|lead|member|viewer] [--as EMAIL]`

Invites someone by email. Prints the invitation link, and sends the email when a mail server
is set up (with the console or locmem backend nothing reaches anyone, so pass the link on).
Without `--as` the installation's operator invites; with it, that person must be an admin or
lead the unit.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from northstar.okrs.access import person_for
from northstar.people import access, actions
from northstar.people.management.commands.people import find_unit, viewer_for
from northstar.people.models import Invitation


class Command(BaseCommand):
    help = "Invite someone by email to join Northstar, optionally into a unit with a role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("email", metavar="EMAIL")
        parser.add_argument("--unit", metavar="UNIT", help="The unit's name (or id).")
        parser.add_argument(
            "--role", choices=Invitation.Role.values, default=Invitation.Role.MEMBER
        )
        parser.add_argument("--as", dest="as_email", metavar="EMAIL", help="Invite as this person.")

    def handle(
        self, *args, email: str, unit: str | None, role: str, as_email: str | None, **options
    ) -> None:
        viewer = viewer_for(as_email)
        target = find_unit(unit) if unit else None
        if not access.can_invite(viewer, target, role):
            raise CommandError(f"{as_email} may not invite into that unit with that role.")
        actor = person_for(viewer)
        try:
            invitation, token = actions.create_invitation(
                email=email, unit=target, role=role, invited_by=actor
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        link = actions.invitation_link(token)
        if actions.mail_is_delivered():
            actions.send_invitation(invitation, link)
            self.stdout.write(f"Sent an invitation to {invitation.email}.")
        else:
            self.stdout.write(f"No mail server is set up: send {invitation.email} this link.")
        self.stdout.write(link)
        self.stdout.write(f"It expires on {invitation.expires:%Y-%m-%d}.")
