"""A channel carries a stored notice to one person or one webhook target.

One channel is one small class with `send(delivery)`. It raises on failure: `Undeliverable`
when trying again cannot help (no address, a refused URL), anything else to be retried.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from northstar.notifications.models import Delivery


class Undeliverable(Exception):
    """A failure that no retry can fix."""


class Channel:
    def send(self, delivery: Delivery) -> None:
        raise NotImplementedError


def channel_for(delivery: Delivery) -> Channel:
    # Imported here: the channel modules import this one for `Channel`.
    from northstar.notifications.channels.email import EmailChannel
    from northstar.notifications.channels.slack import SlackWebhook
    from northstar.notifications.channels.teams import TeamsWebhook
    from northstar.notifications.channels.webhook import JsonWebhook
    from northstar.notifications.models import Channel as Kind
    from northstar.notifications.models import WebhookTarget

    if delivery.channel == Kind.EMAIL:
        return EmailChannel()
    formats = {WebhookTarget.Format.SLACK: SlackWebhook, WebhookTarget.Format.TEAMS: TeamsWebhook}
    return formats.get(delivery.target.format, JsonWebhook)()
